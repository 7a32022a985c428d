"""`Pipeline`: the notes' input pipeline, lazy and composable.

    name files -> file queue (shuffled) -> read -> preprocess -> batch -> prefetch

    Pipeline.from_files("digits/*/*.png")   # name the files (sorted, so every machine agrees)
        .shuffle(10_000, seed=0)            # the file queue, reshuffled every epoch
        .map(read_png, workers=4)           # read, on 4 threads (or backend="process")
        .map(normalize)                     # preprocess
        .batch(128)                         # assemble the network's input
        .prefetch(2)                        # overlap all of it with the training step

Nothing runs until iteration. Each `iter()` (a `for` loop) is one epoch: the first is
epoch 0, then 1, 2, ...; `set_epoch(k)` picks the next one and `epoch(k)` iterates
epoch k directly. Every shuffle draws from `default_rng([seed, epoch])`, so an epoch's
order is a function of (seed, epoch) alone: the same on every run, and the same
whatever the number of workers or their kind (workers finish out of order; results are
put back in input order before they move on).

How it runs: the source and the shuffles that directly follow it work on record
*indices* (a shuffle with a buffer at least as large as the data is one vectorised
permutation), and the first `map` or `batch` reads the records itself, inside its
workers: process workers receive the source once, then only indices travel (except
for in-memory arrays, whose rows are sent instead of the whole arrays). A `batch`
that directly follows the source of in-memory arrays (from_arrays, a TensorDataset)
gathers each batch with one fancy-indexing copy per array, with no per-record Python.

Shutdown: stop early, drop the iterator, raise, or press Ctrl-C, and every stage
closes the one before it; worker threads and processes stop and shared memory is
removed (see `workers.py` and `processes.py`). `with pipeline.epoch(k) as batches:` closes on exit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy

from glassnet.data.collate import default_collate
from glassnet.data.epoch_chain import run_epoch
from glassnet.data.plan import (
    ON_ERROR,
    Batch,
    Map,
    Prefetch,
    Shuffle,
    check_count,
    check_epoch,
    check_seed,
    check_timeout,
    check_workers,
)
from glassnet.data.sources import ArraySource, DatasetSource, FileSource
from glassnet.data.stages import BatchKey
from glassnet.random import default_generator


class Pipeline:
    """A lazy chain of stages over a source of records; iterate it for one epoch."""

    def __init__(self, source: Any, stages: tuple[Any, ...] = ()) -> None:
        self._source = source
        self._stages = stages
        self._next_epoch = 0

    # -- sources ----------------------------------------------------------------------------
    @classmethod
    def from_files(cls, paths_or_glob: Any) -> Pipeline:
        """Records are file paths: a list of paths, or a glob pattern (`**` recurses), sorted."""
        return cls(FileSource.from_argument(paths_or_glob))

    @classmethod
    def from_arrays(cls, *arrays: Any) -> Pipeline:
        """Records are rows: `a[i]` for one array, the tuple `(a[i], b[i], ...)` for several."""
        return cls(ArraySource(arrays))

    @classmethod
    def from_dataset(cls, dataset: Any) -> Pipeline:
        """Records are `dataset[i]` for a map-style dataset (`__getitem__` and `__len__`)."""
        return cls(DatasetSource(dataset))

    # -- stages -----------------------------------------------------------------------------
    def shuffle(self, buffer_size: int, seed: int | None = None) -> Pipeline:
        """Shuffle through a buffer of `buffer_size` records, anew each epoch from (seed, epoch).

        seed=None draws one from glassnet's generator now, so `glassnet.manual_seed` fixes it.
        """
        check_count(buffer_size, "shuffle", "buffer_size")
        if seed is None:
            seed = int(default_generator().integers(2**63))
        elif isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)) or seed < 0:
            raise ValueError(
                f"Pipeline.shuffle: seed must be a non-negative integer or None, got {seed!r}"
            )
        return self._then(Shuffle(int(buffer_size), int(seed)))

    def map(
        self,
        fn: Callable[[Any], Any],
        workers: int = 0,
        backend: str = "thread",
        on_error: str = "raise",
        seed: int | None = None,
        timeout: float | None = None,
    ) -> Pipeline:
        """Apply `fn` to every record on `workers` threads or processes (0: in the consumer).

        on_error="raise" raises the first failure naming the record (file or index);
        on_error="skip" drops failing records and warns once per epoch with the count.
        backend="process" needs a picklable `fn` (defined at module level), and is the
        choice for work that may hang: a stuck process is terminated, a stuck thread
        keeps running until the process exits (shutdown does not wait for it).
        timeout: seconds one record may run on a worker (torch's DataLoader `timeout`);
        past it the record fails with a TimeoutError naming it, which on_error="skip"
        skips and counts. The stuck thread is left running and replaced by a fresh one; a
        stuck process is killed and replaced. Needs workers >= 1: with workers=0 `fn` runs
        in the consumer's own thread, which nothing can interrupt.
        seed: random transforms inside `fn` draw from the record's own stream
        `sample_generator(seed, epoch, record)`, so augmentation is the same whatever
        the worker count or backend (without it they share glassnet's generator).
        """
        if not callable(fn):
            raise TypeError(f"Pipeline.map: fn must be callable, got {type(fn).__name__}")
        check_workers(workers, backend, fn, "Pipeline.map")
        if on_error not in ON_ERROR:
            raise ValueError(f"Pipeline.map: on_error must be one of {ON_ERROR}, got {on_error!r}")
        return self._then(
            Map(
                fn,
                int(workers),
                backend,
                on_error,
                check_seed(seed, "Pipeline.map"),
                check_timeout(timeout, workers, "Pipeline.map"),
            )
        )

    def batch(
        self,
        batch_size: int,
        drop_last: bool = False,
        collate: Callable[[list[Any]], Any] | None = None,
        workers: int = 0,
        backend: str = "thread",
        seed: int | None = None,
        timeout: float | None = None,
        tensors: bool = True,
    ) -> Pipeline:
        """Group `batch_size` records and collate them (default: `default_collate`, stacking arrays).

        The batch's arrays come out as glassnet Tensors sharing their memory, as from
        `DataLoader`, so a model takes them directly; `tensors=False` hands out the arrays.

        `workers` collate batches in parallel (tf.data's num_parallel_calls); right after the
        source they also read the records, each inside its own random stream when `seed` is
        given (as `map`'s seed: a dataset's random transforms then ignore the worker count).
        timeout: seconds one batch may take on a worker, as `map`'s.
        """
        check_count(batch_size, "batch", "batch_size")
        if collate is not None and not callable(collate):
            raise TypeError(
                f"Pipeline.batch: collate must be callable or None, got {type(collate).__name__}"
            )
        check_workers(workers, backend, collate or default_collate, "Pipeline.batch")
        return self._then(
            Batch(
                int(batch_size),
                bool(drop_last),
                collate,
                int(workers),
                backend,
                check_seed(seed, "Pipeline.batch"),
                check_timeout(timeout, workers, "Pipeline.batch"),
                bool(tensors),
            )
        )

    def prefetch(self, n: int) -> Pipeline:
        """Prepare up to `n` records ahead in a background thread, overlapping with the consumer."""
        check_count(n, "prefetch", "n")
        return self._then(Prefetch(int(n)))

    def _then(self, stage: Any) -> Pipeline:
        return Pipeline(self._source, self._stages + (stage,))

    # -- iteration --------------------------------------------------------------------------
    def set_epoch(self, epoch: int) -> None:
        """Make the next `iter()` run epoch `epoch` (then epoch + 1, ...)."""
        self._next_epoch = check_epoch(epoch)

    def epoch(self, epoch: int) -> PipelineIterator:
        """An iterator over epoch `epoch`; does not move the epoch counter."""
        return PipelineIterator(self._run(check_epoch(epoch)), epoch)

    def __iter__(self) -> PipelineIterator:
        epoch = self._next_epoch
        self._next_epoch += 1
        return self.epoch(epoch)

    def __len__(self) -> int:
        """Records (or batches) per epoch; a TypeError where it cannot be known."""
        size = len(self._source)
        for stage in self._stages:
            if isinstance(stage, Map) and stage.on_error == "skip":
                raise TypeError(
                    "len() of this Pipeline is unknown: map(on_error='skip') drops failing records"
                )
            if isinstance(stage, Batch):
                size = size // stage.batch_size if stage.drop_last else -(-size // stage.batch_size)
        return size

    def __repr__(self) -> str:
        source = self._source
        if isinstance(source, FileSource):
            start = f"from_files({len(source)} files)"
        elif isinstance(source, ArraySource):
            start = f"from_arrays({', '.join(str(array.shape) for array in source.arrays)})"
        else:
            start = f"from_dataset({type(source.dataset).__name__}, {len(source)} items)"
        return "Pipeline(" + " -> ".join([start, *map(str, self._stages)]) + ")"

    def _describe(self, key: Any) -> str:
        if isinstance(key, BatchKey):
            first = int(key.keys[0]) if len(key.keys) else None
            what = f", the first {self._describe(first)}" if first is not None else ""
            return f"batch {key.number} ({len(key.keys)} records{what})"
        return self._source.describe(int(key))

    def _run(self, epoch: int) -> Iterator[Any]:
        """The chain of generators for one epoch (see `epoch_chain.py`)."""
        return run_epoch(self._source, self._stages, epoch, self._describe)


class PipelineIterator:
    """One epoch of a pipeline. `close()` (or leaving a `with` block) stops its workers now."""

    def __init__(self, records: Iterator[Any], epoch: int) -> None:
        self._records = records
        self.epoch = epoch

    def __iter__(self) -> PipelineIterator:
        return self

    def __next__(self) -> Any:
        return next(self._records)[1]

    def close(self) -> None:
        self._records.close()

    def __enter__(self) -> PipelineIterator:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
