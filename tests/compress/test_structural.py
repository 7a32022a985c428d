"""Structural compression of a run: the written model file reloads exactly; `glassnet compress --svd ...`."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.compress.runs import open_run, outputs_of
from glassnet.compress.structural import (
    StructuralOptions,
    apply_structure,
    load_structural,
    restructure_run,
)
from glassnet.train.job import resolve_config, train_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    train_run(resolve_config({"model": "lenet_digits", "epochs": 1}), folder / "lenet")
    train_run(resolve_config({"model": "mlp", "epochs": 1}), folder / "mlp")
    return folder


@pytest.mark.timeout(240)
def test_every_structural_step_reloads_to_the_same_outputs(runs, tmp_path):
    run = open_run(runs / "lenet")
    options = StructuralOptions(
        svd=0.9, lowrank="separable", lowrank_budget=0.6, prune_channels=0.5
    )
    report = restructure_run(run, options, tmp_path / "small.safetensors")
    assert set(report.structure) >= {"channels", "lowrank", "svd"}
    assert report.after.params < report.before.params and report.after.macs < report.before.macs
    small, _ = apply_structure(run.model, options)
    x = run.split("test")[0][:50]
    np.testing.assert_allclose(
        outputs_of(load_structural(tmp_path / "small.safetensors"), x),
        outputs_of(small, x),
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.timeout(240)
def test_cli_svd_with_distillation_prints_before_and_after(runs, tmp_path, capsys):
    out = tmp_path / "mlp-svd.safetensors"
    args = ["compress", str(runs / "mlp"), "--svd", "16", "--finetune-epochs", "1"]
    assert main([*args, "--distill-from", str(runs / "mlp"), "-o", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "before" in printed and "after" in printed and "fewer MACs" in printed
    model = load_structural(out)
    assert model[1][0].out_features == 16 and model[4][0].out_features == 16


def test_cli_refuses_bad_structural_options(runs, tmp_path, capsys):
    out = str(tmp_path / "x.safetensors")
    assert main(["compress", str(runs / "mlp"), "--svd", "1.5", "-o", out]) == 2
    assert main(["compress", str(runs / "mlp"), "--svd", "8", "--prune", "0.5", "-o", out]) == 2
    assert (
        main(["compress", str(runs / "mlp"), "--distill-from", str(runs / "mlp"), "-o", out]) == 2
    )
    assert main(["compress", str(runs / "mlp"), "--prune-channels", "0.5", "-o", out]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert "energy in (0, 1), got 1.5" in errors[0]
    assert "--prune cannot be combined" in errors[1]
    assert "needs --finetune-epochs" in errors[2]
    assert "MLP has no conv" in errors[3]


def test_keep_residual_reaches_channel_pruning(runs, tmp_path, capsys):
    from glassnet.models.resnet_cifar import resnet20

    small, steps = apply_structure(
        resnet20(), StructuralOptions(prune_channels=0.5, keep_residual=True)
    )
    assert steps["channels"]["keep_residual"] is True
    assert small.layer3[2].conv2.out_channels == 64 and small.layer3[2].conv1.out_channels == 32
    out = str(tmp_path / "x.safetensors")
    args = ["compress", str(runs / "mlp"), "--prune-channels", "0.5", "--keep-residual"]
    assert main([*args, "-o", out]) == 2  # the flag parses; the MLP has no conv to prune
    assert "MLP has no conv" in capsys.readouterr().err
