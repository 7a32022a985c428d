"""Accuracy and top-k accuracy (scikit-learn's `accuracy_score`, `top_k_accuracy_score`)."""

from __future__ import annotations

from typing import Any

import numpy

from glassnet.metrics._inputs import (
    as_numpy,
    check_finite,
    checked_targets,
    class_indices,
    same_length,
)


def _average(hits: numpy.ndarray, normalize: bool, weights: numpy.ndarray | None) -> float:
    if weights is None:
        return float(hits.mean() if normalize else hits.sum())
    return float(numpy.average(hits, weights=weights) if normalize else numpy.dot(hits, weights))


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Fraction of samples whose predicted class is the true class (`normalize=False`: the count).

    `y_pred` may be class indices or (N, C) scores, whose argmax is the prediction.
    """
    true, pred, weights = checked_targets(y_true, y_pred, sample_weight)
    return _average(true == pred, normalize, weights)


accuracy = accuracy_score  # Keras' name for the same metric


def top_k_accuracy_score(
    y_true: Any, y_score: Any, *, k: int = 2, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Fraction of samples whose true class is among the k highest of its C scores.

    Column c of `y_score` (N, C) scores class c. Ties rank the higher class index first,
    as scikit-learn's stable descending sort does: the true class's rank is
    #{scores > its score} + #{equal scores at a higher index}, and it hits when rank < k.
    """
    true = class_indices(y_true, "y_true", scores_allowed=False)
    scores = as_numpy(y_score)
    if scores.ndim != 2:
        raise ValueError(f"y_score must be (N, C) scores, got shape {scores.shape}")
    check_finite(scores, "y_score")
    weights = same_length(true, scores, "y_score", sample_weight)
    classes = scores.shape[1]
    if not isinstance(k, (int, numpy.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > classes:
        raise ValueError(f"k={k} is larger than the number of classes in y_score ({classes})")
    if true.max() >= classes:
        where = int(numpy.argmax(true >= classes))
        raise ValueError(
            f"y_true holds label {true[where]} at index {where}, but y_score has only {classes} "
            f"columns (classes 0..{classes - 1})"
        )
    true_score = scores[numpy.arange(len(true)), true][:, None]
    higher_index = numpy.arange(classes)[None, :] > true[:, None]
    rank = (scores > true_score).sum(axis=1) + ((scores == true_score) & higher_index).sum(axis=1)
    return _average(rank < k, normalize, weights)
