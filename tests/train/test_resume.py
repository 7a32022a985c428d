"""Exact resume: a real subprocess killed with SIGKILL, then resumed, ends bit-identical to an uninterrupted run.

The run (resume_script.py) has BatchNorm, dropout, Adam, a scheduler, gradient clipping,
early stopping with restore_best_weights, a shuffled DataLoader and checkpoints every
3 steps; it is killed at several points (before any checkpoint, mid-epoch between
checkpoints, just before an epoch-end checkpoint, and inside a checkpoint write, with
the temporary file written but not renamed), then resumed from last.safetensors.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import glassnet
from glassnet.train import read_checkpoint

SCRIPT = Path(__file__).with_name("resume_script.py")
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def run(out: Path, *options: str, kill_on: str | None = None) -> str:
    """Run the script; with kill_on, SIGKILL it as soon as it prints that line. Returns its output."""
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(out), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.strip())
            if kill_on is not None and line.strip() == kill_on:
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if kill_on is not None:
        assert process.returncode == -signal.SIGKILL, (lines, process.stderr.read())
        assert kill_on in lines
    else:
        assert process.returncode == 0, process.stderr.read()
        assert lines[-1] == "DONE"
    process.stderr.close()
    return "\n".join(lines)


def assert_same_run(expected: Path, actual: Path) -> None:
    first, second = (
        glassnet.load(path / "final.safetensors", as_numpy=True) for path in (expected, actual)
    )
    assert first["global_step"] == second["global_step"]
    assert first["scheduler_lr"] == second["scheduler_lr"]
    for key, value in first["model"].items():
        assert numpy.array_equal(value, second["model"][key]), key
    for index, state in first["optimizer"]["state"].items():
        for name, value in state.items():
            assert numpy.array_equal(value, second["optimizer"]["state"][index][name]), (
                index,
                name,
            )
    assert (expected / "history.csv").read_text() == (actual / "history.csv").read_text()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, Path]:
    runs = {}
    for scheduler in ("epoch", "step"):
        out = tmp_path_factory.mktemp(f"straight-{scheduler}")
        run(out, "--scheduler", scheduler)
        runs[scheduler] = out
    return runs


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "scheduler, kill_after_step",
    [
        ("epoch", 1),  # before the first checkpoint: the resume starts from scratch
        ("epoch", 14),  # mid-epoch 2, two steps after the step-12 checkpoint
        ("epoch", 30),  # the last batch of epoch 3, before its epoch-end checkpoint
        ("step", 17),  # OneCycleLR stepping per batch, mid-epoch 2
    ],
)
def test_sigkill_then_resume_is_bit_identical(uninterrupted, tmp_path, scheduler, kill_after_step):
    run(
        tmp_path,
        "--scheduler",
        scheduler,
        "--pause-at-step",
        str(kill_after_step),
        kill_on=f"STEP {kill_after_step}",
    )
    last = tmp_path / "ckpt" / "last.safetensors"
    if kill_after_step < 3:
        assert not last.exists()
    else:
        # the marker pauses before this step's own checkpoint: the last one is from an earlier step
        saved = read_checkpoint(last)["trainer"]["global_step"]
        assert kill_after_step - 3 <= saved < kill_after_step
    output = run(tmp_path, "--scheduler", scheduler, "--resume")
    assert output.splitlines()[0] == (f"RESUME {last}" if kill_after_step >= 3 else "RESUME None")
    assert_same_run(uninterrupted[scheduler], tmp_path)


@pytest.mark.timeout(120)
def test_sigkill_inside_a_checkpoint_write_keeps_the_previous_one(uninterrupted, tmp_path):
    # writes: last at steps 3, 6 and 9, then at the end of epoch 1 (step 10) best, then last: the 5th write
    run(tmp_path, "--hang-in-save", "5", kill_on="SAVING")
    folder = tmp_path / "ckpt"
    leftovers = [path.name for path in folder.iterdir() if path.name.startswith(".")]
    assert len(leftovers) == 1 and leftovers[0].endswith(".safetensors")  # the unrenamed temporary
    before = read_checkpoint(folder / "last.safetensors")  # the previous checkpoint, whole
    assert before["trainer"]["global_step"] == 9
    run(tmp_path, "--resume")
    assert not any(path.name.startswith(".") for path in folder.iterdir())  # tidied on resume
    assert_same_run(uninterrupted["epoch"], tmp_path)
