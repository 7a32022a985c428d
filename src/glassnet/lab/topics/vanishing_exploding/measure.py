"""The vanishing_exploding topic: measure (gradient profiles by depth, and the weights' fate).

Back-propagation through one layer computes delta_l = phi'(z_l) * (W_{l+1}^T delta_{l+1}), so,
with the weights independent of the signal, the RMS of the signal changes by the local factor

    f_l = RMS(phi'(z_l)) * sqrt(n_{l+1} * mean(W_{l+1}^2))

and the first-to-last ratio should be the product of the f_l.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.diagnose import gradient_flow
from glassnet.lab.kit.curve import probe_split as mnist1d_split
from glassnet.lab.kit.data import Split
from glassnet.lab.topics.vanishing_exploding.settings import (
    BATCH,
    CONFIGS,
    DEPTHS,
    FATE_SEED,
    FATES,
    LARGE_STD,
    MATCHED,
    SEEDS,
    TRAIN_BATCH,
    TRAIN_LR,
    TRAIN_STEPS,
    WIDTH,
)
from glassnet.models.mlp import MLP
from glassnet.nn import init as nn_init

__all__ = ["Profile", "build", "derivative", "mean_std", "measure", "profile", "train_norms"]


def build(depth: int, activation: str, init: str, seed: int) -> MLP:
    """A depth-hidden-layer MLP with the matched init, or every weight N(0, LARGE_STD^2); biases 0."""
    glassnet.manual_seed(seed)
    model = MLP([40] + [WIDTH] * depth + [10], activation, init=MATCHED[activation])
    if init == "large":
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                nn_init.normal_(layer.weight, 0.0, LARGE_STD)
    return model


def derivative(activation: str, z: np.ndarray) -> np.ndarray:
    """phi'(z) for the three activations (float64)."""
    z = z.astype(np.float64)
    if activation == "sigmoid":
        s = 0.5 * (1.0 + np.tanh(0.5 * z))
        return s * (1.0 - s)
    if activation == "tanh":
        return 1.0 - np.tanh(z) ** 2
    return (z > 0).astype(np.float64)


def log10(value: float) -> float:
    """log10 of a positive finite value, NaN otherwise."""
    return math.log10(value) if value > 0 and math.isfinite(value) else math.nan


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and std of the finite values (NaN, NaN when none is finite)."""
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    return (float(finite.mean()), float(finite.std())) if finite.size else (math.nan, math.nan)


@dataclass
class Profile:
    """One network's gradients: per-Linear weight-gradient norms, backward-signal RMS, local factors."""

    weight_grads: list[float]  # ||dL/dW_l||, input side first
    signal: list[float]  # RMS(dL/dz_l) at each Linear output, input side first
    factors: list[float]  # f_l, l = 1..depth (signal factor from z_{l+1} back to z_l)
    phi_rms: list[float]  # RMS(phi'(z_l))
    weight_gain: list[float]  # sqrt(n_{l+1} mean(W_{l+1}^2))
    flow: Any = None  # glassnet.diagnose's GradientFlow, for its figure

    @property
    def weight_ratio(self) -> float:
        return log10(self.weight_grads[0]) - log10(self.weight_grads[-1])

    @property
    def signal_ratio(self) -> float:
        return log10(self.signal[0]) - log10(self.signal[-1])

    @property
    def predicted(self) -> float:
        return float(sum(log10(f) for f in self.factors))


