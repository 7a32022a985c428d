"""The batchnorm topic: models."""

from __future__ import annotations

import itertools
import math

import numpy as np

import glassnet
from glassnet import nn
from glassnet.diagnose.inputs import preserved
from glassnet.lab.topics.batchnorm.settings import HIDDEN, NOISE, NOISE_SCALE, NOISE_SHIFT, WIDTH
from glassnet.tensor import Tensor


class ShiftNoise(nn.Module):
    """y = x * s + m with s = exp(U(-a, a)), m = U(-b, b) per unit, redrawn every training step (identity in eval)."""

    def __init__(
        self,
        features: int,
        rng: np.random.Generator,
        scale: float = NOISE_SCALE,
        shift: float = NOISE_SHIFT,
    ) -> None:
        super().__init__()
        self.features, self.rng, self.a, self.b = features, rng, scale, shift
        self.redraw()

    def redraw(self) -> None:
        self.scale = np.exp(self.rng.uniform(-self.a, self.a, self.features)).astype(np.float32)
        self.shift = self.rng.uniform(-self.b, self.b, self.features).astype(np.float32)

    def forward(self, input: Tensor) -> Tensor:  # PyTorch's argument name
        if not self.training:
            return input
        return input * glassnet.from_numpy(self.scale) + glassnet.from_numpy(self.shift)


def build(variant: str, seed: int) -> nn.Sequential:
    """The MLP of `variant` (see VARIANTS); PyTorch's default init drawn after manual_seed(seed)."""
    glassnet.manual_seed(seed)
    layers: list[nn.Module] = [nn.BatchNorm1d(40)] if variant == "input" else []
    sizes = [40] + [WIDTH] * HIDDEN
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers.append(nn.Linear(fan_in, fan_out))
        if variant != "none":
            layers.append(nn.BatchNorm1d(fan_out, affine=variant != "no_affine"))
        if variant in NOISE:
            rng = np.random.default_rng(seed + 7 * len(layers))
            layers.append(ShiftNoise(fan_out, rng, *NOISE[variant]))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(WIDTH, 10))
    if variant == "output":
        layers.append(nn.BatchNorm1d(10))
    return nn.Sequential(*layers)


def modules_of(model: nn.Module, kind: type) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, kind)]


def relu_outputs(model: nn.Module, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden ReLU's output (the next Linear's input) on x, in train mode (batch statistics), state restored."""
    captured: list[np.ndarray] = []
    hooks = [
        m.register_forward_hook(lambda mod, args, out: captured.append(out.data.astype(np.float64)))
        for m in modules_of(model, nn.ReLU)
    ]
    try:
        with preserved(model, "train"), glassnet.no_grad():
            model(glassnet.from_numpy(x))
    finally:
        for handle in hooks:
            handle.remove()
    return captured


def shift(before: np.ndarray, after: np.ndarray) -> float:
    """Distribution change of a layer's input: mean over units of |d mean| + |d std|, over the mean std before."""
    scale = before.std(axis=0).mean()
    change = np.abs(after.mean(axis=0) - before.mean(axis=0)) + np.abs(
        after.std(axis=0) - before.std(axis=0)
    )
    return float(change.mean() / scale) if scale > 0 else math.nan
