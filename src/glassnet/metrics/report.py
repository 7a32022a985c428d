"""scikit-learn's `classification_report`: per-class precision, recall, F1, support, averages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

from glassnet.metrics._inputs import checked_targets, given_labels
from glassnet.metrics.precision_recall import precision_recall_fscore_support

HEADERS = ["precision", "recall", "f1-score", "support"]


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
    """Per-class precision, recall, F1 and support, then the averages, as scikit-learn prints them.

    The 'micro' row is headed 'accuracy' (single-label micro precision = recall = F1 =
    accuracy) unless `labels` leaves out a class that occurs.
    """
    true, pred, _ = checked_targets(y_true, y_pred, sample_weight)
    present = numpy.unique(numpy.concatenate([true, pred]))
    class_labels = present if labels is None else given_labels(labels)
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
    rows: list[tuple[str, list[Any]]] = [
        (name, [values[i] for values in per_class]) for i, name in enumerate(target_names)
    ]
    total_support = per_class[3].sum()
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        scores = precision_recall_fscore_support(true, pred, average=average, **options)[:3]
        rows.append((heading, [*scores, total_support]))
    if output_dict:
        return _report_dict(rows)
    return _report_text(rows, len(target_names), digits)


def _report_dict(rows: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    """{row name: {header: value}}; 'accuracy' is one float, as in scikit-learn."""
    report: dict[str, Any] = {
        name: dict(zip(HEADERS, (float(v) for v in values))) for name, values in rows
    }
    if "accuracy" in report:
        report["accuracy"] = report["accuracy"]["precision"]
    return report


def _report_text(rows: list[tuple[str, list[Any]]], classes: int, digits: int) -> str:
    """scikit-learn's table: right-aligned columns, a blank line before the averages."""
    width = max(max(len(name) for name, _ in rows[:classes]), len("weighted avg"), digits)
    lines = [f"{'':>{width}s} " + "".join(f" {header:>9}" for header in HEADERS), ""]
    for index, (name, values) in enumerate(rows):
        if index == classes:
            lines.append("")
        if name == "accuracy":  # only the F1 column: precision = recall = F1 there
            scores = f" {'':>9}" * 2 + f" {values[2]:>9.{digits}f}"
        else:
            scores = "".join(f" {v:>9.{digits}f}" for v in values[:3])
        lines.append(f"{name:>{width}s} " + scores + f" {values[3]:>9}")
    return "\n".join(lines) + "\n"
