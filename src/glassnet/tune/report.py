"""What a study found: the table of trials, the best one, and Optuna's matplotlib plots.

trial_records(study)   the same as plain data; trial_counts(study): trials per state
trials_table(study)    every trial: number, state, value, epochs, params, host, folder
best_summary(study)    the best trial's parameters, run folder and test metrics
write_plots(study, d)  PNGs: optimization_history, param_importances (fANOVA),
                       parallel_coordinate, intermediate_values (the pruned curves)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import optuna
from optuna.visualization import matplotlib as optuna_plots
from rich.table import Table

PLOTS = {
    "optimization_history": optuna_plots.plot_optimization_history,
    "param_importances": optuna_plots.plot_param_importances,
    "parallel_coordinate": optuna_plots.plot_parallel_coordinate,
    "intermediate_values": optuna_plots.plot_intermediate_values,
}


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def trials_table(study: optuna.Study) -> Table:
    trials = study.get_trials(deepcopy=False)
    names = sorted({name for trial in trials for name in trial.params})
    table = Table(title=f"study {study.study_name}: {len(trials)} trials")
    for column in ("#", "state", "val acc", "test acc", "epochs", *names, "host", "folder"):
        table.add_column(column, justify="right" if column not in ("state", "folder") else "left")
    for trial in trials:
        attrs = trial.user_attrs
        retry = trial.system_attrs.get("failed_trial")
        table.add_row(
            str(trial.number),
            trial.state.name.lower() + (f" (retry of {retry})" if retry is not None else ""),
            _format(trial.value),
            _format(attrs.get("test_accuracy")),
            _format(attrs.get("epochs")),
            *(_format(trial.params.get(name)) for name in names),
            _format(attrs.get("host")),
            _format(attrs.get("folder")),
        )
    return table


def trial_records(study: optuna.Study) -> list[dict[str, Any]]:
    """trials_table's rows as plain data (values None where the trial has none yet)."""
    records = []
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        records.append(
            {
                "number": trial.number,
                "state": trial.state.name.lower(),
                "retry_of": trial.system_attrs.get("failed_trial"),
                "value": trial.value,
                "test_accuracy": attrs.get("test_accuracy"),
                "epochs": attrs.get("epochs"),
                "params": dict(trial.params),
                "host": attrs.get("host"),
                "folder": attrs.get("folder"),
            }
        )
    return records


def trial_counts(study: optuna.Study) -> dict[str, int]:
    """{state: number of trials}, every state present (zeros included)."""
    counts = {state.name.lower(): 0 for state in optuna.trial.TrialState}
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state.name.lower()] += 1
    return counts


def best_summary(study: optuna.Study) -> dict[str, Any] | None:
    """The best trial as plain data (None before the first complete trial)."""
    try:
        best = study.best_trial
    except ValueError:
        return None
    folder = best.user_attrs.get("folder")
    metrics = None
    path = Path(folder) / "test_metrics.json" if folder else None
    if path is not None and path.is_file():  # on the host that ran it (or a shared file system)
        metrics = json.loads(path.read_text())["metrics"]
    return {
        "number": best.number,
        "value": best.value,
        "params": dict(best.params),
        "host": best.user_attrs.get("host"),
        "folder": folder,
        "test_metrics": metrics,
        "test_accuracy": best.user_attrs.get("test_accuracy"),
    }


def write_plots(study: optuna.Study, out: str | Path) -> dict[str, str]:
    """Write the PNGs into `out`; name -> path, or name -> why it was skipped."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, plot in PLOTS.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ExperimentalWarning on every call
                axes = plot(study)
        except (ValueError, RuntimeError) as problem:  # too few trials for this plot
            written[name] = f"skipped: {problem}"
            continue
        figure = axes.flat[0].figure if hasattr(axes, "flat") else axes.figure
        figure.set_size_inches(9, 5.5)
        figure.tight_layout()
        path = out / f"{name}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        written[name] = str(path)
    return written
