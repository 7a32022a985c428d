"""`--json`: one JSON document and nothing else on stdout (and nothing on stderr), for eval, shape,
summary, data info, diagnose, lab, compress, style and tune; `-o/--out` on every command that
writes a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glassnet.cli import main


def run_json(capsys, argv: list[str]) -> dict:
    status = main(argv)
    out, err = capsys.readouterr()
    assert (status, err) == (0, ""), err
    return json.loads(out)  # the whole of stdout is one document


def test_shape_json(capsys):
    record = run_json(
        capsys, ["shape", "3x224x224", "conv:64,k7,s2,p3", "maxpool:k3,s2,p1", "--json"]
    )
    assert record["input"] == [3, 224, 224] and record["output"] == [64, 56, 56]
    first = record["stages"][0]
    assert first["output_shape"] == [64, 112, 112] and first["params"] == 64 * 3 * 7 * 7 + 64
    assert "floor((224 + 2*3 - 1*(7-1) - 1)/2) + 1 = 112" in first["formulas"][0]


def test_summary_json(capsys):
    record = run_json(capsys, ["summary", "resnet20", "--input", "3x32x32", "--json"])
    assert (record["total_params"], record["total_macs"]) == (269_722, 40_551_040)
    assert record["input_shapes"] == [[1, 3, 32, 32]]
    assert record["rows"][-1]["output_shapes"] == [[1, 10]]


def test_data_info_json(capsys):
    record = run_json(capsys, ["data", "info", "digits", "--json"])
    assert record["classes"] == [str(digit) for digit in range(10)]
    assert [
        (split["name"], split["size"], split["sample_shape"]) for split in record["splits"]
    ] == [
        ("train", 1077, [1, 8, 8]),
        ("val", 360, [1, 8, 8]),
        ("test", 360, [1, 8, 8]),
    ]
    assert sum(record["splits"][0]["counts"]) == 1077


def test_eval_json(capsys, tmp_path):
    out = tmp_path / "run"
    argv = ["train", "--hidden", "16", "--epochs", "2", "--batch-size", "256", "-o", str(out)]
    assert main([*argv, "--quiet"]) == 0
    quiet = capsys.readouterr().out
    assert quiet.count("\n") == 1 and quiet.startswith("trained epochs 1-2 in ")  # one line
    record = run_json(capsys, ["eval", str(out), "--json"])
    saved = json.loads((out / "test_metrics.json").read_text())
    assert record["metrics"] == saved["metrics"] and record["best_epoch"] == saved["best_epoch"]
    assert record["best_epoch"] in (1, 2) and record["epochs_done"] == 2
    assert (record["model"], record["data"], record["split"]) == ("mlp", "digits", "test")


# the README's example: a deep tanh MLP with small N(0, 0.01^2) weights and no BatchNorm
DIAGNOSE = ["diagnose", "mlp", "--data", "digits", "--activation", "tanh", "--init", "normal"]
DEEP = ["--no-batchnorm", "--hidden", "256,256,256,256,256"]


def test_diagnose_json_raises_the_alarms_the_readme_example_is_there_to_show(capsys, tmp_path):
    record = run_json(capsys, [*DIAGNOSE, *DEEP, "-o", str(tmp_path), "--json"])
    kinds = {alarm["kind"] for alarm in record["alarms"]}
    assert {"std_shrinks", "vanishing"} <= kinds, record["alarms"]
    assert record["signal_first_to_last"] < 1e-3
    tanh = [row for row in record["activations"] if row["kind"] == "tanh"]
    assert len(tanh) == 5 and tanh[-1]["std"] < tanh[0]["std"] / 100
    assert sorted(record["files"]) == [
        str(tmp_path / "activations.png"),
        str(tmp_path / "gradients.png"),
    ]


def test_diagnose_with_batchnorm_hides_it(capsys, tmp_path):
    """Why the README example turns BatchNorm off: on (train's default), it rescales every layer."""
    record = run_json(
        capsys, [*DIAGNOSE, "--hidden", "256,256,256,256,256", "-o", str(tmp_path), "--json"]
    )
    assert not {"std_shrinks", "vanishing"} & {alarm["kind"] for alarm in record["alarms"]}


@pytest.mark.parametrize("spelling", ["-o", "--out", "--output"])
def test_draw_takes_o_out_and_the_old_output(capsys, tmp_path, spelling):
    path = tmp_path / "cell.dot"
    assert main(["draw", "lstm-cell", spelling, str(path)]) == 0
    assert path.read_text().startswith("digraph")
    with pytest.raises(SystemExit):
        main(["draw", "--help"])
    help_text = capsys.readouterr().out
    assert "-o PATH, --out PATH" in help_text and "--output" not in help_text  # a hidden alias


def test_export_help_names_jpg(capsys):
    with pytest.raises(SystemExit):
        main(["data", "export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "jpeg writes .jpg" in text and "-o DIR, --out DIR" in text


def test_lab_json(capsys, tmp_path):
    out = tmp_path / "lab"
    record = run_json(
        capsys, ["lab", "conv_arithmetic", "--mode", "smoke", "-o", str(out), "--json"]
    )
    assert record["html"] == str(out / "index.html") and record["failed"] == []
    assert record["markdown"] == str(out / "report.md") and (out / "index.html").is_file()
    (topic,) = record["topics"]
    assert topic["topic"] == "conv_arithmetic" and topic["error"] is None and topic["claims"]
    verdicts = [claim["shown"] for claim in topic["claims"]]  # "definition, checked" counts apart
    assert sum(record["counts"].values()) == len(verdicts)
    assert all(record["counts"][verdict] >= 1 for verdict in verdicts)
    assert any(claim["numbers"] for claim in topic["claims"])  # the deciding numbers
    assert json.loads((out / "report.json").read_text())["topics"] == record["topics"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "mlp"
    argv = ["train", "--hidden", "16", "--epochs", "1", "--batch-size", "256", "-o", str(out)]
    assert main([*argv, "--quiet"]) == 0
    return out


def test_compress_json(capsys, tiny_run, tmp_path):
    out = tmp_path / "mlp.gnc.safetensors"
    argv = ["compress", str(tiny_run), "--prune", "0.5", "--prune-rounds", "1"]
    capsys.readouterr()
    record = run_json(capsys, [*argv, "--cluster-bits", "4", "--huffman", "-o", str(out), "--json"])
    *layers, total = record["layers"]
    assert [layer["layer"] for layer in layers] == ["1", "4"] and total["layer"] == "total"
    assert layers[0]["weights"] == 64 * 16 and total["weights"] == 64 * 16 + 16 * 10
    assert (layers[0]["kept"], layers[0]["kept_share"]) == (512, 0.5)  # half of the first pruned
    assert total["kept"] == 512 + layers[1]["kept"] and total["kept_share"] == total["kept"] / 1184
    assert all(0 < layer["weight_bits"] <= 4 for layer in record["layers"])  # 16 shared values
    totals = record["totals"]
    assert totals["file_bytes"] == out.stat().st_size < totals["dense_bytes"]
    assert totals["file_ratio"] == pytest.approx(totals["dense_bytes"] / totals["file_bytes"])
    assert 0 < totals["accuracy_after"] <= 1 and record["test_samples"] == 360


def test_compress_structural_json(capsys, tiny_run, tmp_path):
    out = tmp_path / "svd.safetensors"
    capsys.readouterr()
    record = run_json(capsys, ["compress", str(tiny_run), "--svd", "4", "-o", str(out), "--json"])
    before, after = record["before"], record["after"]
    assert before["params"] == 64 * 16 + 16 + 16 * 10 + 10 + 2 * 16  # + BatchNorm's weight, bias
    assert after["params"] < before["params"] and after["file_bytes"] == out.stat().st_size
    assert record["ratios"]["params"] == pytest.approx(before["params"] / after["params"])


def test_style_json(capsys, tmp_path):
    out = tmp_path / "out.png"
    argv = ["style", "sample:china", "sample:flower", "-o", str(out), "--size", "72"]
    record = run_json(capsys, [*argv, "--steps", "3", "--sheet", "--json"])
    assert record["out"] == str(out) and out.is_file()
    assert record["files"] == [str(out), str(tmp_path / "out_sheet.png")]
    assert record["evaluations"] == 3 and record["size"] == [48, 72] and record["stages"] == 1
    first, last = record["initial_losses"], record["final_losses"]
    assert {"style", "content"} <= set(first) and last["style"] < first["style"]
    assert record["style_reduction"] == pytest.approx(1 - last["style"] / first["style"])
    assert record["cpu_seconds"] > 0


@pytest.mark.timeout(180)
def test_tune_json_and_report_json(capsys, tmp_path):
    out = tmp_path / "study"
    argv = ["tune", "--search", "lr", "--epochs", "1", "--trials", "2", "-o", str(out)]
    record = run_json(capsys, [*argv, "--seed", "0", "--no-plots", "--json"])
    assert (record["study"], record["out"], record["plots"]) == ("digits-mlp", str(out), {})
    assert record["counts"]["complete"] + record["counts"]["pruned"] == 2
    best = record["best"]
    assert best["folder"].startswith(f"{out}/trial-000") and set(best["params"]) == {"lr"}
    saved = json.loads(Path(best["folder"], "test_metrics.json").read_text())
    assert best["test_metrics"] == saved["metrics"] and 0 < best["value"] <= 1
    report = run_json(capsys, ["tune", "--report", str(out), "--json"])
    assert report["best"] == best and report["counts"] == record["counts"]
    assert [trial["number"] for trial in report["trials"]] == [0, 1]
    (row,) = [trial for trial in report["trials"] if trial["number"] == best["number"]]
    assert (row["value"], row["params"], row["folder"]) == (
        best["value"],
        best["params"],
        best["folder"],
    )
    assert row["state"] == "complete" and row["epochs"] == 1
