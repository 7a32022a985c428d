"""The xavier_he topic's measurements: the std probe through depth, the fans as variance gains,
and the training runs over each init's learning-rate grid. Plain data, no prose."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.costs import Costs, timed
from glassnet.lab.kit.data import Split, digits_standardised
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.text import Text
from glassnet.lab.topics.xavier_he.settings import (
    FAN_LAYERS,
    LRS,
    NETS,
    PROBE_INITS,
    PROBE_SIZES,
    RELU_INITS,
    RELU_NET,
    SATURATION,
    SEEDS,
    STEPS,
    TANH_INITS,
    TANH_NET,
    TRAINS,
)
from glassnet.nn import init as nn_init

__all__ = ["Measured", "measure", "probe", "fans", "best_lr"]


@dataclass
class Measured:
    """What one run measured: probes[(activation, init)] -> one probe per seed, the fans' rows,
    runs[(net, init, lr)] -> one T.Run per seed, and best[(net, init)] -> (lr, mean train acc)."""

    probes: dict
    fans: list[dict]
    runs: dict
    best: dict

    def ratio(self, activation: str, scheme: str) -> float:
        """The mean over seeds of the std ratio last/first layer of one probe."""
        return mean_std_finite([p["ratio"] for p in self.probes[(activation, scheme)]])[0]


def probe(x: np.ndarray, activation: str, scheme: str, seed: int) -> dict:
    """Every layer's std at init, and the last layer's saturation, zeros and unit correlation."""
    model = T.build_mlp(PROBE_SIZES, activation, scheme, np.random.default_rng([seed, 1]))
    outputs = T.activation_outputs(model, x)
    stds = [float(h.std()) for h in outputs]
    last, tanh = outputs[-1], activation == "tanh"
    return {
        "stds": stds,
        "ratio": stds[-1] / stds[0] if stds[0] else math.nan,
        "mean_last": float(last.mean()),
        "saturated": float((np.abs(last) > SATURATION).mean()) if tanh else None,
        "zeros": float((last == 0).mean()) if activation == "relu" else None,
        "corr": T.mean_unit_correlation(last),
        "max_saturated": max(float((np.abs(h) > SATURATION).mean()) for h in outputs)
        if tanh
        else None,
    }


def _mean_square(a: np.ndarray) -> float:
    return float(np.mean(np.square(a, dtype=np.float64)))


def fans(seed: int) -> list[dict]:
    """fan_in and fan_out measured as variance gains: forward Var(y) / (Var(x) Var(W)), backward
    Var(dx) / (Var(dy) Var(W)) at interior positions (used by every kernel position)."""
    rng = np.random.default_rng([seed, 2])
    rows = []
    for name, make, shape in FAN_LAYERS:
        layer = make()
        nn_init.normal_(layer.weight, 0.0, 1.0, generator=rng)
        nn_init.zeros_(layer.bias)
        x = glassnet.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        y = layer(x)
        g = rng.standard_normal(tuple(y.shape)).astype(np.float32)
        (y * glassnet.tensor(g)).sum().backward()
        w2 = _mean_square(layer.weight.data)
        dx = np.asarray(x.grad.data, dtype=np.float64)
        if dx.ndim == 4:  # interior inputs (stride 1, no padding)
            k = layer.kernel_size[0]
            dx = dx[:, :, k - 1 : dx.shape[2] - k + 1, k - 1 : dx.shape[3] - k + 1]
        fan_in, fan_out = nn_init._calculate_fan_in_and_fan_out(layer.weight)
        rows.append(
            {
                "name": name,
                "shape": tuple(layer.weight.shape),
                "out_channels": int(layer.weight.shape[0]),
                "fan_in": fan_in,
                "fan_out": fan_out,
                "forward_gain": _mean_square(y.data) / (_mean_square(x.data) * w2),
                "backward_gain": _mean_square(dx) / (_mean_square(g) * w2),
            }
        )
    return rows


def _train(data: Split, sizes, activation: str, scheme: str, lr: float, steps: int, seed: int):
    rng = np.random.default_rng([seed, 3])
    model = T.build_mlp(sizes, activation, scheme, rng)
    return T.train(model, data, steps, lr, rng, track=(TRAINS,))


def best_lr(runs: dict, net: str, scheme: str) -> tuple[float, float]:
    """(lr, mean final train accuracy) of the best lr for one init."""
    scores = {
        lr: mean_std_finite([r.train_accuracy for r in group])[0]
        for (n, s, lr), group in runs.items()
        if n == net and s == scheme
    }
    lr = max(scores, key=lambda key: scores[key])
    return lr, scores[lr]


def _training(data: Split, mode: str, seeds: list[int], costs: Costs) -> dict:
    (tanh_steps, relu_steps), (tanh_lrs, relu_lrs) = STEPS[mode], LRS[mode]
    runs: dict = {}
    for net, sizes, act, inits, lrs, steps, label in (
        ("tanh 10", TANH_NET, "tanh", TANH_INITS, tanh_lrs, tanh_steps, ("tanh, 10", "tanh,10")),
        ("relu 30", RELU_NET, "relu", RELU_INITS, relu_lrs, relu_steps, ("ReLU, 30", "ReLU,30")),
    ):
        with timed(costs, Text(f"training: {label[0]} layers", f"训练:{label[1]} 层")):
            for scheme in inits:
                for lr in lrs:
                    runs[(net, scheme, lr)] = [
                        _train(data, sizes, act, scheme, lr, steps, s) for s in seeds
                    ]
    return runs


def measure(mode: str, seed: int, costs: Costs | None = None) -> Measured:
    """The std probe and the fans at init, then every training run."""
    costs = [] if costs is None else costs
    seeds = [seed + k for k in range(SEEDS[mode])]
    data = digits_standardised()
    # a diverging run (large lr) overflows float32 on purpose: it stops as diverged, without warnings
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        with timed(costs, Text("std probe and fans", "标准差探针与扇入扇出")):
            probes = {
                (act, scheme): [probe(data.x_train, act, scheme, s) for s in seeds]
                for act, schemes in PROBE_INITS.items()
                for scheme in schemes
            }
            fan_rows = fans(seed)
        runs = _training(data, mode, seeds, costs)
    best = {(net, s): best_lr(runs, net, s) for net, inits in NETS for s in inits}
    return Measured(probes, fan_rows, runs, best)
