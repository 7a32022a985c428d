"""The compression topic: its data and models (built fresh for every seed).

base(width)     conv 1->C 3x3, BN, ReLU, conv C->C 3x3, BN, ReLU, max-pool 2,
                conv C->C 3x3, BN, ReLU, flatten, Linear(16 C, 10): the model every
                structural technique is applied to (its convs '3' and '7' are swapped)
mlp(hidden)     Linear 64 -> hidden... -> 10 with ReLUs (the SVD model and the student)
lenet()         the LeNet-like digits CNN of the zoo (Deep Compression's chain)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from glassnet import nn
from glassnet.lab.kit.data import digits_standardised
from glassnet.lab.topics.compression.settings import IMAGE
from glassnet.models.lenet_digits import LeNetDigits
from glassnet.random import manual_seed
from glassnet.summary import summary


@dataclass(frozen=True)
class Images:
    """Digits as (N, 1, 8, 8) images and as (N, 64) vectors."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def flat(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(len(x), -1)


@cache
def images(n_train: int | None) -> Images:
    """The standardised digits (kit.data.digits_standardised), the first n_train training rows."""
    split = digits_standardised()
    shape = (-1, *IMAGE)
    return Images(
        split.x_train[:n_train].reshape(shape),
        split.y_train[:n_train],
        split.x_test.reshape(shape),
        split.y_test,
    )


def base(width: int, seed: int) -> nn.Sequential:
    manual_seed(seed)
    c = width
    return nn.Sequential(
        nn.Conv2d(1, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
        nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
        nn.Flatten(), nn.Linear(c * 16, 10),
    )  # fmt: skip


def mlp(hidden: Sequence[int], seed: int) -> nn.Sequential:
    manual_seed(seed)
    sizes = [64, *hidden, 10]
    layers: list[nn.Module] = [nn.Flatten()]
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def lenet(seed: int) -> LeNetDigits:
    manual_seed(seed)
    return LeNetDigits(IMAGE)


def cost(model: nn.Module, input_shape: tuple[int, ...] = IMAGE) -> tuple[int, int]:
    """(parameters, MACs per sample) from glassnet.summary."""
    table = summary(model, input_size=input_shape)
    return int(table.total_params), int(table.total_macs)


def part_cost(model: nn.Module, names: Sequence[str]) -> tuple[int, int]:
    """(parameters, MACs per sample) of the named submodules only, counted on an 8x8 input."""
    table = summary(model, input_size=IMAGE)
    rows = [r for r in table.rows if any(r.name == n or r.name.startswith(n + ".") for n in names)]
    return sum(r.params or 0 for r in rows), sum(r.macs or 0 for r in rows)
