"""The confusion matrix M[i, j] = #{true class i predicted as j}, counted with one `bincount`."""

from __future__ import annotations

from typing import Any

import numpy

from glassnet.metrics._inputs import checked_targets, given_labels, positions


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
    true, pred, weights = checked_targets(y_true, y_pred, sample_weight)
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
        class_labels = given_labels(labels)
        if not numpy.isin(true, class_labels).any():
            raise ValueError("At least one label specified must be in y_true")
    else:
        class_labels = numpy.unique(numpy.concatenate([true, pred]))
    size = len(class_labels)
    rows, columns = positions(true, class_labels), positions(pred, class_labels)
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
