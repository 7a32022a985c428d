"""Every way an iteration can end leaves nothing behind: no process, no thread, no shared memory.

Each test snapshots the consumer's descendant processes (from /proc), the live
`multiprocessing` children, glassnet's threads and this process's /dev/shm entries,
runs a pipeline that ends in one particular way, and compares. The fork server and the
resource tracker are started once by the module fixture: they live as long as the
interpreter by design, so they are in both snapshots.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy
import pytest

from glassnet.data import DataLoader, Dataset, Pipeline
from leftovers import alive, assert_clean, descendants, snapshot

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc"), reason="inspects processes through /proc (Linux)"
)


def slow_square(x):
    time.sleep(0.05)
    return int(x) * int(x)


def big_result(x):
    return numpy.full(
        (128, 256), int(x), dtype=numpy.float32
    )  # 128 KiB: travels through shared memory


def fail_on_five(x):
    if int(x) == 5:
        raise ZeroDivisionError("record five divides by zero")
    return numpy.full((128, 256), int(x), dtype=numpy.float32)


def sleep_forever_after_two(x):
    if int(x) >= 2:
        time.sleep(60)  # a stuck record: shutdown must not wait for it
    return int(x)


class SlowDataset(Dataset):
    def __len__(self):
        return 400

    def __getitem__(self, index):
        time.sleep(0.02)
        return numpy.full(4, index, dtype=numpy.float32), index


@pytest.fixture(scope="module", autouse=True)
def fork_server():
    """Start the fork server (and its resource tracker) once, before any snapshot."""
    assert list(
        Pipeline.from_arrays(numpy.arange(2)).map(slow_square, workers=1, backend="process")
    ) == [0, 1]


# -- early stop --------------------------------------------------------------------------------------
@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_break_out_of_the_loop(backend):
    before = snapshot()
    pipeline = (
        Pipeline.from_arrays(numpy.arange(1000))
        .map(big_result, workers=3, backend=backend)
        .prefetch(2)
    )
    for count, row in enumerate(pipeline):  # noqa: B007 (row is read after the loop)
        if count == 5:
            break
    assert float(row[0, 0]) == 5.0
    del row
    assert_clean(before)


@pytest.mark.timeout(30)
def test_close_and_with_block_stop_the_workers_at_once():
    before = snapshot()
    iterator = iter(
        Pipeline.from_arrays(numpy.arange(1000)).map(big_result, workers=2, backend="process")
    )
    assert float(next(iterator)[0, 0]) == 0.0
    assert multiprocessing.active_children()  # the workers are running
    iterator.close()
    assert_clean(before)
    with (
        Pipeline.from_arrays(numpy.arange(1000))
        .map(big_result, workers=2, backend="process")
        .epoch(0) as rows
    ):
        assert float(next(rows)[0, 0]) == 0.0
    assert_clean(before)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_a_dropped_iterator_is_shut_down_by_the_garbage_collector(backend):
    before = snapshot()
    iterator = iter(
        Pipeline.from_arrays(numpy.arange(1000))
        .shuffle(100, seed=0)
        .map(big_result, workers=2, backend=backend)
        .batch(4)
    )
    assert next(iterator).shape == (4, 128, 256)
    del iterator
    assert_clean(before)


@pytest.mark.timeout(30)
def test_a_loader_stopped_early_leaves_nothing():
    before = snapshot()
    loader = DataLoader(
        SlowDataset(),
        batch_size=8,
        shuffle=True,
        seed=0,
        num_workers=2,
        multiprocessing_context="forkserver",
    )
    for xb, _yb in loader:
        assert xb.shape == (8, 4)
        break
    assert_clean(before)


@pytest.mark.timeout(30)
def test_a_stuck_worker_is_terminated_after_the_grace_period():
    before = snapshot()
    pipeline = Pipeline.from_arrays(numpy.arange(10)).map(
        sleep_forever_after_two, workers=2, backend="process"
    )
    iterator = iter(pipeline)
    assert [next(iterator), next(iterator)] == [0, 1]
    iterator.close()  # both workers are inside a 60 s sleep
    assert_clean(before)


# -- errors --------------------------------------------------------------------------------------------
@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_an_exception_in_a_worker_is_raised_and_everything_stops(backend):
    before = snapshot()
    pipeline = (
        Pipeline.from_arrays(numpy.arange(100))
        .map(fail_on_five, workers=3, backend=backend)
        .prefetch(2)
    )
    with pytest.raises(ZeroDivisionError, match=r"failed on row 5.*record five divides by zero"):
        for _ in pipeline:
            pass
    assert_clean(before)


@pytest.mark.timeout(30)
def test_a_killed_worker_is_reported_with_its_record():
    before = snapshot()
    iterator = iter(
        Pipeline.from_arrays(numpy.arange(100)).map(slow_square, workers=2, backend="process")
    )
    assert next(iterator) == 0
    victim = multiprocessing.active_children()[0]
    os.kill(victim.pid, signal.SIGKILL)
    with pytest.raises(
        RuntimeError,
        match=r"worker process \d \(pid \d+\) was killed by signal 9 while working on "
        r"row \d+",
    ):
        for _ in iterator:
            pass
    iterator.close()
    assert_clean(before)


# -- Ctrl-C ------------------------------------------------------------------------------------------
def interrupt_at_record(x, pid, at):
    """Ctrl-C as a terminal sends it (to the consumer; workers ignore it), sent by record `at`.

    Records from `at` on wait until the interrupt has landed, so the iteration cannot end
    before it whatever the machine's load: no timing decides this test.
    """
    if int(x) == at:
        os.kill(pid, signal.SIGINT)
    if int(x) >= at:
        INTERRUPTED.wait(30)
    return int(x) * int(x)


INTERRUPTED = threading.Event()


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "backend,prefetch", [("thread", False), ("thread", True), ("process", False), ("process", True)]
)
def test_ctrl_c_stops_everything(backend, prefetch):
    INTERRUPTED.clear()
    before = snapshot()
    fn = functools.partial(interrupt_at_record, pid=os.getpid(), at=5)
    pipeline = Pipeline.from_arrays(numpy.arange(400)).map(fn, workers=2, backend=backend)
    if prefetch:
        pipeline = pipeline.prefetch(2)
    results = []

    def on_sigint(signum, frame):
        INTERRUPTED.set()  # thread records waiting on it finish; processes are terminated
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with pytest.raises(KeyboardInterrupt):
            for value in pipeline:
                results.append(value)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert results == [i * i for i in range(len(results))] and len(results) <= 5
    assert_clean(before)


# -- the consumer dies -------------------------------------------------------------------------------
CONSUMER = textwrap.dedent("""
    import multiprocessing, sys, time
    import numpy
    from glassnet.data import Pipeline

    def double(x):
        return 2 * int(x)

    if __name__ == "__main__":
        iterator = iter(Pipeline.from_arrays(numpy.arange(10_000)).map(double, workers=2, backend="process"))
        next(iterator)
        print(" ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
        time.sleep(120)  # killed here, with idle workers waiting for tasks
""")


@pytest.mark.timeout(60)
def test_workers_exit_when_the_consumer_is_killed(tmp_path):
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER)
    consumer = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in consumer.stdout.readline().split()]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        everything = descendants(consumer.pid)  # workers, fork server, resource tracker
        assert set(workers) <= everything
    finally:
        consumer.kill()
        consumer.wait()
        consumer.stdout.close()
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in everything) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in everything if alive(pid)] == []


OPEN_AT_EXIT = textwrap.dedent("""
    import multiprocessing, os
    import numpy
    from glassnet.data import Pipeline

    def big(x):
        return numpy.full((128, 256), int(x), dtype=numpy.float32)

    if __name__ == "__main__":
        rows = iter(Pipeline.from_arrays(numpy.arange(1000)).map(big, workers=2, backend="process"))
        next(rows)
        keep = [rows, {"cycle": None}]
        keep[1]["cycle"] = keep  # reachable only through a cycle at exit
        print(os.getpid(), " ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
""")


@pytest.mark.timeout(60)
def test_an_iterator_left_open_at_exit_is_cleaned_up(tmp_path):
    script = tmp_path / "open_at_exit.py"
    script.write_text(OPEN_AT_EXIT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no tracebacks from workers, no resource warnings
    pid, *workers = [int(word) for word in done.stdout.split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 30
    while any(alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [worker for worker in workers if alive(worker)] == []
    assert [name for name in os.listdir("/dev/shm") if name.startswith(f"glassnet-{pid}-")] == []
