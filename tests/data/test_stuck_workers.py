"""Regressions of issue 11, defects 2 and 3: stuck workers and a consumer that dies.

Defect 2: with `.map(fn, workers=2)` on threads and a record whose fn never returns,
close(), leaving a loop early and Ctrl-C blocked forever. Defect 3: a consumer SIGKILLed
while a process worker was stuck left the worker, the fork server, the resource tracker
and a /dev/shm segment behind. No test here waits on a clock to decide anything: stuck
records block on an Event the test releases, and interrupts come from the records.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy
import pytest
from test_shutdown import alive, assert_clean, descendants, fork_server, snapshot  # noqa: F401 (fork_server: an autouse fixture)

from glassnet.data import DataLoader, Pipeline, SkippedRecordsWarning, shm

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc"), reason="inspects processes through /proc (Linux)"
)

RELEASE = threading.Event()  # what the stuck thread records wait for


@pytest.fixture
def stuck_threads():
    """Release the stuck records at the end, and wait until their threads are gone."""
    RELEASE.clear()
    yield
    RELEASE.set()
    deadline = time.monotonic() + 30
    while any(t.name.startswith("glassnet") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "worker threads did not finish after release"
        time.sleep(0.01)


def stuck_on_three(x):
    if int(x) == 3:
        RELEASE.wait(60)
        return -1
    return int(x) * 10


def sleep_on_three(x):
    """For process workers: record 3 never returns (terminated or killed by the pool)."""
    if int(x) == 3:
        time.sleep(60)
    return int(x) * 10


def interrupt_on_three(x, pid):
    """Ctrl-C as the record starts, then stuck: the iteration cannot end without the interrupt."""
    if int(x) == 3:
        os.kill(pid, signal.SIGINT)
        RELEASE.wait(60)
    return int(x)


def interrupt_then_sleep(x, pid):
    if int(x) == 3:
        os.kill(pid, signal.SIGINT)
        time.sleep(60)
    return int(x)


# -- threads: close, break, Ctrl-C return although a record is stuck ----------------------------------
@pytest.mark.timeout(30)
def test_close_returns_with_a_stuck_thread_and_names_its_record(stuck_threads):
    iterator = iter(Pipeline.from_arrays(numpy.arange(10)).map(stuck_on_three, workers=2))
    assert [next(iterator) for _ in range(3)] == [0, 10, 20]
    with pytest.warns(ResourceWarning, match=r"1 worker thread\(s\) still running .* on row 3"):
        iterator.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("prefetch", [False, True])
def test_break_returns_with_a_stuck_thread(stuck_threads, prefetch):
    pipeline = Pipeline.from_arrays(numpy.arange(10)).map(stuck_on_three, workers=2)
    if prefetch:
        pipeline = pipeline.prefetch(2)
    seen = []
    with pytest.warns(ResourceWarning, match=r"on row 3"):
        for value in pipeline:
            seen.append(value)
            if len(seen) == 3:
                break
        del value
    assert seen == [0, 10, 20]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_ctrl_c_interrupts_a_consumer_waiting_on_a_stuck_record(stuck_threads, backend):
    before = snapshot()
    fn = interrupt_on_three if backend == "thread" else interrupt_then_sleep
    pipeline = Pipeline.from_arrays(numpy.arange(10)).map(
        functools.partial(fn, pid=os.getpid()), workers=2, backend=backend
    )
    results = []
    with (
        pytest.raises(KeyboardInterrupt),
        pytest.warns(ResourceWarning) if backend == "thread" else _no_op(),
    ):
        for value in pipeline:
            results.append(value)
    assert results == [0, 1, 2][: len(results)]
    RELEASE.set()
    if backend == "process":
        assert_clean(before)


class _no_op:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


# -- timeout --------------------------------------------------------------------------------------------
@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_timeout_raises_naming_the_record(stuck_threads, backend):
    fn = stuck_on_three if backend == "thread" else sleep_on_three
    pipeline = Pipeline.from_arrays(numpy.arange(10)).map(
        fn, workers=2, backend=backend, timeout=0.3
    )
    results = []
    with (
        pytest.raises(TimeoutError, match=r"failed on row 3.*still running after timeout=0.3 s"),
        pytest.warns(ResourceWarning) if backend == "thread" else _no_op(),
    ):
        for value in pipeline:
            results.append(value)
    assert results == [0, 10, 20]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", ["thread", "process"])
@pytest.mark.parametrize("workers", [1, 3])
def test_timeout_with_skip_drops_and_counts_the_record_and_replaces_the_worker(
    stuck_threads, backend, workers
):
    before = snapshot()
    fn = stuck_on_three if backend == "thread" else sleep_on_three
    pipeline = Pipeline.from_arrays(numpy.arange(12)).map(
        fn, workers=workers, backend=backend, timeout=0.3, on_error="skip"
    )
    with pytest.warns(SkippedRecordsWarning, match=r"skipped 1 of 12 .* row 3: TimeoutError"):
        results = list(pipeline)
    assert results == [10 * i for i in range(12) if i != 3]  # the others, in order
    RELEASE.set()
    if backend == "process":
        assert_clean(before)


def test_timeout_needs_workers_and_a_positive_number():
    with pytest.raises(ValueError, match=r"timeout=1 needs workers >= 1"):
        Pipeline.from_arrays(numpy.arange(3)).map(int, timeout=1)
    with pytest.raises(ValueError, match=r"timeout must be a positive number"):
        Pipeline.from_arrays(numpy.arange(3)).map(int, workers=1, timeout=0)
    with pytest.raises(ValueError, match=r"timeout=2 needs workers >= 1"):
        Pipeline.from_arrays(numpy.arange(3)).batch(2, timeout=2)


def raise_system_exit(x):
    if int(x) == 2:
        sys.exit(3)
    return int(x)


@pytest.mark.timeout(30)
def test_a_thread_function_calling_exit_fails_its_record():
    with pytest.raises(RuntimeError, match=r"failed on row 2: RuntimeError: SystemExit: 3"):
        list(Pipeline.from_arrays(numpy.arange(5)).map(raise_system_exit, workers=2))


# -- process workers: close with prefetch, and a consumer killed while a worker is stuck ------------
@pytest.mark.timeout(30)
def test_close_through_prefetch_stops_stuck_process_workers():
    before = snapshot()
    iterator = iter(
        Pipeline.from_arrays(numpy.arange(10))
        .map(sleep_on_three, workers=2, backend="process")
        .prefetch(2)
    )
    assert [next(iterator) for _ in range(3)] == [0, 10, 20]
    iterator.close()  # the prefetch thread waits on record 3: it is cancelled, the worker terminated
    assert_clean(before)


STUCK_CONSUMER = textwrap.dedent("""
    import multiprocessing, os, sys, time
    import numpy
    from glassnet.data import Pipeline

    def big_or_stuck(x):
        if int(x) >= 2:
            time.sleep(120)  # stuck: the consumer is killed while this runs
        return numpy.full((128, 256), int(x), dtype=numpy.float32)  # via shared memory

    if __name__ == "__main__":
        iterator = iter(Pipeline.from_arrays(numpy.arange(100)).map(big_or_stuck, workers=2, backend="process"))
        next(iterator)
        print(" ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
        time.sleep(120)
""")


@pytest.mark.timeout(60)
def test_a_killed_consumer_leaves_no_process_and_no_shared_memory(tmp_path):
    script = tmp_path / "consumer.py"
    script.write_text(STUCK_CONSUMER)
    consumer = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in consumer.stdout.readline().split()]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        everything = descendants(consumer.pid)  # workers, fork server, resource tracker
        assert set(workers) < everything
    finally:
        consumer.kill()
        consumer.wait()
        consumer.stdout.close()
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in everything) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in everything if alive(pid)] == []
    assert [n for n in os.listdir("/dev/shm") if n.startswith(f"glassnet-{consumer.pid}-")] == []


def test_segments_of_a_dead_consumer_are_removed_by_the_next_pool(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    orphan = f"{shm.SHM_DIR}/glassnet-{pid}-{shm.NAMESPACE}.deadbeef-1-1"
    with open(orphan, "wb") as handle:
        handle.write(b"left behind")
    mine = f"{shm.SHM_DIR}/glassnet-{os.getpid()}-{shm.NAMESPACE}.cafecafe-1-1"
    elsewhere = f"{shm.SHM_DIR}/glassnet-{pid}-1.other-1-1"  # another pid namespace
    with open(elsewhere, "wb") as handle:
        handle.write(b"not ours to judge")
    with open(mine, "wb") as handle:
        handle.write(b"a live consumer's")
    try:
        assert list(
            Pipeline.from_arrays(numpy.arange(3)).map(sleep_on_three, workers=1, backend="process")
        ) == [0, 10, 20]
        assert not os.path.exists(orphan)
        assert os.path.exists(mine) and os.path.exists(elsewhere)
    finally:
        for path in (orphan, mine, elsewhere):
            if os.path.exists(path):
                os.unlink(path)


class StuckDataset:
    def __len__(self):
        return 12

    def __getitem__(self, index):
        if index == 3:
            RELEASE.wait(60)
        return numpy.full(2, index, dtype=numpy.float32), index


@pytest.mark.timeout(30)
def test_dataloader_timeout_names_the_stuck_batch(stuck_threads):
    loader = DataLoader(StuckDataset(), batch_size=2, num_workers=2, timeout=0.3)
    with (
        pytest.raises(TimeoutError, match=r"failed on batch 1 .*still running after timeout=0.3 s"),
        pytest.warns(ResourceWarning),
    ):
        list(loader)
    with pytest.raises(ValueError, match=r"timeout=1 needs num_workers > 0"):
        DataLoader(StuckDataset(), timeout=1)
    with pytest.raises(ValueError, match=r"timeout must be a non-negative number"):
        DataLoader(StuckDataset(), num_workers=1, timeout=-1)
