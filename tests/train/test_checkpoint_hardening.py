"""Regressions of issue 11 in checkpoints and `glassnet train`: each reproduces one reported defect.

Defect 4: a damaged checkpoint structure gave KeyError/AttributeError/RecursionError.
Defect 5: a weight relabelled F32 -> I32 resumed with weights near 1e9, exit 0.
Defect 6: --hidden 99999999999 (MemoryError), --seed -1, --data "".
Defect 7: leftover .history.tmp-*.csv, a refused run's standardize.safetensors, and two
identical runs that were not byte-identical.
"""

from __future__ import annotations

import json
import shutil
import struct

import numpy
import pytest

import glassnet
from glassnet import optim
from glassnet.cli import main
from glassnet.data import DataLoader, TensorDataset
from glassnet.nn import CrossEntropyLoss, Linear, Sequential
from glassnet.serialization import MAX_JSON_DEPTH
from glassnet.train import Trainer

RUN_FILES = ("last.safetensors", "best.safetensors", "history.csv", "test_metrics.json")
TRAIN = ["train", "--hidden", "16", "--epochs", "2", "--no-progress"]


def train(capsys, argv: list[str]) -> tuple[int, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.err


def one_line_error(capsys, argv: list[str]) -> str:
    status, err = train(capsys, argv)
    assert status == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("hardening") / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    return out


@pytest.fixture
def run_copy(run_folder, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_folder, copy)
    return copy


def rewrite_header(path, edit) -> None:
    """Apply `edit` to a safetensors file's JSON header in place (data bytes unchanged)."""
    content = path.read_bytes()
    (length,) = struct.unpack("<Q", content[:8])
    header = json.loads(content[8 : 8 + length])
    text = json.dumps(edit(header)).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + content[8 + length :])


def resume(run: str) -> list[str]:
    return ["train", "--resume", str(run), "--epochs", "3", "--no-progress"]


def edit_checkpoint(path, edit) -> None:
    checkpoint = glassnet.load(path)
    edit(checkpoint)
    glassnet.save(checkpoint, path)


# -- defect 4: the structure ---------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ["trainer", "classes", "rng", "history", "model", "callbacks"])
def test_a_checkpoint_missing_an_entry_names_file_and_entry(run_copy, capsys, entry):
    last = run_copy / "last.safetensors"
    edit_checkpoint(last, lambda checkpoint: checkpoint.pop(entry))
    err = one_line_error(capsys, resume(run_copy))
    assert f"resume: '{last}': entry '{entry}' is missing" in err


@pytest.mark.parametrize(
    "entry,value,should",
    [
        (("trainer", "epoch"), "abc", "should be a non-negative integer, got 'abc'"),
        (("trainer", "epoch"), -1, "should be a non-negative integer, got -1"),
        (("trainer", "stop_training"), "no", "should be true or false, got 'no'"),
        (("classes",), [1, 2], "should be a dict, got [1, 2]"),
        (("history", "epoch"), "0,1", "should be a list of non-negative integers"),
        (("rng", "glassnet"), {"state": 1}, "is not a PCG64 state"),
        (("trainer", "running", "samples"), 2.5, "should be a non-negative integer, got 2.5"),
    ],
)
def test_a_checkpoint_entry_of_the_wrong_type_names_file_and_entry(
    run_copy, capsys, entry, value, should
):
    last = run_copy / "last.safetensors"

    def retype(checkpoint):
        node = checkpoint
        for key in entry[:-1]:
            node = node[key]
        node[entry[-1]] = value

    edit_checkpoint(last, retype)
    err = one_line_error(capsys, resume(run_copy))
    assert f"resume: '{last}': entry '{'.'.join(entry)}' {should}" in err


def test_an_epoch_that_disagrees_with_the_history_is_refused(run_copy, capsys):
    last = run_copy / "last.safetensors"
    edit_checkpoint(last, lambda checkpoint: checkpoint["trainer"].update(epoch=7))
    err = one_line_error(capsys, resume(run_copy))
    assert "entry 'trainer.epoch' is 7, but 'history.epoch' lists 2 finished epochs" in err


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_deeply_nested_metadata_is_an_error_in_load_and_resume(run_copy, capsys):
    last = run_copy / "last.safetensors"

    def nest(header):
        document = json.loads(header["__metadata__"]["glassnet"])
        text = json.dumps({**document, "structure": "HERE"}).replace('"HERE"', deep(100_000))
        header["__metadata__"]["glassnet"] = text
        return header

    rewrite_header(last, nest)
    with pytest.raises(ValueError, match=r"'glassnet' metadata nests 100001 levels deep"):
        glassnet.load(last)
    assert f"load: '{last}': the 'glassnet' metadata nests" in one_line_error(
        capsys, resume(run_copy)
    )


