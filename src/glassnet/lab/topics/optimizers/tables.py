"""The optimizers topic's tables: the 2-D problems and the MNIST-1D sweep, each optimiser at its best
learning rate."""

from __future__ import annotations

import numpy as np

from glassnet.lab.kit.columns import columns
from glassnet.lab.result import Result
from glassnet.lab.topics.optimizers.measure import final_loss, steps_text
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS
from glassnet.lab.topics.optimizers.settings import GOOD_LR

__all__ = ["table_2d", "mlp_table", "window"]


def table_2d(result: Result, paths: dict, best_2d: dict, q_steps: int, r_steps: int) -> None:
    """Each optimiser at its best learning rate on the two 2-D problems."""
    result.add_table(
        result.text("table_2d_title"),
        columns(result, "table_2d_columns"),
        [
            [
                name,
                best_2d[("quadratic", name)],
                steps_text(paths[("quadratic", name)][best_2d[("quadratic", name)]], q_steps),
                best_2d[("rosenbrock", name)],
                steps_text(paths[("rosenbrock", name)][best_2d[("rosenbrock", name)]], r_steps),
                f"{paths[('rosenbrock', name)][best_2d[('rosenbrock', name)]].final:.3g}",
            ]
            for name in OPTIMIZERS
        ],
    )


def mlp_table(result: Result, sweep: dict, best: dict, lrs: list[float]) -> None:
    rows = []
    for name in OPTIMIZERS:
        runs = sweep[(name, best[name])]
        losses = [c.final_loss for c, _ in runs]
        good = window(sweep, name, lrs)
        rows.append(
            [
                name,
                best[name],
                f"{np.mean(losses):.3f} ± {np.std(losses):.2g}",
                round(float(np.mean([c.final_acc for c, _ in runs])), 3),
                round(float(np.mean([acc for _, acc in runs])), 3),
                f"{len(good)} ({min(good):g} to {max(good):g})",
                round(float(np.mean([c.cpu_s / max(len(c.loss), 1) for c, _ in runs])) * 1e3, 3),
            ]
        )
    result.add_table(
        result.text("mlp_title"),
        columns(result, "mlp_columns", good_lr=GOOD_LR),
        rows,
    )


def window(sweep: dict, name: str, lrs: list[float]) -> list[float]:
    best = min(final_loss(sweep[(name, lr)]) for lr in lrs)
    return [lr for lr in lrs if final_loss(sweep[(name, lr)]) <= GOOD_LR * best]
