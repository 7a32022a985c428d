"""glassnet's threads: a small pool that splits the big array passes of an op over the cores.

NumPy releases the GIL inside ufuncs, copies, reductions and matmul, so Python threads of
one process can run array work side by side. An op that wants the cores cuts its work
into `chunks` (blocks of images, for a convolution and for BatchNorm's passes) and hands
one task per chunk to `run`, which runs them at once, each with its own output slice.

- The split is static: `chunks` depends only on the size of the work and the thread
  count, never on timing, and partial results (a weight gradient per block of images)
  are added in chunk order. So a result is bit-identical from run to run at a given
  thread count (and a resumed training run stays byte-identical); it differs from the
  one-thread result only by float rounding.
- Inside `run` the BLAS runs one thread: every task's GEMM is already one of the
  parallel parts, and OpenBLAS's own threads would only spin-wait for a core. The BLAS's
  thread count is process-wide, so it is lowered for the duration of the block and put
  back after it (two cheap library calls; `threadpool_limits` per call costs far more).
  glassnet's ops keep the BLAS on one thread even when their work is too small to split,
  so no OpenBLAS thread is left spin-waiting on the core the next split wants.
- The thread count is `get_num_threads()` (default: the cores this process may run on,
  `os.sched_getaffinity`), capped by the BLAS's own limit at the time of the call: code
  that runs NumPy's BLAS on one thread (`threadpoolctl.threadpool_limits(1)`, as the lab
  and a tuning worker with `blas_threads=1` do, or OPENBLAS_NUM_THREADS=1) runs glassnet
  on one thread too, exactly as without this module.
- Nothing starts at import: the pool and the BLAS's controller are made on first use.
  One block runs at a time; a block asked for while another runs (another Python thread,
  or a task inside a block) runs its same chunks one after the other, with the same result.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple, TypeVar

import numpy
from threadpoolctl import ThreadpoolController

T = TypeVar("T")

_requested: int | None = None  # set_num_threads; None = the cores this process may use
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_pid = 0  # the process that made the pool: a forked child makes its own
_blas: list[Any] | None = None  # threadpoolctl's controllers of the loaded BLAS libraries
_busy = threading.Lock()  # held while a block runs on the pool
_held_budget = 1  # the BLAS's thread limit from before the running block lowered it
_setup = threading.Lock()  # guards making the pool and finding the BLAS


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity (macOS, Windows)
        return os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Use `n` threads for glassnet's split ops (like `torch.set_num_threads`); 1 = no threads.

    The BLAS's own limit still caps it (see the module's docstring): to run the GEMMs
    outside glassnet's split ops on fewer threads too, use threadpoolctl.
    """
    global _requested
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive int, got {n!r}")
    _requested = n


def get_num_threads() -> int:
    """The threads glassnet's split ops may use: set_num_threads's value, else the usable cores."""
    return _requested if _requested is not None else _available_cores()


def blas_controllers() -> list[Any]:
    """threadpoolctl's controllers of the loaded BLAS libraries, found once on first use."""
    global _blas
    if _blas is None:
        with _setup:
            if _blas is None:
                controller = ThreadpoolController()  # scans the loaded libraries once
                _blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    return _blas


def _blas_budget() -> int:
    """The BLAS's thread limit now; while a block runs, the limit it will restore."""
    if _busy.locked():
        return _held_budget
    limits = [lib.get_num_threads() for lib in blas_controllers()]
    return min((n for n in limits if n), default=get_num_threads())


def active_threads() -> int:
    """How many chunks an op splits into now: get_num_threads() capped by the BLAS's limit."""
    wanted = get_num_threads()
    return 1 if wanted == 1 else max(1, min(wanted, _blas_budget()))


MIN_CHUNK_ELEMENTS = 1 << 16  # a thread's share of an elementwise pass: at least ~64 K values


