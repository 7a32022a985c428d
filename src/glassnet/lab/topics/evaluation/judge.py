"""evaluation's verdicts: one judge per claim of the notes, each from `measure`'s numbers."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.topics.evaluation.settings import (
    BV_POINTS,
    MAJORITY_ACCURACY,
    METRICS_TOLERANCE,
    MINORITY_ACCURACY,
    OPTIMISM_POINTS,
    POSITIVE,
    SPEARMAN,
    TRAIN_GAP_POINTS,
)


def both_or_one(parts: tuple[bool, bool]) -> Verdict:
    """holds when both parts pass, partly when one does, does not hold otherwise."""
    return Verdict.HOLDS if all(parts) else Verdict.PARTLY if any(parts) else Verdict.DOES_NOT_HOLD


def train_gap(pool: list[dict]) -> float:
    """How far the training accuracy overstates the test accuracy, mean over candidates, in points."""
    return 100 * float(np.mean([c["train"] - c["test"] for c in pool]))


def judge_splits(result: Result, data: dict) -> Verdict:
    """Training accuracy cannot judge a model, nor can the validation data that chose it."""
    gap, optimism = train_gap(data["pool"]), data["optimism"]
    verdict = both_or_one((gap >= TRAIN_GAP_POINTS, optimism["optimism"] >= OPTIMISM_POINTS))
    numbers = {
        Text(
            "training accuracy minus test accuracy, mean (points)",
            "训练准确率减测试准确率,均值(百分点)",
        ): round(gap, 2),
        Text(
            "chosen model: validation minus fresh-half accuracy, mean (points)",
            "被选模型:验证准确率减另一半准确率,均值(百分点)",
        ): round(optimism["optimism"], 2),
        Text(
            "unselected models: the same difference (points)", "未经选择的模型:同一差值(百分点)"
        ): round(optimism["unselected"], 3),
    }
    rule = result.say(
        "rule_splits", train_gap_points=TRAIN_GAP_POINTS, optimism_points=OPTIMISM_POINTS
    )
    result.judge("splits", verdict, numbers, rule)
    return verdict


def metric_parts(data: dict) -> dict[str, bool]:
    """The four checks of 'accuracy_recall', by name."""
    binary = data["binary"]
    no, yes = binary["scores"]["always_no"], binary["scores"]["always_yes"]
    return {
        "agree": data["worst"] <= METRICS_TOLERANCE,
        "hides_no": no["accuracy"] >= MAJORITY_ACCURACY and no["recall"] == 0.0,
        "hides_yes": yes["recall"] == 1.0 and yes["accuracy"] <= MINORITY_ACCURACY,
        "trade": binary["monotone"] and binary["rho"] >= SPEARMAN,
    }


def judge_accuracy_recall(result: Result, data: dict) -> Verdict:
    """Accuracy and recall each expose a degenerate classifier the other hides."""
    binary = data["binary"]
    no, yes, rho = binary["scores"]["always_no"], binary["scores"]["always_yes"], binary["rho"]
    parts = metric_parts(data)
    passed = sum(parts.values())
    verdict = (
        Verdict.HOLDS
        if passed == len(parts)
        else Verdict.PARTLY
        if parts["agree"] and passed >= 2
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            "largest |glassnet - scikit-learn| over all metrics",
            "所有指标中 |glassnet - scikit-learn| 的最大值",
        ): data["worst"],
        Text("'always no': accuracy", "“总说不是”:准确率"): round(no["accuracy"], 4),
        Text("'always no': recall", "“总说不是”:召回率"): no["recall"],
        Text("'always yes': recall", "“总说是”:召回率"): yes["recall"],
        Text("'always yes': accuracy", "“总说是”:准确率"): round(yes["accuracy"], 4),
        Text("recall never rises with the threshold", "召回率随阈值单调不增"): binary["monotone"],
        Text("Spearman(threshold, precision)", "Spearman(阈值, 精确率)"): round(rho, 3),
    }
    rule = result.say(
        "rule_accuracy_recall",
        majority=MAJORITY_ACCURACY,
        minority=MINORITY_ACCURACY,
        spearman=SPEARMAN,
    )
    margin = result.say(
        "margin_accuracy_recall",
        positive=POSITIVE,
        positives=binary["positives"],
        no_accuracy=no["accuracy"],
        majority=MAJORITY_ACCURACY,
        yes_accuracy=yes["accuracy"],
        minority=MINORITY_ACCURACY,
        rho=rho,
        spearman=SPEARMAN,
    )
    note = result.say("note_accuracy_recall", **{k: int(v) for k, v in parts.items()})
    result.judge("accuracy_recall", verdict, numbers, rule, robust=True, margin=margin, note=note)
    return verdict


def judge_variance_bias(result: Result, data: dict) -> Verdict:
    """Bias and variance tell a small and a big model apart in opposite directions."""
    small, big = data["decomposition"]["small"], data["decomposition"]["big"]
    verdict = both_or_one(
        (
            small["bias"] - big["bias"] >= BV_POINTS,
            big["variance"] - small["variance"] >= BV_POINTS,
        )
    )
    numbers = {
        Text("bias %, small", "偏差 %,小模型"): round(small["bias"], 2),
        Text("bias %, big", "偏差 %,大模型"): round(big["bias"], 2),
        Text("variance %, small", "方差 %,小模型"): round(small["variance"], 2),
        Text("variance %, big", "方差 %,大模型"): round(big["variance"], 2),
        Text("mean error %, small", "平均误差 %,小模型"): round(small["error"], 2),
        Text("mean error %, big", "平均误差 %,大模型"): round(big["error"], 2),
    }
    result.judge(
        "variance_bias", verdict, numbers, result.say("rule_variance_bias", points=BV_POINTS)
    )
    return verdict
