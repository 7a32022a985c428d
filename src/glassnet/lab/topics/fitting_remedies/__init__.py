"""Remedies for over- and under-fitting, each measured by what it does to the train/validation gap.

Over-fitting, on two bundled data sets: an MLP with two hidden layers of 128 trained to
zero training error on a small subset (a few hundred MNIST-1D signals; 150 of the 8x8
digits). Each remedy of the notes changes one thing (a smaller model, an L2 penalty,
dropout, augmentation, an ensemble, early stopping; fewer feature combinations for a
linear model) and is judged by how much it narrows the gap AND whether validation
accuracy rises: a gap closed by losing training accuracy alone is no cure. A claim
holds when its remedy works on both data sets, does not hold when it fails on both.

Under-fitting, on all 3,000 MNIST-1D training signals: a linear model, a heavily
L2-penalised MLP, plain SGD and a depth-2 decision tree fit poorly; each remedy (more
feature combinations, more capacity, a smaller penalty, a better optimiser, boosting)
is judged by the training accuracy it wins and whether validation accuracy follows.

Every setting (`settings.py`: widths, p, lambda, shifts, patience, ensemble size, subset
sizes) was fixed before the first run and is not changed to flip a verdict; the thresholds
are `glassnet.lab.kit.fitting.OVERFIT_RULE` and `UNDERFIT_RULE`. The parts: `settings`
<- `measure` (plain numbers) <- `judge` (one rule per claim, the tables) and `figures`;
the prose is in `notes/fitting_remedies.toml`.
"""

from __future__ import annotations

from glassnet.lab import Result, Text, experiment
from glassnet.lab.kit.data import digits_split
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.fitting import shift_2d_and_noise, shift_and_noise
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.topics.fitting_remedies.figures import draw_early_stopping, draw_remedies
from glassnet.lab.topics.fitting_remedies.judge import judge_overfit, judge_underfit, overfit_rows
from glassnet.lab.topics.fitting_remedies.measure import (
    Study,
    measure_overfit,
    measure_underfit,
    stop_epoch,
)
from glassnet.lab.topics.fitting_remedies.settings import (
    DIGITS_EPOCH_FACTOR,
    DROPOUT,
    HEAVY_L2,
    HIDDEN,
    L2,
    LIGHT_L2,
    LINEAR_LR,
    PATIENCE,
    SETTINGS,
    SMALL_HIDDEN,
    TREE_DEPTH,
    UNDER_BARS,
)

__all__ = ["run", "stop_epoch"]

OVER_COLUMNS = [
    Text("remedy", "方法"),
    Text("setting", "设置"),
    Text("train acc %", "训练准确率 %"),
    Text("val acc %", "验证准确率 %"),
    Text("gap (points)", "gap(百分点)"),
    Text("gap narrowed by", "gap 缩小"),
    Text("val gain", "验证准确率提升"),
    Text("verdict", "结论"),
]
UNDER_COLUMNS = [
    Text("model", "模型"),
    Text("setting", "设置"),
    Text("train acc %", "训练准确率 %"),
    Text("val acc %", "验证准确率 %"),
    Text("train gain", "训练准确率提升"),
    Text("val gain", "验证准确率提升"),
    Text("verdict", "结论"),
]


@experiment("fitting_remedies")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        return _run(mode, seed)


def studies(s: dict, seed: int) -> list[Study]:
    """The two over-fitting studies, MNIST-1D and digits, not yet measured."""
    return [
        Study(
            "MNIST-1D",
            mnist1d_split(s["n_mnist1d"], seed=seed),
            40,
            shift_and_noise(4, 0.1),
            "shift <= 4 samples, noise 0.1",
            s["epochs"],
        ),
        Study(
            "digits",
            digits_split(s["n_digits"], seed=seed),
            64,
            shift_2d_and_noise(8, 1, 0.05),
            "shift <= 1 pixel, noise 0.05",
            DIGITS_EPOCH_FACTOR * s["epochs"],
        ),
    ]


def start(mode: str, seed: int, s: dict, over: list[Study], under) -> Result:
    result = Result.start("fitting_remedies", mode, seed)
    result.setup = result.say(
        "setup",
        mnist1d_split=over[0].split.describe(),
        digits_split=over[1].split.describe(),
        hidden=HIDDEN,
        epochs=s["epochs"],
        digits_epochs=DIGITS_EPOCH_FACTOR * s["epochs"],
        seeds=s["seeds"],
        small_hidden=SMALL_HIDDEN,
        l2=L2,
        dropout=DROPOUT,
        members=s["members"],
        patience=PATIENCE,
        under_split=under.describe(),
        under_seeds=s["under_seeds"],
        under_epochs=s["under_epochs"],
        heavy_l2=HEAVY_L2,
        light_l2=LIGHT_L2,
        tree_depth=TREE_DEPTH,
        trees=s["trees"],
        linear_lr=LINEAR_LR,
        linear_steps=s["linear_steps"],
    )
    return result


def _run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    over = studies(s, seed)
    under = mnist1d_split(s["n_under"], seed=seed)
    result, timing, rows, judged = start(mode, seed, s, over, under), [], [], []
    for study in over:
        measure_overfit(study, s)
        study_rows, study_judged = overfit_rows(study, s["members"])
        rows.append(study_rows)
        judged.append(study_judged)
        timing.append(
            [Text(f"over-fitting, {study.name}", f"过拟合,{study.name}"), round(study.cpu, 2)]
        )
        n_train = len(study.split.y_train)
        title = result.say("overfit_table_title", study=study.name, n_train=n_train)
        result.add_table(title, OVER_COLUMNS, study_rows, note=result.text("overfit_table_note"))
    judge_overfit(result, over, judged)
    measured, cpu = measure_underfit(s, under)
    under_rows = judge_underfit(result, measured, s["trees"])
    result.add_table(
        result.text("underfit_table_title"),
        UNDER_COLUMNS,
        under_rows,
        note=result.text("underfit_table_note"),
    )
    timing.append([Text("under-fitting, MNIST-1D", "欠拟合,MNIST-1D"), round(cpu, 2)])
    draw_remedies(result, over, rows, [(key, measured[key]) for key in UNDER_BARS])
    draw_early_stopping(result, over)
    timing_columns = [Text("part", "部分"), Text("CPU s", "CPU 秒")]
    result.add_table(result.text("timing_title"), timing_columns, timing)
    return result
