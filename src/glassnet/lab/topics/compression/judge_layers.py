"""The compression topic: judges of the two numeric claims (depthwise 1/Dk^2, group conv 1/g),
counted exactly from glassnet.summary, and of the CPU time that each factorisation saves."""

from __future__ import annotations

from typing import Any

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.compression.rules import speed_verdict
from glassnet.lab.topics.compression.settings import (
    EXACT,
    GROUPS,
    RATIO_AT,
    RATIO_CLOSE,
    SPEED_PARTLY,
    SPEED_SHARE,
)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= EXACT * abs(b)


def judge_depthwise_ratio(result: Result, layers: dict[str, Any]) -> None:
    rows = layers["depthwise"]
    exact = all(
        close(r["params_ratio"], r["formula"]) and close(r["macs_ratio"], r["formula"])
        for r in rows
    )
    at = next(r for r in rows if r["n"] == RATIO_AT)
    off = at["macs_ratio"] / at["notes"] - 1
    verdict = (
        Verdict.HOLDS
        if abs(off) <= RATIO_CLOSE
        else Verdict.PARTLY
        if exact
        else Verdict.DOES_NOT_HOLD
    )
    numbers: dict[Any, Any] = {
        Text(f"N = {r['n']}: counted ratio (1/N + 1/9)", f"N = {r['n']}:计数比值(1/N + 1/9)"): (
            f"{r['macs_ratio']:.4f} ({r['formula']:.4f})"
        )
        for r in rows
    }
    numbers[
        Text("params and MACs equal 1/N + 1/Dk^2 exactly", "参数与乘加恰好等于 1/N + 1/Dk^2")
    ] = exact
    numbers[Text(f"the notes' 1/9 off at N = {RATIO_AT}", f"N = {RATIO_AT} 时笔记的 1/9 偏差")] = (
        f"{off:+.1%}"
    )
    rule = result.say("depthwise_ratio_rule", close=RATIO_CLOSE, at=RATIO_AT)
    note = result.say("depthwise_ratio_note", off=off, n=RATIO_AT)
    result.judge("depthwise_ratio", verdict, numbers, rule, note=note)


def judge_group_ratio(result: Result, layers: dict[str, Any]) -> None:
    rows = layers["groups"]
    exact = all(
        close(r["params_ratio"], 1 / r["groups"]) and close(r["macs_ratio"], 1 / r["groups"])
        for r in rows
    )
    numbers: dict[Any, Any] = {
        Text(f"g = {r['groups']}: params, MACs ratio", f"g = {r['groups']}:参数、乘加比值"): (
            f"{r['params_ratio']:.4f}, {r['macs_ratio']:.4f} (1/g = {1 / r['groups']:.4f})"
        )
        for r in rows
    }
    numbers[Text("equal 1/g exactly", "恰好等于 1/g")] = exact
    at = next(r for r in rows if r["groups"] == GROUPS)
    saved = 1 - at["macs_ratio"]
    numbers[
        Text(
            f"share saved at g = {GROUPS} (other reading: 1/g)",
            f"g = {GROUPS} 时节省的比例(另一读法:1/g)",
        )
    ] = f"{saved:.0%} (1/g = {1 / GROUPS:.0%})"
    verdict = Verdict.HOLDS if exact else Verdict.DOES_NOT_HOLD
    result.judge("group_conv_ratio", verdict, numbers, result.text("group_ratio_rule"),
                 note=result.text("group_ratio_note"))  # fmt: skip


def judge_layer_speed(result: Result, layers: dict[str, Any], claim: str, form: str) -> None:
    times = layers["times"]
    speedup = times["standard"] / times[form]
    cut = times["macs"]["standard"] / times["macs"][form]
    shape = "x".join(str(s) for s in times["shape"])
    numbers = {
        Text(f"input {shape}: MACs cut", f"输入 {shape}:乘加减少倍数"): round(cut, 2),
        Text("CPU ms standard, factorised", "CPU 毫秒,标准、分解后"): (
            f"{times['standard']:.3f}, {times[form]:.3f}"
        ),
        Text("CPU speed-up", "CPU 加速比"): round(speedup, 2),
        Text("speed-up / MACs cut", "加速比 / 乘加减少倍数"): round(speedup / cut, 2),
    }
    rule = result.say("speed_rule", share=SPEED_SHARE, partly=SPEED_PARTLY)
    result.judge(claim, speed_verdict(speedup, cut), numbers, rule)


def judge_layers(result: Result, layers: dict[str, Any]) -> None:
    judge_depthwise_ratio(result, layers)
    judge_layer_speed(result, layers, "depthwise_speed", "separable")
    judge_group_ratio(result, layers)
    judge_layer_speed(result, layers, "group_conv_speed", "grouped")
