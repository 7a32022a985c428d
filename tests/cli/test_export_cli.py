"""`glassnet export`: a trained run as a flat torch state dict (loaded strictly by the torch twin) and as ONNX."""

from __future__ import annotations

import numpy
import onnxruntime
import pytest
import torch
from safetensors.torch import load_file

import glassnet
from glassnet import nn
from glassnet.cli import main
from glassnet.models.registry import build_model
from glassnet.run_export import export_torch_state_dict, load_run_model

pytestmark = pytest.mark.timeout(120)

TWINS = {
    nn.Flatten: lambda m: torch.nn.Flatten(m.start_dim, m.end_dim),
    nn.Linear: lambda m: torch.nn.Linear(m.in_features, m.out_features),
    nn.BatchNorm1d: lambda m: torch.nn.BatchNorm1d(m.num_features),
    nn.Conv2d: lambda m: torch.nn.Conv2d(
        m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding
    ),
    nn.ReLU: lambda m: torch.nn.ReLU(),
    nn.Tanh: lambda m: torch.nn.Tanh(),
    nn.AvgPool2d: lambda m: torch.nn.AvgPool2d(m.kernel_size),
    nn.Dropout: lambda m: torch.nn.Dropout(m.p),
}


def torch_twin(sequential: nn.Module) -> torch.nn.Sequential:
    """The same Sequential in torch, layer for layer (so the state dict keys are the same)."""
    return torch.nn.Sequential(*(TWINS[type(m)](m) for m in sequential._modules.values()))


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A real run: one epoch of the default MLP on digits (~1 s)."""
    from glassnet.train.job import resolve_config, train_run

    folder = tmp_path_factory.mktemp("runs") / "digits-mlp"
    train_run(resolve_config({"data": "digits", "model": "mlp", "epochs": 1}), folder)
    return folder


def test_torch_twin_loads_the_exported_run_strictly(run_folder, tmp_path, capsys) -> None:
    path = tmp_path / "weights.safetensors"
    assert main(["export", str(run_folder), "--format", "torch", "-o", str(path)]) == 0
    assert str(path) in capsys.readouterr().out
    model, shape = load_run_model(run_folder)
    twin = torch_twin(model).eval()
    twin.load_state_dict(load_file(path), strict=True)
    x = numpy.random.default_rng(0).standard_normal((5, *shape)).astype(numpy.float32)
    with glassnet.no_grad():
        want = model(glassnet.tensor(x)).numpy()
    with torch.no_grad():
        got = twin(torch.from_numpy(x)).numpy()
    numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_onnx_export_of_the_run_matches_glassnet(run_folder, tmp_path) -> None:
    path = tmp_path / "model.onnx"
    assert main(["export", str(run_folder), "--format", "onnx", "--out", str(path)]) == 0
    model, shape = load_run_model(run_folder, "last")
    best, _ = load_run_model(run_folder, "best")
    x = numpy.random.default_rng(1).standard_normal((4, *shape)).astype(numpy.float32)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": x})
    with glassnet.no_grad():
        want = best(glassnet.tensor(x)).numpy()
    numpy.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_zoo_lenet5_state_dict_loads_into_its_torch_twin(tmp_path) -> None:
    glassnet.manual_seed(0)
    model = build_model("lenet5", (1, 28, 28), 10).eval()
    path = tmp_path / "lenet5.safetensors"
    assert export_torch_state_dict(model, path) == 10
    twin = torch.nn.Module()
    twin.features = torch_twin(model.features)
    twin.classifier = torch_twin(model.classifier)
    twin.load_state_dict(load_file(path), strict=True)
    x = numpy.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(numpy.float32)
    with torch.no_grad():
        got = twin.classifier(twin.features(torch.from_numpy(x))).numpy()
    with glassnet.no_grad():
        numpy.testing.assert_allclose(got, model(glassnet.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--format", "torch"], "has no config.json"),
        (["--format", "onnx", "--checkpoint", "last"], "has no config.json"),
    ],
)
def test_a_folder_that_is_not_a_run_is_one_line(argv, message, tmp_path, capsys) -> None:
    assert main(["export", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet export: error:") and message in err and err.count("\n") == 1
