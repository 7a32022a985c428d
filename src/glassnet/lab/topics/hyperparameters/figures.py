"""The hyperparameters topic: figures (importances with their spread; accuracy by value)."""

from __future__ import annotations

import numpy as np

from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.hyperparameters.measure import Measured, noise_points, span_points
from glassnet.lab.topics.hyperparameters.settings import PARAMS


def ranking(m: Measured) -> list[str]:
    """The parameters by median fANOVA importance, most important first."""
    return sorted(PARAMS, key=lambda name: -float(np.median(m.importances[name])))


def draw_importances(result: Result, m: Measured) -> None:
    """Median importance per parameter, each study's value as a dot (the spread over seeds)."""
    order = ranking(m)
    fig, axis = new_figure(7.0, 3.4)
    rows = np.arange(len(order))
    medians = [float(np.median(m.importances[name])) for name in order]
    axis.barh(rows, medians, color="C0", alpha=0.6)
    for row, name in zip(rows, order, strict=True):
        values = m.importances[name]
        axis.plot(values, [row] * len(values), "k.", ms=5)
    axis.set_yticks(rows, order)
    axis.invert_yaxis()
    axis.set(
        title=figure_text(
            Text(
                "fANOVA importance (bar: median; dots: studies)",
                "fANOVA 重要性(条:中位数;点:各次研究)",
            )
        ),
        xlabel=figure_text(
            Text("share of the variance of validation accuracy", "验证准确率方差的占比")
        ),
    )
    result.add_figure(fig, "importances", result.text("caption_importances"))


def draw_sensitivity(result: Result, m: Measured) -> None:
    """The span each parameter moves the validation accuracy, against the seeds' spread."""
    spans = {name: span_points(m, name) for name in PARAMS}
    fig, axis = new_figure(7.0, 3.2)
    rows = np.arange(len(PARAMS))
    axis.barh(rows, [spans[name] for name in PARAMS], color="C2")
    noise = noise_points(m)
    axis.axvline(noise, color="k", ls="--", label=figure_text(Text("seeds' spread", "种子间波动")))
    axis.set_yticks(rows, list(PARAMS))
    axis.invert_yaxis()
    axis.set(
        title=figure_text(Text("One parameter moved over its range", "每次只改变一个参数")),
        xlabel=figure_text(
            Text("validation accuracy span (points)", "验证准确率的变化幅度(百分点)")
        ),
        xscale="symlog",
    )
    axis.legend(fontsize=7)
    result.add_figure(fig, "sensitivity", result.text("caption_sensitivity"))
