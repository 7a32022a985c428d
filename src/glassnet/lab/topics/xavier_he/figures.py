"""The xavier_he topic's figures: the std through depth at init, and the training curves."""

from __future__ import annotations

import numpy as np

from glassnet.lab.fonts import figure_text
from glassnet.lab.kit import inits as T
from glassnet.lab.result import Result, new_figure
from glassnet.lab.topics.xavier_he.measure import Measured
from glassnet.lab.topics.xavier_he.settings import PROBE_INITS, RELU_INITS, TANH_INITS

__all__ = ["std_through_depth", "training"]


def std_through_depth(result: Result, probes: dict) -> None:
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for ax, activation in zip(axes, ("tanh", "relu")):
        for scheme in PROBE_INITS[activation]:
            stds = np.mean([p["stds"] for p in probes[(activation, scheme)]], axis=0)
            ax.plot(range(1, len(stds) + 1), np.maximum(stds, 1e-30), "o-", ms=3, label=scheme)
        ax.set(
            yscale="log",
            title=figure_text(result.say("fig_probe_title", activation=activation)),
            xlabel=figure_text(result.text("fig_layer")),
            ylabel=figure_text(result.text("fig_std")),
        )
        ax.legend(fontsize=7)
    result.add_figure(fig, "std_through_depth", result.text("caption_std_through_depth"))


def training(result: Result, runs: dict, best: dict) -> None:
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    nets = (("tanh 10", TANH_INITS, "tanh", 10), ("relu 30", RELU_INITS, "ReLU", 30))
    for ax, (net, inits, activation, layers) in zip(axes, nets):
        for scheme in inits:
            lr = best[(net, scheme)][0]
            ax.plot(T.smooth(runs[(net, scheme, lr)][0].losses, 25), label=f"{scheme} (lr {lr:g})")
        ax.set(
            title=figure_text(
                result.say("fig_training_title", activation=activation, layers=layers)
            ),
            xlabel=figure_text(result.text("fig_step")),
            ylabel=figure_text(result.text("fig_loss")),
        )
        ax.legend(fontsize=7)
    result.add_figure(fig, "training", result.text("caption_training"))


def draw(result: Result, m: Measured) -> None:
    std_through_depth(result, m.probes)
    training(result, m.runs, m.best)
