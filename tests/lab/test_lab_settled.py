"""How settled a verdict is: --seeds runs each topic per seed, disagreeing seeds are 'unsettled' with
the split, 'robust' means the same verdict in every seed and mode measured; topics without an
experiment still get their section. Fake topics keep these tests fast."""

from __future__ import annotations

import argparse
import json

import pytest

from glassnet import lab
from glassnet.cli.lab import add_lab_arguments, run_lab
from glassnet.lab import Result, Verdict, registry
from glassnet.lab.report.formatting import summary_counts, verdict_text
from glassnet.lab.runner import check_seeds
from glassnet.lab.settled import combine_seeds, is_robust, split_text

# zero_init's claims, in the index's order
ZERO_INIT = ["not_all_zero", "single_layer_ok", "zero_vanishing", "symmetry"]


def fake_zero_init(mode: str, seed: int) -> Result:
    """not_all_zero holds on every seed; single_layer_ok is partly on seed 1 only."""
    result = Result.start("zero_init", mode, seed)
    result.judge("not_all_zero", Verdict.HOLDS, {"seed": seed}, "rule")
    result.judge("single_layer_ok", Verdict.PARTLY if seed == 1 else Verdict.HOLDS, {}, "rule")
    result.judge("zero_vanishing", Verdict.DOES_NOT_HOLD, {}, "rule")
    return result


def seeds_of(seeds: list[int]) -> Result:
    return combine_seeds([fake_zero_init("quick", s).complete() for s in seeds])


def test_combining_seeds_marks_disagreement_unsettled_with_the_split():
    combined = seeds_of([0, 1, 2])
    assert combined.seeds == (0, 1, 2) and [c.claim.id for c in combined.claims] == ZERO_INIT
    steady, split = combined.claim("not_all_zero"), combined.claim("single_layer_ok")
    assert steady.verdict is Verdict.HOLDS and list(steady.per_seed) == [0, 1, 2]
    assert [c.number("seed") for c in steady.per_seed.values()] == [0, 1, 2]
    assert split.verdict is Verdict.UNSETTLED
    assert split_text(split) == "holds 2/3, partly 1/3"
    assert verdict_text(split, "quick", "en") == "unsettled (holds 2/3, partly 1/3)"
    assert verdict_text(split, "smoke", "en").endswith("(provisional: smoke)")
    assert combined.claim("symmetry").verdict is Verdict.NOT_MEASURED  # never judged: settled
    assert "seed 0's" in combined.setup.en  # the tables shown are the first seed's


def test_combining_refuses_mixed_topics_modes_or_repeated_seeds():
    with pytest.raises(ValueError, match="no results"):
        combine_seeds([])
    with pytest.raises(ValueError, match="differ in seed; got zero_init/quick/seed 0, zero_init"):
        combine_seeds([fake_zero_init("quick", 0), fake_zero_init("quick", 0)])
    with pytest.raises(ValueError, match="must share topic and mode"):
        combine_seeds([fake_zero_init("quick", 0), fake_zero_init("smoke", 1)])
    with pytest.raises(ValueError, match="seed 1 accounts for other claims than seed 0"):
        combine_seeds([fake_zero_init("quick", 0).complete(), fake_zero_init("quick", 1)])


def test_robust_means_the_same_judged_verdict_in_every_mode_and_seed_measured():
    assert is_robust([Verdict.HOLDS, Verdict.HOLDS, Verdict.HOLDS])
    assert not is_robust([Verdict.HOLDS])  # one measurement says nothing
    assert not is_robust([Verdict.HOLDS, Verdict.PARTLY, Verdict.HOLDS])
    assert is_robust([Verdict.PARTLY, Verdict.NOT_MEASURED, Verdict.PARTLY])  # unmeasured skipped
    assert not is_robust([Verdict.NOT_JUDGED, Verdict.NOT_JUDGED])  # nothing was judged
    assert not is_robust([Verdict.ADVICE, Verdict.ADVICE])


def test_seeds_must_be_distinct_non_negative_integers():
    assert check_seeds([0, 1, 2], "here") == (0, 1, 2)
    for bad in ([], [0, 0], [-1], [1.5], [True]):
        with pytest.raises(ValueError, match="here: seeds must be one or more distinct"):
            check_seeds(bad, "here")


