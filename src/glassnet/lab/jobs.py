"""Run the lab's tasks, one (topic, seed) each, on several worker processes; exclusive topics alone.

    results = run_tasks([("resnet", 0), ("lstm", 0)], mode="quick", lang="en", jobs=2)

The lab's experiments each run on one BLAS thread (`glassnet.lab.execute`), so on a machine
with two cores one experiment leaves the other core idle. With jobs=N, N worker processes
run N experiments at once. Each worker is spawned (a fresh interpreter, not a fork of this
one and its BLAS threads), and every experiment seeds itself, so a topic's numbers are the
same whichever worker runs it and whatever runs beside it.

A topic registered `exclusive=True` times wall-clock speed (of parallel data-loading
workers, say), which another experiment on the other core would distort: those run after
the others, one at a time, with the machine to themselves. With jobs=1 every task runs in
this process, in order, as before.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from glassnet.lab import registry
from glassnet.lab.execute import run_experiment
from glassnet.lab.result import Result

__all__ = ["Task", "batches", "check_jobs", "default_jobs", "is_exclusive", "run_tasks"]

Task = tuple[str, int]  # (topic, seed)
Done = Callable[[Result], None]


def default_jobs() -> int:
    """The number of cores this process may use (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_jobs(jobs: int, where: str) -> int:
    """`jobs` when it is a positive int, else raise naming it."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"{where}: jobs must be a positive integer, got {jobs!r}")
    return jobs


def is_exclusive(topic: str) -> bool:
    """Whether `topic` must run alone (a topic without an experiment never does)."""
    return topic in registry.topic_ids() and registry.get_experiment(topic).exclusive


def run_tasks(
    tasks: Sequence[Task], mode: str, lang: str, jobs: int, done: Done | None = None
) -> list[Result]:
    """Run every task and return their Results in the order of `tasks`.

    done(result) is called in this process as each task finishes (for a progress bar).
    A worker that dies (killed, out of memory) does not stop the run: each task it leaves
    unfinished becomes a Result whose `error` says so.
    """
    check_jobs(jobs, "glassnet.lab.run")
    done = done or (lambda result: None)
    if jobs == 1 or len(tasks) <= 1:
        return [_report(run_experiment(topic, mode, seed, lang), done) for topic, seed in tasks]
    results: dict[Task, Result] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        for batch in batches(tasks):
            results.update(_run_batch(pool, batch, mode, lang, done))
    return [results[task] for task in tasks]


def batches(tasks: Sequence[Task]) -> list[list[Task]]:
    """The order of a parallel run: the shared tasks all at once, then each exclusive one alone."""
    shared = [task for task in tasks if not is_exclusive(task[0])]
    alone = [[task] for task in tasks if is_exclusive(task[0])]
    return ([shared] if shared else []) + alone


def _run_batch(
    pool: ProcessPoolExecutor, batch: list[Task], mode: str, lang: str, done: Done
) -> dict[Task, Result]:
    """Run `batch` on the pool at once and wait for all of it."""
    futures: dict[Future[Result], Task] = {}
    for task in batch:
        try:
            futures[pool.submit(run_experiment, task[0], mode, task[1], lang)] = task
        except BrokenProcessPool as error:  # an earlier batch broke the pool
            futures[_failed(error)] = task
    results = {}
    for future in as_completed(futures):
        topic, seed = futures[future]
        try:
            result = future.result()
        except BrokenProcessPool as error:
            result = Result.start(topic, mode, seed)
            result.error = (
                f"the worker process running '{topic}' (seed {seed}) died before it finished "
                f"(killed, or out of memory?): {error}"
            )
            result = result.complete()
        results[topic, seed] = _report(result, done)
    return results


def _failed(error: BaseException) -> Future[Result]:
    future: Future[Result] = Future()
    future.set_exception(error)
    return future


def _report(result: Result, done: Done) -> Result:
    done(result)
    return result
