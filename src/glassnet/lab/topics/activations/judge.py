"""The activations topic's verdicts: one small function per claim, each with its numbers and rule.

The rules in words are catalog entries (`notes/activations.toml`), their thresholds the named
numbers of `settings`; the deciding numbers come from `numbers`.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.kit import activations as T
from glassnet.lab.kit.stats import mean_std
from glassnet.lab.result import Result, Verdict
from glassnet.lab.topics.activations import costs, numbers
from glassnet.lab.topics.activations.measure import Context
from glassnet.lab.topics.activations.settings import (
    ADVANTAGE_FACTOR,
    ADVANTAGE_GAP,
    ADVANTAGE_POINTS,
    ARITHMETIC_SIZE,
    CENTRED,
    COMMON_LR,
    COSTLY,
    DEAD_SHARE,
    FACTOR_CLOSE,
    FACTOR_SAME,
    INVALID_SHARE,
    OFF_CENTRE,
    ROUGH_JUMP,
    SAME_CON_FACTOR,
    SATURATED,
    SMOOTH_JUMP,
    STACK_DEPTH,
    TRAINED,
    VANISH,
)


def paired_faster(fast: list[float], slow: list[float], gap: float = 0.05) -> tuple[bool, float]:
    """Is `fast` faster? Lower loss area in every seed (paired) and a mean relative gap >= `gap`."""
    relative = float(np.mean([(b - a) / b for a, b in zip(fast, slow)]))
    return all(a < b for a, b in zip(fast, slow)) and relative >= gap, relative


def count_verdict(hits: int, total: int) -> Verdict:
    return Verdict.HOLDS if hits == total else Verdict.PARTLY if hits else Verdict.DOES_NOT_HOLD


def factor_verdict(a: float, b: float) -> tuple[Verdict, float]:
    factor = max(a / b, b / a) if a > 0 and b > 0 else math.inf
    return (
        Verdict.HOLDS
        if factor <= FACTOR_SAME
        else Verdict.PARTLY
        if factor <= FACTOR_CLOSE
        else Verdict.DOES_NOT_HOLD
    ), factor


def largest_finite_lr(c: Context, name: str) -> float | None:
    """The largest grid lr whose every run stayed finite (dead units are only countable there)."""
    finite = [
        lr
        for lr in c.plan.lrs
        if all(math.isfinite(s.never_positive) for s in c.trained[name, lr].after)
    ]
    return max(finite) if finite else None


# -- sigmoid --------------------------------------------------------------------------------------
def sigmoid_range(result: Result, c: Context) -> None:
    """The output reading decides: without the range (identity + MSE) outputs leave [0, 1], and
    with it (sigmoid + MSE, the same loss) the probabilities are better. The hidden-layer reading
    (sigmoid against sigmoid - 0.5) is reported beside."""
    m = c.grid["sigmoid"]
    in_range = m.low >= 0 and m.high <= 1 and m.low < 1e-3 and m.high > 1 - 1e-3
    outside = float(np.mean([run.outside for run in c.probe["identity_mse"]]))
    sigmoid_outside = max(run.outside for o in ("sigmoid_mse", "sigmoid_bce") for run in c.probe[o])
    needed = outside >= INVALID_SHARE and sigmoid_outside == 0
    better = all(s.brier < i.brier for s, i in zip(c.probe["sigmoid_mse"], c.probe["identity_mse"]))
    hidden_faster, gap = paired_faster(c.area("sigmoid"), c.area("centred_sigmoid"))
    verdict = (
        Verdict.DOES_NOT_HOLD
        if not (in_range and needed)
        else Verdict.HOLDS
        if better
        else Verdict.PARTLY
    )
    result.judge(
        "sigmoid_range",
        verdict,
        numbers.range_numbers(c, m, outside, sigmoid_outside, hidden_faster, gap),
        result.say("range_rule", invalid_share=INVALID_SHARE),
        note=result.text("range_note"),
    )


def sigmoid_vanishing(result: Result, c: Context) -> None:
    sigmoid, relu = c.ratio("sigmoid"), c.ratio("relu")
    result.judge(
        "sigmoid_vanishing",
        count_verdict((sigmoid < VANISH) + (sigmoid <= 0.1 * relu), 2),
        numbers.vanishing_numbers(c),
        result.say("vanishing_rule", stack_depth=STACK_DEPTH, vanish=VANISH),
        asserted=True,
        margin=result.say(
            "vanishing_margin",
            sigmoid=sigmoid,
            vanish=VANISH,
            below_threshold=VANISH / sigmoid,
            below_relu=relu / sigmoid,
        ),
    )


def sigmoid_saturation(result: Result, c: Context) -> None:
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
        numbers.saturation_numbers(c, "sigmoid"),
        result.say("saturation_rule", saturated=SATURATED),
        asserted=True,
        margin=result.say(
            "saturation_margin", worst=max(init, trained), saturated=SATURATED, large=large
        ),
        note=result.text("saturation_note"),
    )


def sigmoid_exp_cost(result: Result, c: Context) -> None:
    formula = c.arith("sigmoid") / c.arith("relu")
    exp_alone = c.arith("exp") / c.arith("relu")
    result.judge(
        "sigmoid_exp_cost",
        count_verdict((formula >= COSTLY) + (exp_alone >= COSTLY), 2),
        costs.cost_numbers(c, exp_alone, formula),
        result.say("exp_cost_rule", arithmetic_size=ARITHMETIC_SIZE, costly=COSTLY),
        note=costs.timing_note(result, c),
    )


def sigmoid_beats(c: Context, other: str) -> dict[str, bool]:
    """Does sigmoid beat `other` on each axis the lab measures (by the ADVANTAGE margins)?"""
    sig, oth = c.grid["sigmoid"], c.grid[other]
    lr = largest_finite_lr(c, other)
    dead = numbers.never_positive(c, other, lr) if other == "relu" and lr else 0.0
    return {
        "convergence": paired_faster(c.area("sigmoid"), c.area(other), ADVANTAGE_GAP)[0],
        "test accuracy": numbers.best_accuracy(c, "sigmoid")
        >= numbers.best_accuracy(c, other) + ADVANTAGE_POINTS,
        "gradient flow": abs(math.log(c.ratio(other))) - abs(math.log(c.ratio("sigmoid")))
        >= math.log(ADVANTAGE_FACTOR),
        "arithmetic cost": c.arith(other) >= ADVANTAGE_FACTOR * c.arith("sigmoid"),
        "no dead units": dead >= DEAD_SHARE,
        "smooth derivative": sig.jump < SMOOTH_JUMP and oth.jump > ROUGH_JUMP,
    }


def sigmoid_no_other_advantage(result: Result, c: Context) -> None:
    """The reading judged: besides its range, sigmoid is the best of the five on no axis. The
    other reading (an advantage over at least one activation) is reported beside."""
    others = [name for name in T.ACTIVATIONS if name != "sigmoid"]
    beats = {other: sigmoid_beats(c, other) for other in others}
    axes = list(beats[others[0]])
    best_on = [axis for axis in axes if all(beats[other][axis] for other in others)]
    result.judge(
        "sigmoid_no_other_advantage",
        Verdict.HOLDS
        if not best_on
        else Verdict.PARTLY
        if len(best_on) == 1
        else Verdict.DOES_NOT_HOLD,
        numbers.advantage_numbers(c, beats, best_on),
        result.say(
            "no_other_advantage_rule",
            gap=ADVANTAGE_GAP,
            points=ADVANTAGE_POINTS * 100,
            factor=ADVANTAGE_FACTOR,
            dead_share=DEAD_SHARE,
            smooth_jump=SMOOTH_JUMP,
            rough_jump=ROUGH_JUMP,
        ),
        note=result.text("no_other_advantage_note"),
    )


# -- tanh -------------------------------------------------------------------------------------------
def tanh_zero_mean(result: Result, c: Context) -> None:
    stages = []
    for stats in (c.init_stats, {name: c.trained[name, c.best[name]].after for name in TRAINED}):
        tanh = mean_std([s.offset for s in stats["tanh"]], ddof=1, finite_only=True)[0]
        sigmoid = mean_std([s.offset for s in stats["sigmoid"]], ddof=1, finite_only=True)[0]
        stages.append((tanh, sigmoid, tanh <= CENTRED and sigmoid >= OFF_CENTRE))
    result.judge(
        "tanh_zero_mean",
        count_verdict(sum(ok for *_, ok in stages), 2),
        numbers.zero_mean_numbers(c, stages),
        result.say("zero_mean_rule", centred=CENTRED, off_centre=OFF_CENTRE),
        asserted=True,
        margin=result.say(
            "zero_mean_margin",
            tanh_largest=max(t for t, _, _ in stages),
            centred=CENTRED,
            sigmoid_smallest=min(s for _, s, _ in stages),
            off_centre=OFF_CENTRE,
        ),
    )


def tanh_faster_convergence(result: Result, c: Context) -> None:
    centred, gap_centred = paired_faster(c.area("centred_sigmoid"), c.area("sigmoid"))
    tanh, gap_tanh = paired_faster(c.area("tanh"), c.area("sigmoid"))
    result.judge(
        "tanh_faster_convergence",
        count_verdict(centred + tanh, 2),
        numbers.convergence_numbers(c, gap_centred, gap_tanh),
        result.text("convergence_rule"),
        note=result.text("convergence_note"),
    )


def con_severities(c: Context, name: str) -> dict[str, float]:
    """How severe each of sigmoid's cons is for `name` (larger = worse): 1 / first-to-last gradient
    ratio in the deep stack, the saturated share (at init or after training, the larger), and the
    arithmetic's CPU ns per element."""
    init, trained, _ = c.saturation(name)
    return {
        "vanishing": 1 / c.ratio(name),
        "saturation": max(init, trained),
        "exp cost": c.arith(name),
    }


