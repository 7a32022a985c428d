"""The gradient_clipping topic: its figure (labels from the catalog, in the figures' language)."""

from __future__ import annotations

import numpy as np

from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.topics.gradient_clipping.measure import Pair
from glassnet.lab.topics.gradient_clipping.settings import CHANCE_LOSS, CONFIG, CURVES, WARMUP


def draw_losses(result: Result, axes, pairs: list[Pair], steps: int) -> None:
    """The training loss of every seed, with and without clipping (running mean)."""
    window = max(1, steps // CURVES)
    for index, p in enumerate(pairs):
        for history, color, key in (
            (p.plain, "tab:red", "fig_plain"),
            (p.clipped, "tab:blue", "fig_clipped"),
        ):
            curve = history.padded(history.losses)
            smooth = np.convolve(curve, np.ones(window) / window, mode="valid")
            axes.plot(
                np.arange(len(smooth)) + window,
                smooth,
                color=color,
                lw=1.0,
                alpha=0.8,
                label=figure_text(result.text(key)) if index == 0 else None,
            )
    axes.axhline(CHANCE_LOSS, color="gray", lw=0.8, ls=":")
    axes.set(
        xlabel=figure_text(result.text("fig_step")),
        ylabel=figure_text(result.say("fig_loss", window=window)),
        title=figure_text(result.text("fig_loss_title")),
        ylim=(max(0.0, axes.get_ylim()[0]), min(axes.get_ylim()[1], 3 * CHANCE_LOSS)),
    )
    axes.legend(fontsize=8)


def draw_norms(result: Result, axes, first: Pair) -> None:
    """Seed 0's total gradient norm at every step, both runs, and the threshold."""
    for history, color, key in (
        (first.plain, "tab:red", "fig_plain"),
        (first.clipped, "tab:blue", "fig_clipped_norm"),
    ):
        axes.semilogy(
            history.padded(history.grad_norms),
            color=color,
            lw=0.6,
            alpha=0.8,
            label=figure_text(result.text(key)),
        )
    axes.axhline(
        first.threshold,
        color="black",
        ls="--",
        lw=0.8,
        label=figure_text(result.say("fig_threshold", threshold=first.threshold)),
    )
    axes.set(
        xlabel=figure_text(result.text("fig_step")),
        ylabel=figure_text(result.text("fig_norm")),
        title=figure_text(result.text("fig_norm_title")),
    )
    axes.legend(fontsize=7)


def draw_clipping_curves(result: Result, pairs: list[Pair], mode: str) -> None:
    fig, (left, right) = new_figure(9.5, 3.4, ncols=2)
    draw_losses(result, left, pairs, CONFIG[mode]["steps"])
    draw_norms(result, right, pairs[0])
    result.add_figure(fig, "clipping_curves", result.say("clipping_curves", warmup=WARMUP))
