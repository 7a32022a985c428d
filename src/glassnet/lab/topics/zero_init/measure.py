"""The zero_init topic: measure. Every net trained, with its accuracy, spread, rank and gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import nn
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.costs import Costs, timed
from glassnet.lab.kit.data import Split, digits_standardised
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.topics.zero_init.settings import (
    BATCH,
    CONFIGS,
    FLOAT64_SALT,
    HIDDEN,
    LR,
    MOMENTUM,
    PERTURBATION,
    PERTURBED_SALT,
    SEEDS,
    STEPS,
    SYMMETRIC,
)


def spread(model: nn.Module) -> float:
    """The largest unit spread over the hidden layers (0: the units are bitwise equal)."""
    return max(T.unit_spread(layer) for layer in T.linears(model)[:-1])


def rank(model: nn.Module, x: np.ndarray) -> int:
    return max(T.numerical_rank(h) for h in T.activation_outputs(model, x))


def hidden_norm(norms: list[float]) -> float | None:
    """The norm of all hidden-layer weight gradients together (None for a net without hidden layers)."""
    return float(np.sqrt(np.sum(np.square(norms[:-1])))) if len(norms) > 1 else None


def build(
    data: Split,
    sizes: list[int],
    activation: str,
    scheme: str,
    rng: np.random.Generator,
    perturb: float,
) -> nn.Module:
    """The MLP in the data's precision, its hidden weights perturbed by a relative `perturb`."""
    model = T.build_mlp(sizes, activation, scheme, rng)
    if data.x_train.dtype == np.float64:
        model = model.double()
    if perturb:
        for layer in T.linears(model)[:-1]:
            layer.weight.data[...] *= 1 + perturb * rng.standard_normal(layer.weight.shape)
    return model


def train_one(
    data: Split,
    sizes: list[int],
    activation: str,
    scheme: str,
    steps: int,
    seed: int,
    salt: int,
    perturb: float = 0.0,
    trace: list | None = None,
) -> dict:
    """Train one net; returns its measurements (and the model, for the figures)."""
    rng = np.random.default_rng([seed, salt])
    model = build(data, sizes, activation, scheme, rng, perturb)
    callback = None
    if trace is not None:

        def callback(step: int, net: nn.Module) -> None:
            if step % 10 == 0:
                trace.append((step, spread(net)))

    run = T.train(
        model,
        data,
        steps,
        LR,
        rng,
        batch_size=BATCH,
        momentum=MOMENTUM,
        grad_norms=True,
        callback=callback,
    )
    hidden = len(sizes) > 2
    return {
        "test": run.test_accuracy,
        "train": run.train_accuracy,
        "diverged": run.diverged,
        "spread": spread(model) if hidden else T.unit_spread(T.linears(model)[0]),
        "rank": rank(model, data.x_test) if hidden else None,
        "g_start": hidden_norm(run.grad_norms_start),
        "g_end": hidden_norm(run.grad_norms_end),
        "losses": run.losses,
        "model": model,
    }


def traced32(name: str, act: str, scheme: str) -> str | None:
    """The float32 nets whose spread is traced (first seed): the symmetric ones that can move."""
    if name == "2 hidden" and scheme in SYMMETRIC and not (scheme == "zeros" and act != "sigmoid"):
        return f"{act} {scheme}, float32"
    return None


def float32_runs(data: Split, steps: int, seeds: list[int], seed: int, traces: dict) -> dict:
    runs: dict[tuple, list[dict]] = {}
    for salt, (name, sizes, act, scheme) in enumerate(CONFIGS):
        for s in seeds:
            label = traced32(name, act, scheme) if s == seed else None
            trace = traces.setdefault(label, []) if label else None
            runs.setdefault((name, act, scheme, "float32"), []).append(
                train_one(
                    data, sizes, "relu" if act == "-" else act, scheme, steps, s, salt, trace=trace
                )
            )
    return runs


def float64_runs(data: Split, steps: int, seeds: list[int], seed: int, traces: dict) -> dict:
    """The symmetric inits again in float64 (exact arithmetic for these products)."""
    symmetric = [c for c in CONFIGS if c[0] != "linear" and c[3] in SYMMETRIC]
    runs: dict[tuple, list[dict]] = {}
    for salt, (name, sizes, act, scheme) in enumerate(symmetric):
        for s in seeds:
            traced = s == seed and name == "2 hidden" and act == "tanh" and scheme == "constant"
            trace = traces.setdefault(f"{act} constant, float64", []) if traced else None
            runs.setdefault((name, act, scheme, "float64"), []).append(
                train_one(data, sizes, act, scheme, steps, s, FLOAT64_SALT + salt, trace=trace)
            )
    return runs


def perturbed_run(data: Split, steps: int, seed: int, traces: dict) -> dict:
    """tanh from a constant in float64, perturbed by a relative PERTURBATION."""
    label = f"tanh constant, float64, +{PERTURBATION:g} perturbation"
    return train_one(
        data,
        HIDDEN,
        "tanh",
        "constant",
        steps,
        seed,
        PERTURBED_SALT,
        perturb=PERTURBATION,
        trace=traces.setdefault(label, []),
    )


def measure(mode: str, seed: int) -> dict[str, Any]:
    """Every run by (model, activation, init, precision), the spread traces, the perturbed run
    (None in smoke mode) and the cost of each part (keys 'float32', 'float64')."""
    steps, seeds = STEPS[mode], [seed + k for k in range(SEEDS[mode])]
    costs: Costs = []
    traces: dict[str, list] = {}
    data32, data64 = digits_standardised(), digits_standardised().astype(np.float64)
    with one_blas_thread():
        with timed(costs, "float32"):
            runs = float32_runs(data32, steps, seeds, seed, traces)
        with timed(costs, "float64"):
            runs.update(float64_runs(data64, steps, seeds, seed, traces))
            perturbed = perturbed_run(data64, steps, seed, traces) if mode != "smoke" else None
    return {
        "steps": steps,
        "seeds": seeds,
        "runs": runs,
        "traces": traces,
        "perturbed": perturbed,
        "costs": costs,
    }
