"""The init_diagnosis topic's figures: histograms of a good and a bad init, std by layer."""

from __future__ import annotations

from glassnet import diagnose
from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.topics.init_diagnosis.measure import Measured
from glassnet.lab.topics.init_diagnosis.settings import ACTIVATIONS, INITS

__all__ = ["draw"]


def histograms(result: Result, m: Measured) -> None:
    for act, scheme, caption in (
        ("tanh", "xavier", "caption_good"),
        ("tanh", "large", "caption_bad"),
    ):
        stats = m.diagnosed[(act, scheme)][0]
        layers = stats.activations()
        text = result.say(
            caption,
            first=layers[0].std,
            last=layers[-1].std,
            most_saturated=max(row.saturated for row in layers),
            least_saturated=min(row.saturated for row in layers),
        )
        title = figure_text(result.say("fig_histograms_title", activation=act, init=scheme))
        result.add_figure(
            diagnose.plot_histograms(stats, title=title), f"histograms_{act}_{scheme}", text, dpi=80
        )


def std_by_layer(result: Result, m: Measured) -> None:
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for ax, act in zip(axes, ACTIVATIONS):
        for scheme in INITS:
            stds = [row.std for row in m.diagnosed[(act, scheme)][0].activations()]
            if max(stds) > 0:  # the all-zero net (std 0 everywhere) has no place on a log axis
                ax.plot(range(1, len(stds) + 1), stds, "o-", ms=3, label=scheme)
        ax.set(
            yscale="log",
            title=figure_text(result.say("fig_std_title", activation=act)),
            xlabel=figure_text(result.text("fig_layer")),
            ylabel=figure_text(result.text("fig_std")),
        )
        ax.legend(fontsize=7)
    result.add_figure(fig, "std_by_layer", result.text("caption_std_by_layer"))


def draw(result: Result, m: Measured) -> None:
    histograms(result, m)
    std_by_layer(result, m)
