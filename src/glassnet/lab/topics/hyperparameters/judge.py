"""The hyperparameters topic: one judge per claim of the notes' list (怎么选择超参数)."""

from __future__ import annotations

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.topics.hyperparameters.measure import Measured, noise_points, points, span_points
from glassnet.lab.topics.hyperparameters.settings import (
    ITEMS,
    MATTERS_POINTS,
    MECHANISM_POINTS,
    NOISE_FACTOR,
    REGRET_POINTS,
    SAVES,
    TRANSFER_RHO,
    TRANSFER_RHO_PARTLY,
)


def judge_items(result: Result, m: Measured) -> None:
    """Each listed item: does choosing it matter here (beyond the seeds' own spread)?"""
    noise = noise_points(m)
    for claim_id, name in ITEMS.items():
        span = span_points(m, name)
        if span >= MATTERS_POINTS and span >= NOISE_FACTOR * noise:
            verdict = Verdict.HOLDS
        elif span > noise:
            verdict = Verdict.PARTLY
        else:
            verdict = Verdict.DOES_NOT_HOLD
        best = max(m.sensitivity[name], key=m.sensitivity[name].get)
        numbers = {"span_points": span, "noise_points": noise, "best_value": str(best)}
        result.judge(
            claim_id,
            verdict,
            numbers,
            rule=result.say("item_rule", matters=MATTERS_POINTS, factor=NOISE_FACTOR),
            margin=result.say("item_margin", parameter=name, **numbers),
        )


def judge_by_mechanism(result: Result, m: Measured) -> None:
    """Items 7-10 'chosen from the mechanism': do the textbook choices score at the top?"""
    best = m.mechanism["best"]["value"]
    scored = [c for c in m.mechanism["mechanism"] if c["value"] is not None]
    chosen = max(scored, key=lambda c: c["value"])
    gap = points(best - chosen["value"])
    verdict = (
        Verdict.HOLDS
        if gap <= MECHANISM_POINTS
        else Verdict.PARTLY
        if gap <= 2 * MECHANISM_POINTS
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        "gap_points": gap,
        "best_points": points(best),
        "mechanism_points": points(chosen["value"]),
        "mechanism_rank": chosen["rank"] + 1,
        "trials": m.mechanism["trials"],
    }
    result.judge(
        "by_mechanism",
        verdict,
        numbers,
        rule=result.say("mechanism_rule", allowed=MECHANISM_POINTS),
        margin=result.say("mechanism_margin", **numbers),
        note=result.text("mechanism_reading"),
    )


def judge_broad_strategy(result: Result, m: Measured) -> None:
    """Simplify and monitor: does a simplified problem rank configurations as the full one does?"""
    t = m.transfer
    seconds = t["cpu_seconds"]
    numbers = {
        "rho": t["spearman"] if np.isfinite(t["spearman"]) else 0.0,
        "regret_points": points(t["regret"]),
        "time_saving": seconds["full"] / max(seconds["simplified"], 1e-9),
        "configs": len(t["configs"]),
    }
    saves = numbers["time_saving"] >= SAVES
    if saves and numbers["rho"] >= TRANSFER_RHO and numbers["regret_points"] <= REGRET_POINTS:
        verdict = Verdict.HOLDS
    elif saves and numbers["rho"] >= TRANSFER_RHO_PARTLY:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "broad_strategy",
        verdict,
        numbers,
        rule=result.say(
            "transfer_rule",
            rho=TRANSFER_RHO,
            rho_partly=TRANSFER_RHO_PARTLY,
            regret=REGRET_POINTS,
            saves=SAVES,
        ),
        margin=result.say("transfer_margin", **numbers),
        note=result.text("transfer_reading"),
    )
