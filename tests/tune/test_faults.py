"""Crash safety: 3 workers, 10 SIGKILLs mid-trial, on PostgreSQL and on the journal file.

Checked on the final study: it has its TRIALS finished trials; every trial seen
COMPLETE during the run is still COMPLETE (none lost); each retry chain (a trial and
its re-runs, linked by Optuna's `failed_trial` attribute) has at most one COMPLETE
trial (none counted twice); every trial killed mid-run is FAIL and its chain ends
COMPLETE with the same parameters (re-run); each COMPLETE trial's run folder holds its
test metrics.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict

import pytest
from optuna.trial import TrialState
from tune_faults import GRACE, TRIALS, _study, lock_breaks, run_with_kills

from glassnet.tune import (
    Durability,
    WorkerConfig,
    build_space,
    open_storage,
    open_study,
    run_worker,
)

KILLS = 10


def _check_study(out, url, run) -> None:
    print(f"{len(run.killed)} of {run.kills} kills mid-trial; study done in {run.seconds:.0f} s")
    print(f"journal locks left by dead workers and broken after {GRACE} s: {lock_breaks(out)}")
    assert run.kills == KILLS
    assert run.exit_codes == [0, 0, 0]
    trials = _study(out, url).get_trials(deepcopy=False)
    complete = {t.number for t in trials if t.state == TrialState.COMPLETE}
    assert TRIALS <= len(complete) <= TRIALS + 2  # two workers may take the last slot at once
    assert not [t for t in trials if t.state in (TrialState.RUNNING, TrialState.WAITING)]
    assert run.seen_complete <= complete  # no finished trial lost
    chains = defaultdict(list)
    for trial in trials:
        chains[trial.system_attrs.get("failed_trial", trial.number)].append(trial)
    for chain in chains.values():  # no finished trial counted twice
        assert sum(t.state == TrialState.COMPLETE for t in chain) <= 1
    assert run.killed, "no kill landed mid-trial"
    for number in run.killed:  # failed, and run again to the end with its parameters
        assert trials[number].state == TrialState.FAIL
        root = trials[number].system_attrs.get("failed_trial", number)
        done = [t for t in chains[root] if t.state == TrialState.COMPLETE]
        assert len(done) == 1
        # killed before it drew its parameters (a few ms after the ask), the retry draws them
        assert trials[number].params in (done[0].params, {})
    for trial in trials:
        if trial.state == TrialState.COMPLETE:
            assert os.path.isfile(os.path.join(trial.user_attrs["folder"], "test_metrics.json"))


@pytest.mark.timeout(240)
def test_postgres_workers_survive_sigkill(tmp_path, postgres_url):
    run = run_with_kills(tmp_path / "study", postgres_url, KILLS, seed=7, timeout=200)
    _check_study(tmp_path / "study", postgres_url, run)


@pytest.mark.timeout(240)
def test_journal_workers_survive_sigkill(tmp_path):
    run = run_with_kills(tmp_path / "study", None, KILLS, seed=11, timeout=200)
    _check_study(tmp_path / "study", None, run)


@pytest.mark.timeout(120)
def test_journal_lock_left_by_dead_worker_is_broken_after_its_grace_period(tmp_path):
    """A worker killed inside the journal's lock leaves journal.log.lock behind: the next
    worker waits until the lock file is GRACE s old, then breaks it and goes on."""

    out = tmp_path / "study"
    open_storage(None, out)  # creates journal.log
    lock = out / "journal.log.lock"
    os.symlink(out / "journal.log", lock)  # as JournalFileSymlinkLock.acquire leaves it
    space = build_space("digits", search=["lr"], fixed={"epochs": 1})
    durability = Durability(lock_grace_period=GRACE)
    started = time.monotonic()
    open_study(open_storage(None, out, durability), "locked", space)  # the first write
    stall = time.monotonic() - started
    assert not lock.exists()
    assert stall >= GRACE  # it cannot have written before breaking the lock
    print(f"journal lock stall: {stall:.1f} s with lock_grace_period {GRACE} s")
    config = WorkerConfig(space, str(out), "locked", n_trials=1, verbose=False)
    config.durability = durability
    assert run_worker(config) == 1
