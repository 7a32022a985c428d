"""The init_diagnosis topic's measurements: glassnet's diagnostics at init for every (activation,
init), the outcome of training each net, and the shape of the good pairs' activations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet import diagnose, nn
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.costs import Costs, timed
from glassnet.lab.kit.data import Split, digits_standardised
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.text import Text
from glassnet.lab.topics.init_diagnosis.settings import (
    ACTIVATIONS,
    BATCH,
    GOOD,
    INITS,
    LRS,
    SEEDS,
    SIZES,
    STEPS,
    WEIGHT_STD,
)
from glassnet.nn import init as nn_init

__all__ = ["Measured", "ks_to_uniform", "measure"]


@dataclass
class Measured:
    """diagnosed[(act, init)] = (stats, activation alarms, gradient alarms); outcome[(act, init)] =
    (best lr, test accuracies); shape[act] = the good pair's per-layer ks, means, vars, spread."""

    diagnosed: dict
    outcome: dict
    shape: dict
    weights: dict  # act -> (stats, alarms, gradient alarms, (best lr, accuracies)) for N(0, 0.02^2)


def ks_to_uniform(values: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the values and a uniform distribution on their central
    99% range."""
    v = np.sort(np.asarray(values, dtype=np.float64).ravel())
    low, high = np.quantile(v, [0.005, 0.995])
    if high <= low:
        return 1.0  # a point mass is as far from uniform as it gets
    uniform = np.clip((v - low) / (high - low), 0.0, 1.0)
    n = v.size
    upper = np.arange(1, n + 1) / n
    return float(max(np.abs(upper - uniform).max(), np.abs(upper - 1 / n - uniform).max()))


def _diagnose(model: nn.Module, data: Split) -> tuple[diagnose.ActivationStats, list, list]:
    x, y = glassnet.tensor(data.x_train[:BATCH]), glassnet.tensor(data.y_train[:BATCH])
    stats = diagnose.activation_stats(model, x)
    flow = diagnose.gradient_flow(model, (x, y), nn.CrossEntropyLoss(), lr=0.01)
    return stats, diagnose.activation_alarms(stats), diagnose.gradient_alarms(flow)


def build(act: str, scheme: str, rng: np.random.Generator) -> nn.Module:
    """The MLP with a named init, or with weights from N(0, WEIGHT_STD^2) for scheme 'n002'."""
    if scheme != "n002":
        return T.build_mlp(SIZES, act, scheme, rng)
    model = T.build_mlp(SIZES, act, "zeros", rng)
    for layer in T.linears(model):
        nn_init.normal_(layer.weight, 0.0, WEIGHT_STD, generator=rng)
    return model


def two_sample_ks(a: np.ndarray, b: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the empirical distributions of a and b."""
    a, b = np.sort(a.ravel()), np.sort(b.ravel())
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / a.size
    cdf_b = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _outcome(data: Split, act: str, scheme: str, steps: int, lrs, seeds: list[int]) -> tuple:
    """(best lr, test accuracies per seed at it) over the lr grid."""
    by_lr = {}
    for lr in lrs:
        accs = []
        for s in seeds:
            rng = np.random.default_rng([s, 1])
            model = build(act, scheme, rng)
            accs.append(T.train(model, data, steps, lr, rng).test_accuracy)
        by_lr[lr] = accs
    best = max(by_lr, key=lambda lr: mean_std_finite(by_lr[lr])[0])
    return best, by_lr[best]


def shape_of(diagnosed: dict, data: Split, seed: int) -> dict:
    """The good pairs' activations layer by layer at init: KS distance to uniform, means,
    variances, and the spread (largest / smallest layer std)."""
    shape = {}
    for act, scheme in GOOD:
        model = T.build_mlp(SIZES, act, scheme, np.random.default_rng([seed, 1]))
        outputs = T.activation_outputs(model, data.x_train[:BATCH])
        layers = diagnosed[(act, scheme)][0].activations()
        stds = [row.std for row in layers]
        shape[act] = {
            "scheme": scheme,
            "layers": layers,
            "ks": [ks_to_uniform(h) for h in outputs],
            "alike": [two_sample_ks(h, outputs[0]) for h in outputs],
            "spread": max(stds) / min(stds),
            "means": [row.mean for row in layers],
            "vars": [row.std**2 for row in layers],
        }
    return shape


def measure(mode: str, seed: int, costs: Costs | None = None) -> Measured:
    """Diagnose every (activation, init) at init, then train it over the lr grid."""
    costs = [] if costs is None else costs
    steps, seeds, lrs = STEPS[mode], [seed + k for k in range(SEEDS[mode])], LRS[mode]
    data = digits_standardised()
    keys = [(act, scheme) for act in ACTIVATIONS for scheme in INITS]
    # the exploding inits overflow float32 on purpose: their runs stop as diverged, without warnings
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        with timed(costs, Text("diagnostics at init", "初始化时的诊断")):
            diagnosed = {
                (act, s): _diagnose(
                    T.build_mlp(SIZES, act, s, np.random.default_rng([seed, 1])), data
                )
                for act, s in keys
            }
        with timed(costs, Text("training", "训练")):
            outcome = {(a, s): _outcome(data, a, s, steps, lrs, seeds) for a, s in keys}
        shape = shape_of(diagnosed, data, seed)
        with timed(costs, Text("N(0, 0.02^2) weights", "N(0, 0.02^2) 权重")):
            weights = {
                act: (
                    *_diagnose(build(act, "n002", np.random.default_rng([seed, 1])), data),
                    _outcome(data, act, "n002", steps, lrs, seeds),
                )
                for act in ACTIVATIONS
            }
    return Measured(diagnosed, outcome, shape, weights)
