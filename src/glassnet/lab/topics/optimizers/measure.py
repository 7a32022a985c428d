"""The optimizers topic's measurements on MNIST-1D: every optimiser over a learning-rate grid."""

from __future__ import annotations

import math

import numpy as np

import glassnet
from glassnet.lab.kit.curve import evaluate, train
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS, effective_lr
from glassnet.lab.topics.optimizers.settings import ADAM_SLACK, ADAPTIVE, BATCH, EVAL_EVERY, SIZES
from glassnet.lab.topics.optimizers.surfaces import Path2D
from glassnet.models.mlp import MLP

__all__ = ["best_lr", "steps_text", "at_least_as_good", "mlp_sweep", "final_loss"]


def best_lr(paths: dict[float, Path2D]) -> float:
    """The learning rate that solves fastest, else the one with the lowest final value."""
    return min(paths, key=lambda lr: (paths[lr].solved_at or math.inf, paths[lr].final, lr))


def steps_text(path: Path2D, budget: int) -> str:
    return "diverged" if path.diverged else str(path.solved_at) if path.solved_at else f"> {budget}"


def at_least_as_good(a: Path2D, b: Path2D) -> bool:
    if a.solved_at and b.solved_at:
        return a.solved_at <= ADAM_SLACK * b.solved_at
    if a.solved_at or b.solved_at:
        return bool(a.solved_at)
    return a.final <= ADAM_SLACK * b.final


def mlp_sweep(data, lrs: list[float], steps: int, seeds: int, seed: int) -> dict:
    """Every optimiser at every lr: {(name, lr): [(Curve, test accuracy), ...] over seeds}."""
    runs = {}
    record = {1, 10} | set(range(EVAL_EVERY, steps + 1, EVAL_EVERY))
    for name, make in OPTIMIZERS.items():
        for lr in lrs:
            found = []
            for k in range(seeds):
                glassnet.manual_seed(seed * 100 + k)
                model = MLP(SIZES, "relu")
                optimizer = make(list(model.parameters()), lr)

                def after(step: int, curve, optimizer=optimizer, name: str = name) -> None:
                    if step in record and name in ADAPTIVE:
                        curve.extra.setdefault("step", []).append(step)
                        curve.extra.setdefault("eff_lr", []).append(effective_lr(optimizer))

                curve = train(
                    model,
                    optimizer,
                    data,
                    steps,
                    BATCH,
                    seed * 100 + k,
                    EVAL_EVERY,
                    after_step=after,
                )
                found.append(
                    (curve, 0.0 if curve.diverged else evaluate(model, data.x_test, data.y_test)[1])
                )
            runs[(name, lr)] = found
    return runs


def final_loss(runs: list) -> float:
    return float(np.mean([curve.final_loss for curve, _ in runs]))
