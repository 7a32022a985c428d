"""The vanishing_exploding topic: figures (labels from the catalog, in the figures' language)."""

from __future__ import annotations

import math

import numpy as np

from glassnet.diagnose import plot_gradient_flow
from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.topics.vanishing_exploding.measure import mean_std
from glassnet.lab.topics.vanishing_exploding.settings import (
    ACTIVATIONS,
    COLORS,
    PRODUCT_TOL,
    config_name,
)


def draw_layer_norms(result: Result, axes, m: dict) -> None:
    """Each layer's weight-gradient norm at the deepest depth, seed 0."""
    deepest = max(m["depths"])
    for (activation, init, depth), runs in m["profiles"].items():
        if depth == deepest:
            grads = runs[0].weight_grads
            axes.semilogy(
                range(1, len(grads) + 1),
                grads,
                "-" if init == "matched" else "--",
                color=COLORS[activation],
                marker=".",
                ms=3,
                label=config_name(activation, init),
            )
    axes.set(
        title=figure_text(result.say("fig_layers_title", deepest=deepest)),
        xlabel=figure_text(result.text("fig_layers_x")),
        ylabel=figure_text(result.text("fig_layers_y")),
    )
    axes.legend(fontsize=7)


def draw_ratio_by_depth(result: Result, axes, m: dict) -> None:
    """log10 first/last signal ratio against depth, mean and std over seeds."""
    depths = m["depths"]
    for activation in ACTIVATIONS:
        for init, style in (("matched", "-"), ("large", "--")):
            means = [
                mean_std([p.signal_ratio for p in m["profiles"][(activation, init, d)]])
                for d in depths
            ]
            axes.errorbar(
                depths,
                [mean for mean, _ in means],
                yerr=[std for _, std in means],
                fmt=style,
                marker="o",
                ms=3,
                color=COLORS[activation],
                capsize=2,
                label=config_name(activation, init),
            )
    axes.axhline(0, color="gray", lw=0.7)
    axes.set(
        title=figure_text(result.text("fig_depth_title")),
        xlabel=figure_text(result.text("fig_depth_x")),
        ylabel=figure_text(result.text("fig_depth_y")),
    )
    axes.set_xscale("log", base=2)
    axes.minorticks_off()
    axes.set_xticks(depths, [str(d) for d in depths])


def draw_gradient_by_depth(result: Result, m: dict) -> None:
    fig, (left, right) = new_figure(10.0, 3.8, ncols=2)
    draw_layer_norms(result, left, m)
    draw_ratio_by_depth(result, right, m)
    result.add_figure(fig, "gradient_by_depth", result.say("gradient_by_depth", seeds=m["seeds"]))


def draw_factor_product(result: Result, m: dict) -> None:
    """Every network's measured log10 signal ratio against the product of its local factors."""
    fig, axes = new_figure(4.8, 4.2)
    for (activation, init, _), runs in m["profiles"].items():
        axes.plot(
            [p.signal_ratio for p in runs],
            [p.predicted for p in runs],
            "o" if init == "matched" else "x",
            color=COLORS[activation],
            ms=4,
            alpha=0.7,
        )
    span = [
        v
        for runs in m["profiles"].values()
        for p in runs
        for v in (p.signal_ratio, p.predicted)
        if math.isfinite(v)
    ]
    line = np.linspace(min(span) - 1, max(span) + 1, 50)
    band = np.maximum(PRODUCT_TOL[0], PRODUCT_TOL[1] * abs(line))
    axes.plot(line, line, color="gray", lw=0.8)
    axes.fill_between(line, line - band, line + band, color="gray", alpha=0.15)
    for activation in ACTIVATIONS:
        axes.plot([], [], "o", color=COLORS[activation], label=activation)
    axes.plot([], [], "x", color="k", label=figure_text(result.text("fig_large_weights")))
    axes.set(
        title=figure_text(result.text("fig_product_title")),
        xlabel=figure_text(result.text("fig_product_x")),
        ylabel=figure_text(result.text("fig_product_y")),
    )
    axes.legend(fontsize=7)
    result.add_figure(fig, "factor_product", result.text("factor_product"))


def draw_diagnose(result: Result, m: dict) -> None:
    """glassnet diagnose's own gradient-flow figure for the deepest sigmoid network."""
    deepest = max(m["depths"])
    flow = m["profiles"][("sigmoid", "matched", deepest)][0].flow
    figure = plot_gradient_flow(
        flow, title=figure_text(result.say("fig_diagnose_title", deepest=deepest))
    )
    result.add_figure(figure, "diagnose_sigmoid", result.text("diagnose_sigmoid"))
