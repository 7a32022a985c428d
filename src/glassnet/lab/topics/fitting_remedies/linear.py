"""fitting_remedies' feature and under-fitting measurements, with scikit-learn's linear models and
trees (glassnet has neither lbfgs nor trees): plain numbers, no prose.

Features are standardised with the training rows' statistics; 'pairwise products' are
x_i * x_j for i <= j, ranked by their ANOVA F statistic on the training rows (`f_classif`).
Every model is scored as (train, validation, test accuracy) per seed.
"""

from __future__ import annotations

import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.evaluate import accuracy, predict_logits
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.kit.fitting import Scores, pairwise_features, standardise
from glassnet.lab.topics.fitting_remedies.settings import (
    BASE_C,
    HEAVY_C,
    KEEP_SHARES,
    LESS_L2_C,
    MORE_PAIRS,
    TREE_DEPTH,
    WIDTHS,
)

Parts = list[np.ndarray]  # standardised (train, val, test) features


def logistic(xs: Parts, ys: list, iters: int, c: float = BASE_C) -> tuple[float, float, float]:
    """(train, val, test) accuracy of LogisticRegression(C=c), at most `iters` lbfgs iterations,
    fitted on the training rows."""
    from sklearn.linear_model import LogisticRegression  # lazy: scikit-learn is slow to import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs stopping at `iters` is part of the recipe
        model = LogisticRegression(C=c, max_iter=iters).fit(xs[0], ys[0])
    return tuple(accuracy(model.predict(x), y) for x, y in zip(xs, ys))


def ranked(x_train: np.ndarray, y_train: np.ndarray) -> np.ndarray:
    """Column indices by decreasing ANOVA F statistic on the training rows (constant columns last)."""
    from sklearn.feature_selection import f_classif

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")  # a column constant in training has no F
        f_stat, _ = f_classif(x_train, y_train)
    return np.argsort(-np.nan_to_num(f_stat, nan=-1.0), kind="stable")


def _labels(split: Split) -> list:
    return [split.y_train, split.y_val, split.y_test]


def fewer_features(split: Split, iters: int) -> dict[str, tuple]:
    """The over-fitting linear model on raw + all pairwise products ('all', the base), and the
    fewer-features remedy: the raw inputs only, or the top KEEP_SHARES of all features."""
    xs = standardise(*(pairwise_features(x) for x in (split.x_train, split.x_val, split.x_test)))
    ys, order = _labels(split), ranked(xs[0], split.y_train)
    out = {
        "all": logistic(xs, ys, iters),
        "raw inputs only": logistic([x[:, : split.features] for x in xs], ys, iters),
    }
    for share in KEEP_SHARES:
        keep = order[: max(1, round(share * xs[0].shape[1]))]
        out[f"top {share:.0%} ({len(keep)})"] = logistic([x[:, keep] for x in xs], ys, iters)
    return out


def with_pairs(split: Split, raw: Parts, iters: int) -> dict[str, tuple]:
    """More features: the raw inputs plus the top k pairwise products, k in MORE_PAIRS."""
    pairs = standardise(
        *(
            pairwise_features(x)[:, split.features :]
            for x in (split.x_train, split.x_val, split.x_test)
        )
    )
    order, ys = ranked(pairs[0], split.y_train), _labels(split)
    return {
        f"+{k} products": logistic(
            [np.hstack([r, p[:, order[:k]]]) for r, p in zip(raw, pairs)], ys, iters
        )
        for k in MORE_PAIRS
    }


def wider(split: Split, raw: Parts, epochs: int, seed: int) -> dict[str, tuple]:
    """More capacity: an MLP with one hidden layer per width in WIDTHS, Adam lr 1e-3."""
    out, ys = {}, _labels(split)
    for index, width in enumerate(WIDTHS):
        model = seeded(seed + index, mlp, [raw[0].shape[1], width, 10])
        fit(model, raw[0], ys[0], Recipe(epochs=epochs, eval_every=10**9), seed=seed + index)
        out[f"MLP [40, {width}, 10]"] = tuple(
            accuracy(predict_logits(model, x), y) for x, y in zip(raw, ys)
        )
    return out


