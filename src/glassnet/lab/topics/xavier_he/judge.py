"""The xavier_he topic's judges: one function per claim, each with its rule and deciding numbers."""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import sci
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.xavier_he.measure import Measured
from glassnet.lab.topics.xavier_he.settings import (
    BEATS,
    CLOSE,
    COLLAPSED,
    FAN_TOLERANCE,
    NEAR,
    PROBE_SIZES,
    SATURATED,
    SHRUNK,
    SNIPPET_BAND,
    SNIPPET_CORR,
    SNIPPET_FAR,
    SNIPPET_SAME,
    STALLS,
    STEADY,
    TANH_INITS,
    TRAINS,
)

__all__ = ["judge_all"]


def glorot_std_through_depth(result: Result, m: Measured) -> None:
    r_xavier, r_small = m.ratio("tanh", "xavier"), m.ratio("tanh", "small")
    verdict = (
        Verdict.DOES_NOT_HOLD
        if r_small > COLLAPSED
        else Verdict.HOLDS
        if r_xavier >= STEADY
        else Verdict.PARTLY
        if r_xavier >= SHRUNK
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            "tanh, Xavier: std ratio layer 16 / layer 1", "tanh,Xavier:第 16 层 / 第 1 层标准差"
        ): sci(r_xavier),
        Text("tanh, N(0, 0.01^2): the same", "tanh,N(0, 0.01^2):同上"): sci(r_small),
        Text("tanh, Xavier with gain 5/3: the same", "tanh,增益 5/3 的 Xavier:同上"): sci(
            m.ratio("tanh", "xavier53")
        ),
    }
    result.judge(
        "glorot_std_through_depth",
        verdict,
        numbers,
        result.say("glorot_rule", steady=STEADY, collapsed=COLLAPSED, shrunk=SHRUNK),
        asserted=True,
        margin=result.say(
            "glorot_margin",
            r_xavier=r_xavier,
            r_small=r_small,
            steady=STEADY,
            shrunk=SHRUNK,
            collapsed=COLLAPSED,
            xavier_over_steady=r_xavier - STEADY,
            small_over_collapsed=r_small - COLLAPSED,
        ),
        note=result.text("glorot_note"),
    )


def _agrees(value: float, measured: float) -> bool:
    return abs(value / measured - 1) <= FAN_TOLERANCE


def fan(result: Result, m: Measured, key: str) -> None:
    """fan_in or fan_out (`key`): is it the number of output channels, as the notes say?"""
    gain = "forward_gain" if key == "fan_in" else "backward_gain"
    notes_ok = [f["name"] for f in m.fans if _agrees(f["out_channels"], f[gain])]
    standard_ok = sum(_agrees(f[key], f[gain]) for f in m.fans)
    worst_standard = max(abs(f[key] / f[gain] - 1) for f in m.fans)
    misses = [
        max(f["out_channels"] / f[gain], f[gain] / f["out_channels"])
        for f in m.fans
        if f["name"] not in notes_ok
    ]
    verdict = (
        Verdict.HOLDS
        if len(notes_ok) == len(m.fans)
        else Verdict.PARTLY
        if notes_ok
        else Verdict.DOES_NOT_HOLD
    )
    side = "in" if key == "fan_in" else "out"
    numbers = {
        Text(
            "layers where 'output channels' matches the measured gain",
            "“输出通道数”与实测增益一致的层",
        ): ", ".join(notes_ok) or "none",
        Text("layers measured", "测量的层数"): len(m.fans),
        Text(f"layers where {key} = C_{side} k^2 matches", f"{key} = C_{side} k^2 一致的层数"): (
            standard_ok
        ),
    }
    formula = "Var(y)/(Var(x)Var(W))" if key == "fan_in" else "Var(dx)/(Var(dy)Var(W))"
    result.judge(
        key,
        verdict,
        numbers,
        result.say("fan_rule", gain=formula, fan=key, tolerance=FAN_TOLERANCE),
        asserted=True,
        margin=result.say(
            "fan_margin",
            worst=worst_standard,
            fan=key,
            closest_miss=f"{min(misses):.1f}x" if misses else "-",
        ),
        note=result.text("fan_note"),
    )


