"""Timings of the activation topics: ns per element of each activation op, and one MLP training step.

Reported, never asserted (a shared 2-core machine). Each timing is the fastest of its repeats
(the run least disturbed by other processes), under a single BLAS thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

import glassnet
from glassnet import optim
from glassnet.lab.kit.activations import ACTIVATIONS, GLASSNET_OPS, build_mlp
from glassnet.nn import functional as F


def best_time(function: Callable[[int], object], repeats: int) -> float:
    """The fastest of `repeats` wall-clock runs of function(repeat index); the minimum is the run
    least disturbed by other processes."""
    best = math.inf
    for repeat in range(repeats):
        start = time.perf_counter()
        function(repeat)
        best = min(best, time.perf_counter() - start)
    return best


NUMPY_FORMULAS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x > 0, x, x * np.float32(0.01)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
}


INPUTS = 8  # distinct inputs the timings cycle through


def _time_one(name: str, inputs: list[np.ndarray], repeats: int) -> dict[str, float]:
    formula, op = NUMPY_FORMULAS[name], GLASSNET_OPS[name]
    leaves = [glassnet.tensor(x, requires_grad=True) for x in inputs]
    grads = [glassnet.tensor(np.ones_like(x)) for x in inputs]

    def forward_backward(repeat: int) -> None:
        leaf = leaves[repeat % INPUTS]
        leaf.grad = None
        op(leaf).backward(grads[repeat % INPUTS])

    with glassnet.no_grad():
        forward = best_time(lambda repeat: op(leaves[repeat % INPUTS]), repeats)
    size = inputs[0].size
    return {
        "numpy": best_time(lambda repeat: formula(inputs[repeat % INPUTS]), repeats) / size * 1e9,
        "forward": forward / size * 1e9,
        "forward_backward": best_time(forward_backward, repeats) / size * 1e9,
    }


def time_per_element(elements: int, repeats: int) -> dict[str, dict[str, float]]:
    """ns per element of each activation on float32 N(0, 1) inputs: the plain NumPy formula
    ('numpy'), glassnet's op ('forward'), and glassnet's forward + backward ('forward_backward').

    The repeats cycle through INPUTS different arrays: timed again and again on one array,
    the CPU's branch predictor learns its pattern of signs and the `where`-based ops
    (Leaky ReLU, ELU) look several times cheaper than on fresh data.
    """
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(elements).astype(np.float32) for _ in range(INPUTS)]
    with np.errstate(over="ignore"):
        return {name: _time_one(name, inputs, repeats) for name in ACTIVATIONS}


def step_time(sizes: Sequence[int], activation: str, batch_size: int, repeats: int) -> float:
    """Seconds of one SGD training step (forward, backward, update) of the MLP, best of `repeats`."""
    glassnet.manual_seed(0)
    model = build_mlp(sizes, activation)
    optimizer = optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    rng = np.random.default_rng(0)
    x = glassnet.tensor(rng.standard_normal((batch_size, sizes[0])).astype(np.float32))
    y = glassnet.tensor(rng.integers(0, sizes[-1], batch_size))

    def one_step() -> None:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    one_step()  # warm up (first-call allocations)
    return best_time(lambda repeat: one_step(), repeats)
