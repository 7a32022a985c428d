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
    PROBE_EVERY,
    TARGET,
)


@dataclass
class Runs:
    """The runs of one (variant, lr): one Curve per seed, and whatever was probed."""

    curves: list[Curve] = field(default_factory=list)
    drift: list[float] = field(default_factory=list)
    models: list[nn.Module] = field(default_factory=list)

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
) -> Runs:
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
            runs.drift.append(
                float(
                    np.nanmean(
                        [
                            shift(a, b)
                            for old, new in itertools.pairwise(snapshots)
                            for a, b in zip(old, new)
                        ]
                    )
                )
            )
    return runs


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
