"""What the trainer accumulates over an epoch, and the metrics it computes from it.

The epoch's loss is the sample-weighted mean of the batch losses (Keras' convention):
    loss = sum_b(loss_b * n_b) / sum_b(n_b)
Metrics are computed once over all of the epoch's outputs and targets, so a
macro-F1 is the macro-F1 of the epoch, not a mean of per-batch values. All of it
goes into mid-epoch checkpoints, so a resumed epoch logs the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy

from glassnet import metrics as glassnet_metrics

MetricFn = Callable[[numpy.ndarray, numpy.ndarray], float]

NAMED_METRICS: dict[str, MetricFn] = {
    "accuracy": glassnet_metrics.accuracy_score,
    "precision": partial(glassnet_metrics.precision_score, average="macro", zero_division=0),
    "recall": partial(glassnet_metrics.recall_score, average="macro", zero_division=0),
    "f1": partial(glassnet_metrics.f1_score, average="macro", zero_division=0),
    "top5_accuracy": partial(glassnet_metrics.top_k_accuracy_score, k=5),
}


def resolve_metrics(metrics: Any) -> dict[str, MetricFn]:
    """{name: fn(y_true, y_pred_scores) -> float} from names, callables, or a dict of them.

    Names: accuracy, precision / recall / f1 (macro averages), top5_accuracy. A callable
    is logged under its __name__.
    """
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    pairs = (
        list(metrics.items())
        if isinstance(metrics, Mapping)
        else [(None, item) for item in metrics]
    )
    resolved: dict[str, MetricFn] = {}
    for name, item in pairs:
        if isinstance(item, str):
            if item not in NAMED_METRICS:
                raise ValueError(
                    f"Trainer: unknown metric {item!r}; named metrics are {', '.join(NAMED_METRICS)}, or "
                    "pass a callable fn(y_true, y_pred) -> float"
                )
            name, item = name or item, NAMED_METRICS[item]
        elif not callable(item):
            raise TypeError(
                f"Trainer: a metric must be a name or a callable, got {type(item).__name__}"
            )
        name = name or getattr(item, "__name__", None)
        if not name or name == "<lambda>":
            raise ValueError("Trainer: a lambda metric needs a name: pass metrics={'name': fn}")
        if name in resolved or name == "loss":
            raise ValueError(
                f"Trainer: metric name {name!r} is used twice (or clashes with 'loss')"
            )
        resolved[name] = item
    return resolved


def compute_metrics(
    metrics: dict[str, MetricFn], targets: numpy.ndarray, outputs: numpy.ndarray
) -> dict[str, float]:
    return {name: float(fn(targets, outputs)) for name, fn in metrics.items()}


class RunningEpoch:
    """Sums over the batches of one epoch: loss * size, samples, and (if metrics need them) outputs."""

    def __init__(self, lr: float = math.nan) -> None:
        self.lr = lr
        self.loss_sum = 0.0
        self.samples = 0
        self.outputs: list[numpy.ndarray] = []
        self.targets: list[numpy.ndarray] = []

    def add(
        self, loss: float, size: int, outputs: numpy.ndarray | None, targets: numpy.ndarray | None
    ) -> None:
        self.loss_sum += loss * size
        self.samples += size
        if outputs is not None:
            self.outputs.append(outputs)
            self.targets.append(targets)

    @property
    def loss(self) -> float:
        return self.loss_sum / self.samples if self.samples else math.nan

    def logs(self, metrics: dict[str, MetricFn]) -> dict[str, float]:
        logs = {"lr": self.lr, "loss": self.loss}
        if metrics and self.outputs:
            logs.update(
                compute_metrics(
                    metrics, numpy.concatenate(self.targets), numpy.concatenate(self.outputs)
                )
            )
        return logs

    def state_dict(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "loss_sum": self.loss_sum,
            "samples": self.samples,
            "outputs": numpy.concatenate(self.outputs) if self.outputs else None,
            "targets": numpy.concatenate(self.targets) if self.targets else None,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.lr, self.loss_sum, self.samples = (
            float(state["lr"]),
            float(state["loss_sum"]),
            int(state["samples"]),
        )
        outputs, targets = state["outputs"], state["targets"]
        self.outputs = [] if outputs is None else [numpy.asarray(outputs)]
        self.targets = [] if targets is None else [numpy.asarray(targets)]
