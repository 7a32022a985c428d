"""A worker: runs trials of one study until it has `n_trials` finished ones, then returns.

Start one on each core or machine with the same study and storage; they share the study
through the storage only. Before each trial a worker fails the trials of dead workers
(journal: host + pid records, glassnet.tune.recovery; database: Optuna's heartbeat,
fail_stale_trials) and their retries go back in the queue. Counting:

    finished = COMPLETE + PRUNED trials (FAIL ones are not counted, and are re-run)
    start a trial      while finished + running < n_trials, or a trial is WAITING
    wait (poll)        while the remaining trials are running elsewhere: if one of them
                       dies, its retry is picked up here
    stop               once finished >= n_trials

So a study reaches n_trials finished trials as long as one worker lives, and resumes when
a worker is started again after all died. Two workers that both find the last free slot
at the same moment may run one trial more than asked.

Ctrl-C (SIGINT) once: finish the running trial, then stop. Twice: Optuna fails the
running trial at once; it is enqueued again for another worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.storages import RetryHeartbeatStaleTrialCallback, fail_stale_trials
from optuna.trial import TrialState
from threadpoolctl import threadpool_limits

from glassnet.tune.objective import Objective
from glassnet.tune.progress import make_progress
from glassnet.tune.recovery import fail_dead_trials, this_worker
from glassnet.tune.space import Space
from glassnet.tune.storage import Durability, open_storage
from glassnet.tune.study import open_study


@dataclass
class WorkerConfig:
    """Everything a worker process needs (picklable: workers may be spawned processes)."""

    space: Space
    out: str
    study_name: str
    n_trials: int
    storage_url: str | None = None  # None: the journal file in `out`
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int | None = None
    durability: Durability = field(default_factory=Durability)
    blas_threads: int | None = None  # e.g. 1 per worker when several share the cores
    poll_seconds: float = 1.0
    verbose: bool = True
    bar: bool = False  # a progress bar instead of lines (one worker on a terminal)


def _counts(study: optuna.Study) -> dict[TrialState, int]:
    counts = dict.fromkeys(TrialState, 0)
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state] += 1
    return counts


@contextlib.contextmanager
def stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C sets `stop` (finish the running trial); the second raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        print(
            "glassnet tune: stopping after the running trial (Ctrl-C again to fail it now)",
            file=sys.stderr,
            flush=True,
        )
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _grid_done(study: optuna.Study) -> bool:
    sampler = study.sampler
    return isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(study)


def run_worker(config: WorkerConfig, stop: threading.Event | None = None) -> int:
    """Run trials of the study until it has `config.n_trials` finished ones; the number run here."""
    stop = stop or threading.Event()
    storage = open_storage(config.storage_url, config.out, config.durability)
    study = open_study(
        storage, config.study_name, config.space, config.sampler, config.pruner, config.seed
    )
    objective = Objective(config.space, config.out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)  # stable since Optuna 2.8
        retry = RetryHeartbeatStaleTrialCallback(max_retry=config.durability.max_retry)
    progress = make_progress(config.n_trials, config.bar) if config.verbose else None
    callbacks = [progress] if progress is not None else []
    limits = threadpool_limits(config.blas_threads) if config.blas_threads else None
    ran = 0
    try:
        while not stop.is_set():
            if config.storage_url is None:
                fail_dead_trials(study, retry)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ExperimentalWarning)
                    fail_stale_trials(study)
            counts = _counts(study)
            finished = counts[TrialState.COMPLETE] + counts[TrialState.PRUNED]
            if finished >= config.n_trials or _grid_done(study):
                break
            if (
                counts[TrialState.WAITING] == 0
                and finished + counts[TrialState.RUNNING] >= config.n_trials
            ):
                time.sleep(config.poll_seconds)  # the last trials run elsewhere: watch them
                continue
            try:
                study.optimize(objective, n_trials=1, callbacks=callbacks, gc_after_trial=False)
            except KeyboardInterrupt:
                _requeue_own(study, retry)
                raise
            ran += 1
    finally:
        if limits is not None:
            limits.restore_original_limits()
        if hasattr(progress, "close"):
            progress.close()
    return ran


def _requeue_own(study: optuna.Study, retry: RetryHeartbeatStaleTrialCallback) -> None:
    """After a second Ctrl-C: Optuna failed this process's running trial; enqueue it again."""
    me = this_worker()
    for trial in reversed(study.get_trials(deepcopy=True, states=(TrialState.FAIL,))):
        if trial.user_attrs.get("worker") == me:
            retry(study, trial)
            return


def worker_main(config: WorkerConfig) -> None:
    """Entry point of a spawned worker process."""
    stop = threading.Event()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with stop_on_sigint(stop):
        run_worker(config, stop)


def run_workers(configs: list[WorkerConfig]) -> list[int]:
    """Run one worker process per config (spawned: no state shared but the storage); exit codes."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=worker_main, args=(config,)) for config in configs]
    for process in processes:
        process.start()
    stop = threading.Event()
    with stop_on_sigint(stop):  # the children get the terminal's Ctrl-C themselves
        for process in processes:
            process.join()
    return [process.exitcode for process in processes]
