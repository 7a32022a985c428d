"""What a finished run shows: the loss/accuracy curves (PNG) and the table of test metrics.

The curves use matplotlib's object API with the Agg canvas (no pyplot, no global
backend switch, no display needed) and are written atomically.
"""

from __future__ import annotations

import math
import os
from typing import Any

from rich.table import Table

from glassnet.atomic import atomic_path
from glassnet.train.history import History

_PERCENT = ("accuracy", "precision", "recall", "f1")


def plot_curves(history: History, path: str | os.PathLike[str]) -> None:
    """Loss (left) and accuracy (right) per epoch, train and val; the best val_loss epoch marked."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4), dpi=100)
    FigureCanvasAgg(figure)
    epochs = [epoch + 1 for epoch in history.epoch]
    columns = history.history
    best = None
    if columns.get("val_loss") and not all(math.isnan(value) for value in columns["val_loss"]):
        values = columns["val_loss"]
        best = epochs[min(range(len(values)), key=lambda i: (math.isnan(values[i]), values[i]))]
    for position, (quantity, label) in enumerate(
        (("loss", "cross-entropy loss"), ("accuracy", "accuracy"))
    ):
        axes = figure.add_subplot(1, 2, position + 1)
        for prefix, style in (("", "-"), ("val_", "--")):
            if prefix + quantity in columns:
                axes.plot(
                    epochs,
                    columns[prefix + quantity],
                    style,
                    label=f"{'val' if prefix else 'train'} {quantity}",
                )
        if best is not None:
            axes.axvline(
                best,
                color="grey",
                linewidth=0.8,
                linestyle=":",
                label=f"best val_loss (epoch {best})",
            )
        axes.set_xlabel("epoch")
        axes.set_ylabel(label)
        if quantity == "loss" and columns.get("loss") and min(columns["loss"]) > 0:
            axes.set_yscale("log")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    with atomic_path(path, "plot_curves") as temporary:
        figure.savefig(temporary, format="png")


def metrics_table(metrics: dict[str, Any], title: str) -> Table:
    """A rich table: metric, value (accuracy-like values as percentages too)."""
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    names = {"precision": "precision (macro)", "recall": "recall (macro)", "f1": "F1 (macro)"}
    for key, value in metrics.items():
        if key in _PERCENT:
            text = f"{100 * value:.2f}%"
        elif isinstance(value, float):
            text = f"{value:.4f}"
        else:
            text = str(value)
        table.add_row(names.get(key, key), text)
    return table
