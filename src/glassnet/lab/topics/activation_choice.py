"""Choosing the activation and the learning rate: a learning-rate sweep per activation on MNIST-1D.

The notes' advice: with ReLU "set the learning rate carefully (for x > 0 the derivative is
always 1); best set a fairly small value", and "do not use sigmoid". Both are measured with
the same sweep: each of sigmoid, tanh, ReLU, Leaky ReLU and ELU trains a shallow MLP
(40-100-100-10) and a deeper one (six hidden layers of 64) with SGD + momentum 0.9 at every
learning rate of a half-decade grid, several seeds each. An lr is judged by the validation
accuracy after the last epoch (500 samples held out of the training set, never used for
training); the test set is only reported, at the lr that validation picked.

  best lr       the grid lr with the highest mean validation accuracy;
  usable lrs    those whose mean validation accuracy is within 5 points of the best:
                the largest usable lr says how far the lr can grow before training breaks;
  dead units    for ReLU, the share of hidden units whose input is <= 0 for every training
                sample after training (they get no gradient: a large lr kills them).

Every threshold was written before the sweep ran and is printed with the verdict.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.kit import activations as T
from glassnet.lab.kit.data import Split, mnist1d
from glassnet.lab.kit.machine import load_average, one_blas_thread
from glassnet.lab.kit.stats import mean_std
from glassnet.lab.report.formatting import pm

NETS = {"shallow": [40, 100, 100, 10], "deep": [40, 64, 64, 64, 64, 64, 64, 10]}
NET_TEXT = {
    "shallow": Text("shallow MLP 40-100-100-10", "浅层 MLP 40-100-100-10"),
    "deep": Text("deep MLP, six hidden layers of 64", "深层 MLP,6 个 64 单元的隐藏层"),
}
SHORT = {"shallow": Text("shallow", "浅层"), "deep": Text("deep", "深层")}
PASS = {True: Text("pass", "通过"), False: Text("fail", "未通过")}
USABLE = 0.05  # an lr is usable when its mean val accuracy is within 5 points of the best lr's
SIGMOID_GAP = 0.02  # sigmoid 'loses' when its best val accuracy is 2+ points below the best other activation's


@dataclass(frozen=True)
class Plan:
    n_train: int | None
    epochs: int
    seeds: int
    lrs: tuple[float, ...]


PLANS = {
    "smoke": Plan(1500, 6, 1, (0.01, 0.03, 0.1, 0.3, 1.0)),
    "quick": Plan(None, 15, 2, (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)),
    "full": Plan(None, 30, 4, (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)),
}


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


@dataclass
class Sweep:
    """One network's sweep: cells by (activation, lr)."""

    net: str
    lrs: tuple[float, ...]
    cells: dict[tuple[str, float], Cell]

    def best_lr(self, name: str) -> float:
        return max(
            self.lrs, key=lambda lr: (self.cells[name, lr].val, -lr)
        )  # a tie goes to the smaller lr

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


# -- verdicts -------------------------------------------------------------------------------------
def count_verdict(hits: int, total: int) -> Verdict:
    return Verdict.HOLDS if hits == total else Verdict.PARTLY if hits else Verdict.DOES_NOT_HOLD


def key(net: str, en: str, zh: str) -> Text:
    """A deciding number's name, prefixed with its network ('shallow: best lr, ReLU')."""
    return Text(f"{SHORT[net].en}: {en}", f"{SHORT[net].zh}:{zh}")


