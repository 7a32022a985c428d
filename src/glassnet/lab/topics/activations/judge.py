"""The activations topic's verdicts: one function per group of claims, each with its numbers and rule."""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.kit.stats import mean_std
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.activations import rules as report
from glassnet.lab.topics.activations.measure import Context
from glassnet.lab.topics.activations.settings import (
    CENTRED,
    COMMON_LR,
    COSTLY,
    FACTOR_CLOSE,
    FACTOR_SAME,
    OFF_CENTRE,
    SATURATED,
    TRAINED,
    VANISH,
)


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
        note=report.timing_note(result, c),
    )


def judge_tanh(result: Result, c: Context) -> None:
    stages = []
    for stats in (c.init_stats, {name: c.trained[name, c.best[name]].after for name in TRAINED}):
        tanh = mean_std([s.offset for s in stats["tanh"]], ddof=1, finite_only=True)[0]
        sigmoid = mean_std([s.offset for s in stats["sigmoid"]], ddof=1, finite_only=True)[0]
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
        note=report.timing_note(result, c),
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
        mean_std([s.never_positive for s in c.trained["relu", lr].after], ddof=1, finite_only=True)[
            0
        ]
        if lr
        else math.nan
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
    early = mean_std(c.trained["relu", COMMON_LR].quarter(late=False), ddof=1, finite_only=True)[0]
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
