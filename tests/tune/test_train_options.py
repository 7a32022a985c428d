"""The two `glassnet train` options the tuner searches: --loss (output encoding) and --train-fraction."""

from __future__ import annotations

import json

import numpy
import pytest
import torch
import torch.nn.functional as torch_F

from glassnet.cli import main
from glassnet.train.job import resolve_config
from glassnet.train.job_data import JobData, Split
from glassnet.train.output_encoding import make_loss
from glassnet.train.subset import train_subset
from helpers import assert_parity

CLASSES = 5


def _reference(name, logits, target):
    one_hot = torch_F.one_hot(target, CLASSES).to(logits.dtype)
    if name == "cross_entropy":
        return torch_F.cross_entropy(logits, target)
    if name == "bce":
        return torch_F.binary_cross_entropy_with_logits(logits, one_hot)
    return torch_F.mse_loss(logits, one_hot)


@pytest.mark.parametrize("name", ["cross_entropy", "bce", "mse"])
def test_output_encoding_loss_matches_torch(name, rng):
    logits = rng.standard_normal((7, CLASSES))
    target = rng.integers(0, CLASSES, 7)

    def loss(lib, z, y):
        return _reference(name, z, y) if lib is torch else make_loss(name)(z, y)

    assert_parity(loss, [logits, target])


def _data(labels):
    x = numpy.arange(len(labels), dtype=numpy.float32).reshape(-1, 1)
    split = Split(x, numpy.asarray(labels))
    return JobData("toy", ["a", "b"], split, split, split)


def test_train_fraction_is_stratified_and_nested():
    data = _data([0] * 40 + [1] * 20)
    half, quarter = train_subset(data, 0.5), train_subset(data, 0.25)
    assert numpy.bincount(half.train.y).tolist() == [20, 10]
    assert numpy.bincount(quarter.train.y).tolist() == [10, 5]
    assert set(quarter.train.x.ravel()) < set(half.train.x.ravel())  # nested
    assert half.val is data.val and half.test is data.test
    assert train_subset(data, 1.0) is data
    assert numpy.bincount(train_subset(data, 0.01).train.y).tolist() == [1, 1]  # >= 1 per class


@pytest.mark.parametrize(
    ("options", "message"),
    [({"loss": "hinge"}, "loss must be one of"), ({"train_fraction": 0.0}, "train_fraction")],
)
def test_bad_loss_or_fraction_is_refused(options, message):
    with pytest.raises(ValueError, match=message):
        resolve_config(options)


@pytest.mark.timeout(120)
def test_train_cli_records_loss_and_fraction(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--data", "digits", "--epochs", "1", "--loss", "mse"]
    argv += ["--train-fraction", "0.25", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    options = json.loads((out / "config.json").read_text())["options"]
    assert (options["loss"], options["train_fraction"]) == ("mse", 0.25)
    assert len((out / "history.csv").read_text().splitlines()) == 2  # header + 1 epoch
    with pytest.raises(SystemExit) as stop:
        main(["train", "--loss", "hinge"])
    assert stop.value.code == 2
    assert "invalid choice: 'hinge'" in capsys.readouterr().err
