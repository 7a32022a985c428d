"""The resnet topic: judge the degradation claims (training error at the plateau, by depth).

Every number is a mean over seeds of nets trained until their training loss plateaued; a
run that reached the step cap first is 'capped', and a claim about degradation cannot hold
on capped runs: their higher error may only be slower convergence.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.resnet.measure import Runs
from glassnet.lab.topics.resnet.settings import (
    BETTER,
    CONFIG,
    DEGRADES,
    DEGRADES_PARTLY,
    EXACT,
    MUCH_BETTER,
    NO_WORSE,
)


def context(runs: Runs, mode: str) -> dict:
    """What the degradation verdicts read: depths, mean errors, the rises with depth, the stops."""
    depths = CONFIG[mode]["depths"]
    low, high = depths[0], depths[-1]
    keys = runs.runs
    err = {k: float(np.mean(runs.of(*k, "train_error"))) for k in keys}
    test = {k: float(np.mean(runs.of(*k, "test_error"))) for k in keys}
    steps = {k: float(np.mean(runs.of(*k, "steps"))) for k in keys}
    capped = {k: sum(s in ("capped", "diverged") for s in runs.of(*k, "stopped")) for k in keys}
    seed_rise = {
        f: [b - a for a, b in zip(runs.of(f, low, "train_error"), runs.of(f, high, "train_error"))]
        for f in ("plain", "resnet")
    }
    return dict(
        low=low,
        high=high,
        err=err,
        test=test,
        steps=steps,
        capped=capped,
        seed_rise=seed_rise,
        plain_rise=err[("plain", high)] - err[("plain", low)],
        res_rise=err[("resnet", high)] - err[("resnet", low)],
        settled=capped[("plain", low)] + capped[("plain", high)] == 0,
        smoke=mode == "smoke",
    )


def measured_what(c: dict) -> Text:
    """Whether the errors compared are at a plateau or at the step cap (slower convergence)."""
    return (
        Text("degradation at the plateau", "平台期的退化")
        if c["settled"]
        else Text("slower convergence at the step cap", "步数上限下的收敛更慢")
    )


def rise_numbers(c: dict, family: str) -> dict:
    low, high, err, test, steps = c["low"], c["high"], c["err"], c["test"], c["steps"]
    a, b = (family, low), (family, high)
    return {
        Text(
            f"{family} training error {low} -> {high}", f"{family} 训练误差 {low} -> {high}"
        ): f"{err[a]:.3f} -> {err[b]:.3f}",
        Text(
            f"{family} test error {low} -> {high}", f"{family} 测试误差 {low} -> {high}"
        ): f"{test[a]:.3f} -> {test[b]:.3f}",
        Text(
            f"{family}: steps trained {low} / {high}", f"{family}:训练步数 {low} / {high}"
        ): f"{steps[a]:.0f} / {steps[b]:.0f}",
        Text(f"{family}: runs capped {low} / {high}", f"{family}:到达上限的运行 {low} / {high}"): (
            f"{c['capped'][a]} / {c['capped'][b]}"
        ),
        Text(f"rise of the {family} training error", f"{family} 训练误差的上升"): round(
            c[f"{'plain' if family == 'plain' else 'res'}_rise"], 3
        ),
    }


def judge_plain_degrades(result: Result, c: dict) -> None:
    rise, every_seed = c["plain_rise"], all(r > 0 for r in c["seed_rise"]["plain"])
    verdict = (
        Verdict.HOLDS
        if rise >= DEGRADES and every_seed and c["settled"]
        else Verdict.PARTLY
        if rise >= DEGRADES_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "plain_degrades",
        verdict,
        {
            **rise_numbers(c, "plain"),
            Text("rise in every seed", "每个种子都上升"): every_seed,
            Text("what was measured", "测到的是"): measured_what(c),
        },
        result.say("plain_degrades_rule", degrades=DEGRADES, partly=DEGRADES_PARTLY),
    )


def judge_training_error(result: Result, c: dict) -> None:
    plain, res = c["plain_rise"], c["res_rise"]
    if plain >= DEGRADES and c["settled"] and res <= NO_WORSE:
        verdict = Verdict.HOLDS
    elif plain >= DEGRADES_PARTLY:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "degradation_training_error",
        verdict,
        {
            **rise_numbers(c, "plain"),
            **rise_numbers(c, "resnet"),
            Text("what was measured", "测到的是"): measured_what(c),
        },
        result.say(
            "training_error_rule", degrades=DEGRADES, partly=DEGRADES_PARTLY, no_worse=NO_WORSE
        ),
    )


def judge_solves(result: Result, c: dict) -> None:
    high, err, res = c["high"], c["err"], c["res_rise"]
    gap = err[("plain", high)] - err[("resnet", high)]
    if res <= NO_WORSE and gap >= DEGRADES and c["settled"]:
        verdict = Verdict.HOLDS
    elif gap >= DEGRADES_PARTLY:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    steps = c["steps"]
    result.judge(
        "solves_degradation",
        verdict,
        {
            **rise_numbers(c, "resnet"),
            Text(
                f"plain {high} minus resnet {high} training error",
                f"plain {high} 与 resnet {high} 训练误差之差",
            ): round(gap, 3),
            Text(
                f"steps to the plateau, plain {high} / resnet {high}",
                f"到达平台期的步数,plain {high} / resnet {high}",
            ): f"{steps[('plain', high)]:.0f} / {steps[('resnet', high)]:.0f}",
            Text("what was measured", "测到的是"): measured_what(c),
        },
        result.say("solves_rule", no_worse=NO_WORSE, degrades=DEGRADES, partly=DEGRADES_PARTLY),
        note=result.text("solves_note"),
    )


def judge_deeper(result: Result, c: dict, built: dict) -> None:
    low, high, err = c["low"], c["high"], c["err"]
    exact = built["max_logit_diff"] <= EXACT and built["deep_error"] == built["shallow_error"]
    res_ok, plain_ok = c["res_rise"] <= NO_WORSE, c["plain_rise"] <= NO_WORSE
    verdict = (
        Verdict.HOLDS
        if exact and res_ok and plain_ok
        else Verdict.PARTLY
        if exact and (res_ok or plain_ok)
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "deeper_not_worse",
        verdict,
        {
            Text(
                f"construction: resnet {low} training error", f"构造:resnet {low} 训练误差"
            ): round(built["shallow_error"], 4),
            Text(
                f"construction: resnet {high} built from it with identity blocks",
                f"构造:由它加恒等块得到的 resnet {high}",
            ): round(built["deep_error"], 4),
            Text(
                "construction: largest |logit difference|", "构造:最大 |logit 差|"
            ): f"{built['max_logit_diff']:.2g}",
            Text(
                f"SGD to the plateau: resnet training error {low} -> {high}",
                f"SGD 训练到平台期:resnet 训练误差 {low} -> {high}",
            ): f"{err[('resnet', low)]:.3f} -> {err[('resnet', high)]:.3f}",
            Text(
                f"SGD to the plateau: plain training error {low} -> {high}",
                f"SGD 训练到平台期:plain 训练误差 {low} -> {high}",
            ): f"{err[('plain', low)]:.3f} -> {err[('plain', high)]:.3f}",
        },
        result.say("deeper_rule", exact=EXACT, no_worse=NO_WORSE),
        note=result.text("deeper_note") if verdict == Verdict.PARTLY else None,
    )


def judge_better_than_shallow(result: Result, c: dict) -> None:
    low, high, test = c["low"], c["high"], c["test"]
    gain = test[("plain", low)] - test[("resnet", high)]
    verdict = (
        Verdict.HOLDS
        if gain >= MUCH_BETTER
        else Verdict.PARTLY
        if gain >= BETTER
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "better_than_shallow",
        verdict,
        {
            Text(f"test error, plain {low} (the shallow net)", f"测试误差,plain {low}(浅层网络)"): (
                round(test[("plain", low)], 3)
            ),
            Text(f"test error, resnet {low}", f"测试误差,resnet {low}"): round(
                test[("resnet", low)], 3
            ),
            Text(f"test error, resnet {high}", f"测试误差,resnet {high}"): round(
                test[("resnet", high)], 3
            ),
            Text("shallow minus deep ResNet", "浅层减深层 ResNet"): round(gain, 3),
        },
        result.say("better_rule", much=MUCH_BETTER, better=BETTER),
        note=result.text("better_note"),
    )
