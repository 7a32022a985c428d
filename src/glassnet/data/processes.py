"""Forkserver worker processes for `Pipeline.map(..., backend="process")`, and their shutdown.

The processes are started with "forkserver" (a clean single-threaded server forks
them: never `fork` from a process that may hold threads and locks). Each gets the
function once, pickled, then only `(index, item)` messages through its own pipe, and
answers through its own pipe; large NumPy results come back through shared memory
(see `shm.py` for the measurement that decided it).

Shutdown is the design point, because a data pipeline must never hang a training
script or leave processes behind. Whatever ends the iteration (the end of the data,
a consumer that stops early or drops the iterator, an exception, Ctrl-C) runs the same
`finally`: workers get EOF on their task pipe and exit, any still busy after
`SHUTDOWN_GRACE_S` are terminated (SIGTERM, then SIGKILL), and shared memory left
behind is removed. Workers ignore SIGINT, so that Ctrl-C reaches only the consumer,
which shuts them down; an iterator still open at interpreter exit is shut down by an
atexit hook.

If the consumer dies (SIGKILL, out of memory), idle workers see EOF on their task pipe
and exit. A busy or stuck worker cannot read its pipe, and its parent is the fork server,
not the consumer, so a parent-death signal would watch the wrong process: each worker
gets the consumer's pid and a watchdog thread that waits for that process to end (a
pidfd, polled every `WATCHDOG_POLL_S` where there is none), then removes the worker's
shared memory and exits. With the workers gone the fork server and the resource
tracker exit too (each worker holds their pipes open). Segments of a consumer that died
before anyone could unlink them are removed by the next pool that starts (`shm.remove_orphans`).

`timeout=`: a record running longer on a worker (counted from when the worker finished
its previous record, or got this one if it was idle) fails with a TimeoutError; the
worker is killed, a fresh one takes its place, and the records it held are sent again.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import pickle
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from glassnet.data import shm
from glassnet.data.process_worker import READY, STARTUP, worker_main
from glassnet.data.task_sender import TaskSender
from glassnet.data.workers import (
    POLL_S,
    SHUTDOWN_GRACE_S,
    WINDOW_PER_WORKER,
    Cancelled,
    Outcome,
    Record,
    RemoteFailure,
    close_iterator,
)


def process_map(
    records: Iterator[Record],
    fn: Callable[[Any], Any],
    workers: int,
    describe: Callable[[Any], str],
    name: str,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Outcome]:
    """fn on forkserver worker processes; results in input order (`cancel`: see workers.Cancelled)."""
    window = WINDOW_PER_WORKER * workers
    pool: ProcessPool | None = None
    keys: dict[int, Any] = {}
    done: dict[int, tuple[bool, Any]] = {}
    submitted = emitted = 0
    exhausted = False
    try:
        pool = ProcessPool(fn, workers, name)
        while True:
            while not exhausted and submitted - emitted < window:
                try:
                    key, value = next(records)
                except StopIteration:
                    exhausted = True
                    break
                keys[submitted] = key
                try:
                    pool.submit(submitted, value)
                except Exception as error:
                    raise TypeError(
                        f"{name}: cannot send {describe(key)} to a worker process: its value "
                        f"({type(value).__name__}) cannot be pickled ({type(error).__name__}: "
                        f"{error})"
                    ) from None
                submitted += 1
            if emitted == submitted:
                return
            while emitted not in done:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(f"{name}: cancelled while waiting for a record")
                wait = 0.5 if cancel is None and timeout is None else POLL_S
                for index, ok, payload in pool.collect(wait, lambda index: describe(keys[index])):
                    done[index] = (ok, payload)
                if timeout is not None:
                    for index, failure in pool.expire(timeout):
                        done[index] = (False, failure)
            ok, payload = done.pop(emitted)
            key = keys.pop(emitted)
            emitted += 1
            yield key, ok, shm.unpack(payload) if ok else payload
    finally:
        for ok, payload in done.values():
            if ok:
                shm.discard(payload)
        if pool is not None:
            pool.shutdown()
        close_iterator(records)


class ProcessPool:
    """`workers` forkserver processes, each with a task pipe in and a result pipe out."""

    def __init__(self, fn: Callable[[Any], Any], workers: int, name: str) -> None:
        context = multiprocessing.get_context("forkserver")
        _preload_into_forkserver(context)
        self.name = name
        self.prefix = shm.pool_prefix(secrets.token_hex(4)) if shm.available() else None
        self.context, self.workers = context, workers
        self.processes: list[Any] = [None] * workers
        self.task_ends: list[Any] = [None] * workers
        self.result_ends: dict[Any, int] = {}  # open result pipe -> worker number
        self.outstanding: list[set[int]] = [set() for _ in range(workers)]
        # sent, no result yet: sent again if its worker is replaced
        self.messages: dict[int, bytes] = {}
        self.busy_since = [time.monotonic()] * workers  # when each worker began its current record
        self.ready = [False] * workers  # whether each worker has loaded its function
        self.closed = False
        self.started = 0
        self.sender = TaskSender(self.task_ends)
        _live_pools.add(self)
        shm.remove_orphans()
        try:
            # Pickled once here and unpickled by the worker itself, so a worker that cannot
            # import the function (or the dataset class it reads) reports it, instead of dying.
            self.blob = pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            raise TypeError(
                f"{name}: cannot start worker processes: the function and the data it reads are "
                f"sent to them by pickling, and that failed ({type(error).__name__}: {error}); "
                f"define functions and dataset classes at module level, or use backend='thread'"
            ) from None
        try:
            for worker in range(workers):
                self._start(worker)
        except BaseException:
            self.shutdown()
            raise
        self.sender.start()

    def _start(self, worker: int) -> None:
        task_reader, task_writer = self.context.Pipe(duplex=False)
        result_reader, result_writer = self.context.Pipe(duplex=False)
        self.started += 1  # a fresh prefix per process: a replaced worker's files stay its own
        prefix = f"{self.prefix}{self.started}-" if self.prefix else None
        process = self.context.Process(
            target=worker_main,
            args=(self.blob, worker, task_reader, result_writer, prefix, os.getpid()),
            name=f"glassnet-data-{worker}",
            daemon=True,
        )
        self.task_ends[worker] = task_writer
        self.result_ends[result_reader] = worker
        self.ready[worker] = False
        try:
            process.start()
        finally:  # the worker holds the other ends: EOF then means it is gone
            task_reader.close()
            result_writer.close()
        self.processes[worker] = process

    def expire(self, timeout: float) -> list[tuple[int, TimeoutError]]:
        """Records running longer than `timeout`: their workers are replaced, the rest sent again."""
        expired = []
        now = time.monotonic()
        for worker, held in enumerate(self.outstanding):
            if not held or not self.ready[worker] or now - self.busy_since[worker] < timeout:
                continue
            index = min(held)
            self._replace(worker, index)
            expired.append(
                (
                    index,
                    TimeoutError(
                        f"still running after timeout={timeout:g} s; worker process {worker} was "
                        "killed and a fresh one took its place"
                    ),
                )
            )
        return expired

    def _replace(self, worker: int, stuck: int) -> None:
        old = self.processes[worker]
        old.kill()
        old.join()
        old.close()
        for connection, owner in list(self.result_ends.items()):
            if owner == worker:
                del self.result_ends[connection]
                connection.close()
        self.task_ends[worker].close()
        held = sorted(self.outstanding[worker] - {stuck})
        self.outstanding[worker] = set(held)
        self.messages.pop(stuck, None)
        self._start(worker)
        self.busy_since[worker] = time.monotonic()
        for index in held:
            self.sender.put(worker, self.messages[index])

    def submit(self, index: int, value: Any) -> None:
        # round robin: each worker holds ~WINDOW_PER_WORKER records
        worker = index % len(self.processes)
        # Pickled here, so an unpicklable record raises in the consumer, attributable to it.
        message = pickle.dumps((index, value), protocol=pickle.HIGHEST_PROTOCOL)
        self.sender.put(worker, message)
        if not self.outstanding[worker]:
            self.busy_since[worker] = time.monotonic()
        self.outstanding[worker].add(index)
        self.messages[index] = message

    def collect(
        self, timeout: float, describe: Callable[[int], str]
    ) -> list[tuple[int, bool, Any]]:
        """Results that arrived within `timeout`; raises if a worker died holding records."""
        results = []
        for connection in multiprocessing.connection.wait(list(self.result_ends), timeout):
            worker = self.result_ends[connection]
            try:
                index, ok, payload = connection.recv()
            except (EOFError, OSError):
                del self.result_ends[connection]
                connection.close()
                if self.outstanding[worker]:
                    self._died(worker, describe(min(self.outstanding[worker])))
                continue
            if index == READY:  # the worker loaded its function: record clocks start now
                self.ready[worker] = True
                self.busy_since[worker] = time.monotonic()
                continue
            if index == STARTUP:
                failure = RemoteFailure(*payload)
                raise RuntimeError(
                    f"{self.name}: worker process {worker} (pid {failure.pid}) could not load the "
                    f"function and the data it reads: {failure.type_name}: {failure.message}. "
                    f"Workers import them by name: define them at module level, not inside "
                    f"`if __name__ == '__main__':`, a function, or an interactive session"
                )
            if index not in self.outstanding[worker]:  # sent twice around a replacement
                if ok:
                    shm.discard(payload)
                continue
            self.outstanding[worker].discard(index)
            self.messages.pop(index, None)
            self.busy_since[worker] = time.monotonic()
            if not ok:
                payload = RemoteFailure(*payload)
            results.append((index, ok, payload))
        return results

    def _died(self, worker: int, record: str) -> None:
        process = self.processes[worker]
        process.join(1.0)
        code = process.exitcode
        if code is not None and code < 0:
            how, hint = (
                f"was killed by signal {-code}",
                "if it ran out of memory, use fewer workers or smaller batches",
            )
        else:
            how, hint = f"exited with code {code}", "its own error output (stderr) says why"
        raise RuntimeError(
            f"{self.name}: worker process {worker} (pid {process.pid}) {how} while working on "
            f"{record}; {hint}"
        )

    def shutdown(self) -> None:
        """Stop everything, within SHUTDOWN_GRACE_S, leaving no process and no shared memory behind."""
        if self.closed:
            return
        self.closed = True
        try:
            self._stop_gracefully()
        except KeyboardInterrupt:  # a second Ctrl-C: skip the grace period, still clean up
            self._stop_forcefully()
            raise
        self._stop_forcefully()

    def _stop_gracefully(self) -> None:
        deadline = time.monotonic() + SHUTDOWN_GRACE_S
        self.sender.finish()
        while self.sender.is_alive() and time.monotonic() < deadline:
            self._drain(0.02)  # a worker blocked on a full result pipe cannot read its tasks
        if not self.sender.is_alive():
            self._close_task_ends()  # EOF: idle workers exit at once, busy ones after their records
        while (
            alive := [p.sentinel for p in self.processes if p is not None and p.is_alive()]
        ) and time.monotonic() < deadline:
            self._drain(deadline - time.monotonic(), alive)

    def _stop_forcefully(self) -> None:
        self.processes = [process for process in self.processes if process is not None]
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        self.sender.finish()
        if self.sender.ident is not None:
            self.sender.join()  # the pipes' readers are gone now: a blocked send fails at once
        self._close_task_ends()
        for process in self.processes:
            process.join(1.0)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
        self.processes = []
        self._drain(0.0)
        for connection in list(self.result_ends):
            connection.close()
        self.result_ends.clear()
        if self.prefix:
            shm.remove_matching(self.prefix)

    def _drain(self, timeout: float, sentinels: list[int] = ()) -> None:
        """Read and throw away results nobody will use (freeing their shared memory)."""
        for connection in multiprocessing.connection.wait(
            [*self.result_ends, *sentinels], max(timeout, 0.0)
        ):
            if connection not in self.result_ends:
                continue  # a worker exited
            try:
                _, ok, payload = connection.recv()
            except (EOFError, OSError):
                del self.result_ends[connection]
                connection.close()
                continue
            if ok:
                shm.discard(payload)

    def _close_task_ends(self) -> None:
        for connection in self.task_ends:
            if connection is not None and not connection.closed:
                connection.close()


_live_pools: weakref.WeakSet[ProcessPool] = weakref.WeakSet()


@atexit.register  # registered after multiprocessing's own handler, so it runs first (atexit is LIFO)
def _shutdown_live_pools() -> None:
    """An iterator still open at exit (a global, a cycle): stop its workers and remove its shared memory.

    This module is preloaded into the fork server, so the hook runs there too, when the
    fork server exits because its consumer died: it removes the segments of that dead
    consumer, including those of workers killed while stuck in C code (which could not
    clean up themselves).
    """
    for pool in list(_live_pools):
        pool.shutdown()
    shm.remove_orphans()


def _preload_into_forkserver(context: Any) -> None:
    """Have the fork server import this module (and NumPy) once, before it forks any worker.

    Measured (2-core container): a 10-record epoch on 2 process workers, start to stop,
    takes ~230 ms when each worker imports NumPy itself and ~35 ms with the preload. It
    adds to the preload list (keeping "__main__" and any modules the user asked for) and
    only matters before the server first starts.
    """
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    modules = list(getattr(server, "_preload_modules", None) or ["__main__"])
    if __name__ not in modules:
        context.set_forkserver_preload([*modules, __name__])
