"""glassnet.parallel: the thread setting, the static split, the BLAS on one thread inside a block."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from threadpoolctl import threadpool_limits

import glassnet
from glassnet import parallel


@pytest.fixture
def threads():
    """Restore glassnet's thread setting after the test."""
    saved = parallel._requested
    yield
    parallel._requested = saved


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2", None])
def test_set_num_threads_refuses_anything_but_a_positive_int(bad, threads):
    with pytest.raises(ValueError, match=f"positive int, got {bad!r}"):
        glassnet.set_num_threads(bad)


def test_set_and_get_num_threads(threads):
    glassnet.set_num_threads(3)
    assert glassnet.get_num_threads() == 3
    glassnet.set_num_threads(1)
    assert glassnet.get_num_threads() == 1
    assert parallel.active_threads() == 1


def test_default_is_the_cores_this_process_may_use(threads):
    parallel._requested = None
    assert glassnet.get_num_threads() == len(os.sched_getaffinity(0))


def test_chunks_are_static_contiguous_and_cover_the_range():
    assert parallel.chunks(10, threads=3) == [(0, 3), (3, 6), (6, 10)]
    assert parallel.chunks(10, items_per_chunk=4, threads=3) == [(0, 5), (5, 10)]
    assert parallel.chunks(3, items_per_chunk=4, threads=8) == [(0, 3)]
    assert parallel.chunks(0, threads=2) == [(0, 0)]


def test_the_blas_limit_caps_the_threads(threads):
    """The lab's threadpool_limits(1) and a tuning worker's blas_threads cap glassnet too."""
    glassnet.set_num_threads(4)
    with threadpool_limits(1, user_api="blas"):
        assert parallel.active_threads() == 1
        assert parallel.chunks(100) == [(0, 100)]
    with threadpool_limits(2, user_api="blas"):
        assert parallel.active_threads() == 2


def test_run_puts_the_blas_on_one_thread_and_back(threads):
    blas = parallel.blas_controllers()
    assert blas, "NumPy's BLAS was not found by threadpoolctl"

    def task(value):
        return value, [lib.get_num_threads() for lib in blas], threading.get_ident()

    with threadpool_limits(2, user_api="blas"):
        results = parallel.run([lambda v=v: task(v) for v in range(3)])
        assert [lib.get_num_threads() for lib in blas] == [2] * len(blas)
    assert [value for value, _, _ in results] == [0, 1, 2]
    assert all(inside == [1] * len(blas) for _, inside, _ in results)
    assert results[0][2] == threading.get_ident()  # the first task runs on the caller
    assert len({ident for _, _, ident in results}) > 1


def test_one_task_runs_on_one_blas_thread_when_asked(threads):
    blas = parallel.blas_controllers()
    with threadpool_limits(2, user_api="blas"):
        inside = parallel.run([lambda: [lib.get_num_threads() for lib in blas]])
        assert inside == [[2] * len(blas)]  # one task: left as it is
        inside = parallel.run(
            [lambda: [lib.get_num_threads() for lib in blas]], one_blas_thread=True
        )
        assert inside == [[1] * len(blas)]
        assert [lib.get_num_threads() for lib in blas] == [2] * len(blas)


def test_run_waits_for_every_task_and_restores_the_blas_after_an_error(threads):
    blas = parallel.blas_controllers()
    finished = []

    def slow():
        threading.Event().wait(0.05)
        finished.append(True)

    def fail():
        raise RuntimeError("task failed")

    with threadpool_limits(2, user_api="blas"):
        with pytest.raises(RuntimeError, match="task failed"):
            parallel.run([fail, slow])
        assert finished == [True]
        assert [lib.get_num_threads() for lib in blas] == [2] * len(blas)
    assert not parallel._busy.locked()


def test_a_block_inside_a_block_runs_its_chunks_in_turn(threads):
    glassnet.set_num_threads(2)
    with threadpool_limits(2, user_api="blas"):
        inner = parallel.run(
            [lambda: parallel.run([lambda: threading.get_ident()] * 2), lambda: None]
        )
    assert len(set(inner[0])) == 1  # both inner tasks on the thread that ran the outer task


def test_import_starts_no_thread_and_leaves_the_blas_alone():
    code = (
        "import json, threading, numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "def state():\n"
        "    return threading.active_count(), {i['filepath']: i['num_threads'] for i in threadpool_info()}\n"
        "before = state()\n"
        "import glassnet, glassnet.parallel as p\n"
        "after = state()\n"
        "print(json.dumps([before, after, p._pool is None, p._blas is None]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    (threads_before, blas_before), (threads_after, blas_after), no_pool, no_blas = json.loads(
        out.stdout
    )
    assert threads_after == threads_before
    assert {path: blas_after[path] for path in blas_before} == blas_before
    assert no_pool and no_blas


def test_a_forked_child_makes_its_own_pool():
    """The parent's pool threads do not exist in a forked child: the child must not wait on them."""
    code = (
        "import os, signal\n"
        "from threadpoolctl import threadpool_limits\n"
        "import glassnet.parallel as p\n"
        "p.set_num_threads(2)\n"
        "with threadpool_limits(2, user_api='blas'):\n"
        "    assert p.run([lambda: 1, lambda: 2]) == [1, 2]\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        signal.alarm(20)\n"
        "        os._exit(0 if p.run([lambda: 3, lambda: 4]) == [3, 4] else 1)\n"
        "    _, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "0"


def test_pool_threads_are_not_named_like_the_pipeline_workers(threads):
    """Tests (and users) wait for threads named glassnet* to end; the pool's live on."""
    with threadpool_limits(2, user_api="blas"):
        parallel.run([lambda: None, lambda: None])
    names = [t.name for t in threading.enumerate() if t.name.startswith("op-threads")]
    assert names
    assert not any(t.name.startswith("glassnet") for t in threading.enumerate())
