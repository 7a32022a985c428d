"""Classification metrics: accuracy, top-k accuracy, precision / recall / F-beta, confusion matrix.

PyTorch has no metrics; their standard home is `sklearn.metrics`, so the names,
argument names, defaults and results here are scikit-learn's (tested against it).
Inputs are glassnet Tensors, NumPy arrays, torch tensors or lists of *class indices*
0..C-1; wherever a prediction is expected, (N, C) scores (logits or probabilities)
are accepted too and mean their argmax. Everything is counted with `bincount`:

    confusion matrix  M[i, j] = #{samples with true class i predicted as j}
    per class c       tp = M[c, c],  predicted = sum_i M[i, c],  true (support) = sum_j M[c, j]
    precision = tp / predicted,  recall = tp / true,
    F_beta = (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp)
           = (1 + beta^2) tp / (beta^2 true + predicted)

Averages: 'macro' (mean over classes: each class counts the same), 'weighted' (mean
weighted by support), 'micro' (pool tp/predicted/true over classes first: equals
accuracy for single-label multiclass data), None (one value per class), 'binary' (the
class `pos_label` only). A 0/0 becomes `zero_division` (0, 1 or nan; "warn" gives 0
and warns), exactly as in scikit-learn.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy

from glassnet.backend import to_numpy
from glassnet.tensor import Tensor

AVERAGES = (None, "binary", "micro", "macro", "weighted")


class UndefinedMetricWarning(UserWarning):
    """A metric was 0/0 and set to `zero_division` (scikit-learn's warning of the same name)."""


# -- input checking --------------------------------------------------------------------
def _as_numpy(values: Any) -> numpy.ndarray:
    if isinstance(values, Tensor):
        return to_numpy(values.data)
    if type(values).__module__.startswith("torch"):
        return values.detach().cpu().numpy()
    return numpy.asarray(values)


def _class_indices(values: Any, name: str, scores_allowed: bool) -> numpy.ndarray:
    """A 1-D int64 array of class indices; (N, C) scores become their argmax when allowed."""
    array = _as_numpy(values)
    if array.ndim == 2 and scores_allowed:
        if array.shape[1] < 2:  # argmax of one column is always 0: a silent wrong answer
            raise ValueError(
                f"{name} has shape {array.shape}: one score column is not (N, C) class scores; "
                "for a binary sigmoid output pass (y_pred > 0.5) as class indices"
            )
        _check_finite(array, name)
        return array.argmax(axis=1).astype(numpy.int64)
    if array.ndim != 1:
        shapes = "1-D class indices or (N, C) scores" if scores_allowed else "1-D class indices"
        raise ValueError(
            f"{name} must be {shapes}, got shape {array.shape}"
            + (
                "; one-hot or multilabel targets are not supported (use y_true.argmax(1))"
                if array.ndim == 2
                else ""
            )
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one sample")
    if array.dtype.kind == "f":
        whole = numpy.isfinite(array) & (array == numpy.round(array))
        if not whole.all():
            where = int(numpy.flatnonzero(~whole)[0])
            raise ValueError(
                f"{name} holds a non-integer value {array[where]} at index {where}; pass class "
                "indices" + (", or (N, C) scores" if scores_allowed else "")
            )
    elif array.dtype.kind not in "biu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {array.dtype}")
    array = array.astype(numpy.int64)
    if (array < 0).any():
        where = int(numpy.flatnonzero(array < 0)[0])
        raise ValueError(
            f"{name} holds a negative label {array[where]} at index {where}; labels are class "
            "indices 0..C-1"
        )
    return array


def _check_finite(array: numpy.ndarray, name: str) -> None:
    if array.dtype.kind == "f" and not numpy.isfinite(array).all():
        row, column = numpy.argwhere(~numpy.isfinite(array))[0]
        raise ValueError(f"{name} holds {array[row, column]} at row {row}, column {column}")


def _same_length(
    y_true: numpy.ndarray, y_pred: numpy.ndarray, pred_name: str, sample_weight: Any
) -> numpy.ndarray | None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} samples but {pred_name} has {len(y_pred)}")
    if sample_weight is None:
        return None
    weights = _as_numpy(sample_weight)
    if weights.shape != y_true.shape:
        raise ValueError(
            f"sample_weight has shape {weights.shape} but y_true has {len(y_true)} samples"
        )
    return weights


