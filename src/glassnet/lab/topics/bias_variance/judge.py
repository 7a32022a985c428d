"""bias_variance's verdicts: one judge per claim of the notes, each returning its guideline row
(the guideline, what it should change, the measured change, the verdict)."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.kit.fitting import OVERFIT_RULE, overfit_verdict
from glassnet.lab.topics.bias_variance.measure import err
from glassnet.lab.topics.bias_variance.settings import (
    BIG,
    BIGGER_POINTS,
    DEEP,
    DEEPER_POINTS,
    GAP_RATIO,
    MORE_DATA_VAL_POINTS,
    OPTIMISER_POINTS,
    SEARCH_POINTS,
    SMALL,
)


def _train(runs: list) -> list:
    return [r["train"] for r in runs]


def _val(runs: list) -> list:
    return [r["val"] for r in runs]


def gap(runs: list) -> float:
    """The mean train - validation accuracy gap, in points."""
    return 100 * float(np.mean([r["train"] - r["val"] for r in runs]))


def _by_count(passed: list) -> Verdict:
    """holds when every part passed, partly when some did, does not hold when none did."""
    count = sum(bool(p) for p in passed)
    return (
        Verdict.HOLDS
        if count == len(passed)
        else Verdict.PARTLY
        if count
        else Verdict.DOES_NOT_HOLD
    )


def judge_bigger_model(result: Result, s: dict, curves: dict, deep: list) -> list:
    """A bigger or deeper model lowers the training error (bias)."""
    n_max = s["sizes"][-1]
    small, big = curves["small"][n_max], curves["big"][n_max]
    bigger = err(_train(small)) - err(_train(big))
    deeper = err(_train(small)) - err(_train(deep))
    verdict = _by_count([bigger >= BIGGER_POINTS, deeper >= DEEPER_POINTS])
    numbers = {
        Text(f"train error %, small {SMALL}", f"训练误差 %,小模型 {SMALL}"): round(
            err(_train(small)), 2
        ),
        Text(f"train error %, big {BIG}", f"训练误差 %,大模型 {BIG}"): round(err(_train(big)), 2),
        Text(f"train error %, deeper {DEEP}", f"训练误差 %,更深的 {DEEP}"): round(
            err(_train(deep)), 2
        ),
        Text("val error %, small", "验证误差 %,小模型"): round(err(_val(small)), 2),
        Text("val error %, big", "验证误差 %,大模型"): round(err(_val(big)), 2),
    }
    rule = result.say(
        "rule_bigger", n_max=n_max, bigger_points=BIGGER_POINTS, deeper_points=DEEPER_POINTS
    )
    result.judge("bias_bigger_model", verdict, numbers, rule)
    return [
        Text("low bias: a bigger model, deeper layers", "低偏差:更大的模型,更深的层"),
        Text("training error down", "训练误差下降"),
        f"train error: bigger {-bigger:+.1f} pts, deeper {-deeper:+.1f} pts",
        verdict,
    ]


def judge_better_optimizer(result: Result, s: dict, optimisers: dict) -> list:
    """Momentum and Adam lower the training error below plain SGD's (bias)."""
    sgd = err(_train(optimisers["SGD lr 0.01"]))
    gains = {
        label: sgd - err(_train(runs))
        for label, runs in optimisers.items()
        if label in ("momentum 0.9, lr 0.01", "Adam lr 1e-3")
    }
    verdict = _by_count([gain >= OPTIMISER_POINTS for gain in gains.values()])
    numbers = {
        Text(f"train error %, {label}", f"训练误差 %,{label}"): round(err(_train(runs)), 2)
        for label, runs in optimisers.items()
    }
    margin = result.say("margin_optimizer", weakest=min(gains.values()), points=OPTIMISER_POINTS)
    rule = result.say("rule_optimizer", n_max=s["sizes"][-1], points=OPTIMISER_POINTS)
    result.judge("bias_better_optimizer", verdict, numbers, robust=True, margin=margin, rule=rule)
    measured = ", ".join(f"{label} {-gain:+.1f} pts" for label, gain in gains.items())
    return [
        Text("low bias: a better optimiser", "低偏差:更好的优化器"),
        Text("training error down", "训练误差下降"),
        "train error: " + measured,
        verdict,
    ]


def judge_more_data(result: Result, s: dict, curves: dict) -> list:
    """More data closes the train-validation gap and lowers the validation error (variance)."""
    n_min, n_max = s["sizes"][0], s["sizes"][-1]
    small_gap, large_gap = gap(curves["big"][n_min]), gap(curves["big"][n_max])
    val_gain = 100 * (np.mean(_val(curves["big"][n_max])) - np.mean(_val(curves["big"][n_min])))
    verdict = _by_count([large_gap <= GAP_RATIO * small_gap, val_gain >= MORE_DATA_VAL_POINTS])
    margin = result.say(
        "margin_more_data",
        ratio=large_gap / small_gap,
        gap_ratio=GAP_RATIO,
        val_gain=val_gain,
        val_points=MORE_DATA_VAL_POINTS,
    )
    numbers = {
        Text(f"gap (points) at {n_min} signals", f"{n_min} 个信号时的 gap(百分点)"): round(
            small_gap, 2
        ),
        Text(f"gap (points) at {n_max} signals", f"{n_max} 个信号时的 gap(百分点)"): round(
            large_gap, 2
        ),
        Text("validation gain (points)", "验证准确率提升(百分点)"): round(float(val_gain), 2),
    }
    rule = result.say(
        "rule_more_data",
        n_max=n_max,
        n_min=n_min,
        gap_ratio=GAP_RATIO,
        val_points=MORE_DATA_VAL_POINTS,
    )
    result.judge(
        "variance_more_data", verdict, robust=True, margin=margin, numbers=numbers, rule=rule
    )
    return [
        Text("low variance: more data", "低方差:更多数据"),
        Text("gap down, validation error down", "gap 与验证误差下降"),
        f"gap {small_gap:.1f} -> {large_gap:.1f} pts, val +{val_gain:.1f} pts",
        verdict,
    ]


