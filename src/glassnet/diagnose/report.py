"""What `glassnet diagnose` prints and writes for one subject: two tables, the alarms, two plots.

`diagnose(subject, out, lr, mode, console)` measures the subject's batch with
`activation_stats` and `gradient_flow` in `mode` (train: BatchNorm with batch statistics,
what a training step sees; running statistics and RNG are restored; or eval), prints the
activation table, the gradient table and the alarms on a rich Console, and writes
activations.png and gradients.png into `out`. `diagnosis(...)` does the same without a
console and returns everything measured as one plain record (`glassnet diagnose --json`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape  # names and paths may hold [brackets] that rich reads as styles
from rich.table import Table

from glassnet.diagnose.activations import ActivationStats, activation_stats
from glassnet.diagnose.alarms import Alarm, find_alarms
from glassnet.diagnose.gradients import GradientFlow, gradient_flow
from glassnet.diagnose.plots import plot_gradient_flow, plot_histograms, save_figure
from glassnet.diagnose.subject import Subject
from glassnet.nn.loss import CrossEntropyLoss

# the alarms about a row of the activation table; the others are about a parameter's row
ACTIVATION_KINDS = ("saturated", "dead", "std_shrinks", "std_grows")


def activation_table(stats: ActivationStats, alarms: list[Alarm] = ()) -> Table:
    """A rich Table of the activation rows; rows with an alarm in red."""
    table = Table(
        title="layer outputs (activation_stats)",
        title_justify="left",
        caption=escape(stats.legend()),
        caption_justify="left",
    )
    for column, header in enumerate(stats.COLUMNS):
        table.add_column(header, justify="left" if column in (1, 2) else "right")
    flagged = {alarm.where for alarm in alarms if alarm.kind in ACTIVATION_KINDS}
    for row, cells in zip(stats, stats.table_rows()):
        table.add_row(*map(escape, cells), style="red" if row.name in flagged else None)
    return table


def gradient_table(flow: GradientFlow, alarms: list[Alarm] = ()) -> Table:
    """A rich Table of the parameter rows; rows with an alarm in red."""
    table = Table(
        title="parameter gradients (gradient_flow)",
        title_justify="left",
        caption=escape("\n".join(flow.summary_lines())),
        caption_justify="left",
    )
    for column, header in enumerate(flow.COLUMNS):
        table.add_column(header, justify="left" if column == 1 else "right")
    flagged = {alarm.where for alarm in alarms if alarm.kind not in ACTIVATION_KINDS}
    for row, cells in zip(flow, flow.table_rows()):
        table.add_row(*map(escape, cells), style="red" if row.name in flagged else None)
    return table


def _print_line(console: Any, text: str) -> None:
    """One plain line that stays one line, for grep and tests."""
    console.print(text, soft_wrap=True, highlight=False)


def _print_alarms(console: Any, alarms: list[Alarm]) -> None:
    if not alarms:
        console.print(
            "no alarms: nothing saturated, dead, shrinking, vanishing, exploding or non-finite at the "
            "default thresholds (glassnet.diagnose.Thresholds)",
            soft_wrap=True,
        )
        return
    console.print(f"[bold]{len(alarms)} alarm{'s' if len(alarms) > 1 else ''}:[/bold]")
    for alarm in alarms:
        _print_line(console, f"  [red]![/red] {escape(str(alarm))}")


def measure(
    subject: Subject, lr: float | None, mode: str
) -> tuple[ActivationStats, GradientFlow, list[Alarm]]:
    """The subject's activation statistics, gradient flow and alarms on its batch."""
    stats = activation_stats(subject.model, subject.inputs, mode=mode)
    flow = gradient_flow(
        subject.model, (subject.inputs, subject.targets), CrossEntropyLoss(), lr=lr, mode=mode
    )
    return stats, flow, find_alarms(stats, flow)


def _plots(stats: ActivationStats, flow: GradientFlow, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [
        save_figure(plot_histograms(stats), out / "activations.png"),
        save_figure(plot_gradient_flow(flow), out / "gradients.png"),
    ]


def diagnosis(subject: Subject, out: Path, lr: float | None, mode: str) -> dict[str, Any]:
    """Measure and plot one subject, printing nothing; returns what was measured as a record:
    {subject, batch_size, mode, lr, loss, activations: [LayerStats], parameters: [ParamGrad],
    signal: [LayerGrad], weight_gradient_first_to_last, signal_first_to_last, alarms, files}."""
    stats, flow, alarms = measure(subject, lr, mode)
    return {
        "subject": subject.description,
        "batch_size": len(subject.targets),
        "mode": mode,
        "lr": lr,
        "loss": flow.loss,
        "activations": stats.rows,
        "parameters": flow.params,
        "signal": flow.layers,
        "weight_gradient_first_to_last": flow.first_to_last,
        "signal_first_to_last": flow.signal_first_to_last,
        "alarms": alarms,
        "files": _plots(stats, flow, out),
    }


def diagnose(subject: Subject, out: Path, lr: float | None, mode: str, console: Any) -> list[Alarm]:
    """Measure, print and plot one subject; returns the alarms."""
    stats, flow, alarms = measure(subject, lr, mode)
    _print_line(
        console,
        f"diagnosing {escape(subject.description)}: one batch of {len(subject.targets)} training "
        f"samples, mode {mode}"
        + ("" if lr is not None else "; no --lr given, so no update ratios"),
    )
    console.print(activation_table(stats, alarms))
    console.print(gradient_table(flow, alarms))
    _print_alarms(console, alarms)
    written = _plots(stats, flow, out)
    _print_line(console, f"wrote {escape(', '.join(str(path) for path in written))}")
    return alarms


__all__ = [
    "ACTIVATION_KINDS",
    "activation_table",
    "diagnose",
    "diagnosis",
    "gradient_table",
    "measure",
]
