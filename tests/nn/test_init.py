"""nn.init: gains and fans equal torch's; the drawn values have the variances the formulas promise."""

from __future__ import annotations

import inspect
import math

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from glassnet.nn import Parameter, init

SHAPES = [(3, 5), (4, 3, 5), (6, 2, 3, 3), (2, 3, 2, 2, 2), (7, 1)]


def values(tensor):
    return tensor.data.astype(numpy.float64)


def assert_std(tensor, expected, rel=0.02):
    numpy.testing.assert_allclose(values(tensor).std(), expected, rtol=rel)
    assert abs(values(tensor).mean()) < 0.02 * expected


# ------------------------------------------------------------------ against torch's tables


@pytest.mark.parametrize(
    "name", init.__all__ + ["_calculate_fan_in_and_fan_out", "_calculate_correct_fan"]
)
def test_signature_equals_torch(name):
    ours = inspect.signature(getattr(init, name)).parameters
    theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]


@pytest.mark.parametrize("nonlinearity", init.NONLINEARITIES)
def test_gain_equals_torch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == torch.nn.init.calculate_gain(nonlinearity)


@pytest.mark.parametrize("slope", [0, 0.2, 1, 3.5])
def test_leaky_relu_gain_equals_torch(slope):
    assert init.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain(
        "leaky_relu", slope
    )


