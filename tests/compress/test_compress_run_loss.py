"""A run trained with `--loss mse` is measured and retrained by `compress` with its own loss."""

from __future__ import annotations

import pytest

from glassnet.compress import Recipe
from glassnet.compress.runs import compress_loaded, evaluate_file, open_run
from glassnet.train.job import evaluate_run, resolve_config, train_run


@pytest.fixture(scope="module")
def mse_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "mse"
    options = {"data": "digits", "model": "mlp", "epochs": 2, "loss": "mse", "hidden": [32]}
    train_run(resolve_config(options), folder)
    return folder


def test_compress_reports_the_runs_own_loss_before_and_after(mse_run, tmp_path):
    evaluated = evaluate_run(mse_run, "best", "test")
    recipe = Recipe(prune=0.5, prune_rounds=1, finetune_epochs=1)
    report = compress_loaded(open_run(mse_run), recipe, tmp_path / "mse.gnc.safetensors")
    assert report.before["loss"] == pytest.approx(evaluated.metrics["loss"], rel=1e-6)
    assert report.before["loss"] < 0.2  # an MSE on one-hot targets; cross-entropy would be > 0.5
    _, metrics = evaluate_file(tmp_path / "mse.gnc.safetensors")
    assert metrics["loss"] == pytest.approx(report.after["loss"], rel=1e-6)
