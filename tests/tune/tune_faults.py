"""The fault harness: `glassnet tune` workers as processes, SIGKILLed at seeded random moments.

Three workers share one study. At random moments (seeded) the harness picks a RUNNING
trial, SIGKILLs its worker, and starts a fresh worker in its place (as a cluster's
supervisor would). It records every trial that was RUNNING when its worker died, and
every trial it ever saw COMPLETE, so the test can check that the study finishes, that
no finished trial is lost or counted twice, and that each killed trial failed and ran again.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import optuna
from optuna.trial import TrialState

from glassnet.tune import Durability, open_storage

TRIALS = 10
GRACE = 3  # s: heartbeat grace (database) and lock grace (journal)


@dataclass
class FaultRun:
    killed: list[int] = field(default_factory=list)  # trials RUNNING when their worker died
    kills: int = 0
    seen_complete: set[int] = field(default_factory=set)
    seconds: float = 0.0
    exit_codes: list[int] = field(default_factory=list)


def worker_command(out: Path, url: str | None, seed: int) -> list[str]:
    command = [sys.executable, "-m", "glassnet", "tune", "--data", "digits", "--epochs", "2"]
    command += ["--search", "lr,units", "--trials", str(TRIALS), "-o", str(out)]
    command += ["--study", "faults", "--pruner", "none", "--max-retry", "1000", "--no-plots"]
    command += ["--grace-period", str(GRACE), "--heartbeat", "1", "--seed", str(seed)]
    return command + ([] if url is None else ["--storage", url])


def _start(out: Path, url: str | None, seed: int) -> subprocess.Popen:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"worker-{seed}.log", "w") as log:  # the child keeps its own handle
        return subprocess.Popen(
            worker_command(out, url, seed), env=env, stdout=subprocess.DEVNULL, stderr=log
        )


def lock_breaks(out: Path) -> int:
    """How often a worker broke a journal lock left by a dead one (Optuna logs each)."""
    return sum(
        log.read_text().count("Forcibly releasing the lock file")
        for log in out.glob("worker-*.log")
    )


def _study(out: Path, url: str | None) -> optuna.Study | None:
    storage = open_storage(url, out, Durability(lock_grace_period=GRACE))
    names = [summary.study_name for summary in optuna.get_all_study_summaries(storage)]
    return optuna.load_study(study_name="faults", storage=storage) if "faults" in names else None


def run_with_kills(out: Path, url: str | None, kills: int, seed: int, timeout: float) -> FaultRun:
    """Run 3 workers, SIGKILL `kills` of them mid-trial at random moments; wait for the end."""
    rng, run = random.Random(seed), FaultRun()
    started = time.monotonic()
    workers = [_start(out, url, seed=index) for index in range(3)]
    try:
        _kill_loop(out, url, kills, rng, run, workers, started + timeout)
        for worker in workers:
            remaining = max(1.0, timeout - (time.monotonic() - started))
            run.exit_codes.append(worker.wait(timeout=remaining))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    run.seconds = time.monotonic() - started
    return run


def _kill_loop(
    out: Path,
    url: str | None,
    kills: int,
    rng: random.Random,
    run: FaultRun,
    workers: list[subprocess.Popen],
    deadline: float,
) -> None:
    next_seed = len(workers)
    while run.kills < kills and time.monotonic() < deadline:
        time.sleep(rng.uniform(0.2, 1.2))
        study = _study(out, url)
        if study is None:
            continue
        trials = study.get_trials(deepcopy=False)
        run.seen_complete |= {t.number for t in trials if t.state == TrialState.COMPLETE}
        by_pid = {worker.pid: worker for worker in workers}
        running = [
            t
            for t in trials
            if t.state == TrialState.RUNNING and t.user_attrs.get("worker", {}).get("pid") in by_pid
        ]
        if not running:
            continue
        victim = rng.choice(running)
        worker = by_pid[victim.user_attrs["worker"]["pid"]]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        run.kills += 1
        # read again after the death: still RUNNING means it died mid-trial
        state = _study(out, url).get_trials(deepcopy=False)[victim.number].state
        if state == TrialState.RUNNING:
            run.killed.append(victim.number)
        workers[workers.index(worker)] = _start(out, url, seed=next_seed)
        next_seed += 1
