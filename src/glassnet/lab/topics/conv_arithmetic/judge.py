"""The conv_arithmetic topic: the tables, and one judge per claim (each asks for exact agreement)."""

from __future__ import annotations

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.conv_arithmetic.measure import Family, Mismatch
from glassnet.lab.topics.conv_arithmetic.settings import (
    EXAMPLES_SHOWN,
    FORMULA_ROWS,
    PARTLY_SHARE,
    notes_formula,
)


def exact_verdict(agree: int, count: int) -> Verdict:
    if count == 0:
        return Verdict.NOT_MEASURED
    return (
        Verdict.HOLDS
        if agree == count
        else Verdict.PARTLY
        if agree >= PARTLY_SHARE * count
        else Verdict.DOES_NOT_HOLD
    )


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def mismatch_text(result: Result, m: Mismatch) -> Text:
    """'in ...: layer 1x2x3x4, formula 1x2x3x5', or the layer's error, or 'impossible'."""
    if m.actual is None:
        return result.say(
            "mismatch_raised",
            description=m.description,
            error=m.error,
            want=shape_text(m.predicted),
        )
    if m.predicted is None:
        return result.say(
            "mismatch_impossible", description=m.description, got=shape_text(m.actual)
        )
    return result.say(
        "mismatch",
        description=m.description,
        got=shape_text(m.actual),
        want=shape_text(m.predicted),
    )


def examples_text(result: Result, family: Family, formula: str) -> Text | str:
    """The first EXAMPLES_SHOWN disagreements of `formula` ('-' when there is none)."""
    found = family.mismatches.get(formula, [])
    if not found:
        return "-"
    shown = [mismatch_text(result, m) for m in found[:EXAMPLES_SHOWN]]
    en, zh = "; ".join(t.en for t in shown), ";".join(t.zh for t in shown)
    if len(found) > EXAMPLES_SHOWN:
        more = result.say("more", n=len(found) - EXAMPLES_SHOWN)
        en, zh = f"{en} {more.en}", f"{zh}{more.zh}"
    return Text(en, zh)


def families_table(result: Result, families: dict[str, Family]) -> None:
    rows = []
    for key, formula, label in FORMULA_ROWS:
        family = families[key]
        rows.append(
            [
                result.text(f"family_{key}"),
                label or result.text("ceil_rule_label"),
                family.count,
                family.agree[formula],
                family.impossible,
                examples_text(result, family, formula),
            ]
        )
    columns = ("family", "formula", "configurations", "agree", "refused", "disagreements")
    result.add_table(
        result.text("families_title"), [result.text(f"col_{c}") for c in columns], rows
    )


def examples_table(result: Result, examples: list) -> None:
    result.add_table(
        result.text("examples_title"),
        [result.text("col_layer"), "W", "K", "S", "P", result.text("col_formula")]
        + [result.text("col_measured")],
        [
            [
                name,
                w,
                k,
                s,
                p,
                f"floor(({w} - {k} + 2*{p})/{s}) + 1 = {notes_formula(w, k, s, p)}",
                measured,
            ]
            for name, w, k, s, p, measured in examples
        ],
    )


def judge_floor_formula(result: Result, conv: Family) -> None:
    result.judge(
        "floor_formula",
        exact_verdict(conv.agree["notes"], conv.count),
        {
            result.text("num_configurations"): conv.count,
            result.text("num_agree"): conv.agree["notes"],
            result.text("num_refused_by_the_layer_formula_1"): conv.impossible,
        },
        result.text("exact_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
    )


def judge_dilation(result: Result, dilated: Family) -> None:
    plain_wrong = dilated.count - dilated.agree["notes"]
    verdict = exact_verdict(dilated.agree["dilated"], dilated.count)
    if verdict == Verdict.HOLDS and plain_wrong == 0:
        verdict = Verdict.PARTLY  # the 'plain formula is wrong' half was never seen
    result.judge(
        "dilation",
        verdict,
        {
            result.text("num_configurations_d_2_on_both_axes"): dilated.count,
            result.text("num_dilated_formula_agrees"): dilated.agree["dilated"],
            result.text("num_plain_formula_wrong"): plain_wrong,
        },
        result.text("dilation_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
    )


def judge_pool_floor(result: Result, pool: Family) -> None:
    result.judge(
        "pool_floor",
        exact_verdict(pool.agree["notes"], pool.count),
        {
            result.text("num_configurations"): pool.count,
            result.text("num_agree"): pool.agree["notes"],
        },
        result.text("exact_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
    )


def judge_ceil_mode(result: Result, ceil: Family) -> None:
    naive_wrong = ceil.count - ceil.agree["naive_ceil"]
    verdict = exact_verdict(ceil.agree["ceil_rule"], ceil.count)
    if verdict == Verdict.HOLDS and naive_wrong == 0:
        verdict = Verdict.PARTLY  # the 'minus one' exception was never exercised
    result.judge(
        "ceil_mode",
        verdict,
        {
            result.text("num_configurations"): ceil.count,
            result.text("num_of_which_hand_picked_edge_cases"): ceil.edge_cases,
            result.text("num_ceil_rule_agrees"): ceil.agree["ceil_rule"],
            result.text("num_plain_ceil_no_exception_wrong"): naive_wrong,
            result.text("num_floor_formula_differs_from_the_layer"): ceil.count
            - ceil.agree["notes"],
        },
        result.text("ceil_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
    )


def judge_tf_same(result: Result, m: dict) -> None:
    same = m["families"]["same"]
    verdict = exact_verdict(same.agree["tf_same"], same.count)
    if verdict == Verdict.HOLDS and (
        m["same_ok"] != same.count or m["strided_refused"] != m["strided"]
    ):
        verdict = Verdict.PARTLY
    result.judge(
        "tf_same",
        verdict,
        {
            result.text("num_configurations"): same.count,
            result.text("num_tf_same_out_ceil_w_s"): same.agree["tf_same"],
            result.text("num_padding_same_at_stride_1_gives_out_w"): m["same_ok"],
            result.text("num_configurations_with_stride_1"): m["strided"],
            result.text("num_padding_same_refused_there"): m["strided_refused"],
        },
        result.text("tf_same_rule"),
        asserted=True,
        margin=result.text("exact_margin"),
    )
