"""Choosing the activation and the learning rate: a learning-rate sweep per activation on MNIST-1D.

The notes' advice: with ReLU "set the learning rate carefully (for x > 0 the derivative is
always 1); best set a fairly small value", and "do not use sigmoid". Both are measured with
the same sweep: each of sigmoid, tanh, ReLU, Leaky ReLU and ELU trains a shallow MLP
(40-100-100-10) and a deeper one (six hidden layers of 64) with SGD + momentum 0.9 at every
learning rate of a half-decade grid, several seeds each. An lr is judged by the validation
accuracy after the last epoch (500 samples held out of the training set, never used for
training); the test set is only reported, at the lr that validation picked.

  best lr       the grid lr with the highest mean validation accuracy;
  usable lrs    those whose mean validation accuracy is within 5 points of the best:
                the largest usable lr says how far the lr can grow before training breaks;
  dead units    for ReLU, the share of hidden units whose input is <= 0 for every training
                sample after training (they get no gradient: a large lr kills them).

Every threshold (`settings.py`) was written before the sweep ran and is printed with the
verdict. The parts: `settings` <- `measure` (the sweep) <- `judge` (one judge per claim) and
`figures`; the prose, table titles and headers are in `notes/activation_choice.toml`.
"""

from __future__ import annotations

import math

from glassnet.lab import Result, experiment
from glassnet.lab.kit import activations as T
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm
from glassnet.lab.topics.activation_choice.figures import draw_lr_sweep
from glassnet.lab.topics.activation_choice.judge import judge_avoid_sigmoid, judge_relu_small_lr
from glassnet.lab.topics.activation_choice.measure import Cell, Sweep, measure, sweep
from glassnet.lab.topics.activation_choice.settings import (
    NETS,
    PLANS,
    SIGMOID_GAP,
    USABLE,
    Plan,
)

__all__ = [
    "NETS",
    "PLANS",
    "SIGMOID_GAP",
    "USABLE",
    "Cell",
    "Plan",
    "Sweep",
    "measure",
    "run",
    "sweep",
]


@experiment("activation_choice")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        data = measure(mode, seed)
    result = Result.start("activation_choice", mode, seed)
    result.setup = result.say(
        "setup",
        **data["sizes"],
        epochs=PLANS[mode].epochs,
        lrs=", ".join(f"{lr:g}" for lr in data["lrs"]),
        seeds=data["seeds"],
        cpu=data["cpu"],
        wall=data["wall"],
        load=data["load"],
    )
    judge_relu_small_lr(result, data["sweeps"])
    judge_avoid_sigmoid(result, data["sweeps"])
    for s in data["sweeps"]:
        sweep_table(result, s)
    dead_table(result, data["sweeps"])
    draw_lr_sweep(result, data["sweeps"])
    return result


def lr_columns(result: Result, lrs: tuple[float, ...]) -> list:
    return [result.say("col_lr", lr=lr) for lr in lrs]


def sweep_row(result: Result, s: Sweep, name: str) -> list:
    cells = [
        result.say("cell_val", val=s.cells[name, lr].val, diverged=s.cells[name, lr].diverged)
        for lr in s.lrs
    ]
    usable = s.usable(name)
    return [
        T.LABELS[name],
        *cells,
        s.best_lr(name),
        pm(s.test_at_best(name), ddof=1, finite_only=True),
        f"{min(usable):g}-{max(usable):g}",
        round(s.ms_per_step(name), 3),
    ]


def sweep_table(result: Result, s: Sweep) -> None:
    """Validation accuracy of every activation at every lr, in one network."""
    headers = [
        result.text("col_activation"),
        *lr_columns(result, s.lrs),
        *(result.text(f"col_{k}") for k in ("best_lr", "test_at_best", "usable", "ms_step")),
    ]
    rows = [sweep_row(result, s, name) for name in T.ACTIVATIONS]
    title = result.text(f"sweep_title_{s.net}")
    result.add_table(title, headers, rows, note=result.text("sweep_note"))


def dead_table(result: Result, sweeps: list[Sweep]) -> None:
    """ReLU's dead-unit share per network and lr."""
    rows = [
        [
            result.text(f"net_{s.net}"),
            *(
                "-" if math.isnan(v) else round(v, 3)
                for v in (s.cells["relu", lr].dead_mean for lr in s.lrs)
            ),
        ]
        for s in sweeps
    ]
    headers = [result.text("col_network"), *lr_columns(result, sweeps[0].lrs)]
    result.add_table(result.text("dead_title"), headers, rows, note=result.text("dead_note"))
