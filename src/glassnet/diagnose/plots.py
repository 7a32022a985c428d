"""Figures of the diagnostics: per-layer activation histograms (small multiples) and gradient flow.

Built with matplotlib's object API on the Agg canvas (no pyplot, no global backend
switch, no display needed), so they work in tests, on servers and inside the lab's report.
`save_figure` writes a PNG atomically (a reader never sees half a file).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from glassnet.atomic import atomic_path
from glassnet.diagnose.activations import (
    SIGMOID_HIGH,
    SIGMOID_LOW,
    TANH_BOUND,
    ActivationStats,
    LayerStats,
)
from glassnet.diagnose.gradients import GradientFlow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PANEL_SIZE = (2.6, 1.9)  # inches per small multiple


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import (
        FigureCanvasAgg,
    )  # lazy: matplotlib takes ~0.5 s to import
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _select(stats: ActivationStats, layers: str | Sequence[str]) -> list[LayerStats]:
    if layers == "activations":
        return stats.activations() or list(stats)
    if layers == "all":
        return list(stats)
    wanted = "layers must be 'activations', 'all' or a list of layer names"
    if not isinstance(layers, Sequence):
        raise TypeError(f"plot_histograms: {wanted}, got {type(layers).__name__}")
    if isinstance(layers, str):  # a str is a Sequence too, but not of names
        raise ValueError(f"plot_histograms: {wanted}, got {layers!r}")
    return [stats[name] for name in layers]


def _describe(row: LayerStats) -> str:
    parts = [f"mean {row.mean:.2g}", f"std {row.std:.2g}"]
    if row.saturated is not None:
        parts.append(f"sat {100 * row.saturated:.0f}%")
    if row.dead is not None:
        parts.append(f"dead {100 * row.dead:.0f}%")
    if row.nonfinite:
        parts.append(f"{row.nonfinite} NaN/inf")
    return ", ".join(parts)


def plot_histograms(
    stats: ActivationStats,
    layers: str | Sequence[str] = "activations",
    columns: int = 4,
    title: str | None = None,
) -> Figure:
    """One figure: a histogram per layer output, in forward order, `columns` per row.

    layers: 'activations' (the activation layers; all layers when there are none), 'all',
    or a list of layer names. Sigmoid/tanh panels mark the saturation thresholds.
    """
    if not isinstance(stats, ActivationStats):
        raise TypeError(
            f"plot_histograms: expected the ActivationStats of activation_stats(...), got "
            f"{type(stats).__name__}"
        )
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"plot_histograms: columns must be a positive int, got {columns!r}")
    rows = _select(stats, layers)
    if not rows:
        raise ValueError("plot_histograms: there are no layers to plot")
    columns = min(columns, len(rows))
    lines = math.ceil(len(rows) / columns)
    figure = _new_figure(PANEL_SIZE[0] * columns, PANEL_SIZE[1] * lines + 0.5)
    for position, row in enumerate(rows):
        axes = figure.add_subplot(lines, columns, position + 1)
        axes.stairs(row.counts, row.bin_edges, fill=True, color="tab:blue", alpha=0.8)
        bounds = {"sigmoid": (SIGMOID_LOW, SIGMOID_HIGH), "tanh": (-TANH_BOUND, TANH_BOUND)}.get(
            row.kind or "", ()
        )
        for (
            bound
        ) in bounds:  # only inside the data's range: a fixed [-1, 1] axis would hide a narrow spike
            if row.bin_edges[0] <= bound <= row.bin_edges[-1]:
                axes.axvline(bound, color="tab:red", linewidth=0.7, linestyle=":")
        axes.set_title(f"{row.name} ({row.class_name})", fontsize=8)
        axes.text(0.02, 0.97, _describe(row), transform=axes.transAxes, fontsize=6, va="top")
        axes.tick_params(labelsize=6)
        axes.ticklabel_format(axis="x", style="sci", scilimits=(-3, 3))
        axes.xaxis.get_offset_text().set_fontsize(6)
    figure.suptitle(
        title or f"layer outputs, one batch of {stats.batch_size} (mode {stats.mode})", fontsize=10
    )
    figure.tight_layout()
    return figure


def plot_gradient_flow(flow: GradientFlow, title: str | None = None) -> Figure:
    """Two log-scale panels: each parameter's gradient norm, and each layer's backward-signal RMS."""
    if not isinstance(flow, GradientFlow):
        raise TypeError(
            f"plot_gradient_flow: expected the GradientFlow of gradient_flow(...), got "
            f"{type(flow).__name__}"
        )
    params = [row for row in flow.params if row.grad_norm]
    layers = [row for row in flow.layers if row.grad_rms]
    width = max(6.0, 0.25 * max(len(params), len(layers), 1))
    figure = _new_figure(width, 6.0)
    for position, (rows, values, label) in enumerate(
        (
            (params, [row.grad_norm for row in params], "||dL/dW||"),
            (layers, [row.grad_rms for row in layers], "RMS(dL/dy)"),
        )
    ):
        axes = figure.add_subplot(2, 1, position + 1)
        if rows:
            axes.bar(range(len(rows)), values, color="tab:blue" if position == 0 else "tab:orange")
            axes.set_yscale("log")
            axes.set_xticks(range(len(rows)), [row.name for row in rows], rotation=90, fontsize=6)
        axes.set_ylabel(label, fontsize=8)
        axes.tick_params(axis="y", labelsize=7)
        axes.grid(axis="y", alpha=0.3)
    figure.suptitle(
        title or f"gradient flow, loss {flow.loss:.3g} (input side on the left)", fontsize=10
    )
    figure.tight_layout()
    return figure


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Write `figure` as a PNG at `path` (atomically; the folder must exist). Returns the path."""
    target = Path(os.fspath(path))
    if target.suffix.lower() != ".png":
        raise ValueError(
            f"save_figure: '{target}' should end in .png (the figure is written as PNG)"
        )
    with atomic_path(target, "save_figure") as temporary:
        figure.savefig(temporary, format="png")
    return target


def save_histograms(
    stats: ActivationStats, path: str | os.PathLike[str], **options: object
) -> Path:
    """`plot_histograms(stats, **options)` written to `path` as a PNG."""
    return save_figure(plot_histograms(stats, **options), path)  # type: ignore[arg-type]
