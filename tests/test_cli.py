"""The `glassnet` command: `shape` output, help, and the one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from glassnet.cli import main

README_EXAMPLE = ["shape", "3x224x224", "conv:64,k7,s2,p3", "maxpool:k3,s2,p1", "conv:128,k3,s1,p1"]


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_shape_readme_example(capsys):
    status, out, err = run(capsys, README_EXAMPLE)
    lines = out.splitlines()
    assert (status, err) == (0, "")
    assert lines[-1] == "output: 128x56x56"
    assert "  H: floor((224 + 2*3 - 1*(7-1) - 1)/2) + 1 = 112" in lines
    assert "  W: floor((112 + 2*1 - 1*(3-1) - 1)/2) + 1 = 56" in lines
    assert (
        "  -> 64x112x112   params 9,472 = 64*3*7*7 + 64   MACs 118,013,952 = 64*112*112 outputs * 3*7*7"
        in lines
    )
    assert "  receptive field 11x11, jump 4x4   (r = 7 + 1*(3-1)*2 = 11, j = 2*2 = 4)" in lines
    assert [line for line in lines if line.startswith("stage ")] == [
        "stage 1: conv:64,k7,s2,p3",
        "stage 2: maxpool:k3,s2,p1",
        "stage 3: conv:128,k3,s1,p1",
    ]


def test_shape_makefile_demo_with_psame_note(capsys):
    status, out, _ = run(
        capsys,
        [
            "shape",
            "3x32x32",
            "conv:16,k3,psame",
            "conv:32,k3,s2,p1",
            "avgpool:k2,s2",
            "conv:64,k3,d2,p2",
        ],
    )
    lines = out.splitlines()
    assert status == 0 and lines[-1] == "output: 64x8x8"
    note = [line for line in lines if "psame" in line and "note" in line]
    assert note == [
        "  note: psame pads d*(k-1) per axis, any odd one on the bottom/right (H: 1 + 1, W: 1 + 1); "
        "TensorFlow's SAME convention, for any stride: out = ceil(in/stride) = ceil(32/1) = 32"
    ]


def test_shape_1d_ends_with_c_x_l(capsys):
    status, out, _ = run(capsys, ["shape", "3x100", "conv1d:8,k5,s2", "maxpool1d:k2,ceil"])
    lines = out.splitlines()
    assert status == 0 and lines[-1] == "output: 8x24"
    assert "  L: floor((100 + 2*0 - 1*(5-1) - 1)/2) + 1 = 48" in lines


def test_shape_per_axis_values(capsys):
    status, out, _ = run(capsys, ["shape", "1x10x20", "conv:2,k3x5,s1x2,p1x2"])
    assert status == 0 and out.splitlines()[-1] == "output: 2x10x10"


CLI_ERRORS = [
    (
        ["3x2x2", "conv:4,k3"],
        "stage 1 'conv:4,k3': H: the dilated kernel spans 1*(3-1)+1 = 3, more than the "
        "padded input 2 + 2*0 = 2: the output size would be 0",
    ),
    (
        ["1x2x2", "maxpool:k5,s2,ceil"],
        "stage 1 'maxpool:k5,s2,ceil': H: the dilated kernel spans 1*(5-1)+1 = 5, "
        "more than the padded input 2 + 2*0 = 2: the output size would be 0",
    ),
    (
        ["3x32x32", "conv:8,k3", "conv:8,k3,s2,psame"],
        "stage 2 'conv:8,k3,s2,psame': psame needs stride 1",
    ),
    (
        ["3x32x32", "conv:8,k3,g2"],
        "stage 1 'conv:8,k3,g2': input channels 3 are not divisible by groups 2",
    ),
    (
        ["4x8x8", "conv:6,k3,g2", "conv:6,k3,g4"],
        "stage 2 'conv:6,k3,g4': input channels 6 are not divisible by groups 4",
    ),
    (
        ["3x32x32", "maxpool:k3,p2"],
        "stage 1 'maxpool:k3,p2': H: padding 2 is more than half the kernel: pools need "
        "p <= k//2 = 3//2 = 1",
    ),
    (["3x32x32", "conv:8,k3x"], "stage 1 'conv:8,k3x': unknown option 'k3x'"),
    (["3x32x32", "conv:k3"], "stage 1 'conv:k3': missing the output channels"),
    (
        ["3x32x32", "conv:8,k3,k5"],
        "stage 1 'conv:8,k3,k5': option 'k5' repeats an earlier k option",
    ),
    (["3x32x32", "conv:8,k3,s0"], "stage 1 'conv:8,k3,s0': 's0': s must be >= 1"),
    (
        ["3x32x32", "maxpool:k2,psame"],
        "stage 1 'maxpool:k2,psame': unknown option 'psame': maxpool takes k,s,p,d,ceil",
    ),
    (
        ["3x32x32", "conv1d:8,k3"],
        "stage 1 'conv1d:8,k3': conv1d needs a CxL input, but its input is 3x32x32",
    ),
    (["3x32", "pool:k2"], "stage 1 'pool:k2': unknown stage kind 'pool'"),
    (["3x32", "conv"], "stage 1 'conv': expected kind:options"),
    (["3x0x4", "conv:8,k3"], "input '3x0x4': every size must be >= 1"),
    (["1x3x224x224", "conv:8,k3"], "input '1x3x224x224': give CxHxW (2-D) or CxL (1-D)"),
]


@pytest.mark.parametrize("argv,message", CLI_ERRORS, ids=[" ".join(argv) for argv, _ in CLI_ERRORS])
def test_shape_errors_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run(capsys, ["shape", *argv])
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith(f"glassnet shape: error: {message}")


def test_help_lists_the_commands_and_the_stage_grammar(capsys):
    with pytest.raises(SystemExit) as top:
        main(["--help"])
    top_help = capsys.readouterr().out
    with pytest.raises(SystemExit) as shape_help:
        main(["shape", "--help"])
    help_text = capsys.readouterr().out
    assert top.value.code == 0 and shape_help.value.code == 0
    assert "shape" in top_help and "COMMAND --help" in top_help
    assert "conv:OUT,kK[,sS][,pP|psame][,dD][,gG][,nobias]" in help_text
    assert "maxpool:kK[,sS][,pP][,dD][,ceil]" in help_text and "conv1d" in help_text


def test_no_command_prints_usage_and_exits_2(capsys):
    status, out, err = run(capsys, [])
    assert status == 2 and out == "" and "usage: glassnet" in err


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0 and capsys.readouterr().out.startswith("glassnet ")


def test_python_m_glassnet_runs_shape():
    done = subprocess.run(
        [sys.executable, "-m", "glassnet", *README_EXAMPLE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == "output: 128x56x56"


def test_python_m_glassnet_error_is_one_line_without_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "glassnet", "shape", "3x8x8", "conv:4,k3", "maxpool:k3,p2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "glassnet shape: error: stage 2 'maxpool:k3,p2': H: padding 2 is more than "
        "half the kernel: pools need p <= k//2 = 3//2 = 1"
    ]


# ---- every command through main([...]): summary, draw, diagnose, lab, train --model ZOO ----

COMMANDS = (
    "shape",
    "data",
    "train",
    "eval",
    "summary",
    "draw",
    "diagnose",
    "lab",
    "compress",
    "style",
    "export",
    "tune",
)


def test_top_help_lists_every_command_with_one_line(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    lines = capsys.readouterr().out.splitlines()
    assert caught.value.code == 0
    listed = [
        line.split()[0]
        for line in lines
        if line.startswith("    ") and not line.startswith("     ")
    ]
    assert listed == list(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_exits_0(capsys, command):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0 and capsys.readouterr().out.startswith(
        f"usage: glassnet {command} "
    )


def test_summary_of_resnet20_counts_the_papers_parameters(capsys):
    status, out, err = run(capsys, ["summary", "resnet20", "--input", "3x32x32", "--depth", "1"])
    assert (status, err) == (0, "")
    assert "Total params: 269,722" in out and "CifarResNet" in out


def test_summary_of_a_shape_the_model_does_not_fit_exits_2(capsys):
    status, out, err = run(capsys, ["summary", "lenet5", "--input", "1x8x8"])
    assert (status, out) == (2, "")
    assert err == (
        "glassnet summary: error: model 'lenet5' needs 28x28 or 32x32 images, (C, 28, 28) or (C, 32, 32); "
        "got sample shape (1, 8, 8)\n"
    )


@pytest.mark.timeout(60)
def test_draw_lstm_cell_svg(tmp_path, capsys):
    """Rendering needs Graphviz' dot: CI installs it, so there a missing dot fails; elsewhere the test skips."""
    import os
    import shutil
    from xml.etree import ElementTree

    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz' dot is missing in CI (.ci/run installs Debian's graphviz)")
        pytest.skip("Graphviz' dot is not installed")
    path = tmp_path / "lstm.svg"
    status, out, err = run(capsys, ["draw", "lstm-cell", "-o", str(path)])
    assert (status, err) == (0, "") and out.startswith(f"wrote {path} (svg, ")
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(node.text or "" for node in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "forget gate" in text


def test_draw_mlp_at_op_level_prints_dot(capsys):
    status, out, err = run(capsys, ["draw", "mlp", "--input", "64", "--level", "op"])
    assert (status, err) == (0, "")
    assert out.startswith("digraph glassnet {") and 'label="MLP (op level)"' in out
    assert 'label="Linear\\n1\\n(1, 256)"' in out and 'label="1.weight\\n(256, 64)"' in out


@pytest.mark.timeout(120)
def test_diagnose_mlp_on_digits_prints_tables_and_writes_plots(tmp_path, capsys):
    status, out, err = run(capsys, ["diagnose", "mlp", "--data", "digits", "--out", str(tmp_path)])
    assert (status, err) == (0, "")
    assert (
        "layer outputs (activation_stats)" in out and "parameter gradients (gradient_flow)" in out
    )
    for name in ("activations.png", "gradients.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_diagnose_refuses_a_flag_the_zoo_model_has_no_use_for(capsys):
    status, out, err = run(capsys, ["diagnose", "resnet20", "--activation", "tanh"])
    assert (status, out) == (2, "")
    assert err == (
        "glassnet diagnose: error: model 'resnet20' has no --activation option (its architecture fixes "
        "it); of these flags it takes --init\n"
    )


@pytest.mark.timeout(120)
def test_lab_conv_arithmetic_smoke_writes_the_report(tmp_path, capsys):
    out_dir = tmp_path / "report"
    status, out, _ = run(
        capsys, ["lab", "conv_arithmetic", "--mode", "smoke", "--out", str(out_dir)]
    )
    assert status == 0
    assert (
        f"report: {out_dir / 'index.html'}" in out and f"markdown: {out_dir / 'report.md'}" in out
    )
    html = (out_dir / "index.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html>") and "conv_arithmetic" in html
    assert (out_dir / "report.md").read_text().startswith("#")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """Small .npz slices of digits (1x8x8) and mnist1d (1x40), so a zoo model trains an epoch in about a second."""
    import numpy

    from glassnet.train.job_data import load_job_data

    folder = tmp_path_factory.mktemp("tiny")
    paths = {}
    for name in ("digits", "mnist1d"):
        data = load_job_data(name)
        arrays = {}
        for split, size in (("train", 32), ("val", 16), ("test", 16)):
            part = getattr(data, split)
            arrays[f"x_{split}"], arrays[f"y_{split}"] = part.x[:size, 0], part.y[:size]
        paths[name] = folder / f"{name}.npz"
        numpy.savez(paths[name], **arrays)
    return paths


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "data, model",
    [
        ("digits", "resnet20"),
        ("digits", "plain20"),
        ("mnist1d", "cnn1d"),
        ("mnist1d", "resnet1d"),
        ("mnist1d", "lstm"),
        ("mnist1d", "gru"),
    ],
)
def test_train_a_zoo_model_that_fits_the_data(tmp_path, capsys, tiny_data, data, model):
    out = tmp_path / "run"
    status, stdout, err = run(
        capsys,
        [
            "train",
            "--data",
            str(tiny_data[data]),
            "--model",
            model,
            "--epochs",
            "1",
            "--batch-size",
            "32",
            "--out",
            str(out),
            "--no-progress",
        ],
    )
    assert (status, err) == (0, "")
    assert stdout.startswith("trained epoch 1 in ") and (out / "best.safetensors").is_file()
    assert (
        json.loads((out / "config.json").read_text())["options"]["activation"] == "relu"
    )  # train's default
    if model in (
        "resnet20",
        "lstm",
    ):  # eval rebuilds the model from config.json, activation='relu' and all
        status, stdout, err = run(capsys, ["eval", str(out)])
        assert (status, err) == (0, "") and stdout.startswith(
            f"{out}: {model} on {tiny_data[data]}, 1 epochs trained"
        )


@pytest.mark.timeout(60)
def test_train_refuses_a_model_that_does_not_fit_the_data(tmp_path, capsys):
    status, out, err = run(
        capsys,
        [
            "train",
            "--data",
            "digits",
            "--model",
            "lenet5",
            "--out",
            str(tmp_path / "run"),
            "--no-progress",
        ],
    )
    assert (status, out) == (2, "")
    assert err == (
        "glassnet train: error: model 'lenet5' needs 28x28 or 32x32 images, (C, 28, 28) or (C, 32, 32); "
        "got sample shape (1, 8, 8)\n"
    )


@pytest.mark.parametrize(
    "flags, refused, takes",
    [
        (["--activation", "tanh"], "--activation", "--init"),
        (["--hidden", "64", "--dropout", "0.1"], "--hidden, --dropout", "--init"),
    ],
)
def test_train_refuses_model_flags_the_model_has_no_use_for(
    tmp_path, capsys, flags, refused, takes
):
    status, out, err = run(
        capsys, ["train", "--model", "resnet20", *flags, "--out", str(tmp_path / "run")]
    )
    assert (status, out) == (2, "")
    assert err == (
        f"glassnet train: error: model 'resnet20' has no {refused} option (its architecture fixes it); "
        f"of these flags it takes {takes}\n"
    )
    assert not (tmp_path / "run").exists()  # refused before anything was written
