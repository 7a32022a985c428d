"""The init_diagnosis topic's judges: one function per claim, each with its rule and numbers."""

from __future__ import annotations

import math

from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.init_diagnosis.measure import Measured
from glassnet.lab.topics.init_diagnosis.settings import (
    AGREE_PARTLY,
    ALIKE_KS,
    MEAN_ZERO,
    STABLE_SPREAD,
    TRAINS,
    UNIFORM_KS,
    VAR_HIGH,
    VAR_LOW,
    WEIGHT_STD,
)

__all__ = ["judge_all"]


def look_at_activations(result: Result, rows: list[list]) -> None:
    total = len(rows)
    misses = [f"{row[0]} {row[1]}" for row in rows if row[-1].en == "NO"]
    agree = total - len(misses)
    share = agree / total
    verdict = (
        Verdict.HOLDS
        if agree == total
        else Verdict.PARTLY
        if share >= AGREE_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            "configurations where the activation alarms at init predict the outcome",
            "初始化时的激活警报正确预测训练结果的配置数",
        ): f"{agree} of {total}",
        Text("missed", "预测错误"): ", ".join(misses) or "-",
    }
    needed = math.ceil(AGREE_PARTLY * total)
    result.judge(
        "look_at_activations",
        verdict,
        numbers,
        result.say("look_rule", trains=TRAINS, agree_partly=AGREE_PARTLY),
        margin=result.say(  # not asserted: one configuration more missed changes the verdict
            "look_margin",
            agree=agree,
            total=total,
            needed=needed,
            missed=", ".join(misses) or "-",
            spare=agree - needed,
        ),
        note=result.text("look_note"),
    )


def stable_distribution(result: Result, m: Measured) -> None:
    """Plausible reading: each layer's distribution alike (two-sample KS to the first layer) and
    within one interval (std spread); the literal 'uniform' (KS to uniform) reported beside."""
    shape = m.shape
    alike = {act: max(s["alike"]) <= ALIKE_KS for act, s in shape.items()}
    stable = {act: s["spread"] <= STABLE_SPREAD for act, s in shape.items()}
    numbers = {}
    for act, s in shape.items():
        numbers[
            Text(
                f"{act}: largest KS distance of a layer to the first layer",
                f"{act}:各层与第一层的最大 KS 距离",
            )
        ] = round(max(s["alike"]), 3)
        numbers[
            Text(f"{act}: largest / smallest layer std", f"{act}:各层标准差的最大/最小之比")
        ] = round(s["spread"], 2)
        numbers[
            Text(
                f"{act}: KS distance to uniform, range over the layers (literal reading, reported)",
                f"{act}:各层与均匀分布的 KS 距离范围(字面读法,仅报告)",
            )
        ] = f"{min(s['ks']):.2f} - {max(s['ks']):.2f}"
    both = [act for act in shape if alike[act] and stable[act]]
    verdict = (
        Verdict.HOLDS
        if len(both) == len(shape)
        else Verdict.PARTLY
        if both or all(alike.values()) or all(stable.values())
        else Verdict.DOES_NOT_HOLD
    )
    tanh, relu = shape["tanh"], shape["relu"]
    result.judge(
        "stable_distribution",
        verdict,
        numbers,
        result.say("stable_rule", alike_ks=ALIKE_KS, stable=STABLE_SPREAD),
        margin=result.say(
            "stable_margin",
            tanh_alike=max(tanh["alike"]),
            relu_alike=max(relu["alike"]),
            alike_ks=ALIKE_KS,
            tanh_spread=tanh["spread"],
            relu_spread=relu["spread"],
            stable=STABLE_SPREAD,
        ),
        note=shape_note(result, m),
    )


