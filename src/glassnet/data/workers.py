"""The workers behind `Pipeline.map(fn, workers=N)`: inline, threads, or processes (`processes.py`).

Every map yields `(key, ok, payload)` in the order the records came in, whatever order
the workers finish in: a record gets a running index when it is handed out, results
wait until their turn. At most `WINDOW_PER_WORKER * workers` records are in flight, so
memory stays bounded however slow the consumer.

Threads (the default) suit work that releases the GIL (NumPy on large arrays, Pillow
decoding large images). Processes suit pure-Python work. A hand-over costs ~15 us per
record on a thread and more on a process, plus ~35 ms to start and stop a process pool
each epoch, so records that take less than that to prepare (an 8x8 PNG) are faster
read inline or a whole batch per task (`batch(..., workers=N)`); see
bench/bench_data_loader.py.

Whatever ends an iteration (the end of the data, a consumer that stops early or drops
the iterator, an exception, Ctrl-C) runs the same `finally`: threads finish the
records they hold (a thread cannot be killed), then exit.
"""

from __future__ import annotations

import collections
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

WINDOW_PER_WORKER = 2  # records in flight per worker (PyTorch's prefetch_factor)
Record = tuple[Any, Any]  # (key, value): the key names the record in error messages
Outcome = tuple[Any, bool, Any]  # (key, ok, result or failure)


class RemoteFailure:
    """An exception raised in a worker process, carried back as text (its traceback cannot travel)."""

    def __init__(
        self,
        exc_type: type[BaseException] | None,
        type_name: str,
        message: str,
        trace: str,
        worker: int,
        pid: int,
    ) -> None:
        self.exc_type, self.type_name, self.message = exc_type, type_name, message
        self.traceback, self.worker, self.pid = trace, worker, pid


def close_iterator(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


# -- inline and threads -----------------------------------------------------------------
def inline_map(records: Iterator[Record], fn: Callable[[Any], Any]) -> Iterator[Outcome]:
    """workers=0: call fn in the consumer's thread."""
    try:
        for key, value in records:
            try:
                result = fn(value)
            except Exception as error:
                yield key, False, error
                continue
            yield key, True, result
    finally:
        close_iterator(records)


def thread_map(
    records: Iterator[Record], fn: Callable[[Any], Any], workers: int
) -> Iterator[Outcome]:
    """fn on a pool of threads; results in input order."""
    window = WINDOW_PER_WORKER * workers
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="glassnet-data")
    pending: collections.deque[tuple[Any, Future]] = collections.deque()
    try:
        for key, value in records:
            pending.append((key, executor.submit(fn, value)))
            if len(pending) >= window:
                yield _settle(*pending.popleft())
        while pending:
            yield _settle(*pending.popleft())
    finally:
        for _, future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
        close_iterator(records)


def _settle(key: Any, future: Future) -> Outcome:
    try:
        return key, True, future.result()
    except Exception as error:
        return key, False, error


# -- processes ----------------------------------------------------------------------------
def check_picklable(fn: Callable[..., Any], where: str) -> None:
    """Fail at build time, not inside a worker: process workers receive `fn` by pickling."""
    try:
        pickle.dumps(fn)
    except Exception as error:
        raise TypeError(
            f"{where}: backend='process' sends the function to each worker by pickling, and "
            f"{fn!r} cannot be pickled ({type(error).__name__}: {error}); define it at module "
            f"level (not a lambda, a nested function or a bound method of an unpicklable "
            f"object), or use backend='thread'"
        ) from None
