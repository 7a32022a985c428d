"""Default initialisation of every layer with parameters: the same distributions as PyTorch's.

For large layers the empirical mean, standard deviation, kurtosis (which tells a
uniform, 1.8, from a normal, 3) and bounds are checked against the formula, and the
deciles against a freshly initialised torch layer of the same shape. Tolerances are
five standard errors of each statistic for the sample size; seeds are fixed, so the
tests are deterministic.
"""

from __future__ import annotations

import math

import numpy
import pytest
import torch

import glassnet

nn = glassnet.nn
DECILES = numpy.linspace(0.1, 0.9, 9)


def fresh(name, *args, **kwargs):
    glassnet.manual_seed(0)
    torch.manual_seed(0)
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def values(tensor):
    return (
        (tensor.detach().numpy() if isinstance(tensor, torch.Tensor) else tensor.data)
        .astype(numpy.float64)
        .ravel()
    )


def kurtosis(x):
    centred = x - x.mean()
    return float((centred**4).mean() / (centred**2).mean() ** 2)


def assert_uniform(x, bound):
    """U(-bound, bound): mean 0, std bound / sqrt(3), kurtosis 1.8, every value inside and the extremes near it."""
    n = x.size
    std = bound / math.sqrt(3)
    assert numpy.abs(x).max() <= bound
    assert abs(x.mean()) < 5 * std / math.sqrt(n)
    assert (
        abs(x.std() / std - 1) < 5 * math.sqrt(0.8 / n) / 2
    )  # Var(s^2) / sigma^4 = (kurtosis - 1) / n
    if n >= 10_000:
        assert numpy.abs(x).max() > bound * (1 - 1e-3)
        assert abs(kurtosis(x) - 1.8) < 0.05


def assert_normal(x, mean, std):
    n = x.size
    assert abs(x.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(x.std() / std - 1) < 5 * math.sqrt(2 / n) / 2
    assert abs(kurtosis(x) - 3) < 0.1


def assert_same_deciles(ours, theirs, density):
    """Deciles of both samples agree within five standard errors (sqrt(p (1 - p) / n) / density, twice)."""
    n = min(ours.size, theirs.size)
    tolerance = 5 * math.sqrt(2 * 0.25 / n) / density
    difference = numpy.abs(numpy.quantile(ours, DECILES) - numpy.quantile(theirs, DECILES))
    assert difference.max() < tolerance, (difference.max(), tolerance)


FAN_IN_LAYERS = [
    ("Linear", (1000, 500), {}, 1000),
    ("Conv2d", (64, 128, 3), {}, 64 * 9),
    ("Conv2d", (64, 128, (3, 5)), {"groups": 4}, 16 * 15),
    ("Conv1d", (32, 64, 5), {}, 32 * 5),
]


@pytest.mark.parametrize("name, args, kwargs, fan_in", FAN_IN_LAYERS, ids=str)
def test_linear_and_conv_weight_is_uniform_one_over_sqrt_fan_in_as_torch(
    name, args, kwargs, fan_in
):
    ours, theirs = fresh(name, *args, **kwargs)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3 / fan_in)
    mine, reference = values(ours.weight), values(theirs.weight)
    assert_uniform(mine, bound)
    assert_uniform(reference, bound)  # the formula is torch's, too
    assert_same_deciles(mine, reference, density=1 / (2 * bound))
    assert abs(mine.std() - reference.std()) < 5 * math.sqrt(0.8 / mine.size) * bound


@pytest.mark.parametrize("name, args, kwargs, fan_in", FAN_IN_LAYERS, ids=str)
def test_linear_and_conv_bias_is_uniform_one_over_sqrt_fan_in_as_torch(name, args, kwargs, fan_in):
    ours, theirs = fresh(name, *args, **kwargs)
    bound = 1 / math.sqrt(fan_in)
    mine, reference = values(ours.bias), values(theirs.bias)
    assert mine.size == reference.size
    assert_uniform(mine, bound)
    assert_uniform(reference, bound)


def test_many_small_linear_biases_have_torchs_distribution():
    """A small layer's bias is too short for statistics: pool 200 layers' biases instead."""
    glassnet.manual_seed(1)
    torch.manual_seed(1)
    mine = numpy.concatenate([values(nn.Linear(9, 50).bias) for _ in range(200)])
    reference = numpy.concatenate([values(torch.nn.Linear(9, 50).bias) for _ in range(200)])
    assert_uniform(mine, 1 / 3)
    assert_same_deciles(mine, reference, density=1.5)


def test_embedding_is_standard_normal_with_a_zero_padding_row():
    ours, theirs = fresh("Embedding", 1000, 500, padding_idx=3)
    mine, reference = ours.weight.data, theirs.weight.detach().numpy()
    assert numpy.all(mine[3] == 0) and numpy.all(reference[3] == 0)
    rest = numpy.delete(mine, 3, axis=0).astype(numpy.float64).ravel()
    assert_normal(rest, 0.0, 1.0)
    assert_same_deciles(
        rest, numpy.delete(reference, 3, axis=0).ravel(), density=0.175
    )  # phi(1.28)


@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("BatchNorm1d", (64,), {}),
        ("BatchNorm2d", (32,), {"momentum": None}),
        ("LayerNorm", ((4, 5),), {}),
        ("GroupNorm", (4, 32), {}),
        ("PReLU", (), {}),
        ("PReLU", (16, 0.1), {}),
        ("BatchNorm2d", (8,), {"affine": False}),
        ("LayerNorm", (6,), {"bias": False}),
    ],
    ids=str,
)
def test_constant_initialisations_equal_torch_exactly(name, args, kwargs):
    """BatchNorm/LayerNorm/GroupNorm: weight 1, bias 0, running_mean 0, running_var 1, count 0; PReLU: init."""
    ours, theirs = fresh(name, *args, **kwargs)
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(reference)
    for key, value in reference.items():
        numpy.testing.assert_array_equal(mine[key].data, value.numpy(), err_msg=key)
        assert str(mine[key].dtype) == str(value.dtype).removeprefix("torch."), key


def test_initialisation_follows_glassnet_manual_seed():
    glassnet.manual_seed(7)
    first = nn.Conv2d(3, 4, 3)
    glassnet.manual_seed(7)
    second = nn.Conv2d(3, 4, 3)
    numpy.testing.assert_array_equal(first.weight.data, second.weight.data)
    numpy.testing.assert_array_equal(first.bias.data, second.bias.data)
    assert not numpy.array_equal(nn.Conv2d(3, 4, 3).weight.data, first.weight.data)


def test_reset_parameters_draws_again_with_the_same_distribution():
    layer = nn.Linear(400, 300)
    before = layer.weight.data.copy()
    layer.reset_parameters()
    assert not numpy.array_equal(before, layer.weight.data)
    assert_uniform(values(layer.weight), 1 / 20)


def test_zero_fan_in_layer_has_a_zero_bias_bound_as_torch():
    with pytest.warns(UserWarning, match="zero-element"):
        layer = nn.Linear(0, 3)
    assert numpy.all(layer.bias.data == 0)
