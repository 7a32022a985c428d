"""activation_choice's verdicts: one judge per claim, each from the sweeps' numbers."""

from __future__ import annotations

import math

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.kit import activations as T
from glassnet.lab.topics.activation_choice.measure import Sweep
from glassnet.lab.topics.activation_choice.settings import SIGMOID_GAP, USABLE


def count_verdict(hits: int, total: int) -> Verdict:
    return Verdict.HOLDS if hits == total else Verdict.PARTLY if hits else Verdict.DOES_NOT_HOLD


def key(result: Result, net: str, name: Text) -> Text:
    """A deciding number's name, prefixed with its network ('shallow: best lr, ReLU')."""
    short = result.text(f"short_{net}")
    return Text(f"{short.en}: {name.en}", f"{short.zh}:{name.zh}")


def small_lr_checks(s: Sweep) -> dict:
    """Checks A and B of 'relu_small_lr' in one network, with the lrs that decide them."""
    best = {name: s.best_lr(name) for name in T.ACTIVATIONS}
    top = {name: max(s.usable(name)) for name in T.ACTIVATIONS}
    # below chance + USABLE at every lr, sigmoid has no meaningful best lr
    sigmoid_trains = s.best_val("sigmoid") > T.CHANCE + USABLE
    check_a = (best["relu"] < best["sigmoid"] or not sigmoid_trains) and best["relu"] <= best[
        "tanh"
    ]
    above = [lr for lr in s.lrs if lr > top["relu"]]
    return {
        "best": best,
        "top": top,
        "sigmoid_trains": sigmoid_trains,
        "a": check_a,
        "b": top["relu"] < top["tanh"],
        "above": above[0] if above else None,
    }


def small_lr_numbers(result: Result, s: Sweep, checks: dict) -> dict:
    """One network's deciding numbers for 'relu_small_lr'."""
    numbers = {}
    for name in ("relu", "tanh", "sigmoid"):
        label = result.say("num_best_lr", activation=T.LABELS[name])
        numbers[key(result, s.net, label)] = checks["best"][name]
    for name in ("relu", "tanh"):
        label = result.say("num_largest_usable", activation=T.LABELS[name])
        numbers[key(result, s.net, label)] = checks["top"][name]
    if not checks["sigmoid_trains"]:
        label = result.say("num_sigmoid_trains", usable=USABLE)
        numbers[key(result, s.net, label)] = False
    for check in ("a", "b"):
        word = result.text("pass" if checks[check] else "fail")
        numbers[key(result, s.net, result.text(f"num_check_{check}"))] = word
    if checks["above"] is not None:
        dead = s.cells["relu", checks["above"]].dead_mean
        label = result.say("num_dead_at", lr=checks["above"])
        value = result.text("diverged") if math.isnan(dead) else round(dead, 3)
        numbers[key(result, s.net, label)] = value
    return numbers


def judge_relu_small_lr(result: Result, sweeps: list[Sweep]) -> Verdict:
    """ReLU wants a smaller lr: its best lr and its largest usable lr come below the others'."""
    numbers, hits = {}, 0
    for s in sweeps:
        checks = small_lr_checks(s)
        numbers.update(small_lr_numbers(result, s, checks))
        hits += int(checks["a"]) + int(checks["b"])
    verdict = count_verdict(hits, 2 * len(sweeps))
    rule = result.say("small_lr_rule", usable_points=USABLE * 100)
    result.judge("relu_small_lr", verdict, numbers, rule, note=result.text("small_lr_note"))
    return verdict


def sigmoid_gap(s: Sweep) -> tuple[str, float]:
    """The best other activation and how far sigmoid's best val accuracy is below it."""
    others = {name: s.best_val(name) for name in T.ACTIVATIONS if name != "sigmoid"}
    winner = max(others, key=others.get)
    return winner, others[winner] - s.best_val("sigmoid")


def avoid_numbers(result: Result, s: Sweep, winner: str, gap: float) -> dict:
    """One network's deciding numbers for 'avoid_sigmoid'."""
    sigmoid = result.say("num_sigmoid_val", lr=s.best_lr("sigmoid"))
    other = result.say("num_best_other", activation=T.LABELS[winner], lr=s.best_lr(winner))
    ratio = s.ms_per_step("sigmoid") / max(s.ms_per_step("relu"), 1e-12)
    return {
        key(result, s.net, sigmoid): round(s.best_val("sigmoid"), 4),
        key(result, s.net, other): round(s.best_val(winner), 4),
        key(result, s.net, result.text("num_gap")): round(gap, 4),
        key(result, s.net, result.text("num_ms_ratio")): round(ratio, 3),
    }


def judge_avoid_sigmoid(result: Result, sweeps: list[Sweep]) -> Verdict:
    """Sigmoid loses to the best other activation in each network."""
    numbers, gaps = {}, []
    for s in sweeps:
        winner, gap = sigmoid_gap(s)
        gaps.append(gap)
        numbers.update(avoid_numbers(result, s, winner, gap))
    verdict = count_verdict(sum(gap >= SIGMOID_GAP for gap in gaps), len(sweeps))
    margin = result.say(
        "avoid_margin", gap=min(gaps), times=min(gaps) / SIGMOID_GAP, threshold=SIGMOID_GAP
    )
    result.judge(
        "avoid_sigmoid",
        verdict,
        numbers,
        result.say("avoid_rule", gap_points=SIGMOID_GAP * 100),
        asserted=True,
        margin=margin,
        note=result.text("avoid_note"),
    )
    return verdict
