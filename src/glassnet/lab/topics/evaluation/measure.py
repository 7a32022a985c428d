"""evaluation's measurements, as plain numbers and arrays (no prose).

measure(mode, seed) -> {"sizes", "pool", "chosen", "optimism", "y", "predicted",
                        "per_class", "averages", "worst", "binary", "decomposition", "cpu"}
"""

from __future__ import annotations

import numpy as np

from glassnet import metrics
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.evaluate import accuracy, predict_logits, softmax
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.topics.evaluation.settings import (
    BIG,
    POSITIVE,
    SETTINGS,
    SMALL,
    SPACE,
    THRESHOLDS,
)


def measure(mode: str, seed: int) -> dict:
    """Train the candidates and the copies; score the chosen model; all as plain data."""
    s = SETTINGS[mode]
    split = mnist1d_split(s["n_train"], seed=seed)
    with Clock() as candidates_clock:
        pool = candidates(s, split, seed)
    chosen = max(range(len(pool)), key=lambda i: pool[i]["val"])
    optimism = selection_optimism(pool, split, s["resplits"], seed)
    logits = pool[chosen]["test_logits"]
    y, predicted = split.y_test, logits.argmax(1)
    per_class, averages = class_metrics(y, predicted)
    binary = one_against_rest(y, logits)
    with Clock() as copies_clock:
        decomposition = bias_variance(s, split, seed)
    return {
        "sizes": sizes(split),
        "pool": [{k: c[k] for k in ("label", "train", "val", "test")} for c in pool],
        "chosen": chosen,
        "optimism": optimism,
        "y": y,
        "predicted": predicted,
        "per_class": per_class,
        "averages": averages,
        "worst": max(metric_checks(y, predicted), binary["worst"]),
        "binary": binary,
        "decomposition": decomposition,
        "cpu": {"candidates": candidates_clock.cpu, "copies": copies_clock.cpu},
    }


def sizes(split: Split) -> dict[str, int]:
    """The split's sizes, named as the setup templates name them."""
    return {"n_train": len(split.y_train), "n_val": len(split.y_val), "n_test": len(split.y_test)}


def _draw(rng: np.random.Generator) -> tuple[list[int], float, float]:
    width, depth = int(rng.choice(SPACE["width"])), int(rng.choice(SPACE["depth"]))
    lr = float(np.exp(rng.uniform(*np.log(SPACE["lr"]))))
    dropout = float(rng.choice(SPACE["dropout"]))
    return [40, *[width] * depth, 10], lr, dropout


def candidates(s: dict, split: Split, seed: int) -> list[dict]:
    """MLPs with random hyper-parameters, trained on the training split, scored on val and test."""
    rng = np.random.default_rng([seed, 21])
    pool = []
    for index in range(s["candidates"]):
        sizes, lr, dropout = _draw(rng)
        model = seeded(100 * seed + index, mlp, sizes, dropout)
        curve = fit(
            model,
            split.x_train,
            split.y_train,
            Recipe(steps=s["steps"], lr=lr, eval_every=10**9),
            seed=seed + index,
        )
        pool.append(
            {
                "label": f"MLP {sizes}, lr {lr:.1e}, dropout {dropout}",
                "train": curve.train_acc[-1],
                "val_logits": predict_logits(model, split.x_val),
                "test_logits": predict_logits(model, split.x_test),
            }
        )
    for candidate in pool:
        candidate["val"] = accuracy(candidate["val_logits"], split.y_val)
        candidate["test"] = accuracy(candidate["test_logits"], split.y_test)
    return pool


def selection_optimism(pool: list[dict], split: Split, resplits: int, seed: int) -> dict:
    """Choose on one random half of the held-out signals, score on the other: how much the
    choice flatters. optimism = mean over re-splits of acc_A(best on A) - acc_B(same model)."""
    y = np.concatenate([split.y_val, split.y_test])
    hits = np.stack(
        [np.concatenate([c["val_logits"], c["test_logits"]]).argmax(1) == y for c in pool]
    )  # (K, M)
    rng = np.random.default_rng([seed, 22])
    half = len(y) // 2
    chosen_gap, mean_gap, picks = [], [], np.zeros(len(pool), dtype=np.int64)
    for _ in range(resplits):
        order = rng.permutation(len(y))
        a, b = hits[:, order[:half]].mean(axis=1), hits[:, order[half:]].mean(axis=1)
        best = int(np.argmax(a))
        picks[best] += 1
        chosen_gap.append(a[best] - b[best])
        mean_gap.append(float(np.mean(a - b)))
    chosen_gap = 100 * np.asarray(chosen_gap)
    return {
        "optimism": float(chosen_gap.mean()),
        "low": float(np.percentile(chosen_gap, 2.5)),
        "high": float(np.percentile(chosen_gap, 97.5)),
        "unselected": 100 * float(np.mean(mean_gap)),
        "picks": picks,
        "gaps": chosen_gap,
    }


def _largest_gap(a: object, b: object) -> float:
    return float(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).max())


