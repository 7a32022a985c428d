"""The batchnorm topic: measure."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.diagnose.inputs import preserved
from glassnet.lab.kit.curve import Curve, evaluate, train
from glassnet.lab.kit.data import Split
from glassnet.lab.topics.batchnorm.models import ShiftNoise, build, modules_of, relu_outputs, shift
from glassnet.lab.topics.batchnorm.settings import (
    BATCH,
    EVAL_EVERY,
    FREEZE_AFTER,
    LANDSCAPE_EVERY,
    LANDSCAPE_STEPS,
    PROBE_EVERY,
    TARGET,
)
from glassnet.nn import functional as F


@dataclass
class Runs:
    """The runs of one (variant, lr): one Curve per seed, and whatever was probed."""

    curves: list[Curve] = field(default_factory=list)
    drift: list[float] = field(default_factory=list)
    models: list[nn.Module] = field(default_factory=list)
    landscape: list[tuple[float, float, float]] = field(default_factory=list)  # see `landscape`

    def steps(self, budget: int) -> float:
        """Mean steps to TARGET over the seeds, an unreached seed counting as the budget."""
        found = [c.steps_to(TARGET) for c in self.curves]
        return float(np.mean([budget if step is None else step for step in found]))

    def reached(self) -> int:
        return sum(c.steps_to(TARGET) is not None for c in self.curves)

    def trains(self) -> bool:
        """Reached the target in at least half of the seeds, and no seed diverged."""
        return 2 * self.reached() >= len(self.curves) and not any(c.diverged for c in self.curves)

    def label(self, budget: int) -> str:
        missing = len(self.curves) - self.reached()
        return f"{self.steps(budget):.0f}" + (
            f" ({missing} of {len(self.curves)} unreached)" if missing else ""
        )


def run_variant(
    variant: str,
    lr: float,
    data: Split,
    steps: int,
    seeds: int,
    seed: int,
    stop: bool,
    probe: np.ndarray | None = None,
    probe_batch: tuple[np.ndarray, np.ndarray] | None = None,
) -> Runs:
    """`seeds` runs of `variant` at `lr`; `probe` rows: the drift; `probe_batch`: the landscape."""
    runs = Runs()
    for k in range(seeds):
        model = build(variant, seed * 100 + k)
        noise, norms = modules_of(model, ShiftNoise), modules_of(model, nn.BatchNorm1d)
        snapshots: list[list[np.ndarray]] = []

        def before(step: int, noise: list = noise, norms: list = norms) -> None:
            for module in noise:
                module.redraw()
            if (
                variant == "frozen" and step > FREEZE_AFTER
            ):  # the running averages replace the batch's statistics
                for module in norms:
                    module.eval()

        def after(
            step: int, curve: Curve, model: nn.Module = model, snapshots: list = snapshots
        ) -> None:
            if probe is not None and step % PROBE_EVERY == 0:
                snapshots.append(relu_outputs(model, probe))
            if probe_batch is not None and step % LANDSCAPE_EVERY == 0:
                runs.landscape.append(landscape(model, *probe_batch, lr))

        curve = train(
            model,
            optim.SGD(model.parameters(), lr=lr),
            data,
            steps,
            BATCH,
            seed * 100 + k,
            EVAL_EVERY,
            stop_at=TARGET if stop else None,
            before_step=before,
            after_step=after,
        )
        runs.curves.append(curve)
        runs.models.append(model)
        if len(snapshots) >= 2:
            runs.drift.append(mean_drift(snapshots))
    return runs


def mean_drift(snapshots: list[list[np.ndarray]]) -> float:
    """The mean shift (models.shift) of every layer's input between consecutive probes."""
    return float(
        np.nanmean(
            [shift(a, b) for old, new in itertools.pairwise(snapshots) for a, b in zip(old, new)]
        )
    )


def eval_accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    return evaluate(model, x, y)[1]


def batch_stat_accuracy(
    model: nn.Module, x: np.ndarray, y: np.ndarray, batches: list[np.ndarray]
) -> float:
    """Accuracy when every test batch is normalised with its own statistics (train-mode BN, nothing updated)."""
    correct = 0
    with preserved(model, "train"), glassnet.no_grad():
        for index in batches:
            correct += int(
                np.sum(model(glassnet.from_numpy(x[index])).data.argmax(axis=1) == y[index])
            )
    return correct / len(y)


def coupling(model: nn.Module, probe: np.ndarray, seed: int) -> dict[str, tuple[float, float]]:
    """Change of the third Linear's input when the second Linear's weights change: (distribution, per-sample)."""
    target = modules_of(model, nn.Linear)[1]
    before = relu_outputs(model, probe)[1]
    weight, bias = target.weight.data.copy(), target.bias.data.copy()
    noise = np.random.default_rng(seed).standard_normal(weight.shape).astype(np.float32)
    changes = {}
    for name, (new_w, new_b) in {
        "x2": (2 * weight, 2 * bias),
        "noise": (weight + 0.1 * np.linalg.norm(weight) / math.sqrt(weight.size) * noise, bias),
    }.items():
        target.weight.data[...], target.bias.data[...] = new_w, new_b
        after = relu_outputs(model, probe)[1]
        changes[name] = (
            shift(before, after),
            float(np.linalg.norm(after - before) / np.linalg.norm(before)),
        )
    target.weight.data[...], target.bias.data[...] = weight, bias
    return changes


def loss_and_grad(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The cross-entropy on (x, y) in the model's current mode and its gradient, flattened."""
    model.zero_grad()
    loss = F.cross_entropy(model(glassnet.from_numpy(x)), glassnet.from_numpy(y))
    loss.backward()
    grads = [p.grad.data.ravel() for p in model.parameters()]
    model.zero_grad()
    return float(loss.item()), np.concatenate(grads).astype(np.float64)


def landscape(model: nn.Module, x: np.ndarray, y: np.ndarray, lr: float) -> tuple:
    """Santurkar et al.'s three measures along the gradient g at the current weights w:

        loss range   = max_k L(w - k lr g) - min_k L(w - k lr g)       (loss landscape)
        grad change  = max_k ||g(w - k lr g) - g||                       (gradient predictiveness)
        beta         = max_k ||g(w - k lr g) - g|| / (k lr ||g||)        (effective smoothness)

    for k in LANDSCAPE_STEPS (and k = 0), on one fixed batch in train mode; every weight and
    BN buffer is restored after.
    """
    saved = {name: value.data.copy() for name, value in model.state_dict().items()}
    params = list(model.parameters())
    start = [p.data.copy() for p in params]
    loss0, g0 = loss_and_grad(model, x, y)
    losses, changes, betas = [loss0], [], []
    for k in LANDSCAPE_STEPS:
        offset = 0
        for p, w in zip(params, start):
            size = w.size
            p.data[...] = w - k * lr * g0[offset : offset + size].reshape(w.shape)
            offset += size
        loss, g = loss_and_grad(model, x, y)
        losses.append(loss)
        changes.append(float(np.linalg.norm(g - g0)))
        betas.append(changes[-1] / max(k * lr * float(np.linalg.norm(g0)), 1e-12))
    model.load_state_dict(saved)
    return float(np.ptp(losses)), max(changes), max(betas)
