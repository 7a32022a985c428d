"""The zero_init topic: the table of every run, and one judge per claim."""

from __future__ import annotations

from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import pm_finite, sci
from glassnet.lab.result import Result, Verdict, verdict_by_threshold
from glassnet.lab.text import Text
from glassnet.lab.topics.zero_init.settings import (
    ACTIVATIONS,
    BATCH,
    EQUAL,
    GAP_HOLDS,
    LR,
    MOMENTUM,
    PERTURBATION,
    RANDOM,
    SINGLE_HOLDS,
    SINGLE_PARTLY,
    SYMMETRIC,
    VANISHED,
)

RUN_COLUMNS = (
    "model",
    "activation",
    "init",
    "precision",
    "test",
    "train",
    "spread",
    "rank",
    "g_start",
    "g_end",
)


def values(m: dict, key: tuple, field: str) -> list:
    return [r[field] for r in m["runs"][key]]


def acc(m: dict, key: tuple) -> float:
    """Mean test accuracy over seeds (finite values only)."""
    return mean_std_finite(values(m, key, "test"))[0]


def setup(result: Result, m: dict) -> Text:
    return result.say(
        "setup",
        momentum=MOMENTUM,
        lr=LR,
        batch=BATCH,
        steps=m["steps"],
        seeds=len(m["seeds"]),
        equal=EQUAL,
    )


def run_row(key: tuple, group: list[dict]) -> list:
    largest = [
        ("-" if group[0][g] is None else sci(max(r[g] for r in group)))
        for g in ("g_start", "g_end")
    ]
    return [
        *key,
        pm_finite([r["test"] for r in group]),
        pm_finite([r["train"] for r in group]),
        sci(max(r["spread"] for r in group)),
        "-" if group[0]["rank"] is None else max(r["rank"] for r in group),
        *largest,
    ]


def runs_table(result: Result, m: dict) -> None:
    rows = [run_row(key, group) for key, group in m["runs"].items()]
    p = m["perturbed"]
    if p is not None:
        rows.append(
            [
                "2 hidden",
                "tanh",
                f"constant + {PERTURBATION:g}",
                "float64",
                pm_finite([p["test"]]),
                pm_finite([p["train"]]),
                sci(p["spread"]),
                p["rank"],
                sci(p["g_start"]),
                sci(p["g_end"]),
            ]
        )
    result.add_table(
        result.text("runs_title"),
        [result.text(f"col_{name}") for name in RUN_COLUMNS],
        rows,
        note=result.text("runs_note"),
    )


def judge_not_all_zero(result: Result, m: dict) -> None:
    gaps = {
        act: acc(m, ("2 hidden", act, RANDOM[act], "float32"))
        - acc(m, ("2 hidden", act, "zeros", "float32"))
        for act in ACTIVATIONS
    }
    verdict = (
        Verdict.HOLDS
        if min(gaps.values()) >= GAP_HOLDS
        else Verdict.PARTLY
        if max(gaps.values()) >= GAP_HOLDS
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "not_all_zero",
        verdict,
        {result.say("num_gap", activation=act): round(gap, 3) for act, gap in gaps.items()},
        result.say("not_all_zero_rule", gap=GAP_HOLDS),
        asserted=True,
        margin=result.say("not_all_zero_margin", smallest=min(gaps.values()), gap=GAP_HOLDS),
    )


def judge_single_layer_ok(result: Result, m: dict) -> None:
    zero_acc = acc(m, ("linear", "-", "zeros", "float32"))
    xavier_acc = acc(m, ("linear", "-", "xavier", "float32"))
    diff = abs(zero_acc - xavier_acc)
    hidden_gap = acc(m, ("1 hidden", "sigmoid", "xavier", "float32")) - acc(
        m, ("1 hidden", "sigmoid", "zeros", "float32")
    )
    result.judge(
        "single_layer_ok",
        verdict_by_threshold(diff, SINGLE_HOLDS, SINGLE_PARTLY, higher_is_better=False),
        {
            result.text("num_softmax_regression_from_zeros_test_accuracy"): round(zero_acc, 3),
            result.text("num_from_xavier_test_accuracy"): round(xavier_acc, 3),
            result.text("num_difference"): round(diff, 3),
            result.text("num_output_units_spread_after_training_from_zero"): sci(
                min(values(m, ("linear", "-", "zeros", "float32"), "spread"))
            ),
            result.text("num_1_hidden_sigmoid_layer_accuracy_gap_xavier_z"): round(hidden_gap, 3),
        },
        result.say("single_rule", holds=SINGLE_HOLDS, partly=SINGLE_PARTLY),
        asserted=True,
        margin=result.say("single_margin", diff=diff, holds=SINGLE_HOLDS),
        note=result.say("single_note", hidden_gap=hidden_gap),
    )


