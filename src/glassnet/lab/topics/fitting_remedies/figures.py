"""fitting_remedies' figures: accuracies per remedy, and the base runs' curves with early stopping."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, new_figure
from glassnet.lab.topics.fitting_remedies.measure import Study

OVER_NAMES = [
    "base",
    "small",
    "L2",
    "dropout",
    "augment",
    "ensemble",
    "early stop",
    "",
    "lin+pairs",
    "lin raw",
]
UNDER_NAMES = ["linear", "+pairs", "MLP", "L2 0.1", "L2 1e-3", "SGD", "tree", "AdaBoost"]


def _overfit_panel(panel, study: Study, rows: list) -> None:
    picks = [i for i in range(len(rows)) if OVER_NAMES[i]]
    positions = np.arange(len(picks))
    for offset, column, label in ((-0.2, 2, "train"), (0.2, 3, "validation")):
        panel.bar(
            positions + offset,
            [float(rows[i][column].split(" ± ")[0]) for i in picks],
            0.4,
            label=label,
        )
    panel.set_xticks(positions, [OVER_NAMES[i] for i in picks], rotation=45, ha="right", fontsize=8)
    panel.set(title=f"Over-fitting: {study.name}", ylabel="accuracy %", ylim=(0, 105))
    panel.legend(fontsize=8)


def draw_remedies(result: Result, studies: list[Study], rows: list[list], bars: list) -> None:
    """Bars of training and validation accuracy: both over-fitting studies, then under-fitting."""
    fig, axes = new_figure(12.0, 3.8, ncols=3)
    for panel, study, study_rows in zip(axes, studies, rows):
        _overfit_panel(panel, study, study_rows)
    positions = np.arange(len(UNDER_NAMES))
    axes[2].bar(positions - 0.2, [100 * np.mean(t) for _, (t, _) in bars], 0.4, label="train")
    axes[2].bar(positions + 0.2, [100 * np.mean(v) for _, (_, v) in bars], 0.4, label="validation")
    axes[2].set_xticks(positions, UNDER_NAMES, rotation=45, ha="right", fontsize=8)
    axes[2].set(title="Under-fitting: MNIST-1D, all data", ylabel="accuracy %", ylim=(0, 105))
    axes[2].legend(fontsize=8)
    result.add_figure(fig, "remedies", result.text("caption_remedies"))


def _curves_panel(panel, study: Study) -> None:
    twin = panel.twinx()
    for index, ((_, curve), (best, _)) in enumerate(zip(study.base_runs, study.stops)):
        first = index == 0
        panel.plot(
            curve.epoch,
            curve.train_loss,
            color="C0",
            alpha=0.7,
            label="train loss" if first else None,
        )
        panel.plot(
            curve.epoch, curve.val_loss, color="C1", alpha=0.7, label="val loss" if first else None
        )
        panel.axvline(
            curve.epoch[best],
            color="C2",
            ls="--",
            alpha=0.7,
            label="restored epoch" if first else None,
        )
        twin.plot(
            curve.epoch,
            100 * np.asarray(curve.val_acc),
            color="C3",
            ls=":",
            alpha=0.6,
            label="val accuracy %" if first else None,
        )
    twin.set_ylabel("validation accuracy %")
    panel.set(
        title=f"{study.name}: early stopping on val_loss",
        xlabel="epoch",
        ylabel="cross-entropy",
        yscale="log",
    )
    lines, texts = panel.get_legend_handles_labels()
    more, more_texts = twin.get_legend_handles_labels()
    panel.legend(lines + more, texts + more_texts, fontsize=7, loc="lower left")


def draw_early_stopping(result: Result, studies: list[Study]) -> None:
    """The base models' losses per epoch and the epoch early stopping restores, per study."""
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for panel, study in zip(axes, studies):
        _curves_panel(panel, study)
    result.add_figure(fig, "early_stopping", result.text("caption_early_stopping"))
