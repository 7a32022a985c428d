"""The stages of a pipeline, as generators over `(key, value)` records.

Each stage pulls from the one before it and closes it in a `finally`, so closing the
last stage (a `break`, a dropped iterator, an exception) closes the whole chain, and
the worker pools inside shut down. A record's key is where it came from (its index in
the source, or a `BatchKey`); errors name the record through it.
"""

from __future__ import annotations

import queue
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy

from glassnet.data.errors import SkippedRecordsWarning
from glassnet.data.processes import process_map
from glassnet.data.workers import (
    SHUTDOWN_GRACE_S,
    Cancelled,
    Record,
    RemoteFailure,
    close_iterator,
    inline_map,
    thread_map,
)

_RANDOM_BLOCK = 1024  # uniforms drawn per call: one NumPy call per 1024 records, not per record
# longest the consumer waits for the prefetch thread: its stages give up at once, then give
# their workers SHUTDOWN_GRACE_S; only a stuck function on the prefetch thread itself outlasts it
PREFETCH_JOIN_S = SHUTDOWN_GRACE_S + 3.0


class BatchKey:
    """The key of a batch: its number and the keys of its records."""

    __slots__ = ("number", "keys")

    def __init__(self, number: int, keys: Any) -> None:
        self.number, self.keys = number, keys


def epoch_generator(seed: int, epoch: int) -> numpy.random.Generator:
    """The random stream of one epoch: a function of (seed, epoch) only."""
    return numpy.random.default_rng([int(seed), int(epoch)])


def buffer_shuffle(
    records: Iterator[Any], buffer_size: int, generator: numpy.random.Generator
) -> Iterator[Any]:
    """tf.data's shuffle: keep `buffer_size` records, emit a random one, put the next in its place.

    With a buffer as large as the data this is a uniform permutation; a smaller buffer
    only mixes records that are at most ~buffer_size apart (so shuffle the file list
    first, then records within a buffer, as the notes' file queue does).
    """
    buffer: list[Any] = []
    uniforms = generator.random(_RANDOM_BLOCK)
    used = 0
    try:
        for record in records:
            if len(buffer) < buffer_size:
                buffer.append(record)
                continue
            if used == _RANDOM_BLOCK:
                uniforms, used = generator.random(_RANDOM_BLOCK), 0
            slot = int(uniforms[used] * buffer_size)
            used += 1
            buffer[slot], record = record, buffer[slot]
            yield record
        for slot in generator.permutation(len(buffer)):
            yield buffer[slot]
    finally:
        close_iterator(records)


def with_keys(records: Iterator[Record]) -> Iterator[Record]:
    """(key, value) -> (key, (key, value)): for a map whose function needs the record's key."""
    try:
        for key, value in records:
            yield key, (key, value)
    finally:
        close_iterator(records)


def group(records: Iterator[Record], batch_size: int, drop_last: bool) -> Iterator[Record]:
    """Records -> (BatchKey, [values]) of `batch_size` records; the last may be short."""
    keys: list[Any] = []
    values: list[Any] = []
    number = 0
    try:
        for key, value in records:
            keys.append(key)
            values.append(value)
            if len(values) == batch_size:
                yield BatchKey(number, keys), values
                keys, values, number = [], [], number + 1
        if values and not drop_last:
            yield BatchKey(number, keys), values
    finally:
        close_iterator(records)


def map_stage(
    records: Iterator[Record],
    fn: Callable[[Any], Any],
    workers: int,
    backend: str,
    on_error: str,
    describe: Callable[[Any], str],
    name: str,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Record]:
    """fn over the records on 0 (inline), N thread or N process workers, in input order.

    on_error="raise": the first failure is raised in the consumer as the same exception
    type, naming the record, with the original traceback (chained for threads, as text
    for processes). on_error="skip": failures are dropped, counted, and reported in one
    `SkippedRecordsWarning` when the stage ends. timeout: seconds a record may run on a
    worker before it fails with a TimeoutError (see `workers.py`; workers >= 1 only).
    """
    if workers == 0:
        outcomes = inline_map(records, fn)
    elif backend == "thread":
        outcomes = thread_map(records, fn, workers, timeout, describe, name, cancel)
    else:
        outcomes = process_map(records, fn, workers, describe, name, timeout, cancel)
    seen = skipped = 0
    first = ""
    try:
        for key, ok, payload in outcomes:
            seen += 1
            if ok:
                yield key, payload
            elif on_error == "raise":
                raise_failure(payload, f"{name} failed on {describe(key)}")
            else:
                skipped += 1
                if skipped == 1:
                    first = f"{describe(key)}: {_summary(payload)}"
    finally:
        outcomes.close()
        if skipped:
            warnings.warn(
                f"{name}: skipped {skipped} of {seen} records that raised (on_error='skip'); "
                f"the first: {first}",
                SkippedRecordsWarning,
                stacklevel=2,
            )


def _summary(failure: Any) -> str:
    if isinstance(failure, RemoteFailure):
        return f"{failure.type_name}: {failure.message}"
    return f"{type(failure).__name__}: {failure}"


class _Message(str):
    """KeyError shows repr(message); this str's repr is itself, so newlines stay readable."""

    def __repr__(self) -> str:
        return str(self)


def raise_failure(failure: Any, where: str) -> None:
    """Raise a worker's exception in the consumer: same type, message naming the record."""
    if isinstance(failure, RemoteFailure):
        message = (
            f"{where} in worker process {failure.worker} (pid {failure.pid}): {failure.type_name}: "
            f"{failure.message}\n\nOriginal traceback (in the worker):\n{failure.traceback}"
        )
        raise _rebuild(failure.exc_type, message) from None
    message = f"{where}: {type(failure).__name__}: {failure}"
    raise _rebuild(type(failure), message) from failure


def _rebuild(exc_type: type[BaseException] | None, message: str) -> BaseException:
    if exc_type is not None:
        try:
            return exc_type(_Message(message) if issubclass(exc_type, KeyError) else message)
        except Exception:
            pass
    return RuntimeError(message)


def prefetch(
    records: Iterator[Record], size: int, cancel: threading.Event | None = None
) -> Iterator[Record]:
    """Run everything upstream in a background thread, `size` records ahead of the consumer.

    `cancel` is shared with the map stages upstream: closing before the end sets it, so a
    stage waiting on a stuck worker gives up (`Cancelled`) and shuts its workers down at once.
    """
    buffer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=size)
    stop = threading.Event()
    finished = False

    def offer(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for record in records:
                if not offer((True, record)):
                    return
            offer((False, None))
        except Cancelled:
            return  # the consumer is gone
        except BaseException as error:
            offer((False, error))
        finally:
            close_iterator(records)

    thread = threading.Thread(target=produce, name="glassnet-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = buffer.get()
            if ok:
                yield item
            elif item is None:
                finished = True
                return
            else:
                raise item
    finally:
        stop.set()
        if cancel is not None and not finished:
            cancel.set()
        thread.join(PREFETCH_JOIN_S)
        if thread.is_alive():
            warnings.warn(
                f"Pipeline.prefetch: the background thread is still busy with a record after "
                f"{PREFETCH_JOIN_S:.0f} s; it will shut its stages down when that record is done",
                ResourceWarning,
                stacklevel=2,
            )