def shape_note(result: Result, m: Measured) -> Text:
    """What this run measured of the activations' shape and scale across layers."""
    tanh, relu = m.shape["tanh"], m.shape["relu"]
    largest_ks = max(max(tanh["ks"]), max(relu["ks"]))
    return result.say(
        "shape_note",
        tanh_ks=max(tanh["ks"]),
        relu_ks=max(relu["ks"]),
        relu_zeros=min(row.zeros for row in relu["layers"]),
        relu_spread=relu["spread"],
        tanh_spread=tanh["spread"],
        layers=len(relu["ks"]),
        stable=STABLE_SPREAD,
        uniform_ks=UNIFORM_KS,
        ks_over_uniform=largest_ks - UNIFORM_KS,
        relu_over_stable=relu["spread"] - STABLE_SPREAD,
        tanh_over_stable=tanh["spread"] - STABLE_SPREAD,
    )


def _activation_reading(m: Measured) -> tuple[dict, dict]:
    """The other reading, reported: the good pairs' activations with mean 0 and variance 0.02."""
    conditions, numbers = {}, {}
    for act, s in m.shape.items():
        conditions[f"{act} mean 0"] = max(abs(v) for v in s["means"]) <= MEAN_ZERO
        conditions[f"{act} variance 0.02"] = all(VAR_LOW <= v <= VAR_HIGH for v in s["vars"])
        numbers[Text(f"{act}: largest |mean| over the layers", f"{act}:各层最大 |均值|")] = round(
            max(map(abs, s["means"])), 3
        )
        numbers[Text(f"{act}: variance range over the layers", f"{act}:各层方差范围")] = (
            f"{min(s['vars']):.3f} - {max(s['vars']):.3f}"
        )
    numbers[Text("activations: conditions met (reported)", "激活值读法:满足的条件(仅报告)")] = (
        ", ".join(k for k, v in conditions.items() if v) or "none"
    )
    return conditions, numbers


def mean0_var002(result: Result, m: Measured) -> None:
    """Favoured reading: weights from N(0, 0.02^2) are a fairly good init (no activation alarm at
    init, and the net trains) for tanh and for ReLU."""
    good, numbers = {}, {}
    for act, (_, alarms, _, (best, accs)) in m.weights.items():
        accuracy = mean_std_finite(accs)[0]
        good[act] = not alarms and accuracy >= TRAINS
        numbers[
            Text(
                f"{act}, N(0, 0.02^2) weights: activation alarms",
                f"{act},N(0, 0.02^2) 权重:激活警报",
            )
        ] = str(alarms[0]) if alarms else "-"
        numbers[
            Text(
                f"{act}, N(0, 0.02^2) weights: test accuracy (best lr)",
                f"{act},N(0, 0.02^2) 权重:测试准确率(最佳学习率)",
            )
        ] = f"{accuracy:.3f} (lr {best:g})"
    conditions, reported = _activation_reading(m)
    numbers.update(reported)
    met = sum(good.values())
    verdict = (
        Verdict.HOLDS if met == len(good) else Verdict.PARTLY if met else Verdict.DOES_NOT_HOLD
    )
    tanh, relu = m.shape["tanh"], m.shape["relu"]
    result.judge(
        "mean0_var002",
        verdict,
        numbers,
        result.say(
            "mean_var_rule",
            std=WEIGHT_STD,
            trains=TRAINS,
            mean_zero=MEAN_ZERO,
            var_low=VAR_LOW,
            var_high=VAR_HIGH,
        ),
        margin=result.say(
            "mean_var_margin",
            tanh_acc=mean_std_finite(m.weights["tanh"][3][1])[0],
            relu_acc=mean_std_finite(m.weights["relu"][3][1])[0],
            trains=TRAINS,
            met=sum(conditions.values()),
            tanh_mean=max(map(abs, tanh["means"])),
            relu_mean=max(map(abs, relu["means"])),
        ),
        note=result.text("mean_var_note"),
    )


def judge_all(result: Result, m: Measured, rows: list[list]) -> None:
    look_at_activations(result, rows)
    stable_distribution(result, m)
    mean0_var002(result, m)
