"""Remedies for over- and under-fitting, each at a strength chosen on validation and judged on
the untouched test split against a base that really shows the problem.

Over-fitting, on two bundled data sets: an MLP with two hidden layers of 128 trained on a
small subset (500 MNIST-1D signals; 50 of the 8x8 digits), where it fits the training set
far better than the validation set. The base must over-fit (train - validation gap of at
least 10 points, checked and stated): otherwise its remedies are not measured. Each remedy
of the notes changes one thing and gets a small sweep of its strength (a smaller model, an
L2 penalty, dropout, augmentation, an ensemble's size, early stopping's patience, how many
features a linear model keeps); the strength with the best validation accuracy is judged
on the test split, seed by seed against the base. Early stopping stops on the validation
loss, so it is judged on the test loss (its accuracy reported beside).

Under-fitting, on all 3,000 MNIST-1D training signals: the base is a linear model
(scikit-learn's logistic regression with its default penalty) on the 40 raw inputs, which
under-fits for a natural reason: too few features for too small a model. Each remedy
(more feature combinations, a smaller penalty, more capacity, a boosting ensemble) starts
from that base, with its own sweep chosen on validation.

Every setting and threshold (`settings.py`, `glassnet.lab.kit.fitting`) was fixed before the
final run. The parts: `settings` <- `linear`, `measure` (plain numbers) <- `judge` (one rule
per claim) and `figures`, with the tables in `tables`; the prose is in
`notes/fitting_remedies.toml`.
"""

from __future__ import annotations

from glassnet.lab import Result, Text, experiment
from glassnet.lab.kit.data import digits_split
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.fitting import shift_2d_and_noise, shift_and_noise
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.topics.fitting_remedies.figures import draw_early_stopping, draw_remedies
from glassnet.lab.topics.fitting_remedies.judge import judge_overfit, judge_underfit
from glassnet.lab.topics.fitting_remedies.linear import measure_underfit
from glassnet.lab.topics.fitting_remedies.measure import Study, measure_study, stop_epoch
from glassnet.lab.topics.fitting_remedies.settings import (
    AUGMENTS,
    DROPOUTS,
    HIDDEN,
    KEEP_SHARES,
    L2S,
    LESS_L2_C,
    MEMBERS,
    MORE_PAIRS,
    PATIENCES,
    SETTINGS,
    SMALLER,
    TREE_DEPTH,
    WIDTHS,
)
from glassnet.lab.topics.fitting_remedies.tables import overfit_table, timing_table, underfit_table

__all__ = ["run", "stop_epoch", "studies"]


@experiment("fitting_remedies")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        return _run(mode, seed)


def studies(s: dict, seed: int) -> list[Study]:
    """The two over-fitting studies, MNIST-1D and digits, not yet measured (seed r: subset r)."""
    mnist = {f"shift <= {m}, noise {n:g}": shift_and_noise(m, n) for m, n in AUGMENTS["MNIST-1D"]}
    digits = {
        f"shift <= {m} px, noise {n:g}": shift_2d_and_noise(8, m, n) for m, n in AUGMENTS["digits"]
    }
    return [
        Study(
            "MNIST-1D",
            lambda r: mnist1d_split(s["n_mnist1d"], seed=1000 * seed + r),
            mnist,
            s["epochs"],
            s["linear_iter"],
        ),
        Study(
            "digits",
            lambda r: digits_split(s["n_digits"], seed=1000 * seed + r),
            digits,
            s["digits_epochs"],
            s["linear_iter"],
        ),
    ]


def setup(result: Result, s: dict, over: list[Study], under_split: str) -> Text:
    return result.say(
        "setup",
        mnist1d_split=over[0].load(0).describe(),
        digits_split=over[1].load(0).describe(),
        hidden=HIDDEN,
        epochs=s["epochs"],
        digits_epochs=s["digits_epochs"],
        seeds=s["seeds"],
        smaller=list(SMALLER),
        l2s=list(L2S),
        dropouts=list(DROPOUTS),
        members=list(MEMBERS),
        patiences=list(PATIENCES),
        keep_shares=[f"{k:.0%}" for k in KEEP_SHARES],
        under_split=under_split,
        more_pairs=list(MORE_PAIRS),
        less_l2_c=list(LESS_L2_C),
        widths=list(WIDTHS),
        under_epochs=s["under_epochs"],
        tree_depth=TREE_DEPTH,
        rounds=list(s["rounds"]),
    )


def _run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    result = Result.start("fitting_remedies", mode, seed)
    over = [measure_study(study, s["seeds"]) for study in studies(s, seed)]
    under, under_cpu, under_split = measure_underfit(s, seed)
    result.setup = setup(result, s, over, under_split)
    judge_overfit(result, over)
    judge_underfit(result, under)
    for study in over:
        overfit_table(result, study)
    underfit_table(result, under)
    draw_remedies(result, over, under)
    draw_early_stopping(result, over)
    timing_table(result, over, under_cpu)
    return result
