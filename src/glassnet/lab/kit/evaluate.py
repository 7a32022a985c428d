"""Evaluation without autograd: logits in eval mode, then loss and accuracy from the logits.

    logits = predict_logits(model, x)          # float64 (N, classes), eval mode, no graph
    cross_entropy(logits, y), accuracy(logits, y)

Rows go through the model in chunks (eval mode treats rows independently, so the result
does not depend on the chunk): small products stay under OpenBLAS's threading threshold.
"""

from __future__ import annotations

import numpy as np

import glassnet

__all__ = ["predict_logits", "cross_entropy", "accuracy", "softmax"]

Array = np.ndarray


def predict_logits(model: object, x: Array, chunk: int = 2000, eval_mode: bool = True) -> Array:
    """The model's outputs for `x` as float64, under no_grad, in eval mode (restored afterwards)
    unless eval_mode=False."""
    was_training = model.training
    if eval_mode:
        model.eval()
    try:
        with glassnet.no_grad(), np.errstate(over="ignore", invalid="ignore"):
            parts = [model(glassnet.tensor(x[i : i + chunk])).data for i in range(0, len(x), chunk)]
    finally:
        model.train(was_training)
    return np.concatenate(parts).astype(np.float64)


def softmax(logits: Array) -> Array:
    """Row-wise softmax, shifted by the row maximum."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(logits: Array, y: Array) -> float:
    """Mean -log softmax(logits)[y], in float64 (log-sum-exp); inf when a logit is not finite."""
    logits = np.asarray(logits, dtype=np.float64)
    if not np.all(np.isfinite(logits)):
        return float("inf")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_z - shifted[np.arange(len(y)), y]))


def accuracy(scores_or_labels: Array, y: Array) -> float:
    """Share of correct predictions; (N, C) scores mean their argmax (NaN scores count as 0)."""
    scores = np.asarray(scores_or_labels)
    predicted = np.nan_to_num(scores).argmax(axis=1) if scores.ndim == 2 else scores
    return float(np.mean(predicted == y))
