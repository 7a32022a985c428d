"""Bias and variance read from learning curves, and the notes' guidelines checked against them.

A learning curve trains the same model on growing subsets of MNIST-1D (100 to 3,000
signals) and plots its training and validation error against the subset size. Its
two readings (Andrew Ng's machine-learning course):

    high bias      both errors high and close together; more data does not help
    high variance  training error far below validation error; the gap closes with more data

Bias here is the training error (what the model cannot fit), variance the gap to the
validation error (what it fits but does not carry over). Each guideline of the notes
is then one measured change: a bigger or deeper model and a better optimiser against
the training error; more data, regularisation, dropout and adversarial training
against the gap; a hyper-parameter search against the error on an untouched test set.

All settings and thresholds (`settings.py`) were fixed before the first run. The parts:
`settings` <- `measure` (plain numbers) <- `judge` (one judge per claim) and `figures`; the
prose is in `notes/bias_variance.toml`.
"""

from __future__ import annotations

from glassnet.lab import Result, Text, experiment
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm_percent as pm
from glassnet.lab.topics.bias_variance.figures import draw_learning_curves
from glassnet.lab.topics.bias_variance.judge import (
    judge_adversarial,
    judge_better_optimizer,
    judge_bigger_model,
    judge_more_data,
    judge_regularisation,
    judge_search,
    regulariser_effects,
)
from glassnet.lab.topics.bias_variance.measure import measure, steps
from glassnet.lab.topics.bias_variance.settings import (
    ADVERSARIAL_EPS,
    BIG,
    DEEP,
    DROPOUT,
    GAP_RATIO,
    L2,
    MORE_DATA_VAL_POINTS,
    OPTIMISER_POINTS,
    SEARCH_SPACE,
    SETTINGS,
    SMALL,
)

__all__ = ["GAP_RATIO", "MORE_DATA_VAL_POINTS", "OPTIMISER_POINTS", "SETTINGS", "run", "steps"]

CURVE_COLUMNS = [
    Text("signals", "信号数"),
    Text("small: train", "小模型:训练"),
    Text("small: val", "小模型:验证"),
    Text("big: train", "大模型:训练"),
    Text("big: val", "大模型:验证"),
    Text("big + dropout: train", "大模型 + dropout:训练"),
    Text("big + dropout: val", "大模型 + dropout:验证"),
]
GUIDELINE_COLUMNS = [
    Text("guideline", "方针"),
    Text("what it should change", "应当改变什么"),
    Text("measured", "测量值"),
    Text("verdict", "结论"),
]
OPTIMISER_COLUMNS = [
    Text("optimiser", "优化器"),
    Text("train error %", "训练误差 %"),
    Text("val error %", "验证误差 %"),
]
SEARCH_COLUMNS = [
    Text("configuration", "配置"),
    Text("train %", "训练 %"),
    Text("val %", "验证 %"),
    Text("test %", "测试 %"),
]
TIMING_PARTS = {
    "curves": Text("learning curves", "学习曲线"),
    "optimisers": Text("depth and optimisers", "深度与优化器"),
    "regular": Text("regularisers", "正则化方法"),
    "search": Text("hyper-parameter search", "超参数搜索"),
}


@experiment("bias_variance")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        return _run(mode, seed)


def setup(result: Result, s: dict, n_seeds: int) -> Text:
    return result.say(
        "setup",
        sizes=s["sizes"],
        n_seeds=n_seeds,
        small=SMALL,
        big=BIG,
        dropout=DROPOUT,
        min_steps=s["min_steps"],
        epochs=s["epochs"],
        n_max=s["sizes"][-1],
        deep=DEEP,
        n_reg=s["n_reg"],
        l2=L2,
        eps=ADVERSARIAL_EPS,
        search=s["search"],
        lr_space=SEARCH_SPACE["lr"],
        width_space=SEARCH_SPACE["width"],
        depth_space=SEARCH_SPACE["depth"],
        dropout_space=SEARCH_SPACE["dropout"],
        l2_space=SEARCH_SPACE["l2"],
        n_search=s["n_search"],
    )


def _errors(runs: list) -> list:
    return [pm([1 - r["train"] for r in runs]), pm([1 - r["val"] for r in runs])]


def _curve_rows(sizes: list, curves: dict) -> list:
    return [
        [n, *[cell for name in ("small", "big", "dropout") for cell in _errors(curves[name][n])]]
        for n in sizes
    ]


def _search_rows(search: dict) -> list:
    return [
        [
            c["label"],
            round(100 * c["train"], 1),
            round(100 * c["val"], 1),
            round(100 * c["test"], 1) if "test" in c else "-",
        ]
        for c in search["rows"]
    ]


def _run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    result = Result.start("bias_variance", mode, seed)
    result.setup = setup(result, s, s["seeds"])
    data = measure(s, seed)
    curves = data["curves"]
    result.add_table(result.text("curves_title"), CURVE_COLUMNS, _curve_rows(s["sizes"], curves))
    effects = regulariser_effects(data["base"], data["regular"])
    guideline_rows = [
        judge_bigger_model(result, s, curves, data["deep"]),
        judge_better_optimizer(result, s, data["optimisers"]),
        judge_more_data(result, s, curves),
        judge_regularisation(result, s, effects),
        judge_adversarial(result, s, effects),
        judge_search(result, s, data["search"]),
    ]
    result.add_table(result.text("guidelines_title"), GUIDELINE_COLUMNS, guideline_rows)
    optimiser_rows = [[label, *_errors(runs)] for label, runs in data["optimisers"].items()]
    result.add_table(result.text("optimisers_title"), OPTIMISER_COLUMNS, optimiser_rows)
    result.add_table(
        result.text("search_title"),
        SEARCH_COLUMNS,
        _search_rows(data["search"]),
        note=result.text("search_note"),
    )
    draw_learning_curves(result, s["sizes"], curves)
    timing = [[TIMING_PARTS[k], round(cpu, 2)] for k, cpu in data["cpu"].items()]
    result.add_table(
        result.text("timing_title"), [Text("part", "部分"), Text("CPU s", "CPU 秒")], timing
    )
    return result
