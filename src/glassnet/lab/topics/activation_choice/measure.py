"""activation_choice's measurement: a learning-rate sweep per activation and network.

measure(mode, seed) -> {"sizes": {n_train, n_val, n_test}, "seeds", "lrs", "sweeps": [Sweep], "cpu", "wall", "load"}
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from glassnet.lab.kit import activations as T
from glassnet.lab.kit.data import Split, mnist1d
from glassnet.lab.kit.machine import load_average
from glassnet.lab.kit.stats import mean_std
from glassnet.lab.topics.activation_choice.settings import N_VAL, NETS, PLANS, USABLE, Plan


@dataclass
class Cell:
    """All seeds of one (net, activation, lr)."""

    runs: list[T.Run]
    dead: list[
        float
    ]  # share of hidden units with input <= 0 for every training sample (nan: diverged)

    @property
    def val(self) -> float:
        return float(np.mean([run.final_val for run in self.runs]))

    @property
    def diverged(self) -> int:
        return sum(run.diverged for run in self.runs)

    @property
    def dead_mean(self) -> float:
        """The mean dead share over the seeds that did not diverge (nan when all did)."""
        return mean_std(self.dead, ddof=1, finite_only=True)[0]


@dataclass
class Sweep:
    """One network's sweep: cells by (activation, lr)."""

    net: str
    lrs: tuple[float, ...]
    cells: dict[tuple[str, float], Cell]

    def best_lr(self, name: str) -> float:
        # a tie goes to the smaller lr
        return max(self.lrs, key=lambda lr: (self.cells[name, lr].val, -lr))

    def best_val(self, name: str) -> float:
        return self.cells[name, self.best_lr(name)].val

    def usable(self, name: str) -> list[float]:
        best = self.best_val(name)
        return [lr for lr in self.lrs if self.cells[name, lr].val >= best - USABLE]

    def test_at_best(self, name: str) -> list[float]:
        return [run.test_acc for run in self.cells[name, self.best_lr(name)].runs]

    def ms_per_step(self, name: str) -> float:
        runs = [run for lr in self.lrs for run in self.cells[name, lr].runs if run.steps]
        return 1e3 * sum(run.cpu_seconds for run in runs) / max(1, sum(run.steps for run in runs))


def sweep(net: str, plan: Plan, data: Split, seeds: list[int]) -> Sweep:
    """Every activation at every lr of the plan, each seed once."""
    cells = {}
    for name in T.ACTIVATIONS:
        for lr in plan.lrs:
            runs, dead = [], []
            for seed in seeds:
                model, run = T.train_mlp(NETS[net], name, data, lr, plan.epochs, seed)
                runs.append(run)
                dead.append(T.never_positive_share(T.hidden_layers(model, data.x_train)))
            cells[name, lr] = Cell(runs, dead)
    return Sweep(net, plan.lrs, cells)


def measure(mode: str, seed: int) -> dict:
    """The sweeps of both networks, with the CPU and wall time they took."""
    plan = PLANS[mode]
    seeds = [seed + k for k in range(plan.seeds)]
    cpu, wall = time.process_time(), time.perf_counter()
    data = mnist1d(n_train=plan.n_train, n_val=N_VAL, val_at="end")
    sweeps = [sweep(net, plan, data, seeds) for net in NETS]
    return {
        "sizes": {
            "n_train": len(data.y_train),
            "n_val": len(data.y_val),
            "n_test": len(data.y_test),
        },
        "seeds": seeds,
        "lrs": plan.lrs,
        "sweeps": sweeps,
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "load": load_average(),
    }