def test_gain_errors_name_the_value():
    with pytest.raises(
        ValueError, match="unsupported nonlinearity 'swish' \\(choose from linear, conv1d"
    ):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope True is not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_equal_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(glassnet.zeros(shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    for mode in ("fan_in", "fan_out", "FAN_OUT"):
        assert init._calculate_correct_fan(
            glassnet.zeros(shape), mode
        ) == torch.nn.init._calculate_correct_fan(torch.zeros(shape), mode)


def test_fans_need_two_dimensions_and_a_known_mode():
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(shape \(4,\)\)"):
        init.xavier_uniform_(glassnet.zeros(4))
    with pytest.raises(
        ValueError, match="Mode fan_avg not supported, please use one of fan_in, fan_out"
    ):
        init.kaiming_normal_(glassnet.zeros(3, 3), mode="fan_avg")


# ------------------------------------------------------------------ statistics


def test_uniform_and_normal_fill_with_the_asked_distribution():
    glassnet.manual_seed(0)
    tensor = init.uniform_(glassnet.empty(200_000), -1.0, 3.0)
    assert values(tensor).min() >= -1.0 and values(tensor).max() < 3.0
    numpy.testing.assert_allclose(values(tensor).mean(), 1.0, atol=0.02)
    numpy.testing.assert_allclose(values(tensor).std(), 4 / math.sqrt(12), rtol=0.02)
    tensor = init.normal_(glassnet.empty(200_000), 2.0, 0.5)
    numpy.testing.assert_allclose(values(tensor).mean(), 2.0, atol=0.01)
    numpy.testing.assert_allclose(values(tensor).std(), 0.5, rtol=0.02)


@pytest.mark.parametrize("shape", [(400, 600), (64, 32, 3, 3)])
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_targets_two_over_fan_in_plus_fan_out(shape, gain):
    glassnet.manual_seed(1)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(glassnet.empty(shape))
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    tensor = init.xavier_uniform_(glassnet.empty(shape), gain=gain)
    assert_std(tensor, std)
    bound = math.sqrt(3) * std
    assert (
        numpy.abs(values(tensor)).max() <= bound and numpy.abs(values(tensor)).max() > 0.99 * bound
    )
    assert_std(init.xavier_normal_(glassnet.empty(shape), gain=gain), std)


@pytest.mark.parametrize("shape", [(300, 500), (64, 32, 3, 3)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(
    "a, nonlinearity", [(0, "relu"), (0.2, "leaky_relu"), (math.sqrt(5), "leaky_relu"), (0, "tanh")]
)
def test_kaiming_targets_gain_squared_over_fan(shape, mode, a, nonlinearity):
    glassnet.manual_seed(2)
    fan = init._calculate_correct_fan(glassnet.empty(shape), mode)
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    tensor = init.kaiming_uniform_(glassnet.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    assert_std(tensor, std)
    bound = math.sqrt(3) * std
    assert (
        numpy.abs(values(tensor)).max() <= bound and numpy.abs(values(tensor)).max() > 0.99 * bound
    )
    assert_std(
        init.kaiming_normal_(glassnet.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity), std
    )


def test_kaiming_relu_default_is_two_over_fan_in():
    glassnet.manual_seed(3)
    tensor = init.kaiming_normal_(glassnet.empty(256, 1024), nonlinearity="relu")
    numpy.testing.assert_allclose(values(tensor).var(), 2 / 1024, rtol=0.03)


def truncated_normal_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) truncated to [a, b] (closed forms, computed in the lower tail)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    if alpha + beta > 0:  # by symmetry; keeps Phi(beta) - Phi(alpha) free of cancellation
        shifted, spread = truncated_normal_moments(0.0, 1.0, -beta, -alpha)
        return mean - std * shifted, std * spread
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
    z = cdf(beta) - cdf(alpha)
    shift = (pdf(alpha) - pdf(beta)) / z
    variance = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - shift**2
    return mean + std * shift, std * math.sqrt(variance)


@pytest.mark.parametrize(
    "mean, std, a, b",
    [
        (0.0, 1.0, -2.0, 2.0),
        (1.0, 0.5, 0.0, 3.0),
        (0.0, 1.0, 3.0, 4.0),
        (0.0, 1.0, -7.0, -6.0),
        (0.0, 1.0, 8.0, 9.0),
        (0.0, 0.02, -0.04, 0.04),
        (5.0, 2.0, -1.0, 5.5),
    ],
)
def test_trunc_normal_stays_in_bounds_with_the_truncated_moments(mean, std, a, b):
    glassnet.manual_seed(4)
    tensor = init.trunc_normal_(glassnet.empty(200_000, dtype=glassnet.float64), mean, std, a, b)
    drawn = values(tensor)
    assert drawn.min() >= a and drawn.max() <= b
    expected_mean, expected_std = truncated_normal_moments(mean, std, a, b)
    numpy.testing.assert_allclose(drawn.std(), expected_std, rtol=0.02)
    numpy.testing.assert_allclose(drawn.mean(), expected_mean, atol=0.02 * expected_std)


def test_trunc_normal_matches_torch_in_distribution():
    glassnet.manual_seed(5)
    torch.manual_seed(5)
    ours = numpy.sort(values(init.trunc_normal_(glassnet.empty(100_000), 0.5, 1.0, -1.0, 1.5)))
    theirs = numpy.sort(
        torch.nn.init.trunc_normal_(torch.empty(100_000), 0.5, 1.0, -1.0, 1.5).double().numpy()
    )
    quantiles = numpy.linspace(0.01, 0.99, 25)
    numpy.testing.assert_allclose(
        numpy.quantile(ours, quantiles), numpy.quantile(theirs, quantiles), atol=0.02
    )


@pytest.mark.parametrize("shape", [(5, 8), (8, 5), (6, 3, 2, 2), (7, 7)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape, gain):
    glassnet.manual_seed(6)
    weight = values(
        init.orthogonal_(glassnet.empty(shape, dtype=glassnet.float64), gain=gain)
    ).reshape(shape[0], -1)
    rows, cols = weight.shape
    product = weight @ weight.T if rows <= cols else weight.T @ weight
    numpy.testing.assert_allclose(product, gain**2 * numpy.eye(min(rows, cols)), atol=1e-12)


# ------------------------------------------------------------------ deterministic fills


@pytest.mark.parametrize(
    "shape, groups",
    [
        ((4, 4, 3, 3), 1),
        ((4, 2, 3, 3), 2),
        ((6, 4, 3, 3), 1),
        ((3, 5, 3), 1),
        ((4, 3, 3, 2, 3), 1),
        ((6, 2, 5, 5), 3),
    ],
)
def test_dirac_equals_torch(shape, groups):
    ours = init.dirac_(glassnet.empty(shape), groups=groups)
    theirs = torch.nn.init.dirac_(torch.empty(shape), groups=groups)
    numpy.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("groups", [1, 2])
def test_conv_with_dirac_weights_is_the_identity(groups, rng):
    x = glassnet.tensor(rng.standard_normal((2, 4, 5, 6)))
    weight = init.dirac_(
        glassnet.empty(4, 4 // groups, 3, 3, dtype=glassnet.float64), groups=groups
    )
    numpy.testing.assert_array_equal(F.conv2d(x, weight, padding=1, groups=groups).data, x.data)
    x1 = glassnet.tensor(rng.standard_normal((2, 3, 7)))
    weight1 = init.dirac_(glassnet.empty(3, 3, 5, dtype=glassnet.float64))
    numpy.testing.assert_array_equal(F.conv1d(x1, weight1, padding=2).data, x1.data)


def test_dirac_with_more_outputs_than_inputs_leaves_extra_channels_zero(rng):
    x = glassnet.tensor(rng.standard_normal((1, 2, 4, 4)))
    out = F.conv2d(
        x, init.dirac_(glassnet.empty(3, 2, 3, 3, dtype=glassnet.float64)), padding=1
    ).data
    numpy.testing.assert_array_equal(out[:, :2], x.data)
    assert not numpy.any(out[:, 2])


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
def test_eye_equals_torch(shape):
    expected = torch.nn.init.eye_(torch.empty(shape)).numpy()
    numpy.testing.assert_array_equal(init.eye_(glassnet.empty(shape)).data, expected)


def test_constant_zeros_ones():
    assert init.constant_(glassnet.empty(2, 3), 0.25).data.tolist() == [[0.25] * 3] * 2
    assert not numpy.any(init.zeros_(glassnet.ones(4)).data)
    assert numpy.all(init.ones_(glassnet.zeros(4, dtype=glassnet.int64)).data == 1)


# ------------------------------------------------------------------ in place, dtype, seeds, errors


INITIALISERS = [
    lambda t: init.uniform_(t, -0.5, 0.5),
    lambda t: init.normal_(t),
    lambda t: init.trunc_normal_(t),
    init.xavier_uniform_,
    init.xavier_normal_,
    init.kaiming_uniform_,
    init.kaiming_normal_,
    init.orthogonal_,
    lambda t: init.constant_(t, 0.5),
    init.zeros_,
    init.ones_,
]


@pytest.mark.parametrize("fill", INITIALISERS)
@pytest.mark.parametrize("dtype", [glassnet.float32, glassnet.float64])
def test_fills_in_place_keeping_dtype_and_grad_on_parameters(fill, dtype):
    weight = Parameter(glassnet.zeros(6, 4, dtype=dtype))
    array = weight.data
    assert fill(weight) is weight
    assert weight.data is array and weight.dtype == dtype
    assert weight.requires_grad and weight.grad is None and weight.is_leaf


def test_same_seed_gives_same_weights_and_generator_is_honoured():
    glassnet.manual_seed(7)
    first = init.kaiming_uniform_(glassnet.empty(5, 5)).data.copy()
    glassnet.manual_seed(7)
    assert numpy.array_equal(init.kaiming_uniform_(glassnet.empty(5, 5)).data, first)
    one = init.orthogonal_(glassnet.empty(4, 4), generator=numpy.random.default_rng(11)).data
    two = init.orthogonal_(glassnet.empty(4, 4), generator=numpy.random.default_rng(11)).data
    assert numpy.array_equal(one, two)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="uniform_ expects a <= b, but found a=1 > b=0"):
        init.uniform_(glassnet.empty(3), 1, 0)
    with pytest.raises(ValueError, match="normal_ expects std >= 0.0, but found std -1"):
        init.normal_(glassnet.empty(3), 0, -1)
    with pytest.raises(ValueError, match="trunc_normal_ expects a < b, but found a=2, b=-2"):
        init.trunc_normal_(glassnet.empty(3), a=2, b=-2)
    with pytest.raises(
        TypeError, match="xavier_normal_: expected a floating point tensor, got dtype int64"
    ):
        init.xavier_normal_(glassnet.zeros(3, 3, dtype=glassnet.int64))
    with pytest.raises(TypeError, match="normal_: expected a glassnet Tensor, got ndarray"):
        init.normal_(numpy.zeros(3))
    with pytest.raises(ValueError, match=r"dirac_: dim 0 \(5\) must be divisible by groups \(2\)"):
        init.dirac_(glassnet.empty(5, 2, 3), groups=2)
    with pytest.raises(
        ValueError,
        match=r"dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape",
    ):
        init.dirac_(glassnet.empty(3, 3))
    with pytest.raises(
        ValueError,
        match=r"eye_: only tensors with 2 dimensions are supported, got shape \(2, 2, 2\)",
    ):
        init.eye_(glassnet.empty(2, 2, 2))
    with pytest.raises(
        ValueError, match=r"orthogonal_: only tensors with 2 or more dimensions are supported"
    ):
        init.orthogonal_(glassnet.empty(3))


def test_zero_element_tensor_warns_and_is_left_alone():
    with pytest.warns(
        UserWarning, match="kaiming_uniform_: initializing a zero-element tensor is a no-op"
    ):
        tensor = init.kaiming_uniform_(glassnet.empty(0, 3))
    assert tensor.shape == (0, 3)
