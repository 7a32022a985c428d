"""The optimizers topic's tables: the 2-D problems and the MNIST-1D sweep, each optimiser at its best
learning rate."""

from __future__ import annotations

import numpy as np

from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.optimizers.measure import final_loss, steps_text
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS
from glassnet.lab.topics.optimizers.settings import GOOD_LR

__all__ = ["table_2d", "mlp_table", "window"]


def table_2d(result: Result, paths: dict, best_2d: dict, q_steps: int, r_steps: int) -> None:
    """Each optimiser at its best learning rate on the two 2-D problems."""
    result.add_table(
        Text(
            "2-D problems: each optimiser at its best learning rate",
            "二维问题:各优化器取最佳学习率",
        ),
        [
            Text("optimiser", "优化器"),
            Text("quadratic: best lr", "二次函数:最佳学习率"),
            Text("steps to solve", "解决所需步数"),
            Text("Rosenbrock: best lr", "Rosenbrock:最佳学习率"),
            Text("steps to solve", "解决所需步数"),
            Text("Rosenbrock: final f", "Rosenbrock:最终 f"),
        ],
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
        Text("MNIST-1D: each optimiser at its best learning rate", "MNIST-1D:各优化器取最佳学习率"),
        [
            Text("optimiser", "优化器"),
            Text("best lr", "最佳学习率"),
            Text("final training loss", "最终训练损失"),
            Text("training accuracy", "训练准确率"),
            Text("test accuracy", "测试准确率"),
            Text(f"good lrs (loss <= {GOOD_LR}x best)", f"好的学习率(损失 <= 最佳的 {GOOD_LR} 倍)"),
            Text("CPU ms per step", "每步 CPU 毫秒"),
        ],
        rows,
    )


def window(sweep: dict, name: str, lrs: list[float]) -> list[float]:
    best = min(final_loss(sweep[(name, lr)]) for lr in lrs)
    return [lr for lr in lrs if final_loss(sweep[(name, lr)]) <= GOOD_LR * best]