def _targets(
    y_true: Any, y_pred: Any, sample_weight: Any
) -> tuple[numpy.ndarray, numpy.ndarray, Any]:
    true = _class_indices(y_true, "y_true", scores_allowed=False)
    pred = _class_indices(y_pred, "y_pred", scores_allowed=True)
    return true, pred, _same_length(true, pred, "y_pred", sample_weight)


def _given_labels(labels: Any) -> numpy.ndarray:
    if numpy.size(_as_numpy(labels)) == 0:
        raise ValueError("'labels' should contain at least one label.")
    array = _class_indices(labels, "labels", scores_allowed=False)
    if len(numpy.unique(array)) != len(array):
        raise ValueError(f"labels must be unique, got {array.tolist()}")
    return array


def _positions(values: numpy.ndarray, labels: numpy.ndarray) -> numpy.ndarray:
    """Index of each value in `labels`, or -1 where it is not a label (vectorised lookup)."""
    order = numpy.argsort(labels)
    sorted_labels = labels[order]
    found = numpy.searchsorted(sorted_labels, values).clip(max=len(labels) - 1)
    return numpy.where(sorted_labels[found] == values, order[found], -1)


# -- accuracy --------------------------------------------------------------------------
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
    true, pred, weights = _targets(y_true, y_pred, sample_weight)
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
    true = _class_indices(y_true, "y_true", scores_allowed=False)
    scores = _as_numpy(y_score)
    if scores.ndim != 2:
        raise ValueError(f"y_score must be (N, C) scores, got shape {scores.shape}")
    _check_finite(scores, "y_score")
    weights = _same_length(true, scores, "y_score", sample_weight)
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


# -- confusion matrix ------------------------------------------------------------------
def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
    num_classes: int | None = None,
) -> numpy.ndarray:
    """M[i, j] = number (or weight) of samples of true class labels[i] predicted as labels[j].

    Rows are true classes, columns predictions (scikit-learn's orientation). Classes are
    `labels` (samples outside them are dropped, as in scikit-learn), else 0..num_classes-1
    (a glassnet extension: absent classes keep their row), else the sorted classes that
    occur. `normalize`: 'true' (rows sum to 1), 'pred' (columns), 'all', or None.
    """
    true, pred, weights = _targets(y_true, y_pred, sample_weight)
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all', got {normalize!r}")
    if labels is not None and num_classes is not None:
        raise ValueError("pass labels or num_classes, not both")
    if num_classes is not None:
        for name, values in (("y_true", true), ("y_pred", pred)):
            if values.max() >= num_classes:
                where = int(numpy.argmax(values >= num_classes))
                raise ValueError(
                    f"{name} holds label {values[where]} at index {where}, but "
                    f"num_classes={num_classes}"
                )
        class_labels = numpy.arange(num_classes)
    elif labels is not None:
        class_labels = _given_labels(labels)
        if not numpy.isin(true, class_labels).any():
            raise ValueError("At least one label specified must be in y_true")
    else:
        class_labels = numpy.unique(numpy.concatenate([true, pred]))
    size = len(class_labels)
    rows, columns = _positions(true, class_labels), _positions(pred, class_labels)
    kept = (rows >= 0) & (columns >= 0)
    kept_weights = None if weights is None else weights[kept]
    matrix = numpy.bincount(
        rows[kept] * size + columns[kept], weights=kept_weights, minlength=size * size
    )
    if weights is not None and weights.dtype.kind in "biu":
        matrix = matrix.astype(numpy.int64)
    matrix = matrix.reshape(size, size)
    if normalize is None:
        return matrix
    total = {
        "true": matrix.sum(axis=1, keepdims=True),
        "pred": matrix.sum(axis=0, keepdims=True),
        "all": matrix.sum(),
    }[normalize]
    with numpy.errstate(invalid="ignore", divide="ignore"):
        return numpy.nan_to_num(matrix / total)


