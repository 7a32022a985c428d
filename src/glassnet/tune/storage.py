"""Where a study lives: a journal file in the study folder by default, a database server to scale out.

    no --storage             JournalStorage(JournalFileBackend(STUDY_DIR/journal.log)): an
                             append-only log guarded by Optuna's lock file; several processes
                             on one machine share it, no server. It has no heartbeat:
                             glassnet.tune.recovery fails the trials of dead workers.
    --storage postgresql://  RDBStorage with Optuna's heartbeat: each running trial's worker
                             writes a heartbeat every `heartbeat_interval` s; a trial silent
                             for `grace_period` s is failed by the next worker that starts a
                             trial, and RetryHeartbeatStaleTrialCallback enqueues it again.

When is a killed worker's trial failed and queued again? Workers check before each
trial they start, and every second while they wait for the last trials: so on the
database within grace_period s plus at most one trial of the other workers; on the
journal at the next such check after the death (a restarted worker checks at once).

A worker SIGKILLed while it holds the journal's lock leaves the lock file behind; the other
workers wait `lock_grace_period` s (Optuna's JournalFileSymlinkLock) and then break it.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optuna.exceptions import ExperimentalWarning
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileBackend, JournalFileSymlinkLock, JournalStorage

JOURNAL_NAME = "journal.log"


@dataclass(frozen=True)
class Durability:
    """Crash-safety settings (seconds; Optuna wants whole seconds)."""

    heartbeat_interval: int = 10  # RDB: how often a running trial's worker writes a heartbeat
    grace_period: int = 30  # RDB: a trial without a heartbeat this long is failed
    lock_grace_period: int = 30  # journal: a lock file untouched this long is broken
    max_retry: int | None = 3  # a killed trial is enqueued again at most this often


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def with_driver(url: str) -> str:
    """A plain postgresql:// URL with the driver that is installed: SQLAlchemy 2.1 picks
    psycopg (3) for it; glassnet's [tune] extra installs psycopg2-binary."""
    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres") and importlib.util.find_spec("psycopg") is None:
        if importlib.util.find_spec("psycopg2") is not None:
            return f"postgresql+psycopg2{sep}{rest}"
    return url


def journal_path(study_dir: str | Path) -> Path:
    return Path(study_dir) / JOURNAL_NAME


def open_storage(
    url: str | None, study_dir: str | Path | None, durability: Durability = Durability()
) -> Any:
    """The Optuna storage for `url`, or a journal file in `study_dir` when `url` is None.

    Raises ValueError with one line when the database cannot be reached or the URL is bad.
    """
    if url is None:
        if study_dir is None:
            raise ValueError("a study needs --storage URL or a study folder (-o/--out)")
        path = journal_path(study_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = JournalFileSymlinkLock(str(path), grace_period=durability.lock_grace_period)
        return JournalStorage(JournalFileBackend(str(path), lock_obj=lock))
    engine_kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        engine_kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExperimentalWarning)  # heartbeat: stable since 2.9
            return RDBStorage(
                with_driver(url),
                engine_kwargs=engine_kwargs,
                heartbeat_interval=durability.heartbeat_interval,
                grace_period=durability.grace_period,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                    max_retry=durability.max_retry
                ),
            )
    except ImportError:
        raise ValueError(
            f"--storage {redact(url)}: no database driver for it is installed (for PostgreSQL: "
            "pip install 'glassnet[tune]', which brings psycopg2-binary)"
        ) from None
    except Exception as problem:  # sqlalchemy's errors: bad URL, refused connection, bad login
        reason = str(getattr(problem, "orig", None) or problem).strip().splitlines()
        raise ValueError(
            f"--storage {redact(url)}: cannot open the database: {reason[0] if reason else problem}"
        ) from None