def _small_lr_numbers(s: Sweep, numbers: dict) -> int:
    """Add one network's numbers for 'relu_small_lr'; returns how many of checks A and B pass."""
    best = {name: s.best_lr(name) for name in T.ACTIVATIONS}
    top = {name: max(s.usable(name)) for name in T.ACTIVATIONS}
    sigmoid_trains = (
        s.best_val("sigmoid") > T.CHANCE + USABLE
    )  # else sigmoid has no meaningful best lr
    check_a = (best["relu"] < best["sigmoid"] or not sigmoid_trains) and best["relu"] <= best[
        "tanh"
    ]
    check_b = top["relu"] < top["tanh"]
    for name in ("relu", "tanh", "sigmoid"):
        numbers[key(s.net, f"best lr, {T.LABELS[name]}", f"最佳学习率,{T.LABELS[name]}")] = best[
            name
        ]
    for name in ("relu", "tanh"):
        numbers[
            key(
                s.net,
                f"largest usable lr, {T.LABELS[name]}",
                f"最大可用学习率,{T.LABELS[name]}",
            )
        ] = top[name]
    if not sigmoid_trains:
        numbers[
            key(
                s.net,
                f"sigmoid above chance + {USABLE:g} at some lr",
                f"sigmoid 在某学习率下高于随机水平 + {USABLE:g}",
            )
        ] = False
    numbers[key(s.net, "check A", "检查 A")] = PASS[check_a]
    numbers[key(s.net, "check B", "检查 B")] = PASS[check_b]
    above = [lr for lr in s.lrs if lr > top["relu"]]
    if above:
        dead = mean_std(s.cells["relu", above[0]].dead, ddof=1, finite_only=True)[0]
        numbers[
            key(
                s.net,
                f"ReLU dead units at lr {above[0]:g}",
                f"学习率 {above[0]:g} 时 ReLU 死亡单元比例",
            )
        ] = Text("diverged", "发散") if math.isnan(dead) else round(dead, 3)
    return int(check_a) + int(check_b)


def _judge_relu_small_lr(result: Result, sweeps: list[Sweep]) -> None:
    numbers: dict = {}
    hits = sum(_small_lr_numbers(s, numbers) for s in sweeps)
    result.judge(
        "relu_small_lr",
        count_verdict(hits, 2 * len(sweeps)),
        numbers,
        result.say("small_lr_rule", usable_points=USABLE * 100),
        note=Text(
            "ReLU's derivative is 1 for x > 0, but so is tanh's near 0 (and sigmoid's is at most 1/4, which is why "
            "sigmoid wants a larger lr). What a too-large lr does to ReLU is visible in the dead units: above its usable "
            "range many units never fire again.",
            "ReLU 在 x > 0 时导数为 1,tanh 在 0 附近的导数也是 1(sigmoid 的导数最多 1/4,所以 sigmoid 需要更大的学习率)。学习率过大对 "
            "ReLU 的影响体现在死亡单元上:超出可用范围后,许多单元再也不会被激活。",
        ),
    )


def _judge_avoid_sigmoid(result: Result, sweeps: list[Sweep]) -> None:
    numbers = {}
    loses, gaps = 0, []
    for s in sweeps:
        others = {name: s.best_val(name) for name in T.ACTIVATIONS if name != "sigmoid"}
        winner = max(others, key=others.get)
        gap = others[winner] - s.best_val("sigmoid")
        loses += gap >= SIGMOID_GAP
        gaps.append(gap)
        lr = s.best_lr("sigmoid")
        numbers[
            key(s.net, f"sigmoid val acc (lr {lr:g})", f"sigmoid 验证准确率(学习率 {lr:g})")
        ] = round(s.best_val("sigmoid"), 4)
        lr = s.best_lr(winner)
        numbers[
            key(
                s.net,
                f"best other, {T.LABELS[winner]} (lr {lr:g})",
                f"其他中最好的,{T.LABELS[winner]}(学习率 {lr:g})",
            )
        ] = round(others[winner], 4)
        numbers[key(s.net, "gap", "差距")] = round(gap, 4)
        numbers[
            key(
                s.net,
                "CPU ms per step, sigmoid / ReLU (reported)",
                "每步 CPU 毫秒,sigmoid / ReLU(仅报告)",
            )
        ] = round(s.ms_per_step("sigmoid") / max(s.ms_per_step("relu"), 1e-12), 3)
    result.judge(
        "avoid_sigmoid",
        count_verdict(loses, len(sweeps)),
        numbers,
        result.say("avoid_rule", gap_points=SIGMOID_GAP * 100),
        robust=True,
        margin=result.say(
            "avoid_margin",
            gap=min(gaps),
            times=min(gaps) / SIGMOID_GAP,
            threshold=SIGMOID_GAP,
        ),
        note=result.text("avoid_note"),
    )


