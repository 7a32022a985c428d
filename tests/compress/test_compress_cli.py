"""`glassnet compress RUN`: the per-layer table, the file, and one-line errors with exit status 2."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.compress import load, read
from glassnet.compress.runs import evaluate_file, open_run
from glassnet.train.job import resolve_config, train_run


def _glassnet(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    train_run(resolve_config({"model": "lenet_digits", "epochs": 3}), folder / "lenet")
    return folder


@pytest.mark.timeout(240)
def test_compress_writes_the_file_and_prints_deep_compressions_table(run):
    done = _glassnet(
        "compress",
        "lenet",
        "--prune",
        "0.8",
        "--cluster-bits",
        "4",
        "--huffman",
        "--finetune-epochs",
        "1",
        "--prune-rounds",
        "1",
        "-o",
        "lenet.gnc.safetensors",
        "--sensitivity",
        "sens.png",
        "--no-progress",
        cwd=run,
    )
    assert done.returncode == 0, done.stderr
    for column in ("layer", "weights", "kept", "weight bits", "index bits", "rate", "total"):
        assert column in done.stdout
    assert (run / "sens.png").read_bytes()[:4] == b"\x89PNG"
    assert re.search(r"sensitivity .*\n\s+layer\s+100%\s+50%.*\n\s+0\s+[\d.]+%", done.stdout)
    assert "on disk" in done.stdout and "360 samples of the run's own test split" in done.stdout
    header, _ = read(run / "lenet.gnc.safetensors")
    assert (
        header["layers"]["7"]["method"] == "prune+share"
        and header["layers"]["0"]["method"] == "share"
    )
    # the accuracy the CLI printed is that of the file, on the run's test split
    _, metrics = evaluate_file(run / "lenet.gnc.safetensors")
    assert f"-> {100 * metrics['accuracy']:.2f}%" in done.stdout
    opened = open_run(run / "lenet")
    model = load(run / "lenet.gnc.safetensors")
    kept = np.count_nonzero(model[7].weight.data) / model[7].weight.data.size
    assert kept == pytest.approx(0.2, abs=0.01)
    assert opened.model[7].weight.data.shape == model[7].weight.data.shape


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "args, message",
    [
        (["--prune", "1.2"], r"--prune must be a share in \(0, 1\), e.g. 0.9; got 1.2"),
        (
            ["--cluster-bits", "9"],
            "layer 0: 9-bit sharing needs 512 clusters but the layer has only 54 distinct",
        ),
        (["--cluster-bits", "4", "--index-bits", "20"], "--index-bits must be in 1..16, got 20"),
        (["--quantize", "int8", "--cluster-bits", "4"], "choose one of --cluster-bits, --quantize"),
    ],
)
def test_bad_options_exit_2_with_one_line(run, args, message, capsys, monkeypatch):
    monkeypatch.chdir(run)
    assert main(["compress", "lenet", *args, "-o", "bad.safetensors", "--no-progress"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and stderr.startswith("glassnet compress: error:")
    assert re.search(message, stderr), stderr
    assert not (run / "bad.safetensors").exists()


@pytest.mark.timeout(120)
def test_eval_reads_a_compressed_file(run, capsys, monkeypatch):
    monkeypatch.chdir(run)
    assert (
        main(
            ["compress", "lenet", "--quantize", "int8", "-o", "q.gnc.safetensors", "--no-progress"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert main(["eval", "q.gnc.safetensors"]) == 0
    shown = capsys.readouterr().out
    accuracy = re.search(r"-> ([\d.]+%)", printed).group(1)
    assert "compressed lenet_digits on digits" in shown and accuracy in shown
    assert main(["eval", "missing.safetensors"]) == 2
    assert "no such compressed file" in capsys.readouterr().err


@pytest.mark.timeout(120)
def test_summary_reads_a_compressed_file(run, capsys, monkeypatch):
    monkeypatch.chdir(run)
    assert (
        main(["compress", "lenet", "--binarize", "bwn", "-o", "b.gnc.safetensors", "--no-progress"])
        == 0
    )
    capsys.readouterr()
    assert main(["summary", "b.gnc.safetensors"]) == 0
    shown = capsys.readouterr().out
    assert "'3': 'bwn'" in shown and "'0': 'dense'" in shown
    assert "Input shape: [1, 1, 8, 8]" in shown and "Total params: 19,754" in shown
    assert main(["summary", "lenet_digits"]) == 2
    assert "needs --input SHAPE" in capsys.readouterr().err
