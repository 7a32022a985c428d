"""The activations topic's measurements: the plans per mode, the mechanics at init, the trained MLPs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet.lab.kit import activations as T
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.stats import geometric_mean, mean_std
from glassnet.lab.topics.activations.probability import OutputRun
from glassnet.lab.topics.activations.settings import (
    ACTIVATION_SIZE,
    COMMON_LR,
    HIDDEN,
    TRAINED,
)


@dataclass(frozen=True)
class Plan:
    """How much each mode measures."""

    n_train: int | None  # training samples (None: all 3,500)
    epochs: int
    seeds: int
    lrs: tuple[float, ...]  # must contain COMMON_LR
    stack_width: int
    stack_seeds: int
    repeats: int  # timing repeats (the fastest counts)
    big_elements: int | None
    arithmetic_repeats: int  # CPU-time repeats of each activation's arithmetic at 1e6 elements
    probe_steps: int  # full-batch steps of the output probe (sigmoid's range as a probability)


PLANS = {
    "smoke": Plan(1500, 8, 2, (0.1, 0.3), 64, 1, 15, None, 30, 100),
    "quick": Plan(None, 20, 3, (0.03, 0.1, 0.3, 1.0), 100, 3, 40, 1_000_000, 30, 300),
    "full": Plan(None, 40, 5, (0.01, 0.03, 0.1, 0.3, 1.0), 100, 5, 100, 1_000_000, 60, 600),
}


@dataclass
class Mechanics:
    """One activation on the grid x in [-30, 30] (float32), by its glassnet op and autograd."""

    low: float  # min f(x)
    high: float  # max f(x)
    value_error_pos: float  # max |f(x) - x| over x > 0
    one_error_pos: float  # max |f(x) - 1| over x > 0
    zeros_neg: float  # share of x < 0 with f(x) == 0 exactly
    min_grad_neg: float  # min |f'(x)| over x < 0
    grad_pos: tuple[float, float]  # min and max f'(x) over x > 0
    max_grad: float
    active_edge: float  # largest |x| with f'(x) >= 10% of max f' (saturating functions)
    grad_at_09: float  # f'(0.9) / max f'
    jump: float  # largest change of f' between neighbouring grid points (spacing 1e-4)
    exact_one_at: float  # smallest x with f(x) == 1.0 exactly in float32 (sigmoid), else nan
    exact_zero_at: float  # largest x < 0 with f(x) == 0.0 exactly in float32, else nan


def mechanics(name: str) -> Mechanics:
    x = np.linspace(-30, 30, 600_001, dtype=np.float32)
    leaf = glassnet.tensor(x, requires_grad=True)
    out = T.GLASSNET_OPS[name](leaf)
    out.sum().backward()
    y, grad = out.data.astype(np.float64), leaf.grad.data.astype(np.float64)
    pos, neg = x > 0, x < 0
    active = np.abs(x[grad >= 0.1 * grad.max()])
    ones, zeros = x[y == 1.0], x[neg & (y == 0.0)]
    return Mechanics(
        float(y.min()),
        float(y.max()),
        float(np.abs(y[pos] - x[pos]).max()),
        float(np.abs(y[pos] - 1).max()),
        float((y[neg] == 0).mean()),
        float(np.abs(grad[neg]).min()),
        (float(grad[pos].min()), float(grad[pos].max())),
        float(grad.max()),
        float(active.max()),
        float(grad[np.argmin(np.abs(x - 0.9))] / grad.max()),
        float(np.abs(np.diff(grad)).max()),
        float(ones.min()) if ones.size else math.nan,
        float(zeros.max()) if zeros.size else math.nan,
    )


@dataclass
class Trained:
    """All seeds of one (activation, lr): the runs and the hidden layers' statistics after training."""

    runs: list[T.Run]
    after: list[T.UnitStats]

    def area(self, epochs: int) -> list[float]:
        return [run.loss_area(epochs, math.log(10)) for run in self.runs]

    def quarter(self, late: bool) -> list[float]:
        """Per seed: the mean update ratio of the first (or last) quarter of the epochs."""
        values = []
        for run in self.runs:
            ratios = run.update_ratio
            k = max(1, len(ratios) // 4)
            part = ratios[-k:] if late else ratios[:k]
            values.append(float(np.mean(part)) if part and not run.diverged else math.nan)
        return values


def train_all(plan: Plan, data: Split, seeds: list[int]) -> dict[tuple[str, float], Trained]:
    found = {}
    for name in TRAINED:
        for lr in plan.lrs:
            runs, after = [], []
            for seed in seeds:
                model, run = T.train_mlp(
                    [40, *HIDDEN, 10], name, data, lr, plan.epochs, seed, update_every=5
                )
                runs.append(run)
                after.append(T.unit_stats(model, name, data.x_train))
            found[name, lr] = Trained(runs, after)
    return found


def at_init(
    data: Split, seeds: list[int], weight_std: float | None = None
) -> dict[str, list[T.UnitStats]]:
    """Hidden-layer statistics of the untrained MLP on 1,000 training samples, per activation."""
    stats: dict[str, list[T.UnitStats]] = {}
    for name in TRAINED:
        stats[name] = []
        for seed in seeds:
            glassnet.manual_seed(seed)
            model = T.build_mlp([40, *HIDDEN, 10], name, weight_std=weight_std)
            stats[name].append(T.unit_stats(model, name, data.x_train[:1000]))
    return stats


def best_lr(
    trained: dict[tuple[str, float], Trained], name: str, lrs: tuple[float, ...], epochs: int
) -> float:
    """The grid lr with the lowest mean loss area for `name`."""
    return min(
        lrs, key=lambda lr: mean_std(trained[name, lr].area(epochs), ddof=1, finite_only=True)[0]
    )


@dataclass
class Context:
    """Everything measured, handed to the verdicts, the tables and the figures."""

    plan: Plan
    grid: dict[str, Mechanics]
    stacks: dict[tuple[str, str | None], list[T.StackGradients]]
    init_stats: dict[str, list[T.UnitStats]]
    large_stats: dict[str, list[T.UnitStats]]
    trained: dict[tuple[str, float], Trained]
    best: dict[str, float]
    costs: dict[int, dict[str, dict[str, float]]]
    steps: dict[str, float]
    arithmetic: dict[str, float]  # CPU ns per element of each activation's arithmetic, 1e6 elements
    probe: dict[str, list[OutputRun]]  # the output probe: each output, one run per seed

    def area(self, name: str, lr: float | None = None) -> list[float]:
        return self.trained[name, self.best[name] if lr is None else lr].area(self.plan.epochs)

    def ratio(self, name: str, init: str | None = "kaiming") -> float:
        return geometric_mean([stack.first_to_last for stack in self.stacks[name, init]])

    def saturation(self, name: str) -> tuple[float, float, float]:
        """Mean saturated share: at init, after training at the best lr, at init with N(0, 1) weights."""
        return (
            mean_std([s.saturated for s in self.init_stats[name]], ddof=1, finite_only=True)[0],
            mean_std(
                [s.saturated for s in self.trained[name, self.best[name]].after],
                ddof=1,
                finite_only=True,
            )[0],
            mean_std([s.saturated for s in self.large_stats[name]], ddof=1, finite_only=True)[0],
        )

    def cost(self, name: str) -> float:
        """glassnet's forward + backward, ns per element at the MLP's activation size (beside)."""
        return self.costs[ACTIVATION_SIZE][name]["forward_backward"]

    def arith(self, name: str) -> float:
        """CPU ns per element of the arithmetic itself (decides the cost claims)."""
        return self.arithmetic[name]

    def late_update(self, name: str) -> float:
        return mean_std(self.trained[name, COMMON_LR].quarter(late=True), ddof=1, finite_only=True)[
            0
        ]
