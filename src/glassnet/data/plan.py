"""The stages a `Pipeline` is built from, as plain frozen records, and the checks of their arguments.

`Pipeline.shuffle/map/batch/prefetch` check their arguments here and append one of
these records; `Pipeline._run` turns the records into generators (see `stages.py`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy

from glassnet.data.workers import check_picklable

BACKENDS = ("thread", "process")
ON_ERROR = ("raise", "skip")


@dataclasses.dataclass(frozen=True)
class Shuffle:
    buffer_size: int
    seed: int

    def __str__(self) -> str:
        return f"shuffle({self.buffer_size}, seed={self.seed})"


@dataclasses.dataclass(frozen=True)
class Map:
    fn: Callable[[Any], Any]
    workers: int
    backend: str
    on_error: str
    seed: int | None = None
    timeout: float | None = None

    @property
    def name(self) -> str:
        return f"Pipeline.map({callable_name(self.fn)})"

    def __str__(self) -> str:
        return f"map({callable_name(self.fn)}, workers={self.workers}, backend={self.backend!r}, on_error={self.on_error!r})"


@dataclasses.dataclass(frozen=True)
class Batch:
    batch_size: int
    drop_last: bool
    collate: Callable[[list[Any]], Any] | None
    workers: int
    backend: str
    seed: int | None = None
    timeout: float | None = None
    tensors: bool = True  # hand out glassnet Tensors (False: the raw arrays)

    def __str__(self) -> str:
        collate = f", collate={callable_name(self.collate)}" if self.collate else ""
        return (
            f"batch({self.batch_size}, drop_last={self.drop_last}{collate}, workers={self.workers})"
        )


@dataclasses.dataclass(frozen=True)
class Prefetch:
    size: int

    def __str__(self) -> str:
        return f"prefetch({self.size})"


def check_seed(seed: Any, where: str) -> int | None:
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)) or seed < 0
    ):
        raise ValueError(f"{where}: seed must be a non-negative integer or None, got {seed!r}")
    return None if seed is None else int(seed)


def check_timeout(timeout: Any, workers: int, where: str) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(
            f"{where}: timeout must be a positive number of seconds or None, got {timeout!r}"
        )
    if workers == 0:
        raise ValueError(
            f"{where}: timeout={timeout!r} needs workers >= 1: with workers=0 the function runs in "
            "the consumer's own thread, which nothing can interrupt"
        )
    return float(timeout)


def callable_name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def check_count(value: Any, method: str, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
        raise ValueError(f"Pipeline.{method}: {argument} must be a positive integer, got {value!r}")


def check_epoch(epoch: Any) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, (int, numpy.integer)) or epoch < 0:
        raise ValueError(f"Pipeline: epoch must be a non-negative integer, got {epoch!r}")
    return int(epoch)


def check_workers(workers: Any, backend: str, fn: Any, where: str) -> None:
    if isinstance(workers, bool) or not isinstance(workers, (int, numpy.integer)) or workers < 0:
        raise ValueError(f"{where}: workers must be a non-negative integer, got {workers!r}")
    if backend not in BACKENDS:
        raise ValueError(f"{where}: backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "process" and workers > 0:
        check_picklable(fn, where)