# -- precision, recall, F-beta ---------------------------------------------------------
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
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {list(AVERAGES)}, got {average!r}")
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    _check_zero_division(zero_division)
    true, pred, weights = _targets(y_true, y_pred, sample_weight)
    present = numpy.unique(numpy.concatenate([true, pred]))
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                f"Target is multiclass (classes {present.tolist()}) but average='binary'. Please "
                "choose another average setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        if pos_label not in present and len(present) >= 2:
            raise ValueError(
                f"pos_label={pos_label} is not a valid label. It should be one of {present.tolist()}"
            )
        class_labels = numpy.array([pos_label])
    else:
        class_labels = present if labels is None else _given_labels(labels)

    rows, columns = _positions(true, class_labels), _positions(pred, class_labels)
    size = len(class_labels)
    correct = (true == pred) & (rows >= 0)

    def count(indices: numpy.ndarray, mask: numpy.ndarray) -> numpy.ndarray:
        return numpy.bincount(
            indices[mask], weights=None if weights is None else weights[mask], minlength=size
        )

    tp_sum, pred_sum, true_sum = (
        count(rows, correct),
        count(columns, columns >= 0),
        count(rows, rows >= 0),
    )
    if average == "micro":
        tp_sum, pred_sum, true_sum = (
            numpy.array([values.sum()]) for values in (tp_sum, pred_sum, true_sum)
        )

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
    weights_for_average = true_sum if average == "weighted" else None
    return (
        _nanaverage(precision, weights_for_average),
        _nanaverage(recall, weights_for_average),
        _nanaverage(f_score, weights_for_average),
        None,
    )


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


# -- report ----------------------------------------------------------------------------
def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Sequence[str] | None = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, Any]:
    """Per-class precision, recall, F1 and support, then the averages, as scikit-learn prints them."""
    true, pred, _ = _targets(y_true, y_pred, sample_weight)
    present = numpy.unique(numpy.concatenate([true, pred]))
    class_labels = present if labels is None else _given_labels(labels)
    # 'micro avg' is the accuracy unless some present class is left out of the labels
    micro_is_accuracy = labels is None or set(class_labels.tolist()) >= set(present.tolist())
    if target_names is None:
        target_names = [str(label) for label in class_labels]
    elif len(target_names) != len(class_labels):
        raise ValueError(
            f"{len(class_labels)} classes ({class_labels.tolist()}) but {len(target_names)} "
            "target_names"
        )
    options = {
        "labels": class_labels,
        "sample_weight": sample_weight,
        "zero_division": zero_division,
    }
    per_class = precision_recall_fscore_support(true, pred, average=None, **options)
    headers = ["precision", "recall", "f1-score", "support"]
    rows: list[tuple[str, list[Any]]] = [
        (name, [values[i] for values in per_class]) for i, name in enumerate(target_names)
    ]
    total_support = per_class[3].sum()
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        scores = precision_recall_fscore_support(true, pred, average=average, **options)[:3]
        rows.append((heading, [*scores, total_support]))

    if output_dict:
        report: dict[str, Any] = {
            name: dict(zip(headers, (float(v) for v in values))) for name, values in rows
        }
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    width = max(max(len(name) for name in target_names), len("weighted avg"), digits)
    lines = [f"{'':>{width}s} " + "".join(f" {header:>9}" for header in headers), ""]
    for index, (name, values) in enumerate(rows):
        if index == len(target_names):
            lines.append("")
        if name == "accuracy":
            lines.append(
                f"{name:>{width}s} " + f" {'':>9}" * 2 + f" {values[2]:>9.{digits}f} {values[3]:>9}"
            )
        else:
            lines.append(
                f"{name:>{width}s} "
                + "".join(f" {v:>9.{digits}f}" for v in values[:3])
                + f" {values[3]:>9}"
            )
    return "\n".join(lines) + "\n"
