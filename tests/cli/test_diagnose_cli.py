"""`glassnet diagnose` as a user runs it: the arguments, a zoo model, a run folder, and bad input."""

from __future__ import annotations

import argparse

import pytest

from glassnet.cli.inspection import add_diagnose_arguments, run_diagnose
from glassnet.diagnose.subject import load_subject

pytestmark = pytest.mark.timeout(120)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="glassnet diagnose")
    add_diagnose_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A real run: one epoch of the default MLP on digits (~1 s)."""
    from glassnet.train.job import resolve_config, train_run

    folder = tmp_path_factory.mktemp("runs") / "digits-mlp"
    train_run(resolve_config({"data": "digits", "model": "mlp", "epochs": 1}), folder)
    return folder


def test_arguments_and_defaults():
    args = parse("mlp")
    assert (
        args.target,
        args.data,
        args.batch_size,
        args.out,
        args.lr,
        args.mode,
        args.seed,
        args.checkpoint,
    ) == ("mlp", None, 256, None, None, "train", 0, "best")
    args = parse(
        "cnn",
        "--data",
        "mnist1d",
        "--batch-size",
        "32",
        "--lr",
        "0.01",
        "--hidden",
        "64,32",
        "--no-batchnorm",
        "--init",
        "xavier",
        "--activation",
        "tanh",
        "--mode",
        "eval",
    )
    assert (args.batch_size, args.lr, args.hidden, args.batchnorm, args.init, args.mode) == (
        32,
        0.01,
        [64, 32],
        False,
        "xavier",
        "eval",
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["mlp", "--batch-size", "0"], "expected a positive integer, got '0'"),
        (
            ["mlp", "--hidden", "64,-1"],
            "expected positive layer widths such as 128,64, got '64,-1'",
        ),
        (["mlp", "--init", "he"], "invalid choice: 'he'"),
    ],
)
def test_bad_arguments_exit_with_usage(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(*argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_zoo_model_prints_tables_and_alarms_and_saves_plots(tmp_path, capsys):
    out = tmp_path / "diag"
    status = run_diagnose(
        parse(
            "mlp",
            "--activation",
            "tanh",
            "--init",
            "normal",
            "--hidden",
            "64,64,64,64,64,64",
            "--no-batchnorm",
            "--batch-size",
            "64",
            "--lr",
            "1e-3",
            "--out",
            str(out),
        )
    )
    captured = capsys.readouterr()
    assert status == 0 and captured.err == ""
    text = captured.out
    assert text.startswith(
        "diagnosing zoo model 'mlp' (activation=tanh, init=normal, hidden=[64, 64, 64, 64, 64, "
        "64], batchnorm=False) at initialisation (seed 0) on digits 1x8x8: one batch of 64 training "
        "samples, mode train"
    )
    assert (
        "layer outputs (activation_stats)" in text and "parameter gradients (gradient_flow)" in text
    )
    for cell in ("Flatten", "Tanh", "64x64", "13.weight", "lr*|g|/|w|", "saturated"):
        assert cell in text
    # N(0, 0.01^2) weights and zero biases through six tanh layers: the signal dies out
    assert (
        "alarms:" in text
        and "activation std shrinks from" in text
        and "vanishing gradients" in text
    )
    assert sorted(path.name for path in out.iterdir()) == ["activations.png", "gradients.png"]
    assert (out / "activations.png").read_bytes().startswith(b"\x89PNG")


def test_default_zoo_model_raises_no_alarm(tmp_path, capsys):
    assert (
        run_diagnose(parse("mlp", "--batch-size", "128", "--lr", "1e-3", "--out", str(tmp_path)))
        == 0
    )
    assert "no alarms" in capsys.readouterr().out


def test_run_folder_uses_its_config_checkpoint_and_lr(run_folder, capsys):
    assert run_diagnose(parse(str(run_folder), "--batch-size", "32")) == 0
    text = capsys.readouterr().out
    assert text.startswith(
        f"diagnosing run '{run_folder}' (mlp on digits, best.safetensors): one batch of 32"
    )
    assert "lr 0.001" in text  # the run's Adam lr gives the update ratios
    assert (run_folder / "diagnose" / "activations.png").is_file()
    subject = load_subject(str(run_folder), checkpoint="last")
    assert subject.lr == 0.001 and subject.inputs.shape == (256, 1, 8, 8)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nosuch"], "unknown model or run 'nosuch': give a zoo model (mlp, cnn"),
        (["RUN", "--init", "xavier"], "--init: a run folder's model is fixed by its config.json"),
        (["RUN", "--data", "mnist1d"], "--data mnist1d: the run in"),
        (["mlp", "--data", "nosuch-data"], "unknown dataset 'nosuch-data'"),
        (["mlp", "--lr", "-1"], "--lr must be a positive number, got -1.0"),
    ],
)
def test_bad_input_is_one_line_on_stderr(argv, message, run_folder, capsys):
    argv = [str(run_folder) if item == "RUN" else item for item in argv]
    assert run_diagnose(parse(*argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet diagnose: error: ") and message in err and err.count("\n") == 1


def test_folder_without_config_or_checkpoint(tmp_path, run_folder, capsys):
    assert run_diagnose(parse(str(tmp_path))) == 2
    assert "is not a run folder (it has no config.json" in capsys.readouterr().err
    with pytest.raises(
        TypeError, match="unknown option\\(s\\) depth; valid: activation, init, hidden, batchnorm"
    ):
        load_subject("mlp", depth=3)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_bytes((run_folder / "config.json").read_bytes())
    with pytest.raises(FileNotFoundError, match="has no best.safetensors .* try --checkpoint last"):
        load_subject(str(broken))