def test_a_seeds_run_reports_unsettled_and_robust_claims(fake_experiment, tmp_path):
    fake_experiment("zero_init", fake_zero_init)
    report = lab.run(["zero_init"], mode="quick", seeds=[0, 1, 2], out=tmp_path / "r", progress=0)
    assert report.info.seeds == (0, 1, 2) and report.counts()["unsettled"] == 1
    markdown = report.markdown.read_text(encoding="utf-8")
    html = report.html.read_text(encoding="utf-8")
    for text in (markdown, html):
        assert "unsettled (holds 2/3, partly 1/3)" in text
        assert "seed 0: holds · seed 1: holds · seed 2: holds · robust" in text
        assert "seed 0: holds · seed 1: partly · seed 2: holds<" in text.replace("\n", "<")
        assert "provisional" not in text  # quick mode
        assert "numbers (seeds 0 / 1 / 2)" in text  # each seed's deciding numbers
    assert "numbers (seeds 0 / 1 / 2): seed = 0 / 1 / 2" in markdown
    data = json.loads((report.folder / "report.json").read_text(encoding="utf-8"))
    assert data["seeds"] == [0, 1, 2] and data["provisional"] is False
    claims = {c["claim"]: c for t in data["topics"] for c in t["claims"]}
    assert claims["zero_init.single_layer_ok"]["verdict"] == "unsettled"
    assert claims["zero_init.single_layer_ok"]["split"] == "holds 2/3, partly 1/3"
    assert claims["zero_init.single_layer_ok"]["seeds"] == {
        "0": "holds",
        "1": "partly",
        "2": "holds",
    }


def test_a_topic_without_experiment_gets_a_section_of_claims_not_judged_yet(monkeypatch, tmp_path):
    monkeypatch.delitem(registry._discover(), "compression", raising=False)
    report = lab.run(["compression"], mode="smoke", out=tmp_path / "r", progress=False)
    (result,) = report.results
    count = len(result.claims)
    assert not result.experiment and count >= 15  # the notes' 15 and the lab's sub-claims
    assert report.counts()["not judged yet"] == count
    markdown = report.markdown.read_text(encoding="utf-8")
    assert (
        "No experiment for this topic yet: arrives with the compression lab topic (issue 15)"
        in (markdown)
    )
    assert (
        f"{count} claims: 0 holds, 0 partly, 0 does not hold, {count} not judged yet; counted apart: "
        in markdown
    )
    assert (
        markdown.count("**not judged yet**") == 2 * count
    )  # each claim, in the summary and section
    assert "not judged yet (provisional" not in markdown  # only verdicts a run decided are


def test_the_summary_counts_every_claim_and_counts_definitions_and_advice_apart():
    conv = Result.start("conv_arithmetic", "quick", 0)
    conv.judge("floor_formula", Verdict.HOLDS, {}, "r")  # a definition: checked
    conv.judge("dilation", Verdict.DOES_NOT_HOLD, {}, "r")  # a definition that fails: counted
    bias = Result.start("bias_variance", "quick", 0)
    bias.judge("bias_bigger_model", Verdict.PARTLY, {}, "r")
    results = [conv.complete(), bias.complete()]
    assert summary_counts(results, "en") == (
        "12 claims: 0 holds, 1 partly, 1 does not hold, 0 not judged yet, "
        "8 not measured in this mode; counted apart: 1 definition, checked, "
        "1 advice, not testable as stated"
    )
    assert summary_counts(results, "zh").startswith("共 12 条论断:0 成立、1 部分成立、1 不成立")


def lab_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="glassnet lab")
    add_lab_arguments(parser)
    return run_lab(parser.parse_args(argv))


def test_cli_seeds_is_exclusive_with_seed_and_checked(capsys):
    for argv, message in (
        (["--seed", "1", "--seeds", "0,1"], "argument --seeds: not allowed with argument --seed"),
        (["--seeds", "0,x"], "expected comma-separated integers such as 0,1,2, got '0,x'"),
        (["--seeds", "1,1"], "seeds must be distinct non-negative integers, got '1,1'"),
    ):
        with pytest.raises(SystemExit) as exit_:
            lab_cli(argv)
        assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_cli_seeds_runs_each_seed(fake_experiment, tmp_path, capsys):
    fake_experiment("zero_init", fake_zero_init)
    out = tmp_path / "r"
    assert lab_cli(["zero_init", "--seeds", "0,1", "-j", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "verdicts (quick mode, seeds 0, 1): 1 holds, 1 does not hold, 1 unsettled, 1 not" in (
        printed
    )


def test_list_marks_the_topics_without_an_experiment(monkeypatch, capsys):
    monkeypatch.delitem(registry._discover(), "compression", raising=False)
    assert lab_cli(["--list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert len(lines) == len(lab.notes_topics())
    assert "(no experiment yet" in lines["compression"]
    assert "(no experiment yet" not in lines["conv_arithmetic"]