def _staged(model, raw: Parts, ys: list, rounds: tuple) -> dict[int, tuple]:
    """{k: (train, val, test) accuracy after k rounds} of a fitted staged ensemble."""
    staged = [list(model.staged_predict(x)) for x in raw]
    return {
        k: tuple(accuracy(stages[min(k, len(stages)) - 1], y) for stages, y in zip(staged, ys))
        for k in rounds
    }


def boosted(
    split: Split, raw: Parts, rounds: tuple, seed: int, iters: int
) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """Boosting: gradient boosting over depth-TREE_DEPTH trees (scikit-learn's
    HistGradientBoostingClassifier, learning rate 0.1), scored after each count in `rounds`;
    and, reported beside, AdaBoost (SAMME) over the same trees and over the base logistic
    regression itself (its C scaled by n, since AdaBoost's sample weights sum to 1)."""
    from sklearn.ensemble import AdaBoostClassifier, HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    ys = _labels(split)
    with threadpool_limits(limits=1, user_api="openmp"):  # one thread, as the BLAS
        gradient = HistGradientBoostingClassifier(
            max_iter=rounds[-1], max_depth=TREE_DEPTH, early_stopping=False, random_state=seed
        ).fit(raw[0], ys[0])
        out = {f"{k} rounds": v for k, v in _staged(gradient, raw, ys, rounds).items()}
    trees = AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=TREE_DEPTH, random_state=seed),
        n_estimators=rounds[-1],
        random_state=seed,
    ).fit(raw[0], ys[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linear = AdaBoostClassifier(
            LogisticRegression(C=BASE_C * len(ys[0]), max_iter=iters),
            n_estimators=rounds[-1],
            random_state=seed,
        ).fit(raw[0], ys[0])
    others = {
        f"AdaBoost, {rounds[-1]} depth-{TREE_DEPTH} trees": _staged(trees, raw, ys, rounds[-1:])[
            rounds[-1]
        ],
        "AdaBoost over the linear model": tuple(
            accuracy(linear.predict(x), y) for x, y in zip(raw, ys)
        ),
    }
    return out, others


def _underfit_seed(split: Split, s: dict, r: int) -> dict[str, dict[str, tuple]]:
    raw = standardise(split.x_train, split.x_val, split.x_test)
    ys, iters = _labels(split), s["linear_iter"]
    trees, linear = boosted(split, raw, s["rounds"], r, iters)
    return {
        "base": {"linear, C = 1": logistic(raw, ys, iters)},
        "more_features": with_pairs(split, raw, iters),
        "less_l2": {f"C = {c:g}": logistic(raw, ys, iters, c) for c in LESS_L2_C},
        "heavy": {f"C = {HEAVY_C:g}": logistic(raw, ys, iters, HEAVY_C)},
        "capacity": wider(split, raw, s["under_epochs"], 70_000 + 100 * r),
        "boost": trees,
        "boost_other": linear,
    }


def measure_underfit(s: dict, seed: int) -> tuple[dict[str, dict[str, Scores]], float, str]:
    """{part: {setting: Scores}} of the under-fitting study, its CPU seconds, seed 0's split."""
    per_seed: dict = {}
    with Clock() as clock:
        for r in range(s["seeds"]):
            split = mnist1d_split(s["n_under"], seed=1000 * seed + r)
            for part, settings in _underfit_seed(split, s, r).items():
                for label, value in settings.items():
                    per_seed.setdefault(part, {}).setdefault(label, []).append(value)
    out = {
        part: {label: Scores(*map(list, zip(*values))) for label, values in settings.items()}
        for part, settings in per_seed.items()
    }
    return out, clock.cpu, split.describe()
