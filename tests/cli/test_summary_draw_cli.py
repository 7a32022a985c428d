"""The handlers behind `glassnet summary` and `glassnet draw`: printed results, files, exit statuses."""

from __future__ import annotations

import argparse
import shutil

import pytest

from glassnet.cli.models import parse_shape, run_draw, run_summary


def summary_args(**changes):
    values = dict(
        model="mlp", input="64", classes=10, batch_size=1, depth=3, dtype="float32", json=False
    )
    return argparse.Namespace(**{**values, **changes})


def draw_args(**changes):
    values = dict(
        target="lstm-cell", input=None, classes=10, level="module", output=None, format=None
    )
    return argparse.Namespace(**{**values, **changes})


def test_parse_shape():
    assert parse_shape("3x32x32") == (3, 32, 32) and parse_shape("64") == (64,)
    with pytest.raises(
        ValueError,
        match=r"--input '3x0': give one sample's shape as positive integers joined by 'x'",
    ):
        parse_shape("3x0")


def test_summary_prints_the_table(capsys):
    assert run_summary(summary_args(batch_size=2)) == 0
    out = capsys.readouterr().out
    assert "Layer (type)" in out and "Input shape: [2, 64]" in out
    # the registry's default mlp: 64-256-128-10 with BatchNorm1d after each hidden Linear
    expected = (64 * 256 + 256) + 2 * 256 + (256 * 128 + 128) + 2 * 128 + (128 * 10 + 10)
    assert f"Total params: {expected:,}" in out


def test_summary_of_an_unknown_model_exits_2_with_one_line(capsys):
    assert run_summary(summary_args(model="nonet")) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("glassnet summary: error: unknown model 'nonet'; available: ")
        and err.count("\n") == 1
    )


def test_summary_with_a_bad_shape_exits_2(capsys):
    assert run_summary(summary_args(input="8xa")) == 2
    assert "glassnet summary: error: --input '8xa'" in capsys.readouterr().err


def test_draw_lstm_cell_prints_dot_without_output(capsys):
    assert run_draw(draw_args()) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph glassnet {") and "forget gate" in out


def test_draw_lstm_cell_to_a_file(tmp_path, capsys):
    assert run_draw(draw_args(output=str(tmp_path / "lstm.dot"))) == 0
    assert (tmp_path / "lstm.dot").read_text().startswith("digraph glassnet {")
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'lstm.dot'} (dot, ")


def test_draw_a_model_at_module_level(tmp_path, capsys):
    assert run_draw(draw_args(target="mlp", input="64", output=str(tmp_path / "mlp.dot"))) == 0
    source = (tmp_path / "mlp.dot").read_text()
    assert "MLP (module level)" in source and "Linear" in source


def test_draw_without_dot_writes_the_dot_file_and_a_note(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert run_draw(draw_args(output=str(tmp_path / "lstm.svg"))) == 0
    captured = capsys.readouterr()
    assert (tmp_path / "lstm.dot").exists() and not (tmp_path / "lstm.svg").exists()
    assert captured.err.startswith(
        "glassnet draw: note: Graphviz's `dot` program was not found on PATH"
    )
    assert "apt-get install graphviz" in captured.err
    assert captured.out.startswith(f"wrote {tmp_path / 'lstm.dot'} (dot, ")


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"target": "mlp"},
            "drawing model 'mlp' needs --input, one sample's shape such as 3x32x32",
        ),
        ({"format": "png"}, "--format png needs -o PATH"),
        ({"target": "nonet", "input": "4"}, "unknown model 'nonet'"),
        ({"output": "x.svg", "format": "dot"}, "path 'x.svg' ends in .svg but format='dot'"),
    ],
)
def test_draw_errors_exit_2(changes, message, capsys):
    assert run_draw(draw_args(**changes)) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet draw: error: ") and message in err
