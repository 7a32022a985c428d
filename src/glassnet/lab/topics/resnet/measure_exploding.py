"""The resnet topic: do gradients explode in deep plain nets, and do shortcuts stop it?

The measure is the diagnose tool's first-to-last ratio of weight gradients,

    r = ||dL/dW_first conv|| / ||dL/dW_classifier||

on the same two layers (the same shapes) at every depth, so the growth of r from the
shallowest to the deepest net is what depth alone does to the gradient on its way back
(Yang et al. 2019: a deep plain BN net's gradient explodes at initialisation). The main
nets are the topic's own, with BatchNorm (their r at initialisation and every step of
training is recorded by `measure`); beside them the same nets without BatchNorm (each
BatchNorm2d replaced by the identity), probed at initialisation and trained EARLY_STEPS
steps with the same SGD, where a residual net's forward variance grows with depth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab.kit import sequences as ts
from glassnet.lab.kit.loop import Trace, train_loop
from glassnet.lab.topics.resnet.measure import Data, backward_profile, build
from glassnet.lab.topics.resnet.settings import (
    BATCH,
    CONFIG,
    EARLY_STEPS,
    FAMILIES,
    LR,
    MOMENTUM,
    PROBE,
)


def geo(values: list[float]) -> float:
    """Geometric mean; nan for no values."""
    return float(math.exp(np.mean(np.log(values)))) if len(values) else math.nan


def early_ratio(first: list[float], last: list[float]) -> float:
    """Geometric mean of first / last over the first EARLY_STEPS steps (finite, non-zero ones)."""
    pairs = zip(first[:EARLY_STEPS], last[:EARLY_STEPS])
    return geo([a / b for a, b in pairs if 0 < a < math.inf and 0 < b < math.inf])


def without_bn(model: nn.Module) -> nn.Module:
    """Replace every BatchNorm2d of `model` by the identity, in place."""
    for module in list(model.modules()):
        for name, child in list(module._modules.items()):
            if isinstance(child, nn.BatchNorm2d):
                setattr(module, name, nn.Identity())
    return model


@dataclass
class Unnormalised:
    """One net without BatchNorm: r at initialisation and over early training, its logits."""

    ratio_init: float
    ratio_early: float
    logits_rms: float  # RMS of the logits on the probe batch at initialisation
    diverged_at: int | None  # the first step whose mini-batch loss was not finite


def unnormalised_run(family: str, depth: int, seed: int, data: Data, widths: tuple) -> Unnormalised:
    model = without_bn(build(family, depth, seed * 1000 + depth, widths))
    probe = ts.sample_batch(np.random.default_rng([seed, 0, 7]), data[0], data[1], PROBE)
    grads = backward_profile(model, probe)[1]
    with glassnet.no_grad():
        logits = model(glassnet.tensor(probe[0])).data.astype(np.float64)

    def record(step: int, trace: Trace) -> None:
        trace.record("first", float(np.linalg.norm(model.conv1.weight.grad.data)))
        trace.record("last", float(np.linalg.norm(model.fc.weight.grad.data)))

    rng = np.random.default_rng([seed, 0])
    batches = (ts.sample_batch(rng, data[0], data[1], BATCH) for _ in iter(int, 1))
    optimizer = glassnet.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    with np.errstate(over="ignore", invalid="ignore"):
        trace = train_loop(model, optimizer, batches, EARLY_STEPS, before_update=record)
    return Unnormalised(
        ratio_init=grads[0] / grads[-1] if grads[-1] > 0 else math.inf,
        ratio_early=early_ratio(trace.records.get("first", []), trace.records.get("last", [])),
        logits_rms=float(np.sqrt(np.mean(logits**2))),
        diverged_at=trace.diverged_at,
    )


def unnormalised(mode: str, seed: int, data: Data) -> dict[tuple[str, int], Unnormalised]:
    """Every family and depth of `mode`, without BatchNorm, one seed."""
    config = CONFIG[mode]
    return {
        (family, depth): unnormalised_run(family, depth, seed, data, config["widths"])
        for depth in config["depths"]
        for family in FAMILIES
    }
