"""Precision, recall, F-beta and support per class or averaged, with scikit-learn's 0/0 rules.

Per class c: tp = #{true = pred = c}, predicted = #{pred = c}, true (support) = #{true = c};
precision = tp / predicted, recall = tp / true,
F_beta = (1 + beta^2) tp / (beta^2 true + predicted). A 0/0 becomes `zero_division`
(0, 1 or nan; "warn" gives 0 and warns with UndefinedMetricWarning).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy

from glassnet.metrics._inputs import checked_targets, given_labels, positions

AVERAGES = (None, "binary", "micro", "macro", "weighted")


class UndefinedMetricWarning(UserWarning):
    """A metric was 0/0 and set to `zero_division` (scikit-learn's warning of the same name)."""


def _check_zero_division(zero_division: Any) -> float:
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if numpy.isnan(zero_division):
            return numpy.nan
    raise ValueError(f"zero_division must be 'warn', 0, 1 or numpy.nan, got {zero_division!r}")


def _divide(
    numerator: numpy.ndarray,
    denominator: numpy.ndarray,
    metric: str,
    modifier: str,
    warn_for: Sequence[str],
    zero_division: Any,
) -> numpy.ndarray:
    """numerator / denominator, with 0/0 set to zero_division (and a warning for 'warn')."""
    undefined = denominator == 0
    result = numerator / numpy.where(undefined, 1, denominator).astype(numpy.float64)
    if undefined.any():
        result[undefined] = _check_zero_division(zero_division)
        if zero_division == "warn" and metric in warn_for:
            where = "due to" if len(result) == 1 else "in labels with"
            warnings.warn(
                f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
                "samples. Use `zero_division` parameter to control this behavior.",
                UndefinedMetricWarning,
                stacklevel=3,
            )
    return result


def _nanaverage(values: numpy.ndarray, weights: numpy.ndarray | None) -> float:
    """Mean ignoring nan (scikit-learn's rule); all-zero weights fall back to a plain mean."""
    keep = ~numpy.isnan(values)
    if not keep.any():
        return numpy.nan
    if weights is None or weights[keep].sum() == 0:
        return float(values[keep].mean())
    return float(numpy.average(values[keep], weights=weights[keep]))


def _chosen_labels(
    present: numpy.ndarray, labels: Any, pos_label: int, average: str | None
) -> numpy.ndarray:
    """The classes scored: [pos_label] for 'binary' (checked), else `labels` or those present."""
    if average != "binary":
        return present if labels is None else given_labels(labels)
    if len(present) > 2:
        raise ValueError(
            f"Target is multiclass (classes {present.tolist()}) but average='binary'. Please "
            "choose another average setting, one of [None, 'micro', 'macro', 'weighted']."
        )
    if pos_label not in present and len(present) >= 2:
        raise ValueError(
            f"pos_label={pos_label} is not a valid label. It should be one of {present.tolist()}"
        )
    return numpy.array([pos_label])


def _class_counts(
    true: numpy.ndarray,
    pred: numpy.ndarray,
    weights: numpy.ndarray | None,
    class_labels: numpy.ndarray,
    micro: bool,
) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(tp, predicted, true) per class of `class_labels`, weighted; pooled to one entry if micro.

    tp_c = #{true = pred = c}, predicted_c = #{pred = c}, true_c = #{true = c} (the support);
    samples whose class is not in `class_labels` count nowhere.
    """
    rows, columns = positions(true, class_labels), positions(pred, class_labels)
    size = len(class_labels)

    def count(indices: numpy.ndarray, mask: numpy.ndarray) -> numpy.ndarray:
        return numpy.bincount(
            indices[mask], weights=None if weights is None else weights[mask], minlength=size
        )

    tp = count(rows, (true == pred) & (rows >= 0))
    predicted = count(columns, columns >= 0)
    support = count(rows, rows >= 0)
    if micro:
        return numpy.array([tp.sum()]), numpy.array([predicted.sum()]), numpy.array([support.sum()])
    return tp, predicted, support


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: int = 1,
    average: str | None = None,
    warn_for: Sequence[str] = ("precision", "recall", "f-score"),
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support (true count) per class, or averaged.

    Returns arrays over `labels` (default: the sorted classes in y_true or y_pred) when
    `average` is None, else three floats and support None, as scikit-learn does.
    F_beta = (1 + beta^2) tp / (beta^2 true + predicted); beta = 0 is the precision and
    beta = inf the recall. 'weighted' averages by support, 'macro' plainly, over classes.
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {list(AVERAGES)}, got {average!r}")
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    _check_zero_division(zero_division)
    true, pred, weights = checked_targets(y_true, y_pred, sample_weight)
    present = numpy.unique(numpy.concatenate([true, pred]))
    class_labels = _chosen_labels(present, labels, pos_label, average)
    tp_sum, pred_sum, true_sum = _class_counts(
        true, pred, weights, class_labels, micro=average == "micro"
    )
    # _divide warns with stacklevel=3: keep its calls here, one level below the caller
    precision = _divide(tp_sum, pred_sum, "precision", "predicted", warn_for, zero_division)
    recall = _divide(tp_sum, true_sum, "recall", "true", warn_for, zero_division)
    if numpy.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        f_score = _divide(
            (1 + beta2) * tp_sum.astype(numpy.float64),
            beta2 * true_sum + pred_sum.astype(numpy.float64),
            "f-score",
            "true nor predicted",
            warn_for,
            zero_division,
        )
    if average is None:
        return precision, recall, f_score, true_sum
    by = true_sum if average == "weighted" else None
    return _nanaverage(precision, by), _nanaverage(recall, by), _nanaverage(f_score, by), None


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: int = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F-beta: the weighted harmonic mean of precision and recall; beta > 1 favours recall."""
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: int = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F1 = 2 precision recall / (precision + recall) = 2 tp / (2 tp + fp + fn)."""
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: int = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision = tp / (tp + fp): of the samples predicted as a class, the fraction that are."""
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: int = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Recall = tp / (tp + fn): of the samples of a class, the fraction found."""
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[1]
