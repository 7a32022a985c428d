"""Bias and variance read from learning curves, and the notes' guidelines checked against them.

A learning curve trains the same model on growing subsets of MNIST-1D and plots its
training and test error against the subset size. Its two readings (Andrew Ng's
machine-learning course):

    high bias      both errors high and close together; more data does not help
    high variance  training error far below test error; the gap closes with more data

Bias here is the training error (what the model cannot fit), variance the gap to the test
error (what it fits but does not carry over). Each guideline of the notes is one measured
change with a fair control: a bigger or deeper model against the training error at the same
budget; a better optimiser with every optimiser at its best learning rate of a small grid;
more data on the same model; L2, dropout and adversarial training each swept and chosen on
validation, on a base that really over-fits; a hyper-parameter search chosen on validation
and scored on the untouched test split. Every seed trains on its own subset, comparisons are
seed by seed, and a claim holds only where every seed agrees.

All settings and thresholds (`settings.py`) were fixed before the final run. The parts:
`settings` <- `measure` (plain numbers) <- `judge` (one judge per claim), `tables` and
`figures`; the prose is in `notes/bias_variance.toml`.
"""

from __future__ import annotations

from glassnet.lab import Result, Text, experiment
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.topics.bias_variance.figures import draw_learning_curves
from glassnet.lab.topics.bias_variance.judge import (
    judge_better_optimizer,
    judge_bigger_model,
    judge_more_data,
    judge_regularisers,
    judge_search,
)
from glassnet.lab.topics.bias_variance.measure import measure, steps
from glassnet.lab.topics.bias_variance.settings import (
    BIG,
    DEEP,
    DROPOUTS,
    EPSILONS,
    GAP_RATIO,
    L2S,
    LR_GRIDS,
    MORE_DATA_TEST_POINTS,
    OPTIMISER_POINTS,
    SEARCH_SPACE,
    SETTINGS,
    SMALL,
)
from glassnet.lab.topics.bias_variance.tables import (
    GUIDELINE_COLUMNS,
    curve_table,
    optimiser_table,
    regulariser_table,
    search_table,
    timing_table,
)

__all__ = [
    "GAP_RATIO",
    "MORE_DATA_TEST_POINTS",
    "OPTIMISER_POINTS",
    "SETTINGS",
    "run",
    "steps",
]


@experiment("bias_variance")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        return _run(mode, seed)


def setup(result: Result, s: dict) -> Text:
    return result.say(
        "setup",
        sizes=s["sizes"],
        seeds=s["seeds"],
        small=SMALL,
        big=BIG,
        deep=DEEP,
        min_steps=s["min_steps"],
        epochs=s["epochs"],
        n_max=s["sizes"][-1],
        n_opt=s["n_opt"],
        opt_steps=s["opt_steps"],
        grids="; ".join(
            f"{k}: {', '.join(f'{lr:g}' for lr in lrs)}" for k, (_, lrs) in LR_GRIDS.items()
        ),
        n_reg=s["n_reg"],
        reg_steps=s["reg_steps"],
        l2s=list(L2S),
        dropouts=list(DROPOUTS),
        epsilons=list(EPSILONS),
        search=s["search"],
        lr_space=SEARCH_SPACE["lr"],
        width_space=SEARCH_SPACE["width"],
        depth_space=SEARCH_SPACE["depth"],
        dropout_space=SEARCH_SPACE["dropout"],
        l2_space=SEARCH_SPACE["l2"],
        n_search=s["n_search"],
    )


def _run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    result = Result.start("bias_variance", mode, seed)
    result.setup = setup(result, s)
    data = measure(s, seed)
    curves = data["curves"]
    rows = [
        judge_bigger_model(result, s, curves),
        judge_better_optimizer(result, s, data["optimisers"]),
        judge_more_data(result, s, curves),
        *judge_regularisers(result, s, data["regular"]),
        judge_search(result, s, data["search"]),
    ]
    curve_table(result, s["sizes"], curves)
    result.add_table(result.text("guidelines_title"), GUIDELINE_COLUMNS, rows)
    optimiser_table(result, data["optimisers"])
    regulariser_table(result, data["regular"])
    search_table(result, data["search"])
    draw_learning_curves(result, s["sizes"], curves)
    timing_table(result, data["cpu"])
    return result