def regulariser_effects(base: list, regular: dict) -> dict:
    """{regulariser: (OVERFIT_RULE verdict, gap narrowed by, validation gain)} against `base`."""
    base_gap, base_val = gap(base), 100 * float(np.mean(_val(base)))
    judged = {}
    for name, runs in regular.items():
        d_gap = base_gap - gap(runs)
        d_val = 100 * float(np.mean(_val(runs))) - base_val
        judged[name] = (overfit_verdict(d_gap, d_val), round(d_gap, 2), round(d_val, 2))
    return judged


def judge_regularisation(result: Result, s: dict, judged: dict) -> list:
    """L2 and dropout narrow the gap (variance), each by the over-fitting rule."""
    parts = [judged["L2"][0], judged["dropout"][0]]
    verdict = (
        Verdict.HOLDS
        if parts == ["holds"] * 2
        else Verdict.DOES_NOT_HOLD
        if parts == ["does not hold"] * 2
        else Verdict.PARTLY
    )
    numbers = {}
    for name in ("L2", "dropout"):
        numbers[Text(f"{name}: gap narrowed by (points)", f"{name}:gap 缩小(百分点)")] = judged[
            name
        ][1]
        numbers[Text(f"{name}: validation gain (points)", f"{name}:验证准确率提升(百分点)")] = (
            judged[name][2]
        )
    intro = result.say("rule_regularisation", n_reg=s["n_reg"])
    rule = Text(intro.en + OVERFIT_RULE.en, intro.zh + OVERFIT_RULE.zh)
    note = result.say("note_regularisation", l2_verdict=parts[0], dropout_verdict=parts[1])
    result.judge("variance_regularisation", verdict, numbers, rule, note=note)
    l2, dropout = judged["L2"], judged["dropout"]
    return [
        Text("low variance: regularisation, dropout", "低方差:正则化,dropout"),
        Text("gap down", "gap 下降"),
        (
            f"L2: gap {-l2[1]:+.1f} pts, val {l2[2]:+.1f} pts; "
            f"dropout: gap {-dropout[1]:+.1f} pts, val {dropout[2]:+.1f} pts"
        ),
        verdict,
    ]


def judge_adversarial(result: Result, s: dict, judged: dict) -> list:
    """FGSM adversarial training narrows the gap (variance), by the over-fitting rule."""
    adv = judged["adversarial"]
    numbers = {
        Text("gap narrowed by (points)", "gap 缩小(百分点)"): adv[1],
        Text("validation gain (points)", "验证准确率提升(百分点)"): adv[2],
    }
    intro = result.say("rule_adversarial", n_reg=s["n_reg"])
    rule = Text(intro.en + OVERFIT_RULE.en, intro.zh + OVERFIT_RULE.zh)
    note = result.text("note_adversarial")
    result.judge("variance_adversarial", adv[0], numbers, rule, note=note)
    return [
        Text(
            "low variance: adversarial networks (read as adversarial training)",
            "低方差:对抗神经网络(按对抗训练理解)",
        ),
        Text("gap down", "gap 下降"),
        f"gap {-adv[1]:+.1f} pts, val {adv[2]:+.1f} pts",
        adv[0],
    ]


def judge_search(result: Result, s: dict, search: dict) -> list:
    """The configuration a search chooses on validation also wins on the untouched test split."""
    default, chosen = search["default"], search["chosen"]
    val_gain = 100 * (chosen["val"] - default["val"])
    test_gain = 100 * (chosen["test"] - default["test"])
    verdict = (
        Verdict.HOLDS
        if val_gain >= SEARCH_POINTS and test_gain >= SEARCH_POINTS
        else Verdict.PARTLY
        if val_gain >= SEARCH_POINTS
        else Verdict.DOES_NOT_HOLD
    )
    gap_change = (chosen["train"] - chosen["val"]) - (default["train"] - default["val"])
    numbers = {
        Text("configurations tried", "尝试的配置数"): s["search"],
        Text(
            "validation gain over the default (points)", "相对默认配置的验证准确率提升(百分点)"
        ): round(val_gain, 2),
        Text("test gain over the default (points)", "相对默认配置的测试准确率提升(百分点)"): round(
            test_gain, 2
        ),
        Text("chosen: train accuracy change (points)", "选中配置:训练准确率变化(百分点)"): round(
            100 * (chosen["train"] - default["train"]), 2
        ),
        Text("chosen: gap change (points)", "选中配置:gap 变化(百分点)"): round(
            100 * gap_change, 2
        ),
    }
    result.judge(
        "hyperparameters", verdict, numbers, result.say("rule_search", points=SEARCH_POINTS)
    )
    return [
        Text("low bias and variance: search hyper-parameters", "低偏差与低方差:搜索超参数"),
        Text("test error down", "测试误差下降"),
        f"val {val_gain:+.1f} pts, test {test_gain:+.1f} pts",
        verdict,
    ]
