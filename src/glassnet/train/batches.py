"""What the Trainer takes as data: re-iterable batches of (inputs, targets), checked loudly.

A DataLoader, a list of (inputs, targets) pairs, or any iterable that gives the same
batches on each pass; a loader with `set_epoch` (a glassnet DataLoader) reshuffles from
(seed, epoch), which is what makes a resumed epoch replay the same batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy

from glassnet.tensor import Tensor


def as_tensor(value: Any) -> Tensor:
    """A Tensor as it is; anything else (an array, nested lists) through numpy.asarray."""
    return value if isinstance(value, Tensor) else Tensor(numpy.asarray(value))


def batch_pair(batch: Any, where: str, index: int) -> tuple[Tensor, Tensor]:
    """(inputs, targets) of batch `index` of `where` (train, val, ...) as Tensors, else a ValueError."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        kind = f"a {type(batch).__name__}" + (
            f" of {len(batch)} items" if isinstance(batch, (tuple, list)) else ""
        )
        raise ValueError(
            f"Trainer: {where} batch {index} is {kind}; expected (inputs, targets) pairs"
        )
    return as_tensor(batch[0]), as_tensor(batch[1])


def check_reiterable(data: Any, where: str) -> None:
    """Refuse an iterator (one pass only) or a non-iterable as `where`; None passes (no data)."""
    if data is None:
        return
    if isinstance(data, Iterator) or not isinstance(data, Iterable):
        why = "would be empty after one epoch" if isinstance(data, Iterator) else "is not iterable"
        raise TypeError(
            f"Trainer: {where} must be re-iterable (a DataLoader, or a list of (inputs, targets) "
            f"batches); got a {type(data).__name__}, which {why}"
        )


def epoch_batches(data: Any, epoch: int | None) -> Iterator[Any]:
    """An epoch's batches; a loader with `set_epoch` (a glassnet DataLoader) shuffles from (seed, epoch)."""
    if epoch is not None and callable(getattr(data, "set_epoch", None)):
        data.set_epoch(epoch)
    return iter(data)


def close_batches(batches: Any) -> None:
    """Close an epoch's batch iterator if it has close() (a DataLoader's stops its pipeline)."""
    close = getattr(batches, "close", None)
    if callable(close):
        close()
