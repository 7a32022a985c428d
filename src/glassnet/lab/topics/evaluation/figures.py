"""evaluation's figures: the confusion matrix with the threshold sweep, and the selection
optimism with the bias/variance bars. Labels come from notes/evaluation.toml."""

from __future__ import annotations

import numpy as np

from glassnet import metrics
from glassnet.lab import Result, new_figure
from glassnet.lab.fonts import figure_text
from glassnet.lab.topics.evaluation.settings import BIG, POSITIVE, SMALL


def draw_confusion_matrix(result: Result, axes: object, fig: object, data: dict) -> None:
    """The chosen model's 10-class confusion matrix on the test split, counts written in."""
    matrix = metrics.confusion_matrix(data["y"], data["predicted"], num_classes=10)
    image = axes.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        color = "white" if value > matrix.max() / 2 else "black"
        axes.text(j, i, str(value), ha="center", va="center", fontsize=6, color=color)
    axes.set(
        title=figure_text(result.text("fig_confusion_title")),
        xlabel=figure_text(result.text("fig_predicted_class")),
        ylabel=figure_text(result.text("fig_true_class")),
        xticks=range(10),
        yticks=range(10),
    )
    fig.colorbar(image, ax=axes, shrink=0.8)


def draw_threshold_sweep(result: Result, axes: object, binary: dict) -> None:
    """Accuracy, precision, recall and F1 of 'is it a POSITIVE?' against the threshold."""
    for key, style in (("accuracy", "-"), ("precision", "--"), ("recall", "-."), ("f1", ":")):
        label = figure_text(result.text(f"metric_{key}"))
        axes.plot(binary["thresholds"], [m[key] for m in binary["sweep"]], style, label=label)
    axes.set(
        title=figure_text(result.say("fig_threshold_title", positive=POSITIVE)),
        xlabel=figure_text(result.text("fig_threshold_axis")),
        ylim=(0, 1.02),
    )
    axes.legend(fontsize=8)


def threshold_caption(result: Result, data: dict) -> object:
    """What the threshold sweep measured, in words that follow the numbers."""
    sweep = data["binary"]["sweep"]
    accuracy = [m["accuracy"] for m in sweep]
    return result.say(
        "threshold_caption",
        positive=POSITIVE,
        negatives=float(np.mean(data["y"] != POSITIVE)),
        accuracy_low=min(accuracy),
        accuracy_high=max(accuracy),
        recall_first=sweep[0]["recall"],
        recall_last=sweep[-1]["recall"],
        rho=data["binary"]["rho"],
    )


def draw_metrics(result: Result, data: dict) -> None:
    """Left: the confusion matrix. Right: the one-against-rest threshold sweep."""
    fig, (left, right) = new_figure(10.5, 4.0, ncols=2)
    draw_confusion_matrix(result, left, fig, data)
    draw_threshold_sweep(result, right, data["binary"])
    result.add_figure(fig, "confusion_and_threshold", threshold_caption(result, data))


def draw_optimism(result: Result, axes: object, optimism: dict) -> None:
    """How much the chosen model's validation score exceeds its fresh-half score, per re-split."""
    axes.hist(optimism["gaps"], bins=30, color="C0", alpha=0.8)
    mean = figure_text(result.say("fig_mean_label", mean=optimism["optimism"]))
    axes.axvline(optimism["optimism"], color="C3", label=mean)
    axes.axvline(0, color="black", lw=0.8)
    axes.set(
        title=figure_text(result.text("fig_optimism_title")),
        xlabel=figure_text(result.text("fig_points")),
        ylabel=figure_text(result.text("fig_resplits")),
    )
    axes.legend(fontsize=8)


def draw_bias_variance(result: Result, axes: object, decomposition: dict) -> None:
    """Bias and variance bars of the small and the big MLP."""
    names = list(decomposition)
    positions = np.arange(len(names))
    for shift, key in ((-0.2, "bias"), (0.2, "variance")):
        values = [decomposition[n][key] for n in names]
        label = figure_text(result.text(f"fig_{key}"))
        axes.bar(positions + shift, values, 0.4, label=label)
    ticks = [
        figure_text(result.say("model_small", sizes=SMALL)),
        figure_text(result.say("model_big", sizes=BIG)),
    ]
    axes.set_xticks(positions, ticks, fontsize=8)
    axes.set(
        title=figure_text(result.text("fig_bias_variance_title")),
        ylabel=figure_text(result.text("fig_share_of_test")),
    )
    axes.legend(fontsize=8)


def draw_selection(result: Result, data: dict) -> None:
    """Left: the selection optimism over re-splits. Right: bias and variance."""
    fig, (left, right) = new_figure(10.0, 3.4, ncols=2)
    draw_optimism(result, left, data["optimism"])
    draw_bias_variance(result, right, data["decomposition"])
    result.add_figure(fig, "selection_and_bias_variance", result.text("caption_selection"))
