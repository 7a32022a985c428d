"""Result, verdicts, tables and figures: what an experiment builds, and the mistakes it cannot make."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from glassnet.lab import (
    Figure,
    Result,
    Text,
    Verdict,
    new_figure,
    notes_index,
    verdict_by_threshold,
)
from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.result import JUDGEABLE, MODES


def test_verdict_is_a_string_enum_in_the_summarys_order():
    assert [v.value for v in Verdict] == [
        "holds",
        "partly",
        "does not hold",
        "not judged yet",
        "unsettled",
        "not measured in this mode",
        "definition, checked",
        "advice, not testable as stated",
    ]
    assert [v.value for v in JUDGEABLE] == [
        "holds",
        "partly",
        "does not hold",
        "not measured in this mode",
    ]
    assert Verdict.HOLDS == "holds" and str(Verdict.DOES_NOT_HOLD) == "does not hold"
    assert MODES == ("smoke", "quick", "full")


@pytest.mark.parametrize(
    "value, higher, expected",
    [
        (0.99, True, Verdict.HOLDS),
        (0.9, True, Verdict.HOLDS),
        (0.7, True, Verdict.PARTLY),
        (0.2, True, Verdict.DOES_NOT_HOLD),
        (0.01, False, Verdict.HOLDS),
        (0.3, False, Verdict.PARTLY),
        (0.8, False, Verdict.DOES_NOT_HOLD),
    ],
)
def test_verdict_by_threshold(value, higher, expected):
    holds, partly = (0.9, 0.5) if higher else (0.1, 0.5)
    assert verdict_by_threshold(value, holds, partly, higher_is_better=higher) is expected


def test_verdict_by_threshold_refuses_thresholds_in_the_wrong_order():
    with pytest.raises(
        ValueError, match="need holds >= partly when higher is better, got 0.5, 0.9"
    ):
        verdict_by_threshold(0.7, 0.5, 0.9)


def test_start_takes_the_question_from_the_notes_and_checks_the_mode():
    result = Result.start("conv_arithmetic", "smoke", 3, setup=Text("s", "设"))
    assert result.question.zh == "给定卷积神经网络输入,卷积核大小,padding,步长,求输出的shape?"
    assert (result.topic, result.mode, result.seed, result.setup.get("zh")) == (
        "conv_arithmetic",
        "smoke",
        3,
        "设",
    )
    with pytest.raises(ValueError, match="mode must be one of smoke, quick, full, got 'fast'"):
        Result.start("conv_arithmetic", "fast", 0)
    with pytest.raises(KeyError, match="no topic 'conv'"):
        Result.start("conv", "smoke", 0)


def test_judge_records_numbers_and_rule_and_rejects_mistakes():
    result = Result.start("conv_arithmetic", "smoke", 0)
    judged = result.judge(
        "floor_formula",
        "holds",
        {Text("agree", "一致"): 5, "configurations": 5},
        "all agree",
        asserted=True,
        margin="exact",
    )
    assert judged.verdict is Verdict.HOLDS and judged.mode == "smoke" and judged.asserted
    assert not hasattr(judged, "robust")  # robust is measured over seeds and modes (lab.settled)
    assert judged.number("agree") == 5 and judged.number("configurations") == 5
    with pytest.raises(
        KeyError, match="has no number 'missing'; its numbers: 'agree', 'configurations'"
    ):
        judged.number("missing")
    with pytest.raises(ValueError, match="claim 'floor_formula' was already judged"):
        result.judge("floor_formula", Verdict.HOLDS, {}, "rule")
    with pytest.raises(
        KeyError, match="topic 'conv_arithmetic' has no claim 'nope'; its claims are: floor_formula"
    ):
        result.judge("nope", Verdict.HOLDS, {}, "rule")
    with pytest.raises(
        ValueError, match="verdict must be one of 'holds', 'partly', 'does not hold', .* got 'true'"
    ):
        result.judge("dilation", "true", {}, "rule")
    with pytest.raises(ValueError, match="claim 'dilation': a claim the tests assert .* margin"):
        result.judge("dilation", Verdict.HOLDS, {}, "rule", asserted=True)
    for not_judgeable in (Verdict.NOT_JUDGED, Verdict.UNSETTLED, "definition, checked"):
        with pytest.raises(ValueError, match="verdict must be one of 'holds', .* got"):
            result.judge("dilation", not_judgeable, {}, "rule")


def test_an_advice_claim_is_never_judged_and_shows_its_reason():
    result = Result.start("bias_variance", "quick", 0)
    with pytest.raises(ValueError, match="'orthogonal_debugging': the index marks it advice"):
        result.judge("orthogonal_debugging", Verdict.HOLDS, {}, "rule")
    advice = result.complete().claim("orthogonal_debugging")
    assert advice.verdict is Verdict.ADVICE and advice.shown is Verdict.ADVICE
    assert advice.rule.en.startswith("advice on how to work") and advice.rule.zh


def test_a_definition_that_holds_is_shown_as_checked_and_one_that_fails_as_it_is():
    result = Result.start("conv_arithmetic", "smoke", 0)
    assert index_topic("conv_arithmetic").claim("floor_formula").kind == "definition"
    held = result.judge("floor_formula", Verdict.HOLDS, {}, "rule")
    failed = result.judge("dilation", Verdict.DOES_NOT_HOLD, {}, "rule")
    partly = result.judge("pool_floor", Verdict.PARTLY, {}, "rule")
    assert held.shown is Verdict.DEFINITION_CHECKED and held.verdict is Verdict.HOLDS
    assert failed.shown is Verdict.DOES_NOT_HOLD and partly.shown is Verdict.PARTLY
    empirical = Result.start("zero_init", "smoke", 0).judge("not_all_zero", "holds", {}, "r")
    assert empirical.shown is Verdict.HOLDS


@pytest.fixture
def block_pending(monkeypatch: pytest.MonkeyPatch):
    """The index with a claim-level pending reason on resnet.block_definition (the real index
    has none left since issue 13 judged the last four)."""
    source = notes_index._package_file(notes_index.INDEX_FILE).decode("utf-8")
    anchor = 'id = "block_definition"\nsource = "notes"\n'
    assert anchor in source
    reason = 'pending = { en = "waits for a residual block check", zh = "等待残差块的检查" }\n'
    edited = source.replace(anchor, anchor + reason, 1).encode("utf-8")
    original = notes_index._package_file
    monkeypatch.setattr(
        notes_index,
        "_package_file",
        lambda name: edited if name == notes_index.INDEX_FILE else original(name),
    )
    notes_index._load.cache_clear()
    yield
    monkeypatch.undo()
    notes_index._load.cache_clear()


def test_pending_claims_are_not_judged_yet_with_the_index_reason(block_pending):
    # a claim-level reason (resnet.block_definition), and a topic with no experiment at all
    result = Result.start("resnet", "quick", 0).complete()
    block = result.claim("block_definition")
    assert block.verdict is Verdict.NOT_JUDGED and "residual block" in block.rule.en
    assert result.claim("shortcut_gradient").verdict is Verdict.NOT_MEASURED  # judged by the topic
    placeholder = Result.placeholder("compression", "quick", 0)
    assert placeholder.experiment is False and len(placeholder.claims) == len(
        index_topic("compression").claims
    )
    assert {c.verdict for c in placeholder.claims} == {Verdict.NOT_JUDGED}
    assert placeholder.claims[0].rule.en == "arrives with the compression lab topic (issue 15)"
    # once the topic has an experiment, its own pending reason no longer applies
    running = Result.start("compression", "quick", 0).complete()
    assert {c.verdict for c in running.claims} == {Verdict.NOT_MEASURED}
    # a judge always wins over a pending reason, and a raising topic is 'not measured'
    judged = Result.start("resnet", "quick", 0)
    judged.judge("block_definition", Verdict.HOLDS, {}, "rule")
    assert judged.complete().claim("block_definition").shown is Verdict.DEFINITION_CHECKED
    raised = Result.start("resnet", "quick", 0)
    raised.error = "Traceback"
    assert raised.complete().claim("block_definition").verdict is Verdict.NOT_MEASURED


def test_complete_marks_unjudged_claims_not_measured_in_index_order():
    result = Result.start("conv_arithmetic", "quick", 0)
    result.judge("ceil_mode", Verdict.PARTLY, {"n": 1}, "rule")
    result.complete()
    assert [c.claim.id for c in result.claims] == [
        "floor_formula",
        "dilation",
        "pool_floor",
        "ceil_mode",
        "tf_same",
    ]
    assert [c.verdict for c in result.claims] == [Verdict.NOT_MEASURED] * 3 + [
        Verdict.PARTLY,
        Verdict.NOT_MEASURED,
    ]
    assert result.claims[0].rule.en == "not measured in quick mode"
    with pytest.raises(KeyError, match="claim 'x' was not judged; judged: floor_formula, dilation"):
        result.claim("x")


def test_tables_need_one_cell_per_column():
    result = Result.start("conv_arithmetic", "smoke", 0)
    table = result.add_table("t", ["a", Text("b", "乙")], [[1, 2.5]])
    assert table.columns[1].get("zh") == "乙" and table.rows == [[1, 2.5]]
    with pytest.raises(ValueError, match="table 't': row 1 has 1 cells but there are 2 columns"):
        result.add_table("t", ["a", "b"], [[1, 2], [3]])


def test_figures_are_png_bytes_and_names_are_checked():
    result = Result.start("conv_arithmetic", "smoke", 0)
    fig, axes = new_figure(3, 2)
    axes.plot([0, 1], [1, 0])
    figure = result.add_figure(fig, "line", Text("a line", "一条线"))
    image = Image.open(io.BytesIO(figure.png))
    assert image.format == "PNG" and image.size == (300, 200)
    with pytest.raises(ValueError, match="a figure named 'line' was already added"):
        result.add_figure(new_figure()[0], "line", "again")
    with pytest.raises(ValueError, match="figure name 'Bad Name': use lower-case letters"):
        Figure("Bad Name", Text("c"), figure.png)
    with pytest.raises(ValueError, match="figure 'x': png does not start with the PNG signature"):
        Figure("x", Text("c"), b"GIF89a")


def test_text_falls_back_to_english():
    assert Text("hello").get("zh") == "hello" and Text("hello", "你好").get("zh") == "你好"
    with pytest.raises(TypeError, match="en and zh must be strings"):
        Text(3)  # type: ignore[arg-type]
