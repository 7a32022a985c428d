"""MLP: structure, forward values against PyTorch, initialisation by name, loud errors."""

from __future__ import annotations

import math

import numpy
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.models import MLP


def to_torch_sequential(model: MLP) -> torch.nn.Sequential:
    """The same layer stack in PyTorch, loaded with the glassnet weights (keys match)."""
    layers = []
    for layer in model:
        if isinstance(layer, nn.Flatten):
            layers.append(torch.nn.Flatten())
        elif isinstance(layer, nn.Linear):
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        elif isinstance(layer, nn.BatchNorm1d):
            layers.append(torch.nn.BatchNorm1d(layer.num_features))
        elif isinstance(layer, nn.Dropout):
            layers.append(torch.nn.Dropout(layer.p))
        else:
            layers.append(getattr(torch.nn, type(layer).__name__)())
    twin = torch.nn.Sequential(*layers).double()
    twin.load_state_dict(
        {key: torch.from_numpy(value.data.copy()) for key, value in model.state_dict().items()}
    )
    return twin


def test_layers_follow_sizes():
    model = MLP([64, 128, 64, 10])
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    assert [(layer.in_features, layer.out_features) for layer in linears] == [
        (64, 128),
        (128, 64),
        (64, 10),
    ]
    assert [type(layer).__name__ for layer in model] == [
        "Flatten",
        "Linear",
        "ReLU",
        "Linear",
        "ReLU",
        "Linear",
    ]
    assert list(model.state_dict()) == [
        "1.weight",
        "1.bias",
        "3.weight",
        "3.bias",
        "5.weight",
        "5.bias",
    ]


def test_batchnorm_and_dropout_sit_after_each_hidden_linear():
    model = MLP([8, 16, 4, 3], activation="tanh", batchnorm=True, dropout=0.25)
    assert [type(layer).__name__ for layer in model] == [
        "Flatten",
        "Linear",
        "BatchNorm1d",
        "Tanh",
        "Dropout",
        "Linear",
        "BatchNorm1d",
        "Tanh",
        "Dropout",
        "Linear",
    ]
    assert model[2].num_features == 16 and model[6].num_features == 4
    assert model[4].p == 0.25


@pytest.mark.parametrize(
    "activation", ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "silu"]
)
def test_activation_by_name(activation):
    model = MLP([4, 5, 2], activation=activation)
    expected = {
        "relu": "ReLU",
        "tanh": "Tanh",
        "sigmoid": "Sigmoid",
        "leaky_relu": "LeakyReLU",
        "elu": "ELU",
        "gelu": "GELU",
        "silu": "SiLU",
    }[activation]
    assert type(model[2]).__name__ == expected


@pytest.mark.parametrize("batchnorm", [False, True])
def test_forward_matches_torch_in_train_and_eval(batchnorm, rng):
    model = MLP([12, 20, 7, 5], activation="elu", batchnorm=batchnorm).double()
    twin = to_torch_sequential(model)
    x = rng.standard_normal((9, 3, 4))  # flattened to 12 features
    for train in (True, False):
        model.train(train)
        twin.train(train)
        ours = model(glassnet.tensor(x)).data
        theirs = twin(torch.from_numpy(x)).detach().numpy()
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    if batchnorm:  # the train-mode pass updated the running statistics the same way
        numpy.testing.assert_allclose(
            model[2].running_var.data, twin[2].running_var.numpy(), rtol=1e-10
        )


def test_gradients_match_torch(rng):
    model = MLP([6, 8, 3], batchnorm=True).double()
    twin = to_torch_sequential(model)
    x = rng.standard_normal((5, 6))
    target = numpy.array([0, 2, 1, 1, 0])
    nn.CrossEntropyLoss()(model(glassnet.tensor(x)), glassnet.tensor(target)).backward()
    torch.nn.CrossEntropyLoss()(twin(torch.from_numpy(x)), torch.from_numpy(target)).backward()
    for (name, param), twin_param in zip(model.named_parameters(), twin.parameters()):
        numpy.testing.assert_allclose(
            param.grad.data, twin_param.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )


def _weights(model: MLP) -> list[numpy.ndarray]:
    return [layer.weight.data for layer in model if isinstance(layer, nn.Linear)]


def test_init_zeros_zeroes_weights_and_biases():
    model = MLP([10, 20, 3], init="zeros")
    for layer in model:
        if isinstance(layer, nn.Linear):
            assert not layer.weight.data.any() and not layer.bias.data.any()


@pytest.mark.parametrize(
    "scheme, activation, expected_std",
    [
        ("kaiming", "relu", math.sqrt(2 / 400)),  # He: Var = 2 / fan_in
        ("kaiming", "tanh", 5 / 3 / math.sqrt(400)),  # gain 5/3 for tanh
        ("xavier", "tanh", 5 / 3 * math.sqrt(2 / (400 + 300))),  # Glorot: Var = gain^2 2/(in+out)
        ("normal", "relu", 0.01),
    ],
)
def test_init_by_name_gives_the_formula_std(scheme, activation, expected_std):
    glassnet.manual_seed(0)
    weight = _weights(MLP([400, 300, 2], activation=activation, init=scheme))[0]
    assert weight.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(weight.mean()) < 0.05 * expected_std


def test_default_init_is_pytorchs():
    glassnet.manual_seed(0)
    weight = _weights(MLP([400, 300, 2]))[0]
    bound = 1 / math.sqrt(400)  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert weight.max() <= bound and weight.min() >= -bound
    assert weight.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_wrong_input_width_is_named():
    with pytest.raises(
        ValueError,
        match=r"MLP: expected input \(N, \*\) with 64 features per sample, got shape "
        r"\(2, 1, 7, 7\) \(49 features\)",
    ):
        MLP([64, 10])(glassnet.zeros(2, 1, 7, 7))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sizes": [64]}, r"sizes needs at least \[in_features, out_features\], got \[64\]"),
        ({"sizes": [64, 0, 10]}, r"sizes must be positive integers, got 0 at index 1"),
        (
            {"sizes": [4, 2], "activation": "swish"},
            r"activation must be one of 'relu', .*'silu', got 'swish'",
        ),
        (
            {"sizes": [4, 2], "init": "he"},
            r"init must be one of 'kaiming', 'xavier', 'normal', 'zeros', got 'he'",
        ),
        ({"sizes": [4, 2], "dropout": 1.0}, r"dropout must be in \[0, 1\), got 1.0"),
    ],
)
def test_bad_arguments_are_loud(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_slice_is_a_plain_sequential():
    model = MLP([4, 8, 2])
    head = model[:3]
    assert type(head) is nn.Sequential and len(head) == 3
    assert head(glassnet.ones(2, 4)).shape == (2, 8)
