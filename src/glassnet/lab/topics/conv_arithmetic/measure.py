"""The conv_arithmetic topic: measure. Random configurations of each family through the real layers.

Each configuration builds the layer (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d), runs a zero input of
that size through it and compares the output's shape with each formula. A configuration where
the formula gives an output size below 1 agrees when the layer refuses it (raises).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab.topics.conv_arithmetic.settings import (
    COUNTS,
    EXAMPLES,
    FIGURE_CONVS,
    FIGURE_POOL,
    FIGURE_SIZES,
    MAX_SIZE,
    Shape,
    ceil_mode_formula,
    dilated_formula,
    naive_ceil_formula,
    notes_formula,
    tf_same_padding,
)
from glassnet.nn import functional as F
from glassnet.shape import tf_same_output_size


@dataclass(frozen=True)
class Mismatch:
    """One configuration where a formula and the layer disagree (None: impossible / raised)."""

    description: str
    actual: Shape | None
    error: str | None
    predicted: Shape | None


@dataclass
class Family:
    """Configurations of one kind (`key`, one of settings.FAMILIES), each compared with the formulas."""

    key: str
    count: int = 0
    agree: dict[str, int] = field(default_factory=dict)
    impossible: int = 0
    edge_cases: int = 0
    mismatches: dict[str, list[Mismatch]] = field(default_factory=dict)

    def record(
        self,
        description: str,
        actual: Shape | None,
        predictions: dict[str, Shape | None],
        error: str | None,
        edge_case: bool = False,
    ) -> None:
        self.count += 1
        self.edge_cases += edge_case
        self.impossible += actual is None
        for formula, predicted in predictions.items():
            self.agree.setdefault(formula, 0)
            if predicted == actual:
                self.agree[formula] += 1
            else:
                self.mismatches.setdefault(formula, []).append(
                    Mismatch(description, actual, error, predicted)
                )


def run_layer(layer: Callable, shape: Shape) -> tuple[Shape | None, str | None]:
    """The layer's output shape for a zero input of `shape`, or (None, the error's first line)."""
    try:
        with glassnet.no_grad():
            return tuple(layer(glassnet.zeros(shape)).shape), None
    except Exception as error:
        return None, f"{type(error).__name__}: {str(error).splitlines()[0][:80]}"


def as_shape(batch: int, channels: int, sizes: list[int]) -> Shape | None:
    return None if min(sizes) < 1 else (batch, channels, *sizes)


def draw(rng: np.random.Generator, low: int, high: int) -> list[int]:
    """One value per spatial axis (H, W), each in [low, high]."""
    return [int(v) for v in rng.integers(low, high + 1, size=2)]


def conv_family(rng: np.random.Generator, count: int, dilated: bool) -> Family:
    family = Family("dilated" if dilated else "conv")
    for _ in range(count):
        size, kernel, stride, padding = (
            draw(rng, 1, MAX_SIZE),
            draw(rng, 1, 7),
            draw(rng, 1, 4),
            draw(rng, 0, 3),
        )
        dilation = draw(rng, 2, 4) if dilated else [1, 1]
        batch, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
        layer = nn.Conv2d(
            c_in, c_out, tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), bias=False
        )
        actual, error = run_layer(layer, (batch, c_in, *size))
        axes = list(zip(size, kernel, stride, padding, dilation))
        predictions = {
            "notes": as_shape(batch, c_out, [notes_formula(w, k, s, p) for w, k, s, p, _ in axes])
        }
        if dilated:
            predictions["dilated"] = as_shape(batch, c_out, [dilated_formula(*a) for a in axes])
        family.record(
            f"in {batch}x{c_in}x{size[0]}x{size[1]} K{kernel} S{stride} P{padding} D{dilation}",
            actual,
            predictions,
            error,
        )
    return family


def ceil_edge_cases() -> list[tuple[int, int, int, int]]:
    """Small (W, K, S, P) where ceil mode's last window would start in the right padding."""
    return [
        (w, k, s, p)
        for w, k, s in itertools.product(range(1, 9), range(1, 4), range(1, 5))
        for p in range(k // 2 + 1)
        if naive_ceil_formula(w, k, s, p, 1) != ceil_mode_formula(w, k, s, p, 1) >= 1
    ]


@dataclass
class PoolConfig:
    size: list[int]
    kernel: list[int]
    stride: list[int]
    padding: list[int]
    dilation: list[int]
    use_max: bool
    default_stride: bool  # stride=None: stride = kernel_size

    def layer(self, ceil_mode: bool) -> nn.Module:
        """nn.MaxPool2d (with dilation) or nn.AvgPool2d."""
        stride = None if self.default_stride else tuple(self.stride)
        kernel, padding = tuple(self.kernel), tuple(self.padding)
        if self.use_max:
            return nn.MaxPool2d(kernel, stride, padding, tuple(self.dilation), ceil_mode=ceil_mode)
        return nn.AvgPool2d(kernel, stride, padding, ceil_mode=ceil_mode)

    def describe(self) -> str:
        name = "MaxPool2d" if self.use_max else "AvgPool2d"
        stride = "=K" if self.default_stride else self.stride
        return (
            f"{name} in {self.size[0]}x{self.size[1]} K{self.kernel} S{stride} P{self.padding} "
            f"D{self.dilation}"
        )


def pool_config(rng: np.random.Generator, ceil_mode: bool) -> PoolConfig:
    """A random pool: pools require P <= K // 2; dilation only for MaxPool2d in ceil mode."""
    size, kernel = draw(rng, 1, MAX_SIZE), draw(rng, 1, 6)
    default_stride = bool(rng.integers(2))
    stride = list(kernel) if default_stride else draw(rng, 1, 4)
    padding = [int(rng.integers(0, k // 2 + 1)) for k in kernel]
    use_max = bool(rng.integers(2))
    dilation = draw(rng, 1, 2) if use_max and ceil_mode else [1, 1]
    return PoolConfig(size, kernel, stride, padding, dilation, use_max, default_stride)


def pool_predictions(config: PoolConfig, batch: int, channels: int, ceil_mode: bool) -> dict:
    axes = list(zip(config.size, config.kernel, config.stride, config.padding, config.dilation))
    spans = [(w, d * (k - 1) + 1, s, p) for w, k, s, p, d in axes]
    predictions = {"notes": as_shape(batch, channels, [notes_formula(*a) for a in spans])}
    if ceil_mode:
        predictions["naive_ceil"] = as_shape(
            batch, channels, [naive_ceil_formula(*a) for a in axes]
        )
        predictions["ceil_rule"] = as_shape(batch, channels, [ceil_mode_formula(*a) for a in axes])
    return predictions


def pool_family(rng: np.random.Generator, count: int, ceil_mode: bool) -> Family:
    family = Family("ceil" if ceil_mode else "pool")
    edges = ceil_edge_cases() if ceil_mode else []
    for index in range(count + len(edges)):
        edge = index >= count
        if edge:  # the same (W, K, S, P) on both axes
            w, k, s, p = edges[index - count]
            config = PoolConfig([w, w], [k, k], [s, s], [p, p], [1, 1], bool(index % 2), False)
        else:
            config = pool_config(rng, ceil_mode)
        batch, channels = (int(v) for v in rng.integers(1, 4, size=2))
        actual, error = run_layer(config.layer(ceil_mode), (batch, channels, *config.size))
        predictions = pool_predictions(config, batch, channels, ceil_mode)
        family.record(config.describe(), actual, predictions, error, edge_case=edge)
    return family


def torch_same(kernel: list[int], stride: list[int], dilation: list[int], size: list[int]) -> tuple:
    """PyTorch's padding='same': (keeps W at stride 1, stride > 1 drawn, refused at that stride)."""
    shape, _ = run_layer(
        nn.Conv2d(1, 1, tuple(kernel), 1, "same", tuple(dilation), bias=False), (1, 1, *size)
    )
    strided = refused = 0
    if max(stride) > 1:
        strided = 1
        try:
            nn.Conv2d(1, 1, tuple(kernel), tuple(stride), "same", tuple(dilation))
        except ValueError:
            refused = 1
    return shape == (1, 1, *size), strided, refused


def tf_same_family(rng: np.random.Generator, count: int) -> tuple[Family, int, int, int]:
    """TF SAME via explicit asymmetric padding; also PyTorch's padding='same' (stride 1 only)."""
    family = Family("same")
    same_ok = strided = strided_refused = 0
    for _ in range(count):
        size, kernel = draw(rng, 1, MAX_SIZE), draw(rng, 1, 7)
        stride, dilation = draw(rng, 1, 4), draw(rng, 1, 2)
        pads = [tf_same_padding(w, k, s, d) for w, k, s, d in zip(size, kernel, stride, dilation)]
        conv = nn.Conv2d(1, 1, tuple(kernel), tuple(stride), 0, tuple(dilation), bias=False)

        def padded(x, pads=pads, conv=conv):
            return conv(F.pad(x, (*pads[1], *pads[0])))  # F.pad: last axis first

        actual, error = run_layer(padded, (1, 1, *size))
        expected = as_shape(1, 1, [tf_same_output_size(w, s) for w, s in zip(size, stride)])
        family.record(
            f"in {size[0]}x{size[1]} K{kernel} S{stride} D{dilation} pads {pads}",
            actual,
            {"tf_same": expected},
            error,
        )
        ok, drawn, refused = torch_same(kernel, stride, dilation, size)
        same_ok, strided, strided_refused = same_ok + ok, strided + drawn, strided_refused + refused
    return family, same_ok, strided, strided_refused


def examples() -> list[tuple[str, int, int, int, int, int]]:
    """The worked examples: (layer, W, K, S, P, the output size nn.Conv2d gives)."""
    return [
        (name, w, k, s, p, run_layer(nn.Conv2d(3, 8, k, s, p), (1, 3, w, w))[0][-1])
        for name, w, k, s, p in EXAMPLES
    ]


def figure_data() -> dict[str, Any]:
    """Output size against input size: the figure's Conv2d layers, and MaxPool2d floor / ceil."""
    sizes = list(FIGURE_SIZES)
    convs = []
    for kernel, stride, padding, dilation in FIGURE_CONVS:
        layer = nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False)
        measured = [run_layer(layer, (1, 1, w, w))[0] for w in sizes]
        points = [(w, shape[-1]) for w, shape in zip(sizes, measured) if shape is not None]
        formula = [max(dilated_formula(w, kernel, stride, padding, dilation), 0) for w in sizes]
        convs.append(((kernel, stride, padding, dilation), points, formula))
    pools = {}
    for ceil_mode in (False, True):
        layer = nn.MaxPool2d(*FIGURE_POOL, ceil_mode=ceil_mode)
        pools[ceil_mode] = [
            (w, s[-1]) for w in sizes if (s := run_layer(layer, (1, 1, w, w))[0]) is not None
        ]
    same = [tf_same_output_size(w, FIGURE_POOL[1]) for w in sizes]
    return {"sizes": sizes, "convs": convs, "pools": pools, "same": same}


def measure(mode: str, seed: int) -> dict[str, Any]:
    """Every family's agreement counts, padding='same''s counts, the worked examples, the figure."""
    count, rng = COUNTS[mode], np.random.default_rng(seed)
    families = {
        "conv": conv_family(rng, count, dilated=False),
        "dilated": conv_family(rng, count, dilated=True),
        "pool": pool_family(rng, count, ceil_mode=False),
        "ceil": pool_family(rng, count, ceil_mode=True),
    }
    families["same"], same_ok, strided, strided_refused = tf_same_family(rng, count)
    return {
        "count": count,
        "families": families,
        "same_ok": same_ok,
        "strided": strided,
        "strided_refused": strided_refused,
        "examples": examples(),
        "figure": figure_data(),
    }
