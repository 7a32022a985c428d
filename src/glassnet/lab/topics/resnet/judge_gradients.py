"""The resnet topic: judge the gradient and cost claims (the shortcut's backward signal,
vanishing gradients as the cause of degradation, the backward pass's cost, efficiency)."""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.resnet.measure import Runs
from glassnet.lab.topics.resnet.settings import DEGRADES, LOSSLESS, VANISHED


def geo(values: list[float]) -> float:
    return float(math.exp(np.mean(np.log(values))))


def ratio(runs: Runs, family: str, depth: int, when: str) -> float:
    """First conv's backward signal over the classifier's (geometric mean over seeds)."""
    return geo([s[0] / s[-1] for s in runs.of(family, depth, f"signal_{when}")])


def smallest(runs: Runs, family: str, depth: int, when: str) -> float:
    """The smallest conv's backward signal over the classifier's (geometric mean over seeds)."""
    return geo([min(s[:-1]) / s[-1] for s in runs.of(family, depth, f"signal_{when}")])


def late_grad(runs: Runs, family: str, depth: int) -> float:
    """The first conv's ||dL/dW||, mean over the second half of seed 0's training."""
    norms = runs.of(family, depth, "first_grad")[0]
    return float(np.mean(norms[len(norms) // 2 :])) if norms else math.nan


def judge_shortcut(result: Result, runs: Runs, c: dict) -> None:
    low, high = c["low"], c["high"]
    r_res, r_plain = ratio(runs, "resnet", high, "init"), ratio(runs, "plain", high, "init")
    res_ok = LOSSLESS[0] <= r_res <= LOSSLESS[1]
    if res_ok and r_plain < LOSSLESS[0]:
        verdict = Verdict.HOLDS
    elif res_ok or abs(math.log10(r_res)) < abs(math.log10(r_plain)):
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    outside = max(LOSSLESS[0] - r_res, r_res - LOSSLESS[1])
    low_, high_ = LOSSLESS
    result.judge(
        "shortcut_gradient",
        verdict,
        {
            Text(
                f"resnet {high}: RMS dL/dy first / last at init",
                f"resnet {high}:初始化时第一层/最后一层 RMS dL/dy",
            ): f"{r_res:.3g}",
            Text(
                f"plain {high}: RMS dL/dy first / last at init",
                f"plain {high}:初始化时第一层/最后一层 RMS dL/dy",
            ): f"{r_plain:.3g}",
            Text(f"resnet {low}", f"resnet {low}"): f"{ratio(runs, 'resnet', low, 'init'):.3g}",
            Text(f"plain {low}", f"plain {low}"): f"{ratio(runs, 'plain', low, 'init'):.3g}",
            Text(
                f"reported: first conv ||dL/dW||, mean over the second half of training, plain {high} / resnet {high}",
                f"仅报告:训练后半程第一个卷积的 ||dL/dW|| 均值,plain {high} / resnet {high}",
            ): f"{late_grad(runs, 'plain', high):.3g} / {late_grad(runs, 'resnet', high):.3g}",
        },
        result.say("shortcut_rule", high=high, low=low_, top=high_),
        asserted=c["smoke"],
        note=result.say(
            "plain_grows", r_plain=r_plain, r_res=r_res, low=low_, high=high_, res_outside=outside
        ),
        margin=result.say("shortcut_margin", r_res=r_res, r_plain=r_plain, low=low_, high=high_)
        if c["smoke"]
        else None,
    )


def judge_vanishing(result: Result, runs: Runs, c: dict) -> None:
    """The author's guess: degradation comes from vanishing gradients, in the deep plain BN nets."""
    high = c["high"]
    plain = {w: ratio(runs, "plain", high, w) for w in ("init", "end")}
    least = {w: smallest(runs, "plain", high, w) for w in ("init", "end")}
    vanishes = min(plain.values()) < VANISHED  # the layer furthest from the loss
    degrades = c["plain_rise"] >= DEGRADES and c["settled"]
    verdict = (
        Verdict.HOLDS
        if vanishes and degrades
        else Verdict.PARTLY
        if vanishes
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "degradation_from_vanishing",
        verdict,
        {
            Text(
                f"plain {high}: RMS dL/dy first conv / classifier, at init",
                f"plain {high}:初始化时第一个卷积 / 分类层的 RMS dL/dy",
            ): f"{plain['init']:.3g}",
            Text(
                f"plain {high}: the same at the plateau", f"plain {high}:平台期的同一比值"
            ): f"{plain['end']:.3g}",
            Text(
                f"plain {high}: smallest conv / classifier, init / plateau (reported)",
                f"plain {high}:最小卷积 / 分类层,初始化 / 平台期(仅报告)",
            ): f"{least['init']:.3g} / {least['end']:.3g}",
            Text(
                f"resnet {high}: first conv / classifier, init / plateau",
                f"resnet {high}:第一个卷积 / 分类层,初始化 / 平台期",
            ): f"{ratio(runs, 'resnet', high, 'init'):.3g} / {ratio(runs, 'resnet', high, 'end'):.3g}",
            Text("the plain net's gradient vanishes", "普通网络的梯度消失"): vanishes,
            Text("the plain net degrades at the plateau", "普通网络在平台期退化"): degrades,
        },
        result.say("vanishing_rule", vanished=VANISHED, degrades=DEGRADES),
        note=result.text("vanishing_note"),
    )


def judge_backprop(result: Result, runs: Runs, c: dict) -> None:
    """'Simplifies the backward pass', read as its cost: graph nodes and CPU time, same depth."""
    high = c["high"]
    (n_plain, t_plain), (n_res, t_res) = (
        runs.backward[("plain", high)],
        runs.backward[("resnet", high)],
    )
    nodes, seconds = n_res / n_plain, t_res / t_plain
    verdict = (
        Verdict.HOLDS
        if nodes < 1 and seconds < 1
        else Verdict.PARTLY
        if nodes <= 1
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "simplifies_backprop",
        verdict,
        {
            Text(
                f"autograd nodes of one loss, plain {high} / resnet {high}",
                f"一次损失的 autograd 节点数,plain {high} / resnet {high}",
            ): f"{n_plain} / {n_res}",
            Text("nodes, resnet / plain", "节点数,resnet / plain"): round(nodes, 3),
            Text(
                "CPU time per backward, resnet / plain (reported)",
                "每次反向的 CPU 时间,resnet / plain(仅报告)",
            ): round(seconds, 2),
        },
        result.text("backprop_rule"),
        note=result.text("backprop_note"),
    )


def judge_efficiency(result: Result, runs: Runs, c: dict, depths: tuple[int, ...]) -> None:
    low, high = c["low"], c["high"]
    same_cost = all(
        runs.params[("plain", d)] == runs.params[("resnet", d)]
        and runs.macs[("plain", d)] == runs.macs[("resnet", d)]
        for d in depths
    )
    growth = runs.macs[("resnet", high)] / runs.macs[("resnet", low)]
    time_ratio = float(np.mean(runs.of("resnet", high, "cpu_per_step"))) / float(
        np.mean(runs.of("plain", high, "cpu_per_step"))
    )
    verdict = (
        Verdict.HOLDS
        if same_cost and growth <= 1.25
        else Verdict.PARTLY
        if same_cost
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "efficiency",
        verdict,
        {
            Text(
                "shortcut adds no parameters and no MACs at any depth",
                "任何深度下捷径都不增加参数和乘加",
            ): same_cost,
            Text(
                f"MACs per image, depth {high} / depth {low}",
                f"每张图的乘加数,深度 {high} / 深度 {low}",
            ): round(growth, 2),
            Text(f"depth ratio {high} / {low}", f"深度之比 {high} / {low}"): round(high / low, 2),
            Text(
                f"CPU time per step, resnet {high} / plain {high} (reported)",
                f"每步 CPU 时间,resnet {high} / plain {high}(仅报告)",
            ): round(time_ratio, 2),
        },
        result.text("efficiency_rule"),
        asserted=c["smoke"],
        margin=result.say("efficiency_margin", growth=growth) if c["smoke"] else None,
    )
