"""Input checking shared by the metrics: class indices, scores, sample weights, label lookup."""

from __future__ import annotations

from typing import Any

import numpy

from glassnet.backend import to_numpy
from glassnet.tensor import Tensor


def as_numpy(values: Any) -> numpy.ndarray:
    if isinstance(values, Tensor):
        return to_numpy(values.data)
    if type(values).__module__.startswith("torch"):
        return values.detach().cpu().numpy()
    return numpy.asarray(values)


def class_indices(values: Any, name: str, scores_allowed: bool) -> numpy.ndarray:
    """A 1-D int64 array of class indices; (N, C) scores become their argmax when allowed."""
    array = as_numpy(values)
    if array.ndim == 2 and scores_allowed:
        if array.shape[1] < 2:  # argmax of one column is always 0: a silent wrong answer
            raise ValueError(
                f"{name} has shape {array.shape}: one score column is not (N, C) class scores; "
                "for a binary sigmoid output pass (y_pred > 0.5) as class indices"
            )
        check_finite(array, name)
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


def check_finite(array: numpy.ndarray, name: str) -> None:
    if array.dtype.kind == "f" and not numpy.isfinite(array).all():
        row, column = numpy.argwhere(~numpy.isfinite(array))[0]
        raise ValueError(f"{name} holds {array[row, column]} at row {row}, column {column}")


def same_length(
    y_true: numpy.ndarray, y_pred: numpy.ndarray, pred_name: str, sample_weight: Any
) -> numpy.ndarray | None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} samples but {pred_name} has {len(y_pred)}")
    if sample_weight is None:
        return None
    weights = as_numpy(sample_weight)
    if weights.shape != y_true.shape:
        raise ValueError(
            f"sample_weight has shape {weights.shape} but y_true has {len(y_true)} samples"
        )
    return weights


def checked_targets(
    y_true: Any, y_pred: Any, sample_weight: Any
) -> tuple[numpy.ndarray, numpy.ndarray, Any]:
    true = class_indices(y_true, "y_true", scores_allowed=False)
    pred = class_indices(y_pred, "y_pred", scores_allowed=True)
    return true, pred, same_length(true, pred, "y_pred", sample_weight)


def given_labels(labels: Any) -> numpy.ndarray:
    if numpy.size(as_numpy(labels)) == 0:
        raise ValueError("'labels' should contain at least one label.")
    array = class_indices(labels, "labels", scores_allowed=False)
    if len(numpy.unique(array)) != len(array):
        raise ValueError(f"labels must be unique, got {array.tolist()}")
    return array


def positions(values: numpy.ndarray, labels: numpy.ndarray) -> numpy.ndarray:
    """Index of each value in `labels`, or -1 where it is not a label (vectorised lookup)."""
    order = numpy.argsort(labels)
    sorted_labels = labels[order]
    found = numpy.searchsorted(sorted_labels, values).clip(max=len(labels) - 1)
    return numpy.where(sorted_labels[found] == values, order[found], -1)
