"""The zero_init topic: figures (labels from the catalog, in the figures' language)."""

from __future__ import annotations

import numpy as np

from glassnet.lab.fonts import figure_text
from glassnet.lab.kit import inits as T
from glassnet.lab.report.formatting import sci
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.zero_init.judge import split_nets, symmetric32
from glassnet.lab.topics.zero_init.settings import (
    ACTIVATIONS,
    CURVE_WINDOW,
    EQUAL,
    RANDOM,
    SYMMETRIC,
)

SMALLEST = 1e-18  # a spread of 0 is drawn here on the log axis


def draw_loss_curves(result: Result, m: dict) -> None:
    """Training loss of the 2-hidden-layer nets, first seed, float32."""
    fig, axes = new_figure(10.0, 3.0, ncols=3)
    for ax, activation in zip(axes, ACTIVATIONS):
        for scheme, style in ((SYMMETRIC[0], "-"), (SYMMETRIC[1], "--"), (RANDOM[activation], "-")):
            losses = m["runs"][("2 hidden", activation, scheme, "float32")][0]["losses"]
            ax.plot(T.smooth(losses, CURVE_WINDOW), style, label=scheme)
        ax.set(
            title=f"{activation}, 64-32-32-10",
            xlabel=figure_text(result.text("fig_step")),
            ylabel=figure_text(result.text("fig_loss")),
        )
        ax.legend(fontsize=8)
    result.add_figure(fig, "loss_curves", result.text("loss_curves"))


def symmetry_caption(result: Result, m: dict) -> Text:
    """Which float32 nets split in this run, and whether the float64 perturbation (quick, full) grew."""
    extra, p = Text("", ""), m["perturbed"]
    if p is not None:
        extra = result.say(
            "perturbation", spread=sci(p["spread"]), spread_value=p["spread"] - EQUAL, equal=EQUAL
        )
    broken = split_nets(m)
    return result.say(
        "symmetry_caption",
        mode=result.mode,
        split_nets=len(broken),
        symmetric_nets=len(symmetric32(m)),
        split_names=", ".join(broken) or "-",
        perturbation=extra.en,
        perturbation_zh=extra.zh,
    )


def draw_symmetry(result: Result, m: dict) -> None:
    """The spread between hidden units during training, for the traced symmetric nets."""
    fig, ax = new_figure(6.5, 3.2)
    for label, points in m["traces"].items():
        steps, spreads = zip(*points)
        ax.plot(steps, np.maximum(spreads, SMALLEST), label=label)
    ax.set(
        yscale="log",
        xlabel=figure_text(result.text("fig_step")),
        ylabel=figure_text(result.text("fig_spread")),
        title=figure_text(result.text("fig_symmetry_title")),
    )
    ax.axhline(EQUAL, color="gray", linestyle=":", linewidth=0.8)
    ax.legend(fontsize=7)
    result.add_figure(fig, "symmetry_spread", symmetry_caption(result, m))


def draw_first_layer(result: Result, m: dict) -> None:
    """First-layer weights after training, one row per hidden unit."""
    first = {key: group[0]["model"] for key, group in m["runs"].items()}
    models = {
        "sigmoid zeros, float32": first[("2 hidden", "sigmoid", "zeros", "float32")],
        "tanh constant, float32": first[("2 hidden", "tanh", "constant", "float32")],
        "tanh constant, float64": first[("2 hidden", "tanh", "constant", "float64")],
        "tanh Xavier, float32": first[("2 hidden", "tanh", "xavier", "float32")],
    }
    fig, axes = new_figure(10.0, 2.8, ncols=len(models))
    for ax, (label, model) in zip(np.atleast_1d(axes), models.items()):
        weight = np.asarray(T.linears(model)[0].weight.data, dtype=np.float64)
        top = np.abs(weight).max()
        ax.imshow(weight, aspect="auto", cmap="coolwarm", vmin=-top, vmax=top)
        ax.set(
            title=label,
            xlabel=figure_text(result.text("fig_pixel")),
            ylabel=figure_text(result.text("fig_unit")),
        )
        ax.title.set_fontsize(8)
    result.add_figure(fig, "first_layer_weights", result.text("first_layer_weights"))
