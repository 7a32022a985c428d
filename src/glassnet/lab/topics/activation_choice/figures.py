"""activation_choice's figure: validation accuracy against the lr, one panel per network."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, new_figure
from glassnet.lab.fonts import figure_text
from glassnet.lab.kit import activations as T
from glassnet.lab.topics.activation_choice.measure import Sweep


def draw_panel(result: Result, ax: object, s: Sweep) -> None:
    """Each activation's mean val accuracy per lr; dotted, ReLU's dead-unit share; dashed, chance."""
    for name in T.ACTIVATIONS:
        val = [s.cells[name, lr].val for lr in s.lrs]
        ax.semilogx(s.lrs, val, "o-", ms=3, color=T.COLORS[name], label=T.LABELS[name])
    dead = [s.cells["relu", lr].dead_mean for lr in s.lrs]
    label = figure_text(result.text("fig_dead_share"))
    ax.semilogx(s.lrs, dead, ":", color=T.COLORS["relu"], label=label)
    ax.axhline(T.CHANCE, color="gray", lw=0.8, ls="--")
    ax.set(
        title=figure_text(result.text(f"net_{s.net}")),
        xlabel=figure_text(result.text("fig_lr_axis")),
        ylabel=figure_text(result.text("fig_val_axis")),
        ylim=(0, 1),
    )


def draw_lr_sweep(result: Result, sweeps: list[Sweep]) -> None:
    fig, axes = new_figure(9.0, 3.4, ncols=len(sweeps))
    axes = np.atleast_1d(axes)
    for ax, s in zip(axes, sweeps):
        draw_panel(result, ax, s)
    axes[0].legend(fontsize=7)
    result.add_figure(fig, "lr_sweep", result.text("lr_sweep"))
