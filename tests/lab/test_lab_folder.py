"""The report folder is written all or nothing: an interrupted run leaves no half report."""

from __future__ import annotations

import json

import pytest

from glassnet import lab
from glassnet.lab import runner
from glassnet.lab.report import folder
from glassnet.lab.report.folder import MARKER, ReportFolderError, write_folder

MARK = json.dumps({"generator": "glassnet lab"}).encode()


def snapshot(path):
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def test_a_new_folder_appears_whole(tmp_path):
    out = write_folder(
        tmp_path / "deep" / "report", {MARKER: MARK, "a.txt": b"a", "figures/b.png": b"b"}
    )
    assert snapshot(out) == {MARKER: MARK, "a.txt": b"a", "figures/b.png": b"b"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["report"]  # no temporary left beside it


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_a_previous_report_is_replaced_whole(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(folder, "_exchange", lambda first, second: False)
    out = tmp_path / "report"
    write_folder(out, {MARKER: MARK, "old.txt": b"old"})
    write_folder(out, {MARKER: MARK, "new.txt": b"new"})
    assert snapshot(out) == {MARKER: MARK, "new.txt": b"new"}
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_the_exchange_really_swaps_on_linux(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "x").write_text("from a"), (second / "x").write_text("from b")
    if not folder._exchange(first, second):
        pytest.skip(
            "renameat2(RENAME_EXCHANGE) is not available here; the two-rename path is tested above"
        )
    assert (first / "x").read_text() == "from b" and (second / "x").read_text() == "from a"


def test_an_interrupted_write_leaves_no_folder_and_no_temporary(tmp_path, monkeypatch):
    def interrupted(results, info):
        raise KeyboardInterrupt  # as if Ctrl-C arrived while the Markdown was being written

    monkeypatch.setattr(runner, "render_markdown", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lab.run(["conv_arithmetic"], mode="smoke", out=tmp_path / "report", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_an_interruption_mid_write_keeps_the_previous_report_intact(tmp_path, monkeypatch):
    out = tmp_path / "report"
    lab.run(["conv_arithmetic"], mode="smoke", out=out, progress=False)
    before = snapshot(out)
    assert "index.html" in before and "report.md" in before
    written = []
    real = folder._write_file

    def dies_after_two_files(path, data):
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(path)
        real(path, data)

    monkeypatch.setattr(folder, "_write_file", dies_after_two_files)
    with pytest.raises(KeyboardInterrupt):
        lab.run(["conv_arithmetic"], mode="smoke", seed=1, out=out, progress=False)
    assert len(written) == 2 and all(
        ".report.tmp-" in str(p) for p in written
    )  # it did write, elsewhere
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(
        ReportFolderError,
        match=r"'.*home' is a folder that holds files but no glassnet lab report "
        r"\(report.json\); refusing to replace it",
    ):
        lab.run(["conv_arithmetic"], mode="smoke", out=precious, progress=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReportFolderError, match="'.*file' exists and is not a folder"):
        write_folder(tmp_path / "file", {MARKER: MARK})
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / MARKER).write_text('{"generator": "someone else"}')
    with pytest.raises(ReportFolderError, match="no glassnet lab report"):
        write_folder(tmp_path / "fake", {MARKER: MARK})
    assert (precious / "thesis.tex").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert snapshot(write_folder(empty, {MARKER: MARK})) == {MARKER: MARK}


def test_paths_outside_the_folder_and_a_missing_marker_are_refused(tmp_path):
    with pytest.raises(ValueError, match="'../escape.txt' would land outside the report folder"):
        write_folder(tmp_path / "r", {MARKER: MARK, "../escape.txt": b"x"})
    with pytest.raises(ValueError, match="the files must include the marker report.json"):
        write_folder(tmp_path / "r", {"a": b"x"})
    assert list(tmp_path.iterdir()) == []
