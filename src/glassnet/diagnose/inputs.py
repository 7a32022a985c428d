"""What every diagnostic shares: reading a batch, and leaving the model as it was found.

A batch is what a DataLoader yields: a Tensor (or NumPy array) of inputs, or a tuple/list
`(input, target, ...)`. The model is called with the input alone, so a model that takes
several positional inputs needs a small wrapper Module.

A diagnostic runs the model once, in the mode asked for:
    'same'   the model's current mode (a freshly built model is in train mode),
    'train'  BatchNorm normalises with the batch's own statistics, dropout is active:
             what a training step sees,
    'eval'   BatchNorm uses its running statistics, no dropout: what inference sees.
Whatever the mode, every module's training flag, every buffer (BatchNorm's running
statistics and counters) and glassnet's random generator (which dropout draws from)
are put back afterwards, so diagnosing a model never changes how it trains next.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy

from glassnet.creation import as_tensor
from glassnet.nn.module import Module
from glassnet.random import default_generator
from glassnet.tensor import Tensor
from glassnet.tracing import module_state_kept

MODES = ("same", "train", "eval")


def check_model(model: Any, where: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(
            f"{where}: expected a glassnet.nn.Module as model, got {type(model).__name__}"
        )


def check_mode(mode: Any, where: str) -> None:
    if mode not in MODES:
        raise ValueError(
            f"{where}: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}"
        )


def _as_tensor(value: Any, what: str, where: str) -> Tensor:
    if isinstance(value, Tensor):
        return value.detach()  # the diagnostic must not leave a gradient on the caller's tensor
    if isinstance(value, (numpy.ndarray, numpy.generic)):
        return as_tensor(value)
    raise TypeError(
        f"{where}: the batch's {what} must be a Tensor or a NumPy array, got {type(value).__name__}"
    )


def split_batch(batch: Any, where: str) -> tuple[Tensor, Tensor | None]:
    """(input, target or None) from a Tensor/array or an (input, target, ...) tuple/list."""
    if isinstance(batch, (tuple, list)):
        if not batch:
            raise ValueError(
                f"{where}: the batch is an empty {type(batch).__name__}; pass the inputs, or "
                f"(inputs, targets) as a DataLoader yields them"
            )
        target = _as_tensor(batch[1], "target (batch[1])", where) if len(batch) > 1 else None
        return _as_tensor(batch[0], "input (batch[0])", where), target
    return _as_tensor(batch, "input", where), None


def effective_mode(model: Module, mode: str) -> str:
    """'train' or 'eval': the mode the pass runs in ('same' resolved from the model's flag)."""
    if mode != "same":
        return mode
    return "train" if model.training else "eval"


@contextlib.contextmanager
def preserved(model: Module, mode: str) -> Iterator[None]:
    """Run the body in `mode`; restore training flags, buffers and glassnet's RNG afterwards."""
    generator = default_generator()
    rng_state = generator.bit_generator.state
    try:
        with module_state_kept(model, mode):
            yield
    finally:
        generator.bit_generator.state = rng_state
