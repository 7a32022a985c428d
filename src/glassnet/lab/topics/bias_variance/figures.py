"""bias_variance's figure: the learning curves and their gap."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, new_figure
from glassnet.lab.topics.bias_variance.measure import err
from glassnet.lab.topics.bias_variance.settings import BIG, SMALL


def draw_learning_curves(result: Result, sizes: list, curves: dict) -> None:
    """Training and test error against the subset size (left), and their gap (right)."""
    fig, (left, right) = new_figure(10.0, 3.6, ncols=2)
    for name, color, label in (("small", "C0", f"small {SMALL}"), ("big", "C3", f"big {BIG}")):
        train = [err(curves[name][n]) for n in sizes]
        test = [err(curves[name][n], "test") for n in sizes]
        left.plot(sizes, train, "--o", color=color, ms=3, label=f"{label}: train")
        left.plot(sizes, test, "-o", color=color, ms=3, label=f"{label}: test")
        right.plot(sizes, np.subtract(test, train), "-o", color=color, ms=3, label=label)
    left.set(title="Learning curves", xlabel="training signals", ylabel="error %", xscale="log")
    left.legend(fontsize=7)
    right.set(
        title="Variance: test minus training error",
        xlabel="training signals",
        ylabel="gap (points)",
        xscale="log",
    )
    right.legend(fontsize=7)
    result.add_figure(fig, "learning_curves", result.text("caption_learning_curves"))