def profile(model: MLP, activation: str, x: np.ndarray, y: np.ndarray) -> Profile:
    """gradient_flow on (x, y) plus the pre-activations z_l (forward hooks on the activations)."""
    pre: list[np.ndarray] = []
    kinds = (nn.Sigmoid, nn.Tanh, nn.ReLU)
    hooks = [
        m.register_forward_hook(lambda module, args, out: pre.append(args[0].data.copy()))
        for m in model.modules()
        if isinstance(m, kinds)
    ]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            flow = gradient_flow(
                model, (glassnet.from_numpy(x), glassnet.from_numpy(y)), nn.CrossEntropyLoss()
            )
    finally:
        for handle in hooks:
            handle.remove()
    weights = [
        layer.weight.data.astype(np.float64)
        for layer in model.modules()
        if isinstance(layer, nn.Linear)
    ]
    phi = [float(np.sqrt(np.mean(derivative(activation, z) ** 2))) for z in pre]
    gain = [float(np.sqrt(w.shape[0] * np.mean(w * w))) for w in weights[1:]]
    return Profile(
        weight_grads=[row.grad_norm for row in flow.params if row.is_weight],
        signal=[row.grad_rms for row in flow.layers if row.class_name == "Linear"],
        factors=[p * g for p, g in zip(phi, gain)],
        phi_rms=phi,
        weight_gain=gain,
        flow=flow,
    )


def norm(array: np.ndarray) -> float:
    return float(np.linalg.norm(array.astype(np.float64)))


def sgd_steps(model: MLP, data: Split, steps: int, seed: int) -> float:
    """`steps` plain-SGD steps on random batches; the first step's ||dL/dW_1||.

    No stopping on divergence: what happens to the weights is the question.
    """
    first_layer = next(m for m in model.modules() if isinstance(m, nn.Linear))
    optimizer = optim.SGD(model.parameters(), lr=TRAIN_LR)
    rng = np.random.default_rng(seed)
    loss_fn = nn.CrossEntropyLoss()
    first_grad = math.nan
    for step in range(steps):
        index = rng.integers(0, len(data.y_train), TRAIN_BATCH)
        optimizer.zero_grad()
        loss = loss_fn(
            model(glassnet.from_numpy(data.x_train[index])),
            glassnet.from_numpy(data.y_train[index]),
        )
        loss.backward()
        if step == 0:
            first_grad = norm(first_layer.weight.grad.data)
        optimizer.step()
    return first_grad


def train_norms(model: MLP, data: Split, steps: int, seed: int) -> dict[str, float]:
    """Plain SGD for `steps` steps; the first and last Linear weights' norm ratios ||W_T|| / ||W_0||."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    first0, last0 = norm(linears[0].weight.data), norm(linears[-1].weight.data)
    start = linears[0].weight.data.astype(np.float64).copy()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        first_grad = sgd_steps(model, data, steps, seed)
        first = linears[0].weight.data.astype(np.float64)
        first_t, last_t = norm(first), norm(linears[-1].weight.data)
        change = float(np.linalg.norm(first - start)) / first0
    return {
        "first": first_t / first0,
        "last": last_t / last0,
        "change": change,
        "update": TRAIN_LR * first_grad / first0,
    }


def profiles_by_depth(data: Split, depths: list[int], seeds: int, seed: int) -> dict:
    """(activation, init, depth) -> one Profile per seed, each on its own fixed batch."""
    profiles: dict[tuple[str, str, int], list[Profile]] = {}
    for activation, init in CONFIGS:
        for depth in depths:
            runs = []
            for k in range(seeds):
                index = np.random.default_rng(seed * 1000 + k).choice(
                    len(data.y_train), BATCH, replace=False
                )
                model = build(depth, activation, init, seed * 1000 + k)
                runs.append(profile(model, activation, data.x_train[index], data.y_train[index]))
            profiles[(activation, init, depth)] = runs
    return profiles


def measure(mode: str, seed: int) -> dict[str, Any]:
    """The profiles of every configuration and depth, and the trained weights' fate at the deepest."""
    depths, seeds, steps = DEPTHS[mode], SEEDS[mode], TRAIN_STEPS[mode]
    data = mnist1d_split()
    profiles = profiles_by_depth(data, depths, seeds, seed)
    fates = {
        (activation, init): train_norms(
            build(max(depths), activation, init, seed * 1000 + FATE_SEED), data, steps, seed
        )
        for activation, init in FATES
    }
    return {"depths": depths, "seeds": seeds, "steps": steps, "profiles": profiles, "fates": fates}