def judge(result: Result, sweeps: list[Sweep]) -> None:
    _judge_relu_small_lr(result, sweeps)
    _judge_avoid_sigmoid(result, sweeps)


# -- tables and figures -------------------------------------------------------------------------------
def tables(result: Result, sweeps: list[Sweep]) -> None:
    for s in sweeps:
        rows = []
        for name in T.ACTIVATIONS:
            cells = [
                f"{s.cells[name, lr].val:.3f}" + (" (div)" if s.cells[name, lr].diverged else "")
                for lr in s.lrs
            ]
            usable = s.usable(name)
            rows.append(
                [
                    T.LABELS[name],
                    *cells,
                    s.best_lr(name),
                    pm(s.test_at_best(name), ddof=1, finite_only=True),
                    f"{min(usable):g}-{max(usable):g}",
                    round(s.ms_per_step(name), 3),
                ]
            )
        result.add_table(
            Text(
                f"Validation accuracy by learning rate: {NET_TEXT[s.net].en}",
                f"各学习率下的验证准确率:{NET_TEXT[s.net].zh}",
            ),
            [
                Text("activation", "激活函数"),
                *[f"lr {lr:g}" for lr in s.lrs],
                Text("best lr", "最佳学习率"),
                Text("test acc at best lr", "最佳学习率下测试准确率"),
                Text("usable lrs", "可用学习率"),
                Text("CPU ms / step", "每步 CPU 毫秒"),
            ],
            rows,
            note=result.text("sweep_note"),
        )
    result.add_table(
        Text(
            "Dead ReLU units after training (input <= 0 for every training sample)",
            "训练后死亡的 ReLU 单元(对每个训练样本输入都 <= 0)",
        ),
        [Text("network", "网络"), *[f"lr {lr:g}" for lr in sweeps[0].lrs]],
        [
            [
                NET_TEXT[s.net],
                *[
                    ("-" if math.isnan(v) else round(v, 3))
                    for v in (
                        mean_std(s.cells["relu", lr].dead, ddof=1, finite_only=True)[0]
                        for lr in s.lrs
                    )
                ],
            ]
            for s in sweeps
        ],
        note=result.text("dead_note"),
    )


def figure(result: Result, sweeps: list[Sweep]) -> None:
    fig, axes = new_figure(9.0, 3.4, ncols=len(sweeps))
    axes = np.atleast_1d(axes)
    for ax, s in zip(axes, sweeps):
        for name in T.ACTIVATIONS:
            ax.semilogx(
                s.lrs,
                [s.cells[name, lr].val for lr in s.lrs],
                "o-",
                ms=3,
                color=T.COLORS[name],
                label=T.LABELS[name],
            )
        dead = [mean_std(s.cells["relu", lr].dead, ddof=1, finite_only=True)[0] for lr in s.lrs]
        ax.semilogx(s.lrs, dead, ":", color=T.COLORS["relu"], label="ReLU dead-unit share")
        ax.axhline(T.CHANCE, color="gray", lw=0.8, ls="--")
        ax.set(
            title=NET_TEXT[s.net].en,
            xlabel="learning rate (SGD, momentum 0.9)",
            ylabel="val accuracy (dotted: dead share)",
            ylim=(0, 1),
        )
    axes[0].legend(fontsize=7)
    result.add_figure(
        fig,
        "lr_sweep",
        result.text("lr_sweep"),
    )


@experiment("activation_choice")
def run(mode: str, seed: int) -> Result:
    plan = PLANS[mode]
    seeds = [seed + k for k in range(plan.seeds)]
    cpu, wall = time.process_time(), time.perf_counter()
    with one_blas_thread():
        data = mnist1d(n_train=plan.n_train, n_val=500, val_at="end")
        sweeps = [sweep(net, plan, data, seeds) for net in NETS]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    lrs = ", ".join(f"{lr:g}" for lr in plan.lrs)
    result = Result.start("activation_choice", mode, seed)
    result.setup = result.say(
        "setup",
        data=data.describe(),
        epochs=plan.epochs,
        lrs=lrs,
        seeds=seeds,
        cpu=cpu,
        wall=wall,
        load=load_average(),
    )
    judge(result, sweeps)
    tables(result, sweeps)
    figure(result, sweeps)
    return result
