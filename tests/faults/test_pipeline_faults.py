"""Pipeline faults (issue 11): every worker fault with every way a consumer can end.

Workers: threads and processes, 1 and 3 of them. The map function, on record 3,
raises, hangs, exits (sys.exit / os._exit), or is killed (SIGKILL on a process; a thread
cannot be killed, so it raises KeyboardInterrupt instead). The consumer runs to the end,
breaks early, closes, is interrupted (Ctrl-C), or is SIGKILLed (a separate process).
Each case must end promptly (no hang: the test's timeout), with the records in order and
then either nothing or an error naming row 3; and leave no process, thread or /dev/shm
entry behind (compared with a snapshot taken before).
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

from glassnet.data import Pipeline, processes, workers
from leftovers import alive, assert_clean, descendants, snapshot

FAULTS = ("raises", "hangs", "exits", "killed")
ENDINGS = ("end", "break", "close", "ctrl-c")
RELEASE = threading.Event()


def faulty(x, fault, backend, consumer):
    x = int(x)
    if x == 3:
        if fault == "raises":
            raise ValueError("record three is bad")
        if fault == "hangs":
            RELEASE.wait(60) if backend == "thread" else time.sleep(60)
        if fault == "exits":
            sys.exit(3) if backend == "thread" else os._exit(3)
        if fault == "killed":
            if backend == "thread":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGKILL)
    return x


def faulty_with_interrupt(x, fault, backend, consumer):
    """Ctrl-C as a terminal sends it, at record 2 (from the worker: no timing involved)."""
    if int(x) == 2:
        os.kill(consumer, signal.SIGINT)
    return faulty(x, fault, backend, consumer)


@pytest.fixture
def quick_shutdown(monkeypatch):
    monkeypatch.setattr(workers, "SHUTDOWN_GRACE_S", 0.5)
    monkeypatch.setattr(processes, "SHUTDOWN_GRACE_S", 0.5)
    RELEASE.clear()
    yield
    RELEASE.set()
    deadline = time.monotonic() + 30
    while any(t.name.startswith("glassnet") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "worker threads did not finish after release"
        time.sleep(0.01)


def consume(pipeline, ending: str) -> list[int]:
    """Iterate as `ending` says; returns what was seen (an error propagates)."""
    seen: list[int] = []
    if ending in ("end", "ctrl-c"):
        for value in pipeline:
            seen.append(value)
    elif ending == "break":
        for value in pipeline:
            seen.append(value)
            if len(seen) == 2:
                break
    else:
        iterator = iter(pipeline)
        seen += [next(iterator), next(iterator)]
        iterator.close()
    return seen


def one_case(backend: str, count: int, fault: str, ending: str) -> str:
    """Run one case; '' if it ended as it must, else what went wrong."""
    before = snapshot()
    fn = faulty_with_interrupt if ending == "ctrl-c" else faulty
    fn = functools.partial(fn, fault=fault, backend=backend, consumer=os.getpid())
    timeout = 1.0 if fault == "hangs" and ending == "end" else None
    pipeline = Pipeline.from_arrays(numpy.arange(8)).map(
        fn, workers=count, backend=backend, timeout=timeout
    )
    outcome = ""
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        seen = consume(pipeline, ending)
        if ending in ("end", "ctrl-c"):
            outcome = "ran to the end without an error or interrupt"
    except KeyboardInterrupt:
        if ending != "ctrl-c":
            outcome = "KeyboardInterrupt escaped"
    except Exception as error:
        if "row 3" not in str(error).splitlines()[0]:
            outcome = f"{type(error).__name__} not naming row 3: {str(error)[:200]}"
    finally:
        signal.signal(signal.SIGINT, previous)
        RELEASE.set()  # stuck thread records may finish now
    if seen != list(range(len(seen))):
        outcome += f" records out of order: {seen}"
    deadline = time.monotonic() + 10
    while any(t.name.startswith("glassnet-data") for t in threading.enumerate()):
        if time.monotonic() > deadline:
            return outcome + " worker threads still alive"
        time.sleep(0.01)
    RELEASE.clear()
    try:
        assert_clean(before)
    except AssertionError as leftover:
        outcome += f" left behind: {leftover}"
    return outcome.strip()


@pytest.mark.timeout(240)
@pytest.mark.filterwarnings("ignore::ResourceWarning")  # stuck threads are reported by design
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_every_worker_fault_with_every_consumer_ending(fork_server, quick_shutdown, backend):
    tried, bad = 0, []
    for count in (1, 3):
        for fault in FAULTS:
            for ending in ENDINGS:
                tried += 1
                problem = one_case(backend, count, fault, ending)
                if problem:
                    bad.append(f"{backend} x{count} {fault} / {ending}: {problem}")
    print(
        f"\npipeline faults ({backend}): {tried} cases tried, {tried - len(bad)} clean, {len(bad)} bad"
    )
    assert bad == []


CONSUMER = textwrap.dedent("""
    import multiprocessing, os, sys, time
    import numpy
    from glassnet.data import Pipeline

    def faulty(x):
        if int(x) >= 3:
            {fault}
        return numpy.full((128, 256), int(x), dtype=numpy.float32)  # through shared memory

    if __name__ == "__main__":
        rows = iter(Pipeline.from_arrays(numpy.arange(50)).map(faulty, workers={count}, backend="{backend}"))
        next(rows)
        print(" ".join(str(c.pid) for c in multiprocessing.active_children()) or "-", flush=True)
        time.sleep(120)
""")
KILL_FAULTS = {
    "hangs": "time.sleep(120)",
    "raises": "raise ValueError('bad')",
    "busy": "sum(range(10**9))",
}


@pytest.mark.timeout(120)
def test_a_sigkilled_consumer_leaves_nothing(tmp_path):
    """Consumers killed with SIGKILL while their workers are stuck, failing or busy, all at once."""
    consumers = []
    cases = [("process", 1, "hangs"), ("process", 3, "hangs"), ("process", 3, "raises")]
    cases += [("process", 1, "busy"), ("thread", 3, "hangs")]  # threads die with their process
    for backend, count, fault in cases:
        script = tmp_path / f"{backend}{count}{fault}.py"
        script.write_text(CONSUMER.format(fault=KILL_FAULTS[fault], count=count, backend=backend))
        consumers.append(
            subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
        )
    everything: set[int] = set()
    for consumer in consumers:
        consumer.stdout.readline()  # the pipeline is running
        everything |= descendants(consumer.pid) | {consumer.pid}
        consumer.kill()
        consumer.wait()
        consumer.stdout.close()
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in everything) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in everything if alive(pid)]
    segments = [
        name
        for name in os.listdir("/dev/shm")
        if any(name.startswith(f"glassnet-{consumer.pid}-") for consumer in consumers)
    ]
    print(
        f"\nkilled consumers: {len(consumers)} cases tried, {len(consumers) - bool(left or segments)} clean"
    )
    assert left == [] and segments == []