def gradient_ratios(m: dict) -> tuple[dict, dict]:
    """Hidden |dL/dW| of the zero-init nets over the random init's before step 1: at the start, at the end."""
    reference = {
        act: values(m, ("2 hidden", act, RANDOM[act], "float32"), "g_start")[0]
        for act in ACTIVATIONS
    }
    start = {
        act: values(m, ("2 hidden", act, "zeros", "float32"), "g_start")[0] / reference[act]
        for act in ACTIVATIONS
    }
    end = {
        act: max(values(m, ("2 hidden", act, "zeros", "float32"), "g_end")) / reference[act]
        for act in ACTIVATIONS
    }
    return start, end


def judge_zero_vanishing(result: Result, m: dict) -> None:
    ratio_start, ratio_end = gradient_ratios(m)
    at_start, at_end = max(ratio_start.values()) < VANISHED, max(ratio_end.values()) < VANISHED
    verdict = (
        Verdict.HOLDS
        if at_start and at_end
        else Verdict.PARTLY
        if at_start
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        result.say("num_ratio_start", activation=act): sci(ratio_start[act]) for act in ACTIVATIONS
    }
    numbers.update(
        {result.say("num_ratio_end", activation=act): sci(ratio_end[act]) for act in ACTIVATIONS}
    )
    result.judge(
        "zero_vanishing",
        verdict,
        numbers,
        result.say("vanishing_rule", vanished=VANISHED),
        asserted=True,
        margin=result.say(
            "vanishing_margin",
            start=max(ratio_start.values()),
            sigmoid_end=ratio_end["sigmoid"],
            over=ratio_end["sigmoid"] / VANISHED,
            vanished=VANISHED,
        ),
        note=result.text("vanishing_note"),
    )


def symmetric32(m: dict) -> dict:
    """The float32 runs from a symmetric init with hidden layers, by key."""
    return {
        key: group
        for key, group in m["runs"].items()
        if key[3] == "float32" and key[0] != "linear" and key[2] in SYMMETRIC
    }


def split_nets(m: dict) -> list[str]:
    """The float32 symmetric nets whose units split in some seed."""
    return sorted(
        f"{key[0]} {key[1]} {key[2]}"
        for key, group in symmetric32(m).items()
        if any(r["spread"] > EQUAL for r in group)
    )


def judge_symmetry(result: Result, m: dict) -> None:
    sym64 = [r for key, group in m["runs"].items() if key[3] == "float64" for r in group]
    sym32 = [r for group in symmetric32(m).values() for r in group]
    worst64 = max(r["spread"] for r in sym64)
    kept32 = sum(r["spread"] <= EQUAL for r in sym32)
    verdict = (
        Verdict.DOES_NOT_HOLD
        if worst64 > EQUAL
        else Verdict.HOLDS
        if kept32 == len(sym32)
        else Verdict.PARTLY
    )
    numbers = {
        result.text("num_float64_largest_unit_spread_after_training"): sci(worst64),
        result.text("num_float64_largest_rank_of_a_hidden_layer_s_act"): max(
            r["rank"] for r in sym64
        ),
        result.text("num_float32_symmetric_runs_whose_units_stayed_eq"): (
            f"{kept32} of {len(sym32)}"
        ),
        result.text("num_float32_runs_where_the_units_split"): ", ".join(split_nets(m)) or "-",
    }
    p = m["perturbed"]
    if p is not None:
        numbers[result.say("num_perturbed_spread", perturbation=PERTURBATION)] = sci(p["spread"])
        numbers[result.text("num_its_test_accuracy")] = round(p["test"], 3)
    result.judge(
        "symmetry",
        verdict,
        numbers,
        result.say("symmetry_rule", equal=EQUAL),
        note=result.text("symmetry_note"),
    )
