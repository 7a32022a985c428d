"""evaluation's verdicts: one judge per claim of the notes, each from `measure`'s numbers."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Verdict
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
        result.text("num_train_gap"): round(gap, 2),
        result.text("num_optimism"): round(optimism["optimism"], 2),
        result.text("num_unselected"): round(optimism["unselected"], 3),
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
        result.text("num_worst"): data["worst"],
        result.text("num_no_accuracy"): round(no["accuracy"], 4),
        result.text("num_no_recall"): no["recall"],
        result.text("num_yes_recall"): yes["recall"],
        result.text("num_yes_accuracy"): round(yes["accuracy"], 4),
        result.text("num_monotone"): binary["monotone"],
        result.text("num_spearman"): round(rho, 3),
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
    result.judge("accuracy_recall", verdict, numbers, rule, asserted=True, margin=margin, note=note)
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
        result.text("num_bias_small"): round(small["bias"], 2),
        result.text("num_bias_big"): round(big["bias"], 2),
        result.text("num_variance_small"): round(small["variance"], 2),
        result.text("num_variance_big"): round(big["variance"], 2),
        result.text("num_error_small"): round(small["error"], 2),
        result.text("num_error_big"): round(big["error"], 2),
    }
    result.judge(
        "variance_bias", verdict, numbers, result.say("rule_variance_bias", points=BV_POINTS)
    )
    return verdict
