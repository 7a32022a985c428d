"""A worker's progress: a rich bar on a terminal (one worker), else one line per trial.

    trials ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━  12/40  best 0.9750 (trial 7)
    [host:pid] trial 12 pruned; best 0.9750 (trial 7); 12/40 finished

Both count the study's finished trials (all workers'), and show the best value so far.
"""

from __future__ import annotations

import sys
from typing import Any

import optuna
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from glassnet.tune.recovery import this_worker
from glassnet.tune.study import finished_count


def _best(study: optuna.Study) -> str:
    try:
        return f"best {study.best_value:.4f} (trial {study.best_trial.number})"
    except ValueError:
        return "no complete trial yet"


class TrialLines:
    """Optuna callback: one line on stderr per trial this worker ends."""

    def __init__(self, n_trials: int) -> None:
        self.n_trials = n_trials
        self.who = "{host}:{pid}".format(**this_worker())

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        value = "" if trial.value is None else f" {trial.value:.4f}"
        print(
            f"[{self.who}] trial {trial.number} {trial.state.name.lower()}{value}; "
            f"{_best(study)}; {finished_count(study)}/{self.n_trials} finished",
            file=sys.stderr,
            flush=True,
        )


class TrialBar:
    """Optuna callback: a progress bar of finished trials and the best value (a terminal)."""

    def __init__(self, n_trials: int) -> None:
        self.progress = Progress(
            TextColumn("trials"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("", total=n_trials)
        self.progress.start()

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        self.progress.update(self.task, completed=finished_count(study), description=_best(study))

    def close(self) -> None:
        self.progress.stop()


def make_progress(n_trials: int, bar: bool) -> Any:
    """A bar when asked and stderr is a terminal, else lines."""
    if bar and Console(stderr=True).is_terminal:
        return TrialBar(n_trials)
    return TrialLines(n_trials)
