"""The worker side of `Pipeline.map(..., backend="process")`: the loop each worker process runs.

A worker reads `(index, item)` tasks from its pipe and answers `(index, ok, result)`,
large arrays through shared memory (`shm.py`). It ignores Ctrl-C (the consumer's to
handle), turns SIGTERM into a clean exit, and dies with its consumer: a watchdog thread
waits for the consumer's pid to end (a pidfd, or polling every `WATCHDOG_POLL_S`), and
where the GIL is held by a function stuck in C code, the kernel ends it instead when the
fork server exits (`_die_with_fork_server`). See `processes.py` for the consumer side.
"""

from __future__ import annotations

import ctypes
import multiprocessing.forkserver
import os
import pickle
import select
import signal
import sys
import threading
import time
import traceback
from typing import Any

from glassnet.data import shm

WATCHDOG_POLL_S = 0.5  # how often a worker looks for its consumer where there is no pidfd
STARTUP = -1  # the index of the message a worker sends when it cannot load its function
READY = -2  # the index of the message a worker sends once it has loaded its function
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def worker_main(
    blob: bytes, worker: int, tasks: Any, results: Any, prefix: str | None, consumer: int
) -> None:
    """The loop each worker process runs: read (index, item), send (index, ok, result)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the consumer's to handle
    signal.signal(signal.SIGTERM, _exit_on_terminate)  # terminate() still runs the cleanup below
    packer = shm.Packer(prefix)
    _die_with_fork_server()
    threading.Thread(
        target=_watch_consumer, args=(consumer, packer), name="glassnet-watchdog", daemon=True
    ).start()
    try:
        try:
            fn = pickle.loads(blob)
        except Exception as error:
            results.send((STARTUP, False, failure(error, worker)))
            return
        results.send((READY, True, None))
        while True:
            try:
                index, value = pickle.loads(tasks.recv_bytes())
            except (EOFError, OSError):
                return  # the consumer closed our pipe (shutdown) or died
            try:
                message = (index, True, packer.pack(fn(value)))
            except Exception as error:
                message = (index, False, failure(error, worker))
            try:
                results.send(message)
            except (BrokenPipeError, ConnectionError):
                return
            except Exception as error:
                problem = TypeError(
                    f"its result ({type(message[2]).__name__}) cannot be pickled to send it "
                    f"back from the worker process: {error}"
                )
                results.send((index, False, failure(problem, worker)))
    finally:
        packer.remove_leftovers()
        results.close()


def _die_with_fork_server() -> None:
    """Let the fork server exit when the consumer does, and take this worker with it (Linux).

    The watchdog thread below needs the GIL to act, which a function stuck in C code
    (`sum(range(10**12))`) never gives up. So the kernel does it: the fork server exits
    when the consumer's end of its "alive" pipe closes, unless a worker holds a copy of
    that end (each inherits one): this worker closes its copy, and asks for SIGKILL
    when its parent, the fork server, exits (PR_SET_PDEATHSIG).
    """
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    alive_end = getattr(server, "_forkserver_alive_fd", None)
    if alive_end is not None:  # multiprocessing's private name for it (CPython 3.8 .. 3.13)
        try:
            os.close(alive_end)
        except OSError:
            pass
        server._forkserver_alive_fd = None
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the fork server is already gone
        os._exit(1)


def _watch_consumer(consumer: int, packer: shm.Packer) -> None:
    """Wait for the consumer process to end, then remove this worker's shared memory and exit."""
    try:
        handle = os.pidfd_open(consumer)
    except (AttributeError, OSError):  # no pidfd (not Linux >= 5.3), or the consumer is gone
        handle = None
    if handle is not None:
        select.select([handle], [], [])  # readable once the process has exited
    else:
        while shm.pid_alive(consumer):
            time.sleep(WATCHDOG_POLL_S)
    packer.remove_leftovers()
    os._exit(1)  # the main thread may be stuck inside the function: do not wait for it


def _exit_on_terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def failure(error: BaseException, worker: int) -> tuple[Any, ...]:
    exc_type: type[BaseException] | None = type(error)
    try:
        pickle.loads(pickle.dumps(exc_type))
    except Exception:
        exc_type = None
    trace = "".join(traceback.format_exception(error))
    return exc_type, type(error).__name__, str(error), trace, worker, os.getpid()