def tanh_same_cons(result: Result, c: Context) -> None:
    tanh, sigmoid = con_severities(c, "tanh"), con_severities(c, "sigmoid")
    shared = {con: tanh[con] * SAME_CON_FACTOR >= sigmoid[con] for con in tanh}
    absolute = {  # the other reading: each con present in tanh by sigmoid's own thresholds
        "vanishing": c.ratio("tanh") < VANISH,
        "saturation": tanh["saturation"] >= SATURATED,
        "exp cost": c.arith("tanh") / c.arith("relu") >= COSTLY,
    }
    result.judge(
        "tanh_same_cons",
        count_verdict(sum(shared.values()), 3),
        numbers.same_cons_numbers(c, tanh, sigmoid, shared, absolute),
        result.say("same_cons_rule", same_con_factor=SAME_CON_FACTOR),
        note=result.say("same_cons_note", vanish=VANISH, saturated=SATURATED, costly=COSTLY),
    )


# -- the ReLU family ---------------------------------------------------------------------------------
def relu_cheap(result: Result, c: Context) -> None:
    relu, sigmoid, tanh = c.arith("relu"), c.arith("sigmoid"), c.arith("tanh")
    result.judge(
        "relu_cheap",
        Verdict.HOLDS
        if relu <= 0.5 * min(sigmoid, tanh)
        else Verdict.PARTLY
        if relu < min(sigmoid, tanh)
        else Verdict.DOES_NOT_HOLD,
        costs.cheap_numbers(c),
        result.say("cheap_rule", arithmetic_size=ARITHMETIC_SIZE),
        note=costs.timing_note(result, c),
    )