def init_snippet(result: Result, m: Measured) -> None:
    snippet = m.probes[("relu", "snippet")]
    r_snip = mean_std_finite([p["ratio"] for p in snippet])[0]
    corr = mean_std_finite([p["corr"] for p in snippet])[0]
    (low, high), (far_low, far_high) = SNIPPET_BAND, SNIPPET_FAR
    verdict = (
        Verdict.HOLDS
        if low <= r_snip <= high and corr < SNIPPET_CORR
        else Verdict.DOES_NOT_HOLD
        if r_snip > far_high or r_snip < far_low or corr > SNIPPET_SAME
        else Verdict.PARTLY
    )
    fan_in = PROBE_SIZES[1]
    tanh_saturated = float(np.mean([p["saturated"] for p in m.probes[("tanh", "snippet")]]))
    numbers = {
        Text(
            "ReLU, snippet: std ratio layer 16 / layer 1", "ReLU,笔记代码:第 16 层 / 第 1 层标准差"
        ): (sci(r_snip)),
        Text(
            "ReLU, snippet: mean |corr| between units at layer 16",
            "ReLU,笔记代码:第 16 层单元间平均 |相关|",
        ): sci(corr),
        Text("tanh, snippet: share saturated at layer 16", "tanh,笔记代码:第 16 层饱和比例"): round(
            tanh_saturated, 3
        ),
        Text(
            f"weight mean for fan_in {fan_in}: 1/sqrt(2 fan_in)",
            f"fan_in 为 {fan_in} 时的权重均值:1/sqrt(2 fan_in)",
        ): sci(1 / math.sqrt(2 * fan_in)),
        Text("ReLU, He (randn version): std ratio", "ReLU,He(randn 版本):标准差之比"): sci(
            m.ratio("relu", "he")
        ),
    }
    thresholds = dict(far_low=far_low, far_high=far_high, same=SNIPPET_SAME)
    result.judge(
        "init_snippet",
        verdict,
        numbers,
        result.say("snippet_rule", low=low, high=high, corr=SNIPPET_CORR, **thresholds),
        asserted=True,
        margin=result.say("snippet_margin", ratio=r_snip, corr=corr, **thresholds),
        note=result.text("snippet_note"),
    )


def he_deep_relu(result: Result, m: Measured) -> None:
    (lr_he, he), (lr_x, xavier) = m.best[("relu 30", "he")], m.best[("relu 30", "xavier")]
    verdict = (
        Verdict.HOLDS
        if he >= TRAINS and xavier <= STALLS
        else Verdict.PARTLY
        if he - xavier >= BEATS
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text("He: best final train accuracy", "He:最佳最终训练准确率"): round(he, 3),
        Text("He: its best lr", "He:其最佳学习率"): lr_he,
        Text("Xavier: best final train accuracy", "Xavier:最佳最终训练准确率"): round(xavier, 3),
        Text("Xavier: its best lr", "Xavier:其最佳学习率"): lr_x,
    }
    for name, scheme, lr in (("He", "he", lr_he), ("Xavier", "xavier", lr_x)):
        label = Text(
            f"{name}: step first reaching {TRAINS} train accuracy, per seed",
            f"{name}:首次达到 {TRAINS} 训练准确率的步数(每个种子)",
        )
        numbers[label] = ", ".join(
            "never" if r.steps_to[TRAINS] is None else str(r.steps_to[TRAINS])
            for r in m.runs[("relu 30", scheme, lr)]
        )
    fixed = result.text("plateau_note")
    measured = result.say(
        "plateau_run",
        mode=result.mode,
        xavier=xavier,
        he=he,
        stalls=STALLS,
        above_stall=xavier - STALLS,
    )
    result.judge(
        "he_deep_relu",
        verdict,
        numbers,
        result.say("he_rule", trains=TRAINS, stalls=STALLS, beats=BEATS),
        note=Text(fixed.en + measured.en, fixed.zh + measured.zh),
    )