def test_nesting_within_the_bound_still_loads(tmp_path):
    value: list = []
    for _ in range(MAX_JSON_DEPTH // 2 - 2):  # a list is one JSON level; the document adds two
        value = [value]
    glassnet.save({"deep": value}, tmp_path / "deep.safetensors")
    assert glassnet.load(tmp_path / "deep.safetensors") == {"deep": value}


# -- defect 5: wrong data accepted -------------------------------------------------------------------
def test_a_relabelled_weight_dtype_is_an_error_naming_tensor_file_and_dtypes(run_copy, capsys):
    last = run_copy / "last.safetensors"

    def relabel(header):
        header["model/1.weight"]["dtype"] = "I32"
        return header

    rewrite_header(last, relabel)
    err = one_line_error(capsys, resume(run_copy))
    assert (
        f"resume: checkpoint '{last}': tensor 'model.1.weight' is int32 in the file but float32 "
        "in the run" in err
    )


def test_load_state_dict_still_casts_for_user_calls():
    layer = Linear(2, 1)
    layer.load_state_dict({"weight": numpy.array([[1, 2]], numpy.int32), "bias": numpy.zeros(1)})
    assert layer.weight.data.dtype == numpy.float32
    assert layer.weight.data.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("where", ["model", "optimizer"])
def test_a_nan_weight_or_optimizer_state_is_an_error_naming_the_tensor(run_copy, capsys, where):
    last = run_copy / "last.safetensors"

    def poison(checkpoint):
        if where == "model":
            checkpoint["model"]["1.weight"].data[0, 0] = numpy.nan
        else:
            checkpoint["optimizer"]["state"][0]["exp_avg_sq"].data[0, 0] = numpy.inf

    edit_checkpoint(last, poison)
    err = one_line_error(capsys, resume(run_copy))
    name = "model.1.weight" if where == "model" else "optimizer.state.0.exp_avg_sq"
    assert f"tensor '{name}' holds 1 NaN or infinite value(s)" in err and str(last) in err


# -- defect 6: options ---------------------------------------------------------------------------------
def test_a_huge_hidden_width_is_refused_before_allocating(tmp_path, capsys):
    out = tmp_path / "huge"
    err = one_line_error(capsys, ["train", "--hidden", "99999999999", "--out", str(out)])
    assert "--hidden 99999999999: the model would hold at least 7.4e+12 weights" in err
    assert not out.exists()


def test_seed_takes_torchs_range(tmp_path, capsys):
    status, err = train(
        capsys, [*TRAIN, "--epochs", "1", "--seed", "-1", "--out", str(tmp_path / "a")]
    )
    assert status == 0, err
    for seed in (str(2**64), str(-(2**63) - 1)):
        err = one_line_error(capsys, ["train", "--seed", seed, "--out", str(tmp_path / "b")])
        assert "seed must be an integer in -2**63 .. 2**64-1" in err


def test_an_empty_data_path_is_an_error_not_the_current_folder(tmp_path, capsys):
    err = one_line_error(capsys, ["train", "--data", "", "--out", str(tmp_path / "run")])
    assert "data must be digits, digits32, mnist1d or a path, got ''" in err


# -- defect 7: leftovers and reproducibility -----------------------------------------------------
def test_resume_sweeps_every_kind_of_leftover_temporary(run_copy, capsys):
    leftovers = [
        ".history.tmp-a1b2c3d4.csv",
        ".last.tmp-x9y8z7w6.safetensors",
        ".config.tmp-q.json",
    ]
    for name in leftovers:
        (run_copy / name).write_text("half written")
    status, err = train(capsys, resume(run_copy))
    assert status == 0, err
    assert sorted(path.name for path in run_copy.iterdir() if path.name.startswith(".")) == []


def test_a_refused_run_leaves_no_files(tmp_path, capsys):
    out = tmp_path / "refused"
    err = one_line_error(capsys, [*TRAIN, "--weight-decay", "-5", "--out", str(out)])
    assert "weight_decay" in err
    assert not out.exists()


def test_two_identical_runs_write_the_same_bytes(run_folder, tmp_path, capsys):
    numpy.random.seed(12345)  # the global streams differ from the first run's: they must not matter
    out = tmp_path / "again"
    status, err = train(capsys, [*TRAIN, "--out", str(out)])
    assert status == 0, err
    for name in RUN_FILES:
        assert (out / name).read_bytes() == (run_folder / name).read_bytes(), name


def test_eval_refuses_a_relabelled_or_nan_best_checkpoint(run_copy, capsys):
    best = run_copy / "best.safetensors"

    def relabel(header):
        header["model/1.weight"]["dtype"] = "I32"
        return header

    original = best.read_bytes()
    rewrite_header(best, relabel)
    err = one_line_error(capsys, ["eval", str(run_copy)])
    assert f"'{best}': tensor '1.weight' is int32 in the file but float32 in the run" in err
    best.write_bytes(original)
    edit_checkpoint(best, lambda c: c["model"]["1.bias"].data.__setitem__(0, numpy.nan))
    assert "tensor '1.bias' holds 1 NaN" in one_line_error(capsys, ["eval", str(run_copy)])


def test_parameter_groups_with_different_options_resume(tmp_path):
    """Groups may keep different state (momentum in one, none in the other): still a valid checkpoint."""

    def trainer():
        glassnet.manual_seed(0)
        model = Sequential(Linear(4, 8), Linear(8, 3))
        groups = [
            {"params": model[0].parameters(), "momentum": 0.9},
            {"params": model[1].parameters(), "momentum": 0.0},
        ]
        return Trainer(model, optim.SGD(groups, lr=0.1), CrossEntropyLoss(), seed=0)

    rng = numpy.random.default_rng(0)
    data = TensorDataset(rng.standard_normal((32, 4)).astype(numpy.float32), rng.integers(0, 3, 32))
    loader = DataLoader(data, batch_size=8, shuffle=True, seed=1)
    first = trainer()
    first.fit(loader, epochs=1)
    first.save_checkpoint(tmp_path / "ckpt.safetensors")
    again = trainer()
    again.fit(loader, epochs=2, resume_from=tmp_path / "ckpt.safetensors")
    assert len(again.history) == 2
