"""Small hand-built nets with known behaviour, and a manual forward pass to check the diagnostics against."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy

import glassnet
from glassnet import nn


def make_batch(
    samples: int = 64, features: int = 32, classes: int = 10, seed: int = 0
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Standard-normal inputs (float32) and uniform random labels, from a local seeded generator."""
    rng = numpy.random.default_rng(seed)
    return rng.standard_normal((samples, features)).astype(numpy.float32), rng.integers(
        0, classes, samples
    )


def stack(
    sizes: list[int],
    activation: Callable[[], nn.Module],
    weight_init: Callable[[nn.Parameter], object],
    bias: float | None = 0.0,
    seed: int = 0,
) -> nn.Sequential:
    """Linear -> activation for every hidden width, then a final Linear (the logits).

    bias=None keeps nn.Linear's default bias, U(-1/sqrt(fan_in), 1/sqrt(fan_in)); a number
    sets every bias to it.
    """
    glassnet.manual_seed(seed)
    layers: list[nn.Module] = []
    for position, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(fan_in, fan_out)
        weight_init(linear.weight)
        if bias is not None:
            nn.init.constant_(linear.bias, bias)
        layers.append(linear)
        if position < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def normal(std: float) -> Callable[[nn.Parameter], object]:
    """W ~ N(0, std^2): std is the standard deviation, as in nn.init.normal_(w, 0, std)."""
    return lambda weight: nn.init.normal_(weight, 0.0, std)


def manual_outputs(model: nn.Sequential, x: numpy.ndarray) -> list[numpy.ndarray]:
    """Each layer's output of a Sequential, computed one layer after another without hooks."""
    outputs = []
    value = glassnet.tensor(x)
    with glassnet.no_grad():
        for layer in model:
            value = layer(value)
            outputs.append(value.data.copy())
    return outputs
