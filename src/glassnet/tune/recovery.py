"""Crash recovery for storages without a heartbeat (the journal file): host + pid records.

Each trial records, as its user attribute `worker` (one write, before anything else),
the worker that runs it: `host` (the machine's name), `pid` and `pid_start` (the
process's start time in clock ticks since boot, from /proc/PID/stat: a pid the kernel
has handed to a new process no longer matches).
Before a worker asks for its next trial it calls `fail_dead_trials`: every RUNNING trial
of this host whose process is gone is set to FAIL, and `retry` (Optuna's
RetryHeartbeatStaleTrialCallback) enqueues its parameters again as a WAITING trial.
When two workers see the same dead trial, the storage lets one FAIL it (the other gets
UpdateFinishedTrialError), so it is re-run once.

A trial RUNNING without a worker record for ORPHAN_SECONDS was killed between the ask
and its first write (a few milliseconds wide); it is failed the same way. Trials of
other hosts cannot be checked from here: across machines, use the database storage.
"""

from __future__ import annotations

import copy
import datetime
import os
import socket
from collections.abc import Callable
from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

ORPHAN_SECONDS = 60.0


def process_start(pid: int) -> int | None:
    """The start time of process `pid` in clock ticks after boot (Linux), or None if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19])  # field 22 of stat(5); fields[0] here is field 3


def this_worker() -> dict[str, Any]:
    """The record of the calling process: host, pid, pid_start."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "pid_start": process_start(pid)}


def is_alive(pid: int, pid_start: int | None) -> bool:
    """Whether process `pid` on this host still runs and is the one that was recorded."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    if pid_start is None:
        return True
    current = process_start(pid)
    return current is None or current == pid_start


def _is_dead(trial: FrozenTrial, host: str) -> bool:
    record = trial.user_attrs.get("worker")
    if record is None:
        started = trial.datetime_start
        if started is None:
            return False
        age = datetime.datetime.now(started.tzinfo) - started
        return age.total_seconds() > ORPHAN_SECONDS
    if record["host"] != host:
        return False
    return not is_alive(int(record["pid"]), record.get("pid_start"))


def fail_dead_trials(
    study: optuna.Study, retry: Callable[[optuna.Study, FrozenTrial], None] | None
) -> list[int]:
    """FAIL the RUNNING trials of dead workers on this host and enqueue them again; their numbers."""
    host, storage, failed = socket.gethostname(), study._storage, []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if not _is_dead(trial, host):
            continue
        try:
            if not storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
                continue
        except UpdateFinishedTrialError:
            continue  # another worker failed it first
        failed.append(trial.number)
        if retry is not None:
            retry(study, copy.deepcopy(storage.get_trial(trial._trial_id)))
    return failed
