"""The `glassnet` command: `shape` output, help, and the one-line errors with exit status 2."""

from __future__ import annotations

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
    assert "  -> 64x112x112   params 9,472 = 64*3*7*7 + 64   MACs 118,013,952 = 64*112*112 outputs * 3*7*7" in lines
    assert "  receptive field 11x11, jump 4x4   (r = 7 + 1*(3-1)*2 = 11, j = 2*2 = 4)" in lines
    assert [line for line in lines if line.startswith("stage ")] == [
        "stage 1: conv:64,k7,s2,p3", "stage 2: maxpool:k3,s2,p1", "stage 3: conv:128,k3,s1,p1"]


def test_shape_makefile_demo_with_psame_note(capsys):
    status, out, _ = run(capsys, ["shape", "3x32x32", "conv:16,k3,psame", "conv:32,k3,s2,p1", "avgpool:k2,s2",
                                  "conv:64,k3,d2,p2"])
    lines = out.splitlines()
    assert status == 0 and lines[-1] == "output: 64x8x8"
    note = [line for line in lines if "psame" in line and "note" in line]
    assert note == ["  note: psame pads d*(k-1) per axis, any odd one on the bottom/right (H: 1 + 1, W: 1 + 1); "
                    "TensorFlow's SAME convention, for any stride: out = ceil(in/stride) = ceil(32/1) = 32"]


def test_shape_1d_ends_with_c_x_l(capsys):
    status, out, _ = run(capsys, ["shape", "3x100", "conv1d:8,k5,s2", "maxpool1d:k2,ceil"])
    lines = out.splitlines()
    assert status == 0 and lines[-1] == "output: 8x24"
    assert "  L: floor((100 + 2*0 - 1*(5-1) - 1)/2) + 1 = 48" in lines


def test_shape_per_axis_values(capsys):
    status, out, _ = run(capsys, ["shape", "1x10x20", "conv:2,k3x5,s1x2,p1x2"])
    assert status == 0 and out.splitlines()[-1] == "output: 2x10x10"


CLI_ERRORS = [
    (["3x2x2", "conv:4,k3"], "stage 1 'conv:4,k3': H: the dilated kernel spans 1*(3-1)+1 = 3, more than the "
                             "padded input 2 + 2*0 = 2: the output size would be 0"),
    (["1x2x2", "maxpool:k5,s2,ceil"], "stage 1 'maxpool:k5,s2,ceil': H: the dilated kernel spans 1*(5-1)+1 = 5, "
                                      "more than the padded input 2 + 2*0 = 2: the output size would be 0"),
    (["3x32x32", "conv:8,k3", "conv:8,k3,s2,psame"], "stage 2 'conv:8,k3,s2,psame': psame needs stride 1"),
    (["3x32x32", "conv:8,k3,g2"], "stage 1 'conv:8,k3,g2': input channels 3 are not divisible by groups 2"),
    (["4x8x8", "conv:6,k3,g2", "conv:6,k3,g4"], "stage 2 'conv:6,k3,g4': input channels 6 are not divisible by "
                                                "groups 4"),
    (["3x32x32", "maxpool:k3,p2"], "stage 1 'maxpool:k3,p2': H: padding 2 is more than half the kernel: pools need "
                                   "p <= k//2 = 3//2 = 1"),
    (["3x32x32", "conv:8,k3x"], "stage 1 'conv:8,k3x': unknown option 'k3x'"),
    (["3x32x32", "conv:k3"], "stage 1 'conv:k3': missing the output channels"),
    (["3x32x32", "conv:8,k3,k5"], "stage 1 'conv:8,k3,k5': option 'k5' repeats an earlier k option"),
    (["3x32x32", "conv:8,k3,s0"], "stage 1 'conv:8,k3,s0': 's0': s must be >= 1"),
    (["3x32x32", "maxpool:k2,psame"], "stage 1 'maxpool:k2,psame': unknown option 'psame': maxpool takes k,s,p,d,ceil"),
    (["3x32x32", "conv1d:8,k3"], "stage 1 'conv1d:8,k3': conv1d needs a CxL input, but its input is 3x32x32"),
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
    done = subprocess.run([sys.executable, "-m", "glassnet", *README_EXAMPLE], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == "output: 128x56x56"


def test_python_m_glassnet_error_is_one_line_without_traceback():
    done = subprocess.run([sys.executable, "-m", "glassnet", "shape", "3x8x8", "conv:4,k3", "maxpool:k3,p2"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == ["glassnet shape: error: stage 2 'maxpool:k3,p2': H: padding 2 is more than "
                                        "half the kernel: pools need p <= k//2 = 3//2 = 1"]
