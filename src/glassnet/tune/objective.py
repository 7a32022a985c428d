"""One trial = one ordinary `glassnet train` run folder, reported to Optuna epoch by epoch.

The trial's value is the validation accuracy of the run's best checkpoint (the epoch of
lowest val_loss: the model `glassnet eval --split val` would score); the test split is
scored once at the end of the run, recorded, and never used to choose. After each epoch
`ReportToTrial` calls trial.report(val_accuracy, step=epochs done) and asks the pruner;
a pruned run stops there (its folder holds the epochs it did). A run that diverges (a
non-finite loss) is pruned as well, with the reason in the user attribute `diverged`.

User attributes of each trial: worker ({host, pid, pid_start}: who runs it, for crash
recovery), host and folder (the absolute path of the run folder on `host`), and when it
ends: epochs (trained), best_epoch, test_accuracy.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import optuna

from glassnet.train import NonFiniteError
from glassnet.train.callbacks.base import Callback, Logs
from glassnet.train.job import resolve_config, train_run
from glassnet.tune.recovery import this_worker
from glassnet.tune.space import Space

MONITOR = "val_accuracy"


class ReportToTrial(Callback):
    """After each epoch: report `monitor` to the Optuna trial, and stop the run if it is pruned."""

    def __init__(self, trial: optuna.Trial, monitor: str = MONITOR) -> None:
        self.trial, self.monitor = trial, monitor
        self.values: list[float] = []  # the monitor per epoch
        self.val_losses: list[float] = []
        self.pruned_at: int | None = None

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        value = float(logs.get(self.monitor, math.nan))
        self.values.append(value)
        self.val_losses.append(float(logs.get("val_loss", math.nan)))
        if math.isfinite(value):
            self.trial.report(value, step=epoch + 1)
        if self.trial.should_prune():
            self.pruned_at = epoch + 1
            self.trainer.stop_training = True
            self.trainer.stop_reason = f"pruned by Optuna after epoch {epoch + 1}"

    def best_checkpoint_value(self) -> float:
        """The monitor at the epoch of lowest val_loss (the best checkpoint's epoch)."""
        finite = [
            (loss, index) for index, loss in enumerate(self.val_losses) if math.isfinite(loss)
        ]
        if not finite:
            return math.nan
        return self.values[min(finite)[1]]


def trial_folder(out: Path, number: int) -> Path:
    return out / f"trial-{number:04d}"


class Objective:
    """The function Optuna calls per trial: draw options, train a run folder under `out`."""

    def __init__(self, space: Space, out: str | Path) -> None:
        self.space, self.out = space, Path(out).resolve()

    def __call__(self, trial: optuna.Trial) -> float:
        worker = this_worker()
        trial.set_user_attr("worker", worker)  # first, in one write: crash recovery needs it
        options = self.space.suggest(trial)  # next: a retry re-runs the parameters drawn
        trial.set_user_attr("host", worker["host"])
        folder = trial_folder(self.out, trial.number)
        trial.set_user_attr("folder", str(folder))
        reporter = ReportToTrial(trial)
        try:
            result = train_run(resolve_config(options), folder, callbacks=(reporter,))
        except NonFiniteError as problem:
            trial.set_user_attr("diverged", " ".join(str(problem).split()))
            trial.set_user_attr("epochs", len(reporter.values))
            raise optuna.TrialPruned(f"diverged: {problem}") from None
        trial.set_user_attr("epochs", result.epochs_done)
        trial.set_user_attr("best_epoch", result.best_epoch)
        trial.set_user_attr("test_accuracy", float(result.metrics["accuracy"]))
        if reporter.pruned_at is not None:
            raise optuna.TrialPruned(f"pruned after epoch {reporter.pruned_at}")
        return reporter.best_checkpoint_value()


def trial_summary(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """Plain data about a finished trial, for reports and tests."""
    return {
        "number": trial.number,
        "state": trial.state.name,
        "value": trial.value,
        "params": dict(trial.params),
        **{key: trial.user_attrs.get(key) for key in ("host", "folder", "epochs", "test_accuracy")},
        "retry_of": trial.system_attrs.get("failed_trial"),
    }
