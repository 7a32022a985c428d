"""`glassnet lab --jobs N`: experiments in worker processes, the same numbers as one process, exclusive topics alone."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from glassnet.lab import jobs
from glassnet.lab.execute import run_experiment
from glassnet.lab.runner import run

CHEAP = ["conv_arithmetic", "vanishing_exploding"]  # smoke mode: well under a second each


@pytest.mark.parametrize("bad", [0, -2, True, 1.5, "2"])
def test_jobs_must_be_a_positive_int(bad):
    with pytest.raises(
        ValueError, match=rf"glassnet.lab.run: jobs must be a positive integer, got {bad!r}"
    ):
        jobs.check_jobs(bad, "glassnet.lab.run")


def test_default_jobs_is_the_cores_this_process_may_use():
    assert jobs.default_jobs() == len(os.sched_getaffinity(0))


def test_the_topics_that_time_wall_clock_speed_run_alone_after_the_others():
    assert [
        t
        for t in ("input_pipeline", "activations", "compression", "resnet")
        if jobs.is_exclusive(t)
    ] == [
        "input_pipeline",
        "activations",
        "compression",
    ]
    tasks = [("activations", 0), ("resnet", 0), ("activations", 1), ("resnet", 1), ("lstm", 0)]
    assert jobs.batches(tasks) == [
        [("resnet", 0), ("resnet", 1), ("lstm", 0)],
        [("activations", 0)],
        [("activations", 1)],
    ]
    assert jobs.batches([("activations", 0)]) == [[("activations", 0)]]


def numbers(result):
    """Each claim's verdict and numbers, as text (so that NaN equals NaN)."""
    return {c.claim.key: (c.verdict, repr(dict(c.numbers))) for c in result.claims}


def test_two_jobs_give_the_numbers_of_one_process_in_the_tasks_order():
    tasks = [(CHEAP[1], 1), (CHEAP[0], 0), (CHEAP[1], 0)]
    seen = []
    parallel = jobs.run_tasks(
        tasks, "smoke", "en", 2, done=lambda r: seen.append((r.topic, r.seed))
    )
    assert [(r.topic, r.seed) for r in parallel] == tasks and sorted(seen) == sorted(tasks)
    for (topic, seed), result in zip(tasks, parallel, strict=True):
        assert result.error is None
        assert numbers(result) == numbers(run_experiment(topic, "smoke", seed))


def test_a_broken_pool_turns_the_tasks_it_leaves_into_errors_not_a_crash():
    pool = ProcessPoolExecutor(max_workers=1)
    with pytest.raises(BrokenProcessPool):  # the worker dies: the pool is broken from now on
        pool.submit(os._exit, 3).result(timeout=60)
    out = jobs._run_batch(pool, [("conv_arithmetic", 0)], "smoke", "en", lambda r: None)
    pool.shutdown()
    error = out["conv_arithmetic", 0].error
    assert error.startswith("the worker process running 'conv_arithmetic' (seed 0) died")


def test_the_report_says_how_many_jobs_ran(tmp_path):
    report = run(CHEAP, mode="smoke", out=tmp_path / "r", progress=False, jobs=2)
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["jobs"] == 2 and report.info.jobs == 2
    assert "2 experiment(s) at a time" in report.markdown.read_text(encoding="utf-8")
    assert [r.topic for r in report.results] == CHEAP and not report.failed