def relu_value_one(result: Result, c: Context) -> None:
    m = c.grid["relu"]
    result.judge(
        "relu_value_one",
        Verdict.HOLDS if m.one_error_pos == 0 else Verdict.DOES_NOT_HOLD,
        numbers.value_one_numbers(m),
        result.text("value_one_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
        note=result.text("value_one_note"),
    )


def relu_dead(result: Result, c: Context) -> None:
    m = c.grid["relu"]
    exact = m.zeros_neg == 1.0 and m.min_grad_neg == 0.0
    lr = largest_finite_lr(c, "relu")
    dead = numbers.never_positive(c, "relu", lr) if lr else math.nan
    result.judge(
        "relu_dead",
        Verdict.DOES_NOT_HOLD if not exact else Verdict.HOLDS if dead >= 0.01 else Verdict.PARTLY,
        numbers.dead_numbers(c, m, lr, dead),
        result.text("dead_rule"),
        asserted=True,
        margin=result.say("dead_margin", dead=dead),
    )


def relu_large_updates(result: Result, c: Context) -> None:
    early = mean_std(c.trained["relu", COMMON_LR].quarter(late=False), ddof=1, finite_only=True)[0]
    late, tanh_late = c.late_update("relu"), c.late_update("tanh")
    result.judge(
        "relu_large_updates",
        count_verdict((late > early) + (late >= 1.5 * tanh_late), 2),
        numbers.update_numbers(c, early),
        result.say("updates_rule", common_lr=COMMON_LR),
    )


def leaky_always_active(result: Result, c: Context) -> None:
    leaky = c.grid["leaky_relu"]
    lr = largest_finite_lr(c, "relu")
    result.judge(
        "leaky_always_active",
        Verdict.HOLDS
        if leaky.zeros_neg == 0 and leaky.min_grad_neg >= 0.0099
        else Verdict.DOES_NOT_HOLD,
        numbers.leaky_numbers(c, leaky, lr),
        result.text("leaky_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
        note=numbers.leaky_note(result, c, lr),
    )


def inherits(result: Result, c: Context, claim_id: str, name: str, parent: str) -> None:
    """`name` inherits `parent`'s late-update con: their last-quarter update ratios compared."""
    verdict, factor = factor_verdict(c.late_update(name), c.late_update(parent))
    asserted = claim_id == "leaky_inherits"  # as before issue 13: only Leaky ReLU's is asserted
    result.judge(
        claim_id,
        verdict,
        numbers.inherit_numbers(c, name, parent, factor),
        result.say(
            "inherit_rule", common_lr=COMMON_LR, factor_same=FACTOR_SAME, factor_close=FACTOR_CLOSE
        ),
        asserted=asserted,
        margin=result.say("inherit_margin", factor=factor, factor_same=FACTOR_SAME)
        if asserted
        else None,
        note=result.text("inherit_note" if asserted else "elu_inherit_note"),
    )


def elu_smoother(result: Result, c: Context) -> None:
    elu, leaky = c.grid["elu"], c.grid["leaky_relu"]
    result.judge(
        "elu_smoother",
        Verdict.HOLDS if elu.jump < 1e-3 and leaky.jump > 0.5 else Verdict.DOES_NOT_HOLD,
        numbers.smooth_numbers(c),
        result.text("smooth_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
        note=result.text("smooth_note"),
    )


def judge_all(result: Result, c: Context) -> None:
    """Every claim of the topic, in the index's order."""
    sigmoid_range(result, c)
    sigmoid_vanishing(result, c)
    sigmoid_saturation(result, c)
    sigmoid_exp_cost(result, c)
    tanh_zero_mean(result, c)
    tanh_faster_convergence(result, c)
    tanh_same_cons(result, c)
    relu_cheap(result, c)
    relu_value_one(result, c)
    relu_dead(result, c)
    relu_large_updates(result, c)
    leaky_always_active(result, c)
    inherits(result, c, "leaky_inherits", "leaky_relu", "relu")
    elu_smoother(result, c)
    inherits(result, c, "elu_inherits", "elu", "leaky_relu")
    sigmoid_no_other_advantage(result, c)
    # sigmoid_easy_to_learn is advice (kind = "advice" in the index): not judged by a run