def min_items(per_item: int, minimum: int | None = None) -> int:
    """The fewest items a thread's share may hold so that it covers `minimum` units of work
    (default MIN_CHUNK_ELEMENTS)."""
    minimum = MIN_CHUNK_ELEMENTS if minimum is None else minimum
    return -(-minimum // max(per_item, 1))


def chunks(
    count: int, items_per_chunk: int = 1, threads: int | None = None
) -> list[tuple[int, int]]:
    """Split range(count) into at most `threads` (default: active_threads()) contiguous
    (start, stop) parts of near-equal size, each at least `items_per_chunk` long.

    Part k is [k * count // parts, (k + 1) * count // parts): the same parts every time.
    """
    threads = active_threads() if threads is None else threads
    parts = max(1, min(threads, count // max(items_per_chunk, 1)))
    return [(k * count // parts, (k + 1) * count // parts) for k in range(parts)]


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size, _pool_pid
    with _setup:
        if _pool is None or _pool_size < workers or _pool_pid != os.getpid():
            if _pool is not None and _pool_pid == os.getpid():
                _pool.shutdown(wait=False)
            # not "glassnet...": those are the data pipeline's workers, which end with their run
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="op-threads")
            _pool_size, _pool_pid = workers, os.getpid()
        return _pool


def run(tasks: Sequence[Callable[[], T]], one_blas_thread: bool = False) -> list[T]:
    """Run the tasks at once (the first on the calling thread), BLAS on one thread meanwhile;
    their results in order. One task runs as it is, unless `one_blas_thread` asks for the BLAS
    on one thread all the same; a block already running elsewhere: the tasks in turn."""
    if (len(tasks) == 1 and not one_blas_thread) or not _busy.acquire(blocking=False):
        return [task() for task in tasks]
    global _held_budget
    try:
        blas = blas_controllers()
        saved = [lib.get_num_threads() for lib in blas]
        _held_budget = min((n for n in saved if n), default=get_num_threads())
        for lib in blas:
            lib.set_num_threads(1)
        try:
            return _run_on_pool(tasks) if len(tasks) > 1 else [tasks[0]()]
        finally:
            for lib, threads in zip(blas, saved):
                lib.set_num_threads(threads)
    finally:
        _busy.release()


def _run_on_pool(tasks: Sequence[Callable[[], T]]) -> list[T]:
    pool = _executor(len(tasks) - 1)
    futures: list[Future[T]] = [pool.submit(task) for task in tasks[1:]]
    try:
        first = tasks[0]()
    finally:  # wait for every task before the BLAS gets its threads back
        for future in futures:
            future.exception()
    return [first, *(future.result() for future in futures)]


class Split(NamedTuple):
    """How an op's work is cut: its (start, stop) parts and the threads active when it was cut."""

    parts: list[tuple[int, int]]
    threads: int  # above 1: the BLAS runs one thread inside the op, split or not


def split(xp: Any, count: int, items_per_chunk: int = 1) -> Split:
    """The static split of range(count) for now's thread count; one part on a GPU backend."""
    threads = active_threads() if xp is numpy else 1
    return Split(chunks(count, items_per_chunk, threads), threads)


def parallel_for(
    xp: Any,
    count: int,
    body: Callable[[int, int], T],
    items_per_chunk: int = 1,
    plan: Split | None = None,
) -> list[T]:
    """body(start, stop) over the parts of `split(xp, count, items_per_chunk)` (or `plan`).

    While glassnet runs more than one thread, the BLAS runs one thread inside body even when
    the work is too small to split: an OpenBLAS thread woken for a small GEMM spin-waits
    afterwards, holding the core that glassnet's next split wants."""
    plan = split(xp, count, items_per_chunk) if plan is None else plan
    tasks = [lambda start=start, stop=stop: body(start, stop) for start, stop in plan.parts]
    return run(tasks, one_blas_thread=plan.threads > 1)


__all__ = ["get_num_threads", "set_num_threads"]
