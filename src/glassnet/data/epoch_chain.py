"""One epoch of a `Pipeline`: its stages turned into a chain of generators.

Records travel as (key, value) pairs. Until some stage reads them, the values are still
record *indices* into the source; `_Chain.read` tracks which. In order:

1. Shuffles directly after the source permute the index array (one vectorised
   permutation when the buffer holds all the data, else a buffer shuffle of indices).
2. A `batch` directly after the source groups indices and reads each batch inside its
   workers (a fancy-indexing gather for in-memory arrays), unless rows must travel.
3. Every other stage wraps the records so far; the first `map` or `batch` reads the
   records inside its workers, except where in-memory rows go to worker processes
   (`_rows_travel`): those are read in the consumer first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy

from glassnet.data.collate import default_collate, to_tensors
from glassnet.data.plan import Batch, Map, Shuffle
from glassnet.data.sources import (
    ArraySource,
    CollateBatch,
    KeyedCall,
    ReadThen,
    RecordStreams,
    can_gather,
)
from glassnet.data.stages import (
    BatchKey,
    buffer_shuffle,
    epoch_generator,
    group,
    map_stage,
    prefetch,
    with_keys,
)


def run_epoch(
    source: Any, stages: tuple[Any, ...], epoch: int, describe: Callable[[Any], str]
) -> Iterator[Any]:
    """The (key, value) records of epoch `epoch` of `source` through `stages`."""
    pending = list(stages)
    order = numpy.arange(len(source), dtype=numpy.int64)
    while pending and isinstance(pending[0], Shuffle):
        order = _shuffled(order, pending.pop(0), epoch)
    chain = _Chain(source, epoch, describe)
    first = pending[0] if pending and isinstance(pending[0], Batch) else None
    if first is not None and chain.batch_indices(order, first):
        pending.pop(0)
    else:
        chain.records = ((index, index) for index in order.tolist())
    for stage in pending:
        chain.add(stage)
    chain.read_here()
    return chain.records


def _shuffled(order: numpy.ndarray, shuffle: Shuffle, epoch: int) -> numpy.ndarray:
    """`order` shuffled by a source-level shuffle, from its (seed, epoch) stream."""
    generator = epoch_generator(shuffle.seed, epoch)
    if shuffle.buffer_size >= len(order):
        return order[generator.permutation(len(order))]
    return numpy.fromiter(
        buffer_shuffle(iter(order.tolist()), shuffle.buffer_size, generator),
        dtype=numpy.int64,
        count=len(order),
    )


class _Chain:
    """The generator chain under construction, and whether its values are read yet."""

    def __init__(self, source: Any, epoch: int, describe: Callable[[Any], str]) -> None:
        self.source, self.epoch, self.describe = source, epoch, describe
        self.cancel = threading.Event()  # set when a prefetch's consumer closes early
        self.records: Iterator[Any] = iter(())
        self.read = False  # whether records are values yet, or still source indices

    def batch_indices(self, order: numpy.ndarray, batch: Batch) -> bool:
        """Batch straight from the index order, reading inside the batch workers, if allowed."""
        gather = batch.collate is None and can_gather(self.source)
        if not gather and _rows_travel(self.source, batch):
            return False
        fn = CollateBatch(
            self.source, batch.collate or default_collate, gather, _streams(batch, self.epoch)
        )
        # a gather is one vectorised copy: handing it to workers would only add cost
        workers = 0 if gather else batch.workers
        self.records = map_stage(
            _index_batches(order, batch.batch_size, batch.drop_last),
            fn,
            workers,
            batch.backend,
            "raise",
            self.describe,
            "Pipeline.batch",
            batch.timeout if workers else None,
            self.cancel,
        )
        self.records = _as_tensors(self.records) if batch.tensors else self.records
        self.read = True
        return True

    def read_here(self) -> None:
        """Turn indices into records in the consumer's thread (no-op once read)."""
        if not self.read:
            self.records = map_stage(
                self.records, self.source.get, 0, "thread", "raise", self.describe, "Pipeline read"
            )
            self.read = True

    def add(self, stage: Any) -> None:
        """Wrap the chain in one more stage."""
        if _rows_travel(self.source, stage):
            self.read_here()
        if isinstance(stage, Shuffle):
            generator = epoch_generator(stage.seed, self.epoch)
            self.records = buffer_shuffle(self.records, stage.buffer_size, generator)
        elif isinstance(stage, Map):
            self._map(stage)
        elif isinstance(stage, Batch):
            self._batch(stage)
        else:
            self.read_here()  # read in the background thread too
            self.records = prefetch(self.records, stage.size, self.cancel)

    def _map(self, stage: Map) -> None:
        fn = stage.fn if self.read else ReadThen(self.source, stage.fn)
        records = self.records
        if stage.seed is not None:
            fn = KeyedCall(fn, RecordStreams(stage.seed, self.epoch))
            records = with_keys(records)
        self.records = map_stage(
            records,
            fn,
            stage.workers,
            stage.backend,
            stage.on_error,
            self.describe,
            stage.name,
            stage.timeout,
            self.cancel,
        )
        self.read = True

    def _batch(self, stage: Batch) -> None:
        gather = not self.read and stage.collate is None and can_gather(self.source)
        fn = CollateBatch(
            None if self.read else self.source,
            stage.collate or default_collate,
            gather,
            _streams(stage, self.epoch),
        )
        self.records = map_stage(
            group(self.records, stage.batch_size, stage.drop_last),
            fn,
            stage.workers,
            stage.backend,
            "raise",
            self.describe,
            "Pipeline.batch",
            stage.timeout,
            self.cancel,
        )
        self.records = _as_tensors(self.records) if stage.tensors else self.records
        self.read = True


def _as_tensors(records: Iterator[Any]) -> Iterator[Any]:
    """(key, batch) pairs with the batch's arrays as glassnet Tensors (no copy); closes `records`."""
    try:
        for key, batch in records:
            yield key, to_tensors(batch, "Pipeline.batch")
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def _streams(stage: Batch, epoch: int) -> RecordStreams | None:
    return None if stage.seed is None else RecordStreams(stage.seed, epoch)


def _rows_travel(source: Any, stage: Any) -> bool:
    """Whether to read in the consumer and send rows: in-memory arrays going to worker processes.

    Sending the source instead would copy all the arrays into every worker, each epoch.
    """
    return (
        isinstance(source, ArraySource)
        and isinstance(stage, (Map, Batch))
        and stage.workers > 0
        and stage.backend == "process"
    )


def _index_batches(
    order: numpy.ndarray, batch_size: int, drop_last: bool
) -> Iterator[tuple[BatchKey, Any]]:
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    for number, start in enumerate(range(0, stop, batch_size)):
        indices = order[start : start + batch_size]
        yield BatchKey(number, indices), indices