def xavier_not_relu(result: Result, m: Measured) -> None:
    r_x, r_he = m.ratio("relu", "xavier"), m.ratio("relu", "he")
    he, xavier = m.best[("relu 30", "he")][1], m.best[("relu 30", "xavier")][1]
    depth_ok = r_x <= SHRUNK and STEADY <= r_he <= 1 / STEADY
    train_ok = xavier <= he - BEATS
    verdict = (
        Verdict.HOLDS
        if depth_ok and train_ok
        else Verdict.PARTLY
        if depth_ok or train_ok
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            "ReLU, Xavier: std ratio layer 16 / layer 1", "ReLU,Xavier:第 16 层 / 第 1 层标准差"
        ): (sci(r_x)),
        Text("ReLU, He: the same", "ReLU,He:同上"): sci(r_he),
        Text("30 layers: best train accuracy He - Xavier", "30 层:最佳训练准确率 He - Xavier"): (
            round(he - xavier, 3)
        ),
    }
    limits = dict(shrunk=SHRUNK, steady=STEADY, steady_high=1 / STEADY, beats=BEATS)
    result.judge(
        "xavier_not_relu",
        verdict,
        numbers,
        result.say("not_relu_rule", **limits),
        asserted=True,
        margin=result.say("not_relu_margin", r_x=r_x, r_he=r_he, gap=he - xavier, **limits),
        note=result.text("not_relu_note"),
    )


def xavier_tanh(result: Result, m: Measured) -> None:
    r_xavier = m.ratio("tanh", "xavier")
    sat = max(p["max_saturated"] for p in m.probes[("tanh", "xavier")])
    acc_x = m.best[("tanh 10", "xavier")][1]
    gap = max(m.best[("tanh 10", s)][1] for s in TANH_INITS) - acc_x
    healthy = sat < SATURATED and r_xavier >= SHRUNK
    verdict = (
        Verdict.HOLDS
        if gap <= CLOSE and healthy
        else Verdict.PARTLY
        if (gap <= NEAR and healthy) or gap <= CLOSE
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            f"10-layer tanh, {s}: best final train accuracy", f"10 层 tanh,{s}:最佳最终训练准确率"
        ): (round(m.best[("tanh 10", s)][1], 3))
        for s in TANH_INITS
    }
    numbers[Text("Xavier: gap to the best init", "Xavier:与最佳初始化的差距")] = round(gap, 3)
    numbers[
        Text(
            "Xavier at init: largest share of saturated units in a layer (16-layer probe)",
            "Xavier 初始化时:某层饱和单元的最大比例(16 层探针)",
        )
    ] = round(sat, 4)
    numbers[
        Text(
            "Xavier at init: std ratio layer 16 / layer 1",
            "Xavier 初始化时:第 16 层 / 第 1 层标准差",
        )
    ] = sci(r_xavier)
    limits = dict(close=CLOSE, saturated=SATURATED, shrunk=SHRUNK)
    result.judge(
        "xavier_tanh",
        verdict,
        numbers,
        asserted=True,
        margin=result.say("tanh_margin", gap=gap, sat=sat, r_xavier=r_xavier, **limits),
        rule=result.say("tanh_rule", near=NEAR, **limits),
    )


def judge_all(result: Result, m: Measured) -> None:
    """Every claim of the topic, in the index's order of the notes' claims, then the lab's."""
    glorot_std_through_depth(result, m)
    fan(result, m, "fan_in")
    fan(result, m, "fan_out")
    init_snippet(result, m)
    he_deep_relu(result, m)
    xavier_not_relu(result, m)
    xavier_tanh(result, m)