def metric_checks(y: np.ndarray, predicted: np.ndarray) -> float:
    """Largest difference between glassnet.metrics and sklearn.metrics over every metric used."""
    from sklearn import metrics as reference  # lazy: scikit-learn is slow to import

    worst = _largest_gap(
        metrics.confusion_matrix(y, predicted), reference.confusion_matrix(y, predicted)
    )
    worst = max(
        worst, abs(metrics.accuracy_score(y, predicted) - reference.accuracy_score(y, predicted))
    )
    for average in (None, "macro", "weighted", "micro"):
        ours = metrics.precision_recall_fscore_support(
            y, predicted, average=average, zero_division=0
        )
        theirs = reference.precision_recall_fscore_support(
            y, predicted, average=average, zero_division=0
        )
        for a, b in zip(ours[:3], theirs[:3]):
            worst = max(worst, _largest_gap(a, b))
    return worst


def class_metrics(y: np.ndarray, predicted: np.ndarray) -> tuple[list[dict], dict]:
    """Per-class precision, recall, F1 and support; and the macro/weighted averages and accuracy."""
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, predicted, zero_division=0
    )
    per_class = [
        {
            "precision": float(precision[c]),
            "recall": float(recall[c]),
            "f1": float(f1[c]),
            "support": int(support[c]),
        }
        for c in range(len(support))
    ]
    averages = {}
    for average in ("macro", "weighted"):
        p, r, f, _ = metrics.precision_recall_fscore_support(
            y, predicted, average=average, zero_division=0
        )
        averages[average] = {"precision": p, "recall": r, "f1": f}
    averages["accuracy"] = metrics.accuracy_score(y, predicted)
    averages["support"] = int(support.sum())
    return per_class, averages


def binary_scores(y: np.ndarray, predicted: np.ndarray) -> dict:
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        y, predicted, average="binary", zero_division=0
    )
    return {
        "accuracy": metrics.accuracy_score(y, predicted),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation: Pearson's r of the ranks (ties broken by position)."""
    ranks = [np.argsort(np.argsort(v, kind="stable"), kind="stable").astype(float) for v in (a, b)]
    return float(np.corrcoef(*ranks)[0, 1])


def one_against_rest(y: np.ndarray, logits: np.ndarray) -> dict:
    """'Is it a POSITIVE?': the degenerate classifiers, the model, and the threshold sweep."""
    truth = (y == POSITIVE).astype(np.int64)
    score = softmax(logits)[:, POSITIVE]
    classifiers = {
        "always_no": np.zeros_like(truth),
        "always_yes": np.ones_like(truth),
        "model": (score >= 0.5).astype(np.int64),
    }
    scores = {name: binary_scores(truth, guess) for name, guess in classifiers.items()}
    thresholds = np.linspace(*THRESHOLDS)
    sweep = [binary_scores(truth, (score >= t).astype(np.int64)) for t in thresholds]
    recalls = np.array([m["recall"] for m in sweep])
    precisions = np.array([m["precision"] for m in sweep])
    defined = np.array([(score >= t).any() for t in thresholds])  # precision is 0/0 otherwise
    rho = spearman(thresholds[defined], precisions[defined]) if defined.sum() >= 3 else np.nan
    return {
        "positives": float(truth.mean()),
        "scores": scores,
        "worst": metric_checks(truth, classifiers["model"]),
        "thresholds": thresholds,
        "sweep": sweep,
        "monotone": bool(np.all(np.diff(recalls) <= 1e-12)),
        "rho": float(rho),
    }


def _copies(s: dict, split: Split, seed: int, sizes: list, offset: int) -> dict:
    predictions, train, val = [], [], []
    for copy in range(s["copies"]):
        rows = slice(copy * s["n_copy"], (copy + 1) * s["n_copy"])  # disjoint training sets
        model = seeded(1000 * offset + 10 * seed + copy, mlp, sizes)
        curve = fit(
            model,
            split.x_train[rows],
            split.y_train[rows],
            Recipe(steps=s["copy_steps"], eval_every=10**9),
            seed=seed + copy,
            val=(split.x_val, split.y_val),
        )
        predictions.append(predict_logits(model, split.x_test).argmax(1))
        train.append(curve.train_acc[-1])
        val.append(curve.val_acc[-1])
    return {**domingos(np.stack(predictions), split.y_test), "train": train, "val": val}


def bias_variance(s: dict, split: Split, seed: int) -> dict:
    """{"small"|"big": bias, variance, error (%), the copies' train and val accuracies}."""
    return {
        "small": _copies(s, split, seed, SMALL, offset=1),
        "big": _copies(s, split, seed, BIG, offset=2),
    }


def domingos(votes: np.ndarray, y: np.ndarray, classes: int = 10) -> dict[str, float]:
    """Bias, variance and mean error (in %) of 0-1 loss (Domingos 2000) from several copies.

    votes: (copies, N) class predictions. The main prediction of a sample is the copies' most
    frequent answer (ties: the lowest class); bias = share of samples whose main prediction
    is wrong; variance = share of (copy, sample) pairs that depart from the main prediction.
    """
    counts = np.stack([(votes == c).sum(axis=0) for c in range(classes)])  # (classes, N)
    main = counts.argmax(axis=0)
    return {
        "bias": 100 * float(np.mean(main != y)),
        "variance": 100 * float(np.mean(votes != main[None, :])),
        "error": 100 * float(np.mean(votes != y[None, :])),
    }
