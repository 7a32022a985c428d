"""Activation functions: the notes' pros and cons of sigmoid, tanh, ReLU, Leaky ReLU and ELU, measured.

Four experiments, each feeding several claims:

  mechanics   every activation (glassnet's op, float32) and its autograd derivative on a
              grid of 600,001 points in [-30, 30]: range, value above 0, zeros, the size of
              the non-saturated region, the derivative's largest jump (smoothness);
  gradients   a 10-hidden-layer MLP at initialisation, one backward pass on MNIST-1D
              (diagnose.gradient_flow): the first layer's weight gradient over the last's,
              with each activation's own fan-in init (gain: sigmoid 1, tanh 5/3, ReLU
              sqrt 2) and with PyTorch's default init;
  training    the same 40-100-100-10 MLP with each activation, plus sigmoid(x) - 0.5 (the
              slope of sigmoid, the mean of tanh: the control that separates 'zero-mean'
              from 'steeper'), trained on MNIST-1D with SGD + momentum 0.9 over a small
              learning-rate grid and several seeds: training loss per epoch, test
              accuracy, the update-to-weight ratio ||dW|| / ||W|| of real steps, dead units,
              saturation and how far each unit's output is from zero-mean;
  cost        ns per element of each op (reported, never asserted) and the time of one
              training step of the MLP.

Convergence speed is the mean training loss over the epochs (the area under the loss
curve): lower means it got there sooner. Every threshold below was written before the
experiment ran, and is printed with its verdict.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet.lab import Result, Text, Verdict, experiment
from glassnet.lab.topics import _activation_timing as timing
from glassnet.lab.topics import _activations_figures as figures
from glassnet.lab.topics import _activations_report as report
from glassnet.lab.topics import _training_act as T
from glassnet.lab.topics._activations_report import (
    ACTIVATION_SIZE,
    CENTRED,
    COMMON_LR,
    COSTLY,
    FACTOR_CLOSE,
    FACTOR_SAME,
    HIDDEN,
    OFF_CENTRE,
    SATURATED,
    STACK_DEPTH,
    TRAINED,
    VANISH,
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


PLANS = {
    "smoke": Plan(1500, 8, 2, (0.1, 0.3), 64, 1, 15, None),
    "quick": Plan(None, 20, 3, (0.03, 0.1, 0.3, 1.0), 100, 3, 40, 1_000_000),
    "full": Plan(None, 40, 5, (0.01, 0.03, 0.1, 0.3, 1.0), 100, 5, 100, 1_000_000),
}


# -- mechanics on a grid ---------------------------------------------------------------------
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


# -- training ----------------------------------------------------------------------------------
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


def train_all(plan: Plan, data: T.Data, seeds: list[int]) -> dict[tuple[str, float], Trained]:
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
    data: T.Data, seeds: list[int], weight_std: float | None = None
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
    return min(lrs, key=lambda lr: T.mean_std(trained[name, lr].area(epochs))[0])


# -- verdicts -------------------------------------------------------------------------------------
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

    def area(self, name: str, lr: float | None = None) -> list[float]:
        return self.trained[name, self.best[name] if lr is None else lr].area(self.plan.epochs)

    def ratio(self, name: str, init: str | None = "kaiming") -> float:
        return T.geometric_mean([stack.first_to_last for stack in self.stacks[name, init]])

    def saturation(self, name: str) -> tuple[float, float, float]:
        """Mean saturated share: at init, after training at the best lr, at init with N(0, 1) weights."""
        return (
            T.mean_std([s.saturated for s in self.init_stats[name]])[0],
            T.mean_std([s.saturated for s in self.trained[name, self.best[name]].after])[0],
            T.mean_std([s.saturated for s in self.large_stats[name]])[0],
        )

    def cost(self, name: str) -> float:
        return self.costs[ACTIVATION_SIZE][name]["forward_backward"]

    def late_update(self, name: str) -> float:
        return T.mean_std(self.trained[name, COMMON_LR].quarter(late=True))[0]


def paired_faster(fast: list[float], slow: list[float], gap: float = 0.05) -> tuple[bool, float]:
    """Is `fast` faster? Lower loss area in every seed (paired) and a mean relative gap >= `gap`."""
    relative = float(np.mean([(b - a) / b for a, b in zip(fast, slow)]))
    return all(a < b for a, b in zip(fast, slow)) and relative >= gap, relative


def count_verdict(hits: int, total: int) -> Verdict:
    return Verdict.HOLDS if hits == total else Verdict.PARTLY if hits else Verdict.DOES_NOT_HOLD


def judge_sigmoid(result: Result, c: Context) -> None:
    m = c.grid["sigmoid"]
    in_range = m.low >= 0 and m.high <= 1 and m.low < 1e-3 and m.high > 1 - 1e-3
    centred_faster, gap = paired_faster(c.area("centred_sigmoid"), c.area("sigmoid"))
    result.judge(
        "sigmoid_range",
        Verdict.DOES_NOT_HOLD
        if not in_range
        else Verdict.PARTLY
        if centred_faster
        else Verdict.HOLDS,
        report.range_numbers(c, m, gap),
        report.RANGE_RULE,
        note=report.RANGE_NOTE,
    )
    sigmoid, relu = c.ratio("sigmoid"), c.ratio("relu")
    result.judge(
        "sigmoid_vanishing",
        count_verdict((sigmoid < VANISH) + (sigmoid <= 0.1 * relu), 2),
        report.vanishing_numbers(c),
        report.VANISHING_RULE,
        robust=True,
        margin=Text(
            f"the sigmoid stack's ratio {sigmoid:.1e} is {VANISH / sigmoid:.0e} times below the "
            f"{VANISH:g} threshold and {relu / sigmoid:.0e} times below ReLU's",
            f"sigmoid 网络的比值 {sigmoid:.1e},比阈值 {VANISH:g} 低 {VANISH / sigmoid:.0e} 倍,"
            f"比 ReLU 的低 {relu / sigmoid:.0e} 倍",
        ),
    )
    init, trained, large = c.saturation("sigmoid")
    verdict = (
        Verdict.HOLDS
        if max(init, trained) >= SATURATED
        else Verdict.PARTLY
        if large >= SATURATED
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "sigmoid_saturation",
        verdict,
        report.saturation_numbers(c, "sigmoid"),
        report.SATURATION_RULE,
        robust=True,
        margin=Text(
            f"at init and after training {max(init, trained):.3f} against the {SATURATED:g} threshold; with "
            f"N(0, 1) weights {large:.3f}",
            f"初始化时与训练后为 {max(init, trained):.3f},阈值 {SATURATED:g};N(0, 1) 权重时为 {large:.3f}",
        ),
        note=report.SATURATION_NOTE,
    )
    ratio = c.cost("sigmoid") / c.cost("relu")
    extra = c.steps["sigmoid"] / c.steps["relu"] - 1
    result.judge(
        "sigmoid_exp_cost",
        Verdict.HOLDS
        if ratio >= COSTLY and extra >= 0.1
        else Verdict.PARTLY
        if ratio >= COSTLY
        else Verdict.DOES_NOT_HOLD,
        report.cost_numbers(c, "sigmoid"),
        report.EXP_COST_RULE,
        note=report.TIMING_NOTE,
    )


def judge_tanh(result: Result, c: Context) -> None:
    stages = []
    for stats in (c.init_stats, {name: c.trained[name, c.best[name]].after for name in TRAINED}):
        tanh = T.mean_std([s.offset for s in stats["tanh"]])[0]
        sigmoid = T.mean_std([s.offset for s in stats["sigmoid"]])[0]
        stages.append((tanh, sigmoid, tanh <= CENTRED and sigmoid >= OFF_CENTRE))
    result.judge(
        "tanh_zero_mean",
        count_verdict(sum(ok for *_, ok in stages), 2),
        report.zero_mean_numbers(c, stages),
        report.ZERO_MEAN_RULE,
        robust=True,
        margin=Text(
            f"tanh's largest offset {max(t for t, _, _ in stages):.3f} against {CENTRED:g}; sigmoid's "
            f"smallest {min(s for _, s, _ in stages):.3f} against {OFF_CENTRE:g}",
            f"tanh 最大偏移 {max(t for t, _, _ in stages):.3f},阈值 {CENTRED:g};sigmoid 最小偏移 "
            f"{min(s for _, s, _ in stages):.3f},阈值 {OFF_CENTRE:g}",
        ),
    )
    centred, gap_centred = paired_faster(c.area("centred_sigmoid"), c.area("sigmoid"))
    tanh, gap_tanh = paired_faster(c.area("tanh"), c.area("sigmoid"))
    result.judge(
        "tanh_faster_convergence",
        count_verdict(centred + tanh, 2),
        report.convergence_numbers(c, gap_centred, gap_tanh),
        report.CONVERGENCE_RULE,
        note=report.CONVERGENCE_NOTE,
    )
    init, trained, _ = c.saturation("tanh")
    cons = {
        "vanishing": c.ratio("tanh") < VANISH,
        "saturation": max(init, trained) >= SATURATED,
        "cost": c.cost("tanh") / c.cost("relu") >= COSTLY,
    }
    result.judge(
        "tanh_same_cons",
        count_verdict(sum(cons.values()), 3),
        report.same_cons_numbers(c, cons),
        report.SAME_CONS_RULE,
        note=report.SAME_CONS_NOTE,
    )


def largest_finite_lr(c: Context, name: str) -> float | None:
    """The largest grid lr whose every run stayed finite (dead units are only countable there)."""
    finite = [
        lr
        for lr in c.plan.lrs
        if all(math.isfinite(s.never_positive) for s in c.trained[name, lr].after)
    ]
    return max(finite) if finite else None


def factor_verdict(a: float, b: float) -> tuple[Verdict, float]:
    factor = max(a / b, b / a) if a > 0 and b > 0 else math.inf
    return (
        Verdict.HOLDS
        if factor <= FACTOR_SAME
        else Verdict.PARTLY
        if factor <= FACTOR_CLOSE
        else Verdict.DOES_NOT_HOLD
    ), factor


def judge_relu_family(result: Result, c: Context) -> None:
    relu, sigmoid, tanh = c.cost("relu"), c.cost("sigmoid"), c.cost("tanh")
    result.judge(
        "relu_cheap",
        Verdict.HOLDS
        if relu <= 0.5 * min(sigmoid, tanh)
        else Verdict.PARTLY
        if relu < min(sigmoid, tanh)
        else Verdict.DOES_NOT_HOLD,
        report.cheap_numbers(c),
        report.CHEAP_RULE,
        note=report.TIMING_NOTE,
    )
    m = c.grid["relu"]
    result.judge(
        "relu_value_one",
        Verdict.HOLDS if m.one_error_pos == 0 else Verdict.DOES_NOT_HOLD,
        report.value_one_numbers(m),
        report.VALUE_ONE_RULE,
        robust=True,
        margin=report.EXACT_MARGIN,
        note=report.VALUE_ONE_NOTE,
    )
    exact = m.zeros_neg == 1.0 and m.min_grad_neg == 0.0
    lr = largest_finite_lr(c, "relu")
    dead = (
        T.mean_std([s.never_positive for s in c.trained["relu", lr].after])[0] if lr else math.nan
    )
    result.judge(
        "relu_dead",
        Verdict.DOES_NOT_HOLD if not exact else Verdict.HOLDS if dead >= 0.01 else Verdict.PARTLY,
        report.dead_numbers(c, m, lr, dead),
        report.DEAD_RULE,
        robust=True,
        margin=Text(
            f"the mechanics are exact; {dead:.3f} of the units dead against the 0.01 threshold",
            f"机制部分精确成立;死亡单元比例 {dead:.3f},阈值 0.01",
        ),
    )
    early = T.mean_std(c.trained["relu", COMMON_LR].quarter(late=False))[0]
    late, tanh_late = c.late_update("relu"), c.late_update("tanh")
    result.judge(
        "relu_large_updates",
        count_verdict((late > early) + (late >= 1.5 * tanh_late), 2),
        report.update_numbers(c, early),
        report.UPDATES_RULE,
    )
    leaky = c.grid["leaky_relu"]
    result.judge(
        "leaky_always_active",
        Verdict.HOLDS
        if leaky.zeros_neg == 0 and leaky.min_grad_neg >= 0.0099
        else Verdict.DOES_NOT_HOLD,
        report.leaky_numbers(c, leaky, lr),
        report.LEAKY_RULE,
        robust=True,
        margin=report.EXACT_MARGIN,
        note=report.leaky_note(c, lr),
    )
    verdict, factor = factor_verdict(c.late_update("leaky_relu"), c.late_update("relu"))
    result.judge(
        "leaky_inherits",
        verdict,
        report.inherit_numbers(c, "leaky_relu", "relu", factor),
        report.INHERIT_RULE,
        robust=True,
        margin=Text(
            f"factor {factor:.3f} against {FACTOR_SAME:g}",
            f"比值 {factor:.3f},阈值 {FACTOR_SAME:g}",
        ),
        note=report.INHERIT_NOTE,
    )
    elu = c.grid["elu"]
    result.judge(
        "elu_smoother",
        Verdict.HOLDS if elu.jump < 1e-3 and leaky.jump > 0.5 else Verdict.DOES_NOT_HOLD,
        report.smooth_numbers(c),
        report.SMOOTH_RULE,
        robust=True,
        margin=report.EXACT_MARGIN,
        note=report.SMOOTH_NOTE,
    )
    verdict, factor = factor_verdict(c.late_update("elu"), c.late_update("leaky_relu"))
    result.judge(
        "elu_inherits",
        verdict,
        report.inherit_numbers(c, "elu", "leaky_relu", factor),
        report.INHERIT_RULE,
        note=report.ELU_INHERIT_NOTE,
    )


@experiment("activations")
def run(mode: str, seed: int) -> Result:
    plan = PLANS[mode]
    seeds = [seed + k for k in range(plan.seeds)]
    clock: list[tuple[str, float, float]] = []

    def timed(part: str, start: tuple[float, float]) -> tuple[float, float]:
        now = (time.process_time(), time.perf_counter())
        clock.append((part, now[0] - start[0], now[1] - start[1]))
        return now

    start = (time.process_time(), time.perf_counter())
    with T.one_blas_thread():
        data = T.mnist1d_data(n_train=plan.n_train)
        grid = {name: mechanics(name) for name in T.ACTIVATIONS}
        start = timed("mechanics on the grid", start)
        stacks = {
            (name, init): [
                T.stack_gradients(
                    name, STACK_DEPTH, plan.stack_width, data.x_val, data.y_val, seed + k, init
                )
                for k in range(plan.stack_seeds)
            ]
            for name in T.ACTIVATIONS
            for init in ("kaiming", None)
        }
        start = timed("deep-stack gradients", start)
        init_stats, large_stats = at_init(data, seeds), at_init(data, seeds, weight_std=1.0)
        trained = train_all(plan, data, seeds)
        start = timed("training", start)
        costs = {
            size: timing.time_per_element(
                size, plan.repeats if size == ACTIVATION_SIZE else max(3, plan.repeats // 8)
            )
            for size in (ACTIVATION_SIZE, plan.big_elements)
            if size
        }
        steps = {
            name: timing.step_time([40, *HIDDEN, 10], name, 100, plan.repeats)
            for name in T.ACTIVATIONS
        }
        timed("cost per element and per step", start)

    result = Result.start("activations", mode, seed, setup=report.setup_text(plan, data, seeds))
    best = {name: best_lr(trained, name, plan.lrs, plan.epochs) for name in TRAINED}
    context = Context(plan, grid, stacks, init_stats, large_stats, trained, best, costs, steps)
    judge_sigmoid(result, context)
    judge_tanh(result, context)
    judge_relu_family(result, context)
    figures.tables(result, context)
    figures.figures(result, context)
    result.add_table(
        Text(
            "Time per part (this process; other processes share the 2 cores)",
            "各部分耗时(本进程;其他进程共用 2 个核心)",
        ),
        [Text("part", "部分"), Text("CPU s", "CPU 秒"), Text("wall s", "墙钟秒")],
        [[part, round(cpu, 2), round(wall, 2)] for part, cpu, wall in clock],
        note=Text(
            f"load average at the end: {T.load_average():.1f}",
            f"结束时的负载均值:{T.load_average():.1f}",
        ),
    )
    return result
