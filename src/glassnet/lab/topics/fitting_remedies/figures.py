"""fitting_remedies' figures: train and test accuracy of each remedy at its chosen strength, and
the base runs' curves with the epoch early stopping restores."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, new_figure
from glassnet.lab.kit.fitting import Scores, choose_on_val
from glassnet.lab.topics.fitting_remedies.measure import Study

OVER_BARS = ("small", "l2", "dropout", "augment", "ensemble")
UNDER_BARS = ("more_features", "less_l2", "capacity", "boost")


def _bars(panel, labels: list[str], picked: list[Scores], title: str) -> None:
    positions = np.arange(len(labels))
    for offset, part, name in ((-0.2, "train", "train"), (0.2, "test", "test")):
        panel.bar(positions + offset, [s.pct(part) for s in picked], 0.4, label=name)
    panel.set_xticks(positions, labels, rotation=45, ha="right", fontsize=8)
    panel.set(title=title, ylabel="accuracy %", ylim=(0, 105))
    panel.legend(fontsize=8)


def draw_remedies(result: Result, studies: list[Study], under: dict) -> None:
    """Bars of training and test accuracy: the base, then each remedy at its chosen strength."""
    fig, axes = new_figure(12.0, 3.8, ncols=3)
    for panel, study in zip(axes, studies):
        picked = [study.base] + [study.sweeps[k][choose_on_val(study.sweeps[k])] for k in OVER_BARS]
        _bars(panel, ["base", *OVER_BARS], picked, f"Over-fitting: {study.name}")
    base = next(iter(under["base"].values()))
    picked = [base] + [under[k][choose_on_val(under[k])] for k in UNDER_BARS]
    _bars(axes[2], ["linear base", *UNDER_BARS], picked, "Under-fitting: MNIST-1D, all data")
    result.add_figure(fig, "remedies", result.text("caption_remedies"))


def _curves_panel(panel, study: Study) -> None:
    curve, best = study.curves[0]
    panel.plot(curve.epoch, curve.train_loss, color="C0", label="train loss")
    panel.plot(curve.epoch, curve.val_loss, color="C1", label="val loss")
    panel.axvline(curve.epoch[best], color="C2", ls="--", label="restored epoch")
    twin = panel.twinx()
    twin.plot(
        curve.epoch, 100 * np.asarray(curve.val_acc), color="C3", ls=":", label="val accuracy %"
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
    """A base model's losses per epoch and the epoch early stopping (patience 10) restores."""
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for panel, study in zip(axes, studies):
        _curves_panel(panel, study)
    result.add_figure(fig, "early_stopping", result.text("caption_early_stopping"))
