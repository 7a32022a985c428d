"""`glassnet train` / `glassnet eval` end to end on digits (few epochs), resume, and the loud failures."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy
import pytest

import glassnet
from glassnet.cli import main
from glassnet.nn.normalization import has_batchnorm
from glassnet.train import read_checkpoint
from glassnet.train.job import _Job, resolve_config


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def table_value(out: str, metric: str) -> float:
    match = re.search(rf"{re.escape(metric)}\s*│\s*([\d.]+)%", out)
    assert match, out
    return float(match.group(1)) / 100


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory):
    """One short mlp run on digits, shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("runs") / "digits-mlp"
    status = main(
        [
            "train",
            "--data",
            "digits",
            "--model",
            "mlp",
            "--epochs",
            "4",
            "--seed",
            "0",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert status == 0
    return out


@pytest.mark.timeout(120)
def test_train_writes_the_run_folder_and_prints_test_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    status, stdout, stderr = run(
        capsys,
        [
            "train",
            "--model",
            "mlp",
            "--epochs",
            "3",
            "--hidden",
            "64",
            "--out",
            str(out),
            "--no-progress",
        ],
    )
    assert (status, stderr) == (0, "")
    assert sorted(path.name for path in out.iterdir()) == [
        "best.safetensors",
        "config.json",
        "curves.png",
        "history.csv",
        "last.safetensors",
        "standardize.safetensors",
        "test_metrics.json",
    ]
    printed = re.search(
        r"trained epochs 1-3 in [\d.]+ s, best val_loss at epoch (\d); files in ", stdout
    )
    assert printed, stdout
    for name in (
        "accuracy",
        "precision (macro)",
        "recall (macro)",
        "F1 (macro)",
        "loss",
        "samples",
    ):
        assert name in stdout
    with open(out / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert [row["epoch"] for row in rows] == ["1", "2", "3"] and {row["lr"] for row in rows} == {
        "0.001"
    }
    # one numbering everywhere (from 1): the printed best epoch, test_metrics.json, history.csv
    best_row = min(rows, key=lambda row: float(row["val_loss"]))["epoch"]
    best_json = json.loads((out / "test_metrics.json").read_text())["best_epoch"]
    assert printed.group(1) == best_row == str(best_json)
    config = json.loads((out / "config.json").read_text())
    assert config["options"] == {
        "data": "digits",
        "model": "mlp",
        "hidden": [64],
        "activation": "relu",
        "init": None,
        "batchnorm": None,
        "dropout": None,
        "optimizer": "adam",
        "lr": 0.001,
        "weight_decay": 0.0,
        "epochs": 3,
        "batch_size": 64,
        "early_stopping": None,
        "clip_grad_norm": None,
        "seed": 0,
        "loss": "cross_entropy",
        "train_fraction": 1.0,
    }
    assert config["input_shape"] == [1, 8, 8] and config["classes"] == [str(k) for k in range(10)]
    metrics = json.loads((out / "test_metrics.json").read_text())
    assert metrics["checkpoint"] == "best.safetensors"
    assert table_value(stdout, "accuracy") == pytest.approx(
        metrics["metrics"]["accuracy"], abs=5e-5
    )
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # standardisation statistics come from the training split only, per channel
    stats = glassnet.load(out / "standardize.safetensors", as_numpy=True)
    from glassnet.data.datasets import Digits

    train = Digits("train").data
    assert stats["mean"].shape == (1, 1, 1)
    assert stats["mean"].item() == pytest.approx(train.mean(), rel=1e-5)
    assert stats["std"].item() == pytest.approx(train.std(), rel=1e-5)


@pytest.mark.timeout(120)
def test_mlp_on_digits_reaches_90_percent_quickly(mlp_run):
    """The smoke check of the accuracy target (the full runs are in bench/train_digits.py)."""
    metrics = json.loads((mlp_run / "test_metrics.json").read_text())["metrics"]
    assert metrics["accuracy"] >= 0.90
    assert metrics["samples"] == 360


@pytest.mark.timeout(120)
def test_eval_reproduces_the_test_metrics(mlp_run, capsys):
    status, stdout, stderr = run(capsys, ["eval", str(mlp_run)])
    assert (status, stderr) == (0, "")
    saved = json.loads((mlp_run / "test_metrics.json").read_text())["metrics"]
    assert table_value(stdout, "accuracy") == pytest.approx(saved["accuracy"], abs=5e-5)
    assert table_value(stdout, "F1 (macro)") == pytest.approx(saved["f1"], abs=5e-5)
    status, stdout, _ = run(
        capsys, ["eval", str(mlp_run), "--checkpoint", "last", "--split", "val"]
    )
    assert status == 0 and "val metrics" in stdout


@pytest.mark.timeout(120)
def test_resume_continues_to_the_new_epoch_total(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        run(
            capsys,
            [
                "train",
                "--model",
                "cnn",
                "--hidden",
                "16",
                "--epochs",
                "2",
                "--out",
                str(out),
                "--no-progress",
            ],
        )[0]
        == 0
    )
    status, stdout, stderr = run(
        capsys, ["train", "--resume", str(out), "--epochs", "3", "--no-progress"]
    )
    assert (status, stderr) == (0, "")
    assert "trained epoch 3 in " in stdout  # what this call did: one more epoch
    with open(out / "history.csv") as file:
        assert [row["epoch"] for row in csv.DictReader(file)] == ["1", "2", "3"]
    assert read_checkpoint(out / "last.safetensors")["trainer"]["epoch"] == 3


@pytest.mark.timeout(180)
def test_cli_run_killed_with_sigkill_resumes_to_the_same_weights(tmp_path):
    """`glassnet train` killed mid-run (right after its first checkpoint), then `--resume`d."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "glassnet",
        "train",
        "--model",
        "mlp",
        "--dropout",
        "0.2",
        "--epochs",
        "15",
        "--no-progress",
        "--out",
    ]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    subprocess.run([*command, str(straight)], check=True, env=env, capture_output=True)
    process = subprocess.Popen(
        [*command, str(killed)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not (killed / "last.safetensors").exists() and process.poll() is None:
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    assert (
        read_checkpoint(killed / "last.safetensors")["trainer"]["epoch"] < 15
    )  # it really was cut short
    resumed = subprocess.run(
        [sys.executable, "-m", "glassnet", "train", "--resume", str(killed), "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    done = int(re.search(r"trained epochs (\d+)-15 in ", resumed.stdout).group(1))
    assert 1 < done <= 15  # it says where it went on from
    for name in ("last.safetensors", "best.safetensors"):
        expected, actual = (read_checkpoint(folder / name) for folder in (straight, killed))
        for key, value in expected["model"].items():
            assert numpy.array_equal(value.data, actual["model"][key].data), (name, key)
    assert (straight / "history.csv").read_text() == (killed / "history.csv").read_text()
    assert (straight / "test_metrics.json").read_text() == (
        killed / "test_metrics.json"
    ).read_text()


def test_unknown_option_values_list_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--optimizer", "lbfgs"])
    assert exit_info.value.code == 2
    assert (
        "argument --optimizer: invalid choice: 'lbfgs' (choose from sgd, momentum, adagrad, rmsprop, adam, adamw)"
        in capsys.readouterr().err.replace(
            "'sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw'",
            "sgd, momentum, adagrad, rmsprop, adam, adamw",
        )
    )
    for option, value in (("--model", "resnet9000"), ("--activation", "swish"), ("--init", "he")):
        with pytest.raises(SystemExit):
            main(["train", option, value])
        assert (
            f"argument {option}: invalid choice: '{value}' (choose from" in capsys.readouterr().err
        )
    with pytest.raises(SystemExit):
        main(["train", "--hidden", "128,x"])
    assert (
        "argument --hidden: expected comma-separated layer widths such as 128,64, got '128,x'"
        in capsys.readouterr().err
    )


def test_help_states_the_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for default in (
        "(default: digits)",
        "(default: mlp)",
        "(default: adam)",
        "adam 0.001",
        "(default: 40)",
        "(default: 64)",
        "(default: 0)",
        "standardised per channel",
        "60/20/20",
    ):
        assert default in text


def test_run_folder_errors(mlp_run, tmp_path, capsys):
    status, _, stderr = run(capsys, ["train", "--out", str(mlp_run), "--epochs", "1"])
    assert (
        status == 2
        and f"'{mlp_run}' already holds a run (config.json); continue it with --resume" in stderr
    )
    status, _, stderr = run(capsys, ["train", "--resume", str(mlp_run), "--lr", "0.1"])
    assert status == 2 and "only --epochs may be given with it (got --lr)" in stderr
    status, _, stderr = run(capsys, ["eval", str(tmp_path)])
    assert status == 2 and f"'{tmp_path}' is not a run folder: it has no config.json" in stderr
    status, _, stderr = run(
        capsys, ["train", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "r")]
    )
    assert status == 2 and "unknown dataset" in stderr and "nothing" in stderr


@pytest.mark.timeout(120)
def test_a_checkpoint_of_another_architecture_is_named(mlp_run, tmp_path, capsys):
    other = tmp_path / "wide"
    assert (
        run(
            capsys,
            ["train", "--hidden", "32", "--epochs", "1", "--out", str(other), "--no-progress"],
        )[0]
        == 0
    )
    (other / "best.safetensors").write_bytes((mlp_run / "best.safetensors").read_bytes())
    status, _, stderr = run(capsys, ["eval", str(other)])
    assert status == 2
    assert (
        "'1.weight' is (256, 64) in the file but (32, 64) in the model; '1.bias' is (256,) in the file but (32,) "
        "in the model" in stderr
    )
    assert "does not fit MLP (another architecture?)" in stderr


@pytest.mark.timeout(120)
def test_a_diverging_run_stops_with_the_nan_guard_message(tmp_path, capsys):
    out = tmp_path / "diverge"
    with numpy.errstate(all="ignore"):
        status, stdout, stderr = run(
            capsys,
            [
                "train",
                "--lr",
                "1e3",
                "--optimizer",
                "sgd",
                "--no-batchnorm",
                "--out",
                str(out),
                "--no-progress",
            ],
        )
    assert status == 1 and stdout == ""
    assert re.match(
        r"glassnet train: error: NaNGuard: the loss \S+ at step \d+ \(epoch 1, batch \d+ of 17\) is more "
        r"than 10000 times the first step's loss",
        stderr,
    )
    assert "lower the learning rate (now 1000)" in stderr
    assert not (out / "history.csv").exists()  # no epoch of nan was logged


@pytest.mark.timeout(120)
def test_train_on_an_npz_path_cuts_a_val_split(tmp_path, capsys):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((200, 10)).astype(numpy.float32)
    y = (x[:, 0] > 0).astype(numpy.int64)
    numpy.savez(
        tmp_path / "toy.npz", x_train=x[:150], y_train=y[:150], x_test=x[150:], y_test=y[150:]
    )
    out = tmp_path / "run"
    status, stdout, stderr = run(
        capsys,
        [
            "train",
            "--data",
            str(tmp_path / "toy.npz"),
            "--epochs",
            "10",
            "--lr",
            "0.01",
            "--batch-size",
            "16",
            "--hidden",
            "16",
            "--out",
            str(out),
            "--no-progress",
        ],
    )
    assert (status, stderr) == (0, "")
    assert json.loads((out / "config.json").read_text())["input_shape"] == [1, 10]
    assert re.search(
        r"samples\s*│\s*50 │", stdout
    )  # the test split; val came out of the 150 training samples
    assert json.loads((out / "test_metrics.json").read_text())["metrics"]["accuracy"] > 0.8


def test_a_last_training_batch_of_one_sample_is_dropped_only_with_batchnorm(tmp_path):
    n_train = len(_Job(resolve_config({"data": "digits"}), tmp_path / "probe", True).data.train.y)
    options = {"data": "digits", "model": "mlp", "epochs": 1, "batch_size": n_train - 1}
    with_bn = _Job(resolve_config({**options, "batchnorm": True}), tmp_path / "bn", True)
    without = _Job(resolve_config({**options, "batchnorm": False}), tmp_path / "plain", True)
    assert has_batchnorm(with_bn.model) and not has_batchnorm(without.model)
    assert [len(x) for x, _ in with_bn.loader("train", train=True)] == [n_train - 1]
    assert [len(x) for x, _ in without.loader("train", train=True)] == [n_train - 1, 1]
    assert sum(len(x) for x, _ in with_bn.loader("val")) == len(with_bn.data.val.y)  # eval: all
