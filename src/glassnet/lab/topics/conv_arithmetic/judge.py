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

CONFIGS, AGREE = Text("configurations", "配置数"), Text("agree", "一致")


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
            CONFIGS: conv.count,
            AGREE: conv.agree["notes"],
            Text("refused by the layer (formula < 1)", "层拒绝(公式 < 1)"): conv.impossible,
        },
        result.text("exact_rule"),
        robust=True,
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
            Text("configurations (D >= 2 on both axes)", "配置数(两个轴 D >= 2)"): dilated.count,
            Text("dilated formula agrees", "含空洞率的公式一致"): dilated.agree["dilated"],
            Text("plain formula wrong", "简单公式出错"): plain_wrong,
        },
        result.text("dilation_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )


def judge_pool_floor(result: Result, pool: Family) -> None:
    result.judge(
        "pool_floor",
        exact_verdict(pool.agree["notes"], pool.count),
        {CONFIGS: pool.count, AGREE: pool.agree["notes"]},
        result.text("exact_rule"),
        robust=True,
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
            CONFIGS: ceil.count,
            Text("of which hand-picked edge cases", "其中人工挑选的边界情况"): ceil.edge_cases,
            Text("ceil rule agrees", "ceil 公式(含例外)一致"): ceil.agree["ceil_rule"],
            Text("plain ceil (no exception) wrong", "不含例外的 ceil 公式出错"): naive_wrong,
            Text("floor formula differs from the layer", "floor 公式与层不同"): ceil.count
            - ceil.agree["notes"],
        },
        result.text("ceil_rule"),
        robust=True,
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
            CONFIGS: same.count,
            Text("TF SAME: out = ceil(W/S)", "TF SAME:out = ceil(W/S)"): same.agree["tf_same"],
            Text(
                "padding='same' at stride 1 gives out = W", "步长 1 时 padding='same' 给出 out = W"
            ): m["same_ok"],
            Text("configurations with stride > 1", "步长 > 1 的配置"): m["strided"],
            Text("padding='same' refused there", "其中 padding='same' 被拒绝"): m[
                "strided_refused"
            ],
        },
        result.text("tf_same_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )
