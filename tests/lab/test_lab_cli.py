"""`glassnet lab` as the CLI runs it: the arguments cli.py declares, the printed paths, the exit status."""

from __future__ import annotations

import argparse

import pytest

from glassnet.cli.lab import add_lab_arguments, run_lab


def lab(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="glassnet lab")
    add_lab_arguments(parser)
    return run_lab(parser.parse_args(argv))


def test_defaults_match_the_issue():
    parser = argparse.ArgumentParser()
    add_lab_arguments(parser)
    args = parser.parse_args([])
    assert (args.topics, args.mode, args.lang, args.out, args.seed) == (
        [],
        "quick",
        "en",
        "lab-report",
        0,
    )
    assert args.list is False
    with pytest.raises(SystemExit):
        parser.parse_args(["--mode", "fast"])


def test_a_smoke_run_prints_where_the_report_is(tmp_path, capsys):
    out = tmp_path / "report"
    assert (
        lab(
            ["conv_arithmetic", "--mode", "smoke", "--lang", "zh", "--out", str(out), "--seed", "3"]
        )
        == 0
    )
    printed = capsys.readouterr()
    assert f"report: {out / 'index.html'}" in printed.out
    assert f"markdown: {out / 'report.md'}" in printed.out
    # conv_arithmetic's five claims are formulas: definitions, checked against the layers
    assert "verdicts (smoke mode, seeds 3) (provisional: smoke): 5 definition, checked" in (
        printed.out
    )
    assert "conv_arithmetic: 5 definition, checked" in printed.err  # progress goes to stderr
    assert (out / "index.html").is_file() and '"seed": 3' in (out / "report.json").read_text(
        encoding="utf-8"
    )


def test_an_unknown_topic_exits_2_naming_the_valid_ones(tmp_path, capsys):
    assert lab(["convs", "--mode", "smoke", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet lab: error: unknown lab topic 'convs'; valid topics: ")
    assert "conv_arithmetic" in err and not (tmp_path / "r").exists()


def test_a_folder_that_is_not_a_report_exits_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert lab(["conv_arithmetic", "--mode", "smoke", "--out", str(tmp_path)]) == 2
    assert "refusing to replace it" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_failing_experiment_still_writes_the_report_and_exits_1(
    tmp_path, capsys, fake_experiment
):
    def boom(mode, seed):
        raise RuntimeError("deliberate")

    fake_experiment("style_transfer", boom)
    assert (
        lab(
            [
                "conv_arithmetic",
                "style_transfer",
                "--mode",
                "smoke",
                "-j",
                "1",
                "-o",
                str(tmp_path / "r"),
            ]
        )
        == 1
    )
    printed = capsys.readouterr()
    assert "report: " in printed.out
    assert "1 experiment(s) raised: style_transfer" in printed.err
    assert "RuntimeError: deliberate" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_list_prints_the_topics(capsys):
    assert lab(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:3] == ["conv_arithmetic", "Conv", "arithmetic"] for line in lines)


def test_jobs_must_be_a_positive_integer(capsys):
    with pytest.raises(SystemExit) as exit_:
        lab(["conv_arithmetic", "--jobs", "0"])
    assert exit_.value.code == 2
    assert "argument -j/--jobs: expected a positive integer, got '0'" in capsys.readouterr().err
