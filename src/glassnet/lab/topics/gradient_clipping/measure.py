"""The gradient_clipping topic: measure. Per seed, the unclipped and the clipped run from one init."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet.data.datasets.mnist1d import MNIST1D
from glassnet.lab.kit import sequences as ts
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.topics.gradient_clipping.settings import (
    BATCH,
    CONFIG,
    FINAL_SHARE,
    GAIN,
    HIDDEN,
    LR,
    MOMENTUM,
    PROBE,
    WARMUP,
)
from glassnet.models.rnn_classifier import RNNClassifier


@dataclass
class Pair:
    """One seed: the unclipped and the clipped run from the same init, and the premise numbers."""

    threshold: float
    plain: ts.History
    clipped: ts.History
    plain_test: float
    clipped_test: float
    explode_ratio: float  # ||dL/dx_0|| / ||dL/dx_(T-1)|| at init


def final(history: ts.History, steps: int) -> float:
    """The mean training loss over the last FINAL_SHARE of the steps (inf after a NaN)."""
    return history.final_loss(max(1, int(FINAL_SHARE * steps)))


def build(model_seed: int) -> RNNClassifier:
    glassnet.manual_seed(model_seed)
    model = RNNClassifier(1, HIDDEN, 10, cell="rnn")
    ts.set_recurrent_gain(model.rnn, GAIN, np.random.default_rng(model_seed))
    return model


def premise(model: RNNClassifier, x: np.ndarray, y: np.ndarray, seed: int, replicate: int) -> float:
    """||dL/dx_0|| / ||dL/dx_(T-1)|| at init: above 1, the gradient grows on its way back."""
    probe = ts.sample_batch(np.random.default_rng([seed, replicate, 7]), x, y, PROBE)
    by_step = ts.input_gradient_by_step(model, probe)
    return float(by_step[0] / max(by_step[-1], 1e-300))


def train(model, x, y, steps: int, seed: int, replicate: int, max_norm: float | None) -> ts.History:
    """SGD with momentum; both runs of a seed see the same batches."""
    batches = np.random.default_rng([seed, replicate])
    optimizer = glassnet.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    return ts.train_steps(
        model,
        lambda step, b=batches: ts.sample_batch(b, x, y, BATCH),
        steps,
        optimizer,
        max_norm=max_norm,
    )


def pair(train_xy: tuple, test_xy: tuple, steps: int, seed: int, replicate: int) -> Pair:
    """The unclipped run, then the clipped one at the mean of its first WARMUP norms (Pascanu et al.)."""
    (x, y), (x_test, y_test) = train_xy, test_xy
    model_seed = seed * 1000 + replicate
    model = build(model_seed)
    ratio = premise(model, x, y, seed, replicate)
    plain = train(model, x, y, steps, seed, replicate, None)
    plain_test = ts.evaluate(model, x_test, y_test)[0] if plain.diverged_at is None else math.nan
    norms = np.asarray(plain.grad_norms[:WARMUP])
    threshold = float(norms[np.isfinite(norms)].mean())
    model = build(model_seed)
    clipped = train(model, x, y, steps, seed, replicate, threshold)
    clipped_test = (
        ts.evaluate(model, x_test, y_test)[0] if clipped.diverged_at is None else math.nan
    )
    return Pair(threshold, plain, clipped, plain_test, clipped_test, ratio)


def measure(mode: str, seed: int) -> list[Pair]:
    """One Pair per replicate, on MNIST-1D as sequences of 40 steps of one feature."""
    train_set, test_set = MNIST1D("train"), MNIST1D("test")
    train_xy = (train_set.data[:, :, None], train_set.targets)
    test_xy = (test_set.data[:, :, None], test_set.targets)
    steps = CONFIG[mode]["steps"]
    with one_blas_thread():
        return [
            pair(train_xy, test_xy, steps, seed, replicate)
            for replicate in range(CONFIG[mode]["replicates"])
        ]
