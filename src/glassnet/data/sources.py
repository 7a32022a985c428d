"""Where a pipeline's records come from: a list of files, aligned arrays, or a dataset.

A source is random access: `len(source)`, `source.get(i)` for record i, and
`source.describe(i)` for error messages ("file 'a/3.png'", "row 17"). A source whose
records are rows of in-memory arrays also has `gather(indices)`, which makes a whole
batch with one fancy-indexing copy per array: the fast path that lets a loader serve
hundreds of thousands of samples per second without per-sample Python.

The sources are plain picklable objects: process workers receive them (with the map
function) once, and then only record indices travel.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from typing import Any

import numpy

from glassnet.data.transforms.randomness import sample_generator, use_generator
from glassnet.tensor import Tensor


class FileSource:
    """Record i is the path `paths[i]` (a string); the map that follows reads it."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)

    @classmethod
    def from_argument(cls, paths_or_glob: Any) -> FileSource:
        if isinstance(paths_or_glob, (str, os.PathLike)):
            pattern = os.fspath(paths_or_glob)
            paths = sorted(
                glob.glob(pattern, recursive=True)
            )  # sorted: the same order on every machine
            if not paths:
                raise FileNotFoundError(
                    f"Pipeline.from_files: the pattern {pattern!r} matches no files "
                    f"(working directory {os.getcwd()!r})"
                )
            return cls(paths)
        try:
            paths = [os.fspath(path) for path in paths_or_glob]
        except TypeError:
            raise TypeError(
                f"Pipeline.from_files: expected a glob pattern or a list of paths, got "
                f"{type(paths_or_glob).__name__}"
            ) from None
        if not paths:
            raise ValueError("Pipeline.from_files: the list of files is empty")
        return cls(paths)

    def __len__(self) -> int:
        return len(self.paths)

    def get(self, index: int) -> str:
        return self.paths[index]

    def describe(self, index: int) -> str:
        return f"file {self.paths[index]!r}"


class ArraySource:
    """Record i is `arrays[0][i]` (one array) or the tuple `(a[i] for a in arrays)`."""

    def __init__(self, arrays: Sequence[Any], where: str = "Pipeline.from_arrays") -> None:
        if not arrays:
            raise ValueError(f"{where}: needs at least one array")
        converted = [
            array.data if isinstance(array, Tensor) else numpy.asarray(array) for array in arrays
        ]
        for position, array in enumerate(converted):
            if array.ndim == 0:
                raise ValueError(
                    f"{where}: array {position} is 0-d; each array needs a first (sample) axis"
                )
        sizes = [len(array) for array in converted]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"{where}: the arrays must have the same size in their first dimension, got "
                f"{', '.join(f'array {i}: {size}' for i, size in enumerate(sizes))}"
            )
        self.arrays = converted
        self.single = len(converted) == 1

    def __len__(self) -> int:
        return len(self.arrays[0])

    def get(self, index: int) -> Any:
        if self.single:
            return self.arrays[0][index]
        return tuple(array[index] for array in self.arrays)

    def gather(self, indices: numpy.ndarray) -> Any:
        if self.single:
            return self.arrays[0][indices]
        return tuple(array[indices] for array in self.arrays)

    def describe(self, index: int) -> str:
        return f"row {index}"


class DatasetSource:
    """Record i is `dataset[i]`; `gather` exists when the dataset has one (TensorDataset, Subset of one)."""

    def __init__(self, dataset: Any, where: str = "Pipeline.from_dataset") -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"{where}: expected a map-style dataset with __getitem__ and __len__, got "
                f"{type(dataset).__name__}"
            )
        self.dataset = dataset

    @property
    def can_gather(self) -> bool:
        return callable(getattr(self.dataset, "gather", None)) and getattr(
            self.dataset, "can_gather", True
        )

    def __len__(self) -> int:
        return len(self.dataset)

    def get(self, index: int) -> Any:
        return self.dataset[index]

    def gather(self, indices: numpy.ndarray) -> Any:
        return self.dataset.gather(indices)

    def describe(self, index: int) -> str:
        return f"item {index} of {type(self.dataset).__name__}"


def can_gather(source: Any) -> bool:
    if isinstance(source, ArraySource):
        return True
    return isinstance(source, DatasetSource) and source.can_gather


class ReadThen:
    """`fn(source.get(i))`: the first map reads the record itself, in the worker."""

    def __init__(self, source: Any, fn: Any) -> None:
        self.source, self.fn = source, fn

    def __call__(self, index: int) -> Any:
        return self.fn(self.source.get(index))


class CollateBatch:
    """A batch from its records: `gather` when the source can, else read each and collate.

    With `streams` (a `RecordStreams`), each record is read inside its own random
    stream, so a dataset's random transforms draw the same numbers whichever worker
    reads it.
    """

    def __init__(
        self, source: Any, collate: Any, gather: bool, streams: RecordStreams | None = None
    ) -> None:
        self.source, self.collate, self.gather, self.streams = source, collate, gather, streams

    def __call__(self, items: Any) -> Any:
        if self.source is None:  # the records were already read (a map came first)
            return self.collate(items)
        if self.gather:
            return self.source.gather(numpy.asarray(items, dtype=numpy.int64))
        indices = numpy.asarray(items).tolist()
        if self.streams is None:
            return self.collate([self.source.get(index) for index in indices])
        return self.collate([self.streams.call(self.source.get, index, index) for index in indices])


class RecordStreams:
    """Run a function on a record inside that record's own random stream.

    The stream is `sample_generator(seed, epoch, n)` for record number n (its index in
    the source, or the batch number), so random transforms called inside draw the same
    numbers whether the record is handled inline, on any thread or in any process.
    Picklable, for process workers.
    """

    def __init__(self, seed: int, epoch: int) -> None:
        self.seed, self.epoch = int(seed), int(epoch)

    def call(self, fn: Any, number: int, value: Any) -> Any:
        with use_generator(sample_generator(self.seed, self.epoch, number)):
            return fn(value)


class KeyedCall:
    """`fn(value)` for a `(key, value)` item, inside the key's random stream (see `RecordStreams`)."""

    def __init__(self, fn: Any, streams: RecordStreams) -> None:
        self.fn, self.streams = fn, streams

    def __call__(self, item: tuple[Any, Any]) -> Any:
        key, value = item
        number = key if isinstance(key, int) else key.number  # a record index or a BatchKey
        return self.streams.call(self.fn, number, value)
