"""lstm's figures: accuracy against length with the training curves, the trained LSTM's gates
and memory unit, and the LSTM cell drawn by glassnet.viz (when Graphviz is installed)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from glassnet.lab import Result, Text, new_figure
from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Figure
from glassnet.lab.topics.lstm.settings import CONFIG, DRAWN_SEQUENCES, arms_for
from glassnet.viz.lstm_cell import draw_lstm_cell

PNG = b"\x89PNG\r\n\x1a\n"


def label(result: Result, key: str) -> str:
    return figure_text(result.text(key))


def draw_accuracy(result: Result, axes: object, data: dict, mode: str) -> None:
    """Mean test accuracy (± std over seeds) against the sequence length, per arm."""
    lengths = CONFIG[mode]["lengths"]
    for arm in arms_for(mode):
        accuracy = [data["accuracy"][(arm, t)] for t in lengths]
        means, spread = [float(np.mean(a)) for a in accuracy], [float(np.std(a)) for a in accuracy]
        axes.errorbar(
            lengths, means, yerr=spread, marker="o", capsize=3, label=label(result, f"arm_{arm}")
        )
    axes.axhline(0.5, color="gray", lw=0.8, ls=":")
    axes.set(
        xscale="log",
        ylim=(0.4, 1.03),
        xlabel=label(result, "fig_length_axis"),
        ylabel=label(result, "fig_accuracy_axis"),
        title=label(result, "fig_accuracy_title"),
    )
    axes.legend(fontsize=7)


def draw_curves(result: Result, axes: object, data: dict, mode: str) -> None:
    """Seed 0's training loss (10-step mean) at the longest length, per arm; ln 2 is a guess."""
    longest = CONFIG[mode]["lengths"][-1]
    for arm in arms_for(mode):
        curve = np.asarray(data["curves"][(arm, longest)][0])
        smooth = np.convolve(np.nan_to_num(curve, nan=np.log(2)), np.ones(10) / 10, mode="valid")
        axes.plot(np.arange(len(smooth)) + 10, smooth, label=label(result, f"arm_{arm}"))
    axes.axhline(math.log(2), color="gray", lw=0.8, ls=":")
    axes.set(
        xlabel=label(result, "fig_step_axis"),
        ylabel=label(result, "fig_loss_axis"),
        title=figure_text(result.say("fig_curves_title", longest=longest)),
    )
    axes.legend(fontsize=7)


def draw_accuracy_vs_length(result: Result, data: dict, mode: str) -> None:
    fig, (left, right) = new_figure(9.5, 3.4, ncols=2)
    draw_accuracy(result, left, data, mode)
    draw_curves(result, right, data, mode)
    result.add_figure(fig, "accuracy_vs_length", result.text("accuracy_caption"))


def memory_unit(trace: dict) -> tuple[int, float]:
    """The cell unit whose last state best separates the labels, and by how many std."""
    final, y = trace["cells"][:, -1, :], trace["y"]
    gap = np.abs(final[y == 1].mean(axis=0) - final[y == 0].mean(axis=0)) / (
        final.std(axis=0) + 1e-6
    )
    unit = int(np.argmax(gap))
    return unit, float(gap[unit])


def draw_gates(result: Result, data: dict, mode: str) -> None:
    """The trained chrono LSTM at the longest length: its gates over time and its memory unit."""
    longest, trace = CONFIG[mode]["lengths"][-1], data["gates"]
    unit, gap = memory_unit(trace)
    fig, (left, right) = new_figure(9.5, 3.2, ncols=2)
    for g in "ifo":
        left.plot(range(longest), trace["gates"][g], label=label(result, f"fig_gate_{g}"))
    left.set(
        xlabel=label(result, "fig_t_axis"),
        ylabel=label(result, "fig_gate_mean_axis"),
        ylim=(0, 1),
        title=label(result, "fig_gates_title"),
    )
    left.legend(fontsize=7)
    for n in range(DRAWN_SEQUENCES):
        color = "tab:red" if trace["y"][n] else "tab:blue"
        right.plot(range(longest), trace["cells"][n, :, unit], color=color, lw=0.8, alpha=0.7)
    right.set(
        xlabel=label(result, "fig_t_axis"),
        ylabel=figure_text(result.say("fig_cell_axis", unit=unit)),
        title=label(result, "fig_memory_title"),
    )
    caption = result.say("gates_caption", longest=longest, gap=gap)
    result.add_figure(fig, "lstm_gates", caption)


def draw_cell(result: Result) -> Text | None:
    """Embed draw_lstm_cell's PNG when Graphviz renders it (None); else the sentence saying why
    not."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing `dot` warns; the report says it instead
        drawing = draw_lstm_cell(format="png")
    if drawing.data is None or not drawing.data.startswith(PNG):
        if drawing.message:
            return result.say("drawing_skipped", message=drawing.message)
        return result.text("drawing_no_png")
    result.figures.append(Figure("lstm_cell", result.text("cell_caption"), drawing.data))
    return None
