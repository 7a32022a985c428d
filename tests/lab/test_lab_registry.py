"""The registry finds topic modules by name; a broken one is captured, never fatal; runs are captured per topic."""

from __future__ import annotations

import sys
import textwrap

import pytest

from glassnet import lab
from glassnet.lab import Result, Verdict, registry


def test_conv_arithmetic_is_registered_and_topics_follow_the_notes_order():
    ids = lab.topic_ids()
    assert "conv_arithmetic" in ids
    order = list(lab.notes_topics())
    assert ids == sorted(ids, key=order.index)
    assert lab.get_experiment("conv_arithmetic").module == "glassnet.lab.topics.conv_arithmetic"


def test_an_unknown_topic_lists_the_valid_ones():
    with pytest.raises(
        lab.UnknownTopicError, match=r"unknown lab topic 'convs'; valid topics: .*conv_arithmetic"
    ):
        lab.get_experiment("convs")
    with pytest.raises(
        lab.UnknownTopicError, match=r"unknown lab topics 'a', 'b'; valid topics: .*conv_arithmetic"
    ):
        lab.run(["a", "conv_arithmetic", "b"], mode="smoke", progress=False)
    with pytest.raises(
        lab.UnknownTopicError, match=r"@experiment\('nope'\): the notes index has no such topic"
    ):
        lab.experiment("nope")


def test_a_topic_module_must_be_named_after_its_topic():
    def run(mode, seed):
        raise AssertionError("never called")

    run.__module__ = "glassnet.lab.topics.wrong_name"
    with pytest.raises(
        ValueError, match=r"must be named after its topic \(glassnet.lab.topics.zero_init\)"
    ):
        lab.experiment("zero_init")(run)


def test_modes_and_languages_are_checked_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="mode must be one of smoke, quick, full, got 'fast'"):
        lab.run(["conv_arithmetic"], mode="fast", out=tmp_path / "r", progress=False)
    with pytest.raises(ValueError, match="lang must be one of en, zh, got 'fr'"):
        lab.run(["conv_arithmetic"], mode="smoke", lang="fr", out=tmp_path / "r", progress=False)
    assert not (tmp_path / "r").exists()


def test_a_failing_experiment_is_captured_and_the_others_complete(fake_experiment, tmp_path):
    def boom(mode, seed):
        raise RuntimeError("deliberate failure in a fake topic")

    def wrong_type(mode, seed):
        return {"not": "a Result"}

    def fine(mode, seed):
        result = Result.start("zero_init", mode, seed)
        result.judge("symmetry", Verdict.HOLDS, {"identical gradients": 1.0}, "fake rule")
        return result

    fake_experiment("style_transfer", boom)
    fake_experiment("compression", wrong_type)
    fake_experiment("zero_init", fine)
    report = lab.run(
        ["compression", "style_transfer", "zero_init", "conv_arithmetic"],
        mode="smoke",
        out=tmp_path / "report",
        progress=False,
    )
    by_topic = {r.topic: r for r in report.results}
    assert list(by_topic) == [
        "conv_arithmetic",
        "zero_init",
        "style_transfer",
        "compression",
    ]  # the notes' order
    assert report.failed == ["style_transfer", "compression"]
    assert "RuntimeError: deliberate failure in a fake topic" in by_topic["style_transfer"].error
    assert (
        "returned dict, not a glassnet.lab.Result for 'compression'"
        in by_topic["compression"].error
    )
    assert all(c.verdict is Verdict.NOT_MEASURED for c in by_topic["style_transfer"].claims)
    assert by_topic["zero_init"].claim("symmetry").verdict is Verdict.HOLDS
    assert by_topic["zero_init"].claim("not_all_zero").verdict is Verdict.NOT_MEASURED
    assert all(c.verdict is Verdict.HOLDS for c in by_topic["conv_arithmetic"].claims)
    html = report.html.read_text(encoding="utf-8")
    markdown = report.markdown.read_text(encoding="utf-8")
    for text in (html, markdown):
        assert "RuntimeError: deliberate failure in a fake topic" in text
        assert "Traceback (most recent call last)" in text


def test_keyboard_interrupt_is_not_captured(fake_experiment, tmp_path):
    def interrupted(mode, seed):
        raise KeyboardInterrupt

    fake_experiment("style_transfer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lab.run(
            ["conv_arithmetic", "style_transfer"],
            mode="smoke",
            out=tmp_path / "report",
            progress=False,
        )
    assert list(tmp_path.iterdir()) == []  # no report, not even a hidden temporary


def test_a_broken_topic_module_becomes_a_captured_failure(monkeypatch, tmp_path):
    package = tmp_path / "fake_lab_topics"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "zero_init.py").write_text("raise ImportError('a missing dependency')\n")
    (package / "style_transfer.py").write_text("X = 1  # forgot the decorator\n")
    (package / "_helpers.py").write_text("raise AssertionError('helpers are not topics')\n")
    (package / "lstm.py").write_text(
        textwrap.dedent("""
        from glassnet.lab import Result, experiment

        @experiment("lstm")
        def run(mode, seed):
            return Result.start("lstm", mode, seed)
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "TOPICS_PACKAGE", "fake_lab_topics")
    monkeypatch.setattr(registry, "_REGISTERED", {})  # the fake registrations go here, then vanish
    registry._discover.cache_clear()
    try:
        assert registry.topic_ids() == ["zero_init", "lstm", "style_transfer"]
        broken = lab.run_experiment("zero_init", "smoke", 0)
        assert "fake_lab_topics.zero_init is broken: it failed to import" in broken.error
        assert "ImportError: a missing dependency" in broken.error
        silent = lab.run_experiment("style_transfer", "smoke", 0)
        assert (
            "registers no experiment: decorate its function with @experiment('style_transfer')"
            in silent.error
        )
        assert lab.run_experiment("lstm", "smoke", 0).error is None
    finally:
        monkeypatch.undo()
        registry._discover.cache_clear()
        for name in [m for m in sys.modules if m.startswith("fake_lab_topics")]:
            del sys.modules[name]
    assert "conv_arithmetic" in registry.topic_ids()


def test_the_same_seed_gives_the_same_numbers():
    first = lab.run_experiment("conv_arithmetic", "smoke", 7)
    again = lab.run_experiment("conv_arithmetic", "smoke", 7)
    other = lab.run_experiment("conv_arithmetic", "smoke", 8)
    assert [c.numbers for c in first.claims] == [c.numbers for c in again.claims]
    assert first.tables[0].rows == again.tables[0].rows
    assert first.tables[0].rows != other.tables[0].rows  # the configurations do depend on the seed
