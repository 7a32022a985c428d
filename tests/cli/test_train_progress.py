"""`glassnet train`'s progress: a plain line per epoch into a pipe, a bar that fits 80 columns."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from rich.console import Console

from glassnet.cli.training import _progress_mode
from glassnet.train import ProgressBar
from glassnet.train.job import resolve_config, train_run

TINY = ["--data", "digits", "--model", "mlp", "--hidden", "16", "--batch-size", "256"]


def test_train_into_a_pipe_prints_one_line_per_epoch(tmp_path):
    """`glassnet train ... | cat`: stdout is a pipe, so the default progress is one line per epoch."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "glassnet", "train", *TINY, "--epochs", "3", "-o", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no bar and no control codes anywhere
    lines = done.stdout.splitlines()
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert [line.split()[1] for line in epochs] == ["1/3", "2/3", "3/3"]
    for line in epochs:
        assert re.fullmatch(
            r"epoch \d/3  [\d.]+ s  loss [\d.]+  accuracy [\d.]+  val_loss [\d.]+  val_accuracy [\d.]+",
            line,
        ), line
    assert "\x1b" not in done.stdout
    assert lines[len(epochs)].startswith("trained epochs 1-3 in ")
    resumed = subprocess.run(
        [sys.executable, "-m", "glassnet", "train", "--resume", str(out), "--epochs", "5"],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert [line.split()[1] for line in resumed.stdout.splitlines()[:2]] == ["4/5", "5/5"]
    assert "trained epochs 4-5 in " in resumed.stdout


def test_progress_none_and_no_progress_print_no_epoch_lines(tmp_path, capsys):
    from glassnet.cli import main

    for flags, name in ((["--progress", "none"], "a"), (["--no-progress"], "b")):
        status = main(["train", *TINY, "--epochs", "1", *flags, "--out", str(tmp_path / name)])
        stdout = capsys.readouterr().out
        assert status == 0 and stdout.startswith("trained epoch 1 in "), stdout
    assert main(["train", "--resume", str(tmp_path / "a"), "--epochs", "1", "-q"]) == 0
    assert capsys.readouterr().out.startswith("trained no epochs (the run has 1 already), best")


def test_the_bar_fits_an_80_column_terminal(tmp_path):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80, record=True)
    bar = ProgressBar(console=console, refresh_per_second=1000)
    config = resolve_config({"data": "digits", "model": "mlp", "hidden": [16], "epochs": 2})
    train_run(config, tmp_path / "run", progress=bar)
    # the recording holds every refresh of the live line, one after another
    lines = [line.rstrip() for line in re.split(r"(?=epoch \d/2 )", console.export_text())]
    lines = [line for line in lines if line]
    assert lines and all(len(line) <= 80 and "…" not in line for line in lines), lines
    finished = [
        line.split()[1]
        for line in lines
        if re.fullmatch(
            r"epoch \d/2 ━+ \d+/\d+ loss [\d.]+ acc [\d.]+ val_loss [\d.]+ val_acc [\d.]+", line
        )
    ]
    assert set(finished) == {"1/2", "2/2"}, lines[-4:]


@pytest.mark.parametrize(
    ("stdout", "stderr", "expected"),
    [(True, True, "bar"), (False, True, "plain"), (True, False, "plain"), (False, False, "plain")],
)
def test_progress_auto_draws_the_bar_only_on_a_terminal(monkeypatch, stdout, stderr, expected):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: stdout)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: stderr)
    assert _progress_mode("auto") == expected
    assert [_progress_mode(mode) for mode in ("bar", "plain", "none")] == ["bar", "plain", "none"]


def test_progress_bar_refuses_an_unknown_mode():
    with pytest.raises(
        ValueError, match=r"ProgressBar: mode must be one of bar, plain, none, got 'fancy'"
    ):
        ProgressBar(mode="fancy")
