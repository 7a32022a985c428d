"""Timings of the activation topics: the arithmetic of each activation per element, each glassnet
op per element, and one MLP training step.

Reported, never asserted (a shared 2-core machine). Each timing is the fastest of its repeats
(the run least disturbed by other processes), under a single BLAS thread. `arithmetic_cost`
times in CPU seconds (time.process_time), the others in wall seconds.
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

# Each activation's arithmetic, in place into `out` (no temporaries: only the operations count),
# as one or more equivalent forms (the cheapest counts). ELU = max(x, expm1(min(x, 0))) because
# expm1(x) >= x; Leaky ReLU = max(x, 0.01 x) (slope < 1); ReLU's max against a zero array or
# against 0 x avoids NumPy's slower loop for a scalar operand.
Form = Callable[[np.ndarray, np.ndarray, np.ndarray], object]  # (x, out, zeros)
IN_PLACE: dict[str, tuple[Form, ...]] = {
    "sigmoid": (
        lambda x, out, zeros: (
            np.negative(x, out=out),
            np.exp(out, out=out),
            np.add(out, 1, out=out),
            np.reciprocal(out, out=out),
        ),
    ),
    "tanh": (lambda x, out, zeros: np.tanh(x, out=out),),
    "relu": (
        lambda x, out, zeros: np.maximum(x, 0, out=out),
        lambda x, out, zeros: np.maximum(x, zeros, out=out),
        lambda x, out, zeros: (  # max(x, 0 x): two SIMD passes beat NumPy's scalar-operand loop
            np.multiply(x, np.float32(0), out=out),
            np.maximum(x, out, out=out),
        ),
    ),
    "leaky_relu": (
        lambda x, out, zeros: (
            np.multiply(x, np.float32(0.01), out=out),
            np.maximum(x, out, out=out),
        ),
    ),
    "elu": (
        lambda x, out, zeros: (
            np.minimum(x, 0, out=out),
            np.expm1(out, out=out),
            np.maximum(x, out, out=out),
        ),
        lambda x, out, zeros: (
            np.minimum(x, zeros, out=out),
            np.expm1(out, out=out),
            np.maximum(x, out, out=out),
        ),
    ),
    "exp": (lambda x, out, zeros: np.exp(x, out=out),),  # sigmoid's exp alone
    "copy": (lambda x, out, zeros: np.copyto(out, x),),  # one pass, no arithmetic: the floor
}
# Operations per element of each in-place formula (passes over the array), and the exps among them.
OPERATIONS = {
    "sigmoid": (4, 1),  # negate, exp, add 1, reciprocal
    "tanh": (1, 1),  # tanh (an exp-class function: NumPy's SIMD tanh is a rational approximation)
    "relu": (1, 0),  # max(x, 0): one comparison
    "leaky_relu": (2, 0),  # multiply by 0.01, max
    "elu": (3, 1),  # min(x, 0), expm1, max
}
ARITHMETIC_INPUTS = 4  # distinct 1e6-element inputs the arithmetic timings cycle through


def arithmetic_cost(elements: int, repeats: int) -> dict[str, float]:
    """CPU ns per element of each activation's arithmetic (the cheapest of its IN_PLACE forms) on
    float32 N(0, 1) inputs, plus 'exp' (sigmoid's exp alone) and 'copy' (one pass, no arithmetic)."""
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal(elements).astype(np.float32) for _ in range(ARITHMETIC_INPUTS)]
    out, zeros = np.empty(elements, dtype=np.float32), np.empty(elements, dtype=np.float32)
    zeros.fill(0)  # written, not calloc's untouched pages (which all read one shared zero page)
    forms = [(name, form) for name, options in IN_PLACE.items() for form in options]
    best = dict.fromkeys(IN_PLACE, math.inf)
    with np.errstate(over="ignore"):
        for _, form in forms:
            form(inputs[0], out, zeros)  # warm up: page in `out`
        for repeat in range(repeats):  # round robin: a burst of load hits every form alike
            x = inputs[repeat % ARITHMETIC_INPUTS]
            for name, form in forms:
                start = time.process_time()
                form(x, out, zeros)
                best[name] = min(best[name], time.process_time() - start)
    costs = {name: seconds / elements * 1e9 for name, seconds in best.items()}
    return costs


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
