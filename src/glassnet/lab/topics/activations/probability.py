"""Sigmoid's range as an output: is a (0, 1) output a better probability than an unbounded one?

A binary task on MNIST-1D (is the class below 5?), a linear model z = w x + b trained full
batch with Adam, three outputs:

    sigmoid + BCE       p = sigmoid(z), binary cross-entropy (logistic regression, the usual way)
    sigmoid + MSE       p = sigmoid(z), squared error on the 0/1 target
    identity + MSE      p = z, squared error (the linear probability model: no range)

sigmoid + MSE against identity + MSE differ only in the range, so they carry the verdict;
sigmoid + BCE is reported beside. On the test split: the share of outputs outside [0, 1] (not
a probability), the Brier score mean((p - y)^2) (identity's outputs clipped to [0, 1] first,
its best repair) and the accuracy of p > 1/2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.lab.kit.data import Split
from glassnet.lab.topics.activations.settings import PROBE_LR
from glassnet.nn import functional as F

OUTPUTS = ("sigmoid_bce", "sigmoid_mse", "identity_mse")


@dataclass
class OutputRun:
    """One output on the test split, for one seed."""

    outside: float  # share of outputs outside [0, 1]
    brier: float  # mean (clip(p, 0, 1) - y)^2
    accuracy: float


def binary_target(labels: np.ndarray) -> np.ndarray:
    return (labels < 5).astype(np.float32)[:, None]


def probabilities(model: nn.Module, output: str, x: np.ndarray) -> np.ndarray:
    with glassnet.no_grad():
        z = model(glassnet.tensor(x))
        return (F.sigmoid(z) if output.startswith("sigmoid") else z).data


def train_output(data: Split, output: str, steps: int, seed: int) -> OutputRun:
    """Fit the probe model with `output`, full batch, and measure it on the test split."""
    glassnet.manual_seed(seed)
    model = nn.Linear(data.features, 1)
    optimizer = optim.Adam(model.parameters(), lr=PROBE_LR)
    x, y = glassnet.tensor(data.x_train), glassnet.tensor(binary_target(data.y_train))
    for _ in range(steps):
        z = model(x)
        if output == "sigmoid_bce":
            loss = F.binary_cross_entropy_with_logits(z, y)
        else:
            loss = F.mse_loss(F.sigmoid(z) if output == "sigmoid_mse" else z, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    p, target = probabilities(model, output, data.x_test), binary_target(data.y_test)
    return OutputRun(
        outside=float(((p < 0) | (p > 1)).mean()),
        brier=float(((np.clip(p, 0, 1) - target) ** 2).mean()),
        accuracy=float(((p > 0.5) == (target > 0.5)).mean()),
    )


def output_probe(data: Split, seeds: list[int], steps: int) -> dict[str, list[OutputRun]]:
    """Every output of OUTPUTS, one run per seed (the seed fixes the initial weights)."""
    return {output: [train_output(data, output, steps, s) for s in seeds] for output in OUTPUTS}
