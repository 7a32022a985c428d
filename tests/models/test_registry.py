"""CNN (1-D and 2-D) against PyTorch, and the model registry behind `--model`."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.models import CNN, MLP, available_models, build_model, register_model
from glassnet.models.registry import MODELS


def to_torch(model: CNN) -> torch.nn.Sequential:
    layers = []
    for layer in model:
        name = type(layer).__name__
        if isinstance(layer, (nn.Conv1d, nn.Conv2d)):
            layers.append(
                getattr(torch.nn, name)(
                    layer.in_channels,
                    layer.out_channels,
                    layer.kernel_size,
                    padding=layer.padding,
                    bias=layer.bias is not None,
                )
            )
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layers.append(getattr(torch.nn, name)(layer.num_features))
        elif isinstance(layer, (nn.MaxPool1d, nn.MaxPool2d)):
            layers.append(getattr(torch.nn, name)(2))
        elif isinstance(layer, nn.Linear):
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        elif isinstance(layer, nn.Dropout):
            layers.append(torch.nn.Dropout(layer.p))
        else:
            layers.append(getattr(torch.nn, name)())
    twin = torch.nn.Sequential(*layers).double()
    twin.load_state_dict(
        {key: torch.from_numpy(value.data.copy()) for key, value in model.state_dict().items()}
    )
    return twin


@pytest.mark.parametrize("input_shape", [(1, 8, 8), (2, 12, 10), (1, 40)])
def test_cnn_matches_torch(input_shape, rng):
    model = CNN(input_shape, 10, channels=(4, 6), hidden=(16,)).double()
    twin = to_torch(model)
    x = rng.standard_normal((3, *input_shape))
    for train in (True, False):
        model.train(train)
        twin.train(train)
        numpy.testing.assert_allclose(
            model(glassnet.tensor(x)).data,
            twin(torch.from_numpy(x)).detach().numpy(),
            rtol=1e-9,
            atol=1e-12,
        )


def test_cnn_layout_for_digits():
    model = CNN((1, 8, 8), 10)
    names = [type(layer).__name__ for layer in model]
    assert names == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
        "Flatten",
        "Linear",
        "ReLU",
        "Linear",
    ]
    assert model[0].bias is None  # BN's beta replaces the conv bias
    assert model[9].in_features == 64 * 2 * 2  # 8x8 -> 4x4 -> 2x2
    assert type(CNN((1, 40), 10)[0]).__name__ == "Conv1d"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"input_shape": (64,)},
            ValueError,
            r"input_shape must be \(C, L\) or \(C, H, W\) .* got \(64,\)",
        ),
        (
            {"input_shape": (1, 3, 3)},
            ValueError,
            r"needs at least 4 along each axis; got input_shape \(1, 3, 3\)",
        ),
        (
            {"input_shape": (1, 8, 8), "kernel_size": 4},
            ValueError,
            r"kernel_size must be odd .* got 4",
        ),
        (
            {"input_shape": (1, 8, 8), "activation": "cube"},
            ValueError,
            r"activation must be one of .* got 'cube'",
        ),
    ],
)
def test_cnn_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        CNN(num_classes=10, **kwargs)


def test_cnn_wrong_input_shape_is_named():
    with pytest.raises(
        ValueError, match=r"CNN: expected input \(N, 1, 8, 8\), got shape \(2, 1, 9, 9\)"
    ):
        CNN((1, 8, 8), 10)(glassnet.zeros(2, 1, 9, 9))


def test_registry_builds_by_name_from_input_shape():
    mlp = build_model("mlp", (1, 8, 8), 10, hidden=[32, 16], dropout=None)
    assert isinstance(mlp, MLP) and mlp.sizes == [64, 32, 16, 10]
    assert isinstance(mlp[2], nn.BatchNorm1d)  # the registry's measured default: BN on
    assert build_model("cnn", (1, 40), 3)(glassnet.zeros(2, 1, 40)).shape == (2, 3)
    assert {"mlp", "cnn"} <= set(available_models())


def test_registry_errors_name_the_choices():
    with pytest.raises(ValueError, match=r"unknown model 'resnet'; available: mlp, cnn"):
        build_model("resnet", (1, 8, 8), 10)
    with pytest.raises(
        TypeError, match=r"model 'mlp' does not take option\(s\) channels; it takes hidden, "
    ):
        build_model("mlp", (64,), 10, channels=(3,))
    with pytest.raises(
        ValueError, match=r"model 'cnn' needs samples with a channel axis.*got \(64,\)"
    ):
        build_model("cnn", (64,), 10)


def test_register_model_adds_and_refuses_duplicates():
    @register_model("tiny-test")
    def tiny(input_shape, num_classes):
        return nn.Sequential(nn.Flatten(), nn.Linear(int(numpy.prod(input_shape)), num_classes))

    try:
        assert build_model("tiny-test", (2, 3), 4)(glassnet.zeros(5, 2, 3)).shape == (5, 4)
        with pytest.raises(ValueError, match="a model named 'tiny-test' is already registered"):
            register_model("tiny-test", lambda input_shape, num_classes: None)
    finally:
        MODELS.pop("tiny-test")
