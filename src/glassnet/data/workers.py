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
the iterator, an exception, Ctrl-C) runs the same `finally`. Worker threads are daemon
threads and the consumer never waits on a stuck one: queued records are cancelled, the
threads get `SHUTDOWN_GRACE_S` to finish the records they hold, and any still busy after
that are left behind with a `ResourceWarning` naming their records. A thread cannot be
killed: a stuck one keeps running until its function returns or the process exits, so
work that may hang (untrusted files, network reads) belongs on `backend="process"`, whose
workers are terminated.

`timeout=` (torch's DataLoader `timeout`) bounds each record, counted from when a worker
starts it: a record still running after `timeout` seconds fails with a `TimeoutError`
naming it (raised, or with on_error="skip" skipped and counted). Its thread is abandoned
and a fresh thread takes its place, so the pool keeps its size; a process worker is
killed and replaced, and the records it held are sent to the new one.
"""

from __future__ import annotations

import collections
import pickle
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

WINDOW_PER_WORKER = 2  # records in flight per worker (PyTorch's prefetch_factor)
SHUTDOWN_GRACE_S = 2.0  # how long busy workers get to finish their records at shutdown
POLL_S = 0.05  # how often a consumer with a timeout looks whether its record has started
Record = tuple[Any, Any]  # (key, value): the key names the record in error messages
Outcome = tuple[Any, bool, Any]  # (key, ok, result or failure)


class Cancelled(Exception):
    """Raised inside a stage running on a prefetch thread when its consumer closed the pipeline."""


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


class _Task:
    """One record handed to the thread pool, and what became of it."""

    __slots__ = ("key", "value", "started", "done", "outcome", "cancelled")

    def __init__(self, key: Any, value: Any) -> None:
        self.key, self.value = key, value
        self.started: float | None = None  # time.monotonic() when a worker took it
        self.done = threading.Event()
        self.outcome: tuple[bool, Any] = (False, None)
        self.cancelled = False


class ThreadPool:
    """`workers` daemon threads taking tasks from one queue; a timed-out thread is replaced."""

    def __init__(self, fn: Callable[[Any], Any], workers: int, name: str) -> None:
        self.fn, self.name = fn, name
        self.tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self.running: dict[threading.Thread, _Task | None] = {}
        self.abandoned: dict[threading.Thread, _Task] = {}
        self.lock = threading.Lock()
        self.spawned = 0
        for _ in range(workers):
            self._spawn()

    def _spawn(self) -> None:
        thread = threading.Thread(
            target=self._work, name=f"glassnet-data-{self.spawned}", daemon=True
        )
        self.spawned += 1
        with self.lock:
            self.running[thread] = None
        thread.start()

    def _work(self) -> None:
        me = threading.current_thread()
        while (task := self.tasks.get()) is not None:
            if task.cancelled:
                continue
            with self.lock:
                self.running[me] = task
            task.started = time.monotonic()
            try:
                task.outcome = (True, self.fn(task.value))
            except Exception as error:
                task.outcome = (False, error)
            except BaseException as error:  # SystemExit, KeyboardInterrupt raised by fn itself
                task.outcome = (False, RuntimeError(f"{type(error).__name__}: {error}"))
            with self.lock:
                if me in self.abandoned:  # timed out: a fresh thread has our place
                    del self.abandoned[me]
                    task.done.set()
                    return
                self.running[me] = None
            task.done.set()

    def submit(self, key: Any, value: Any) -> _Task:
        task = _Task(key, value)
        self.tasks.put(task)
        return task

    def settle(
        self, task: _Task, timeout: float | None, cancel: threading.Event | None = None
    ) -> Outcome:
        """Wait for `task` (Ctrl-C still interrupts); past `timeout` s of running it fails.

        `cancel` set (by a prefetch thread's consumer closing) ends the wait with `Cancelled`.
        """
        while not task.done.is_set():
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"{self.name}: cancelled while waiting for a record")
            wait = None if cancel is None else POLL_S
            if timeout is not None:
                left = POLL_S if task.started is None else task.started + timeout - time.monotonic()
                wait = left if wait is None else min(wait, left)
            if task.done.wait(wait) or timeout is None or task.started is None:
                continue
            if time.monotonic() - task.started >= timeout:
                if self._abandon(task):
                    return (
                        task.key,
                        False,
                        TimeoutError(
                            f"still running after timeout={timeout:g} s; its worker thread is left "
                            "running (a thread cannot be stopped) and a fresh one took its place"
                        ),
                    )
        ok, result = task.outcome
        return task.key, ok, result

    def _abandon(self, task: _Task) -> bool:
        with self.lock:
            if task.done.is_set():
                return False
            thread = next((t for t, held in self.running.items() if held is task), None)
            if thread is None:  # finishing right now: its result is about to be set
                return False
            del self.running[thread]
            self.abandoned[thread] = task
        self._spawn()
        return True

    def shutdown(self, pending: Any, describe: Callable[[Any], str]) -> None:
        """Cancel queued records, give running ones SHUTDOWN_GRACE_S, warn about threads still busy."""
        for task in pending:
            task.cancelled = True
        with self.lock:
            threads = list(self.running)
        for _ in threads:
            self.tasks.put(None)
        deadline = time.monotonic() + SHUTDOWN_GRACE_S
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            stuck = [task for thread, task in self.running.items() if thread.is_alive() and task]
            stuck += [task for thread, task in self.abandoned.items() if thread.is_alive()]
        if stuck:
            warnings.warn(
                f"{self.name}: {len(stuck)} worker thread(s) still running after shutdown, on "
                f"{', '.join(describe(task.key) for task in stuck[:3])}; a thread cannot be "
                "stopped: it runs until its function returns or the process exits (use "
                "backend='process' for work that may hang)",
                ResourceWarning,
                stacklevel=2,
            )


def thread_map(
    records: Iterator[Record],
    fn: Callable[[Any], Any],
    workers: int,
    timeout: float | None = None,
    describe: Callable[[Any], str] = str,
    name: str = "Pipeline.map",
    cancel: threading.Event | None = None,
) -> Iterator[Outcome]:
    """fn on a pool of daemon threads; results in input order (see the module docstring)."""
    window = WINDOW_PER_WORKER * workers
    pool = ThreadPool(fn, workers, name)
    pending: collections.deque[_Task] = collections.deque()
    try:
        for key, value in records:
            pending.append(pool.submit(key, value))
            if len(pending) >= window:
                yield pool.settle(pending.popleft(), timeout, cancel)
        while pending:
            yield pool.settle(pending.popleft(), timeout, cancel)
    finally:
        pool.shutdown(pending, describe)
        close_iterator(records)


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
