"""The lab's one training loop: the textbook step, with hooks where a topic measures or intervenes.

    trace = train_loop(model, optimizer, batches, steps=400,
                       before_update=clip_hook, after_update=eval_hook)

Each step, in the order of the notes' data flow:

    x, y = next(batches)                   a mini-batch (see the samplers below)
    optimizer.zero_grad()
    loss = loss_fn(model, x, y)            forward (default: cross-entropy of model(x))
    trace.losses.append(loss)              the mini-batch loss, every step taken
    diverged(loss) -> stop                 a blown-up run stops (trace.diverged_at = step)
    loss.backward()
    before_update(step, trace) -> STOP?    gradients are there: clip, penalise, record norms
    optimizer.step()
    after_update(step, trace) -> STOP?     weights updated: evaluate, record, stop early

Hooks return `STOP` to end the run; anything else continues. The samplers decide which
rows make each batch, drawing from the generator they are given, lazily, so that a hook or
a topic's augmentation that draws from the same generator between two batches sees the
draws in the order of a hand-written loop. `one_blas_thread()` (kit.machine) is the BLAS
setting the lab trains under.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import glassnet
from glassnet.nn import functional as F

__all__ = [
    "STOP",
    "Trace",
    "train_loop",
    "cross_entropy_loss",
    "not_finite",
    "epoch_batches",
    "stream_batches",
    "sequential_batches",
    "rows",
]

STOP = "stop"
Array = np.ndarray
Batch = tuple[Array, Array]
Hook = Callable[[int, "Trace"], Any]


@dataclass
class Trace:
    """What the loop saw: the mini-batch loss of every step taken, where it diverged, and how far it went."""

    losses: list[float] = field(default_factory=list)
    diverged_at: int | None = None
    steps: int = 0  # optimizer steps taken
    records: dict[str, list[Any]] = field(default_factory=dict)  # what the hooks keep

    def record(self, name: str, value: Any) -> None:
        """Append `value` to the hook record `name`."""
        self.records.setdefault(name, []).append(value)


def cross_entropy_loss(model: Any, x: Array, y: Array) -> glassnet.Tensor:
    """The default forward: cross-entropy of model(x) against the labels y."""
    return F.cross_entropy(model(glassnet.tensor(x)), glassnet.tensor(y))


def not_finite(loss: float) -> bool:
    """The default divergence test: a NaN or infinite mini-batch loss."""
    return not math.isfinite(loss)


def train_loop(
    model: Any,
    optimizer: Any,
    batches: Iterable[Batch],
    steps: int,
    loss_fn: Callable[[Any, Array, Array], glassnet.Tensor] = cross_entropy_loss,
    diverged: Callable[[float], bool] | None = not_finite,
    before_update: Hook | None = None,
    after_update: Hook | None = None,
    trace: Trace | None = None,
) -> Trace:
    """Train `model` in train mode for at most `steps` steps (steps are numbered from 1).

    `trace`: a Trace to fill (its lists can be a caller's, read live by its hooks).
    """
    if steps < 1:
        raise ValueError(f"train_loop: steps must be >= 1, got {steps}")
    trace = Trace() if trace is None else trace
    model.train()
    source = iter(batches)
    for step in range(1, steps + 1):
        x, y = next(source)
        optimizer.zero_grad()
        loss = loss_fn(model, x, y)
        value = float(loss.item())
        trace.losses.append(value)
        if diverged is not None and diverged(value):
            trace.diverged_at = step
            break
        loss.backward()
        if before_update is not None and before_update(step, trace) == STOP:
            break
        optimizer.step()
        trace.steps = step
        if after_update is not None and after_update(step, trace) == STOP:
            break
    return trace


# -- samplers: which rows make each batch ------------------------------------------------------
def epoch_batches(
    n: int, batch_size: int, rng: np.random.Generator | None, drop_last: bool = True
) -> Iterator[Array]:
    """Endless row indices, a fresh permutation per epoch (rng None: in order, the MNIST-1D
    paper's loop). drop_last drops the short last batch; a batch as large as the data is the
    whole data every step, in order, drawing nothing."""
    if drop_last and batch_size >= n:
        while True:
            yield np.arange(n)
    stop = n - batch_size + 1 if drop_last else n
    while True:
        order = np.arange(n) if rng is None else rng.permutation(n)
        for start in range(0, stop, batch_size):
            yield order[start : start + batch_size]


def stream_batches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[Array]:
    """Endless row indices from one stream of permutations: a batch may span two epochs."""
    order = np.empty(0, dtype=np.int64)
    while True:
        if len(order) < batch_size:
            order = np.concatenate([order, rng.permutation(n)])
        index, order = order[:batch_size], order[batch_size:]
        yield index


def sequential_batches(n: int, batch_size: int) -> Iterator[Array]:
    """The MNIST-1D paper's batches: rows [k * b mod n, k * b mod n + b) at step k, no shuffling."""
    step = 0
    while True:
        begin = (step * batch_size) % n
        yield np.arange(n)[begin : begin + batch_size]
        step += 1


def rows(x: Array, y: Array, indices: Iterable[Array]) -> Iterator[Batch]:
    """(x[i], y[i]) for each index array i."""
    for index in indices:
        yield x[index], y[index]
