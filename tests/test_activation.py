"""Activations: parity with torch (float64 and float32), gradcheck, stability at |x| = 1e4, errors."""

from __future__ import annotations

import math

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from glassnet.ops.activation import _erfc
from helpers import assert_gradcheck, assert_parity, assert_stable

UNARY = {
    "sigmoid": lambda lib, x: lib.nn.functional.sigmoid(x),
    "tanh": lambda lib, x: lib.nn.functional.tanh(x),
    "relu": lambda lib, x: lib.nn.functional.relu(x),
    "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x),
    "leaky_relu_0.2": lambda lib, x: lib.nn.functional.leaky_relu(x, negative_slope=0.2),
    "elu": lambda lib, x: lib.nn.functional.elu(x),
    "elu_alpha_0.5": lambda lib, x: lib.nn.functional.elu(x, alpha=0.5),
    "elu_alpha_2": lambda lib, x: lib.nn.functional.elu(x, 2.0),
    "gelu": lambda lib, x: lib.nn.functional.gelu(x),
    "gelu_tanh": lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
    "silu": lambda lib, x: lib.nn.functional.silu(x),
    "softplus": lambda lib, x: lib.nn.functional.softplus(x),
    "softplus_beta_2_threshold_1": lambda lib, x: lib.nn.functional.softplus(
        x, beta=2.0, threshold=1.0
    ),
    "softplus_beta_-1.5": lambda lib, x: lib.nn.functional.softplus(x, beta=-1.5),
    "hardtanh": lambda lib, x: lib.nn.functional.hardtanh(x),
    "hardtanh_-0.5_1.5": lambda lib, x: lib.nn.functional.hardtanh(x, min_val=-0.5, max_val=1.5),
    "softmax_dim0": lambda lib, x: lib.nn.functional.softmax(x, dim=0),
    "softmax_dim-1": lambda lib, x: lib.nn.functional.softmax(x, -1),
    "log_softmax_dim0": lambda lib, x: lib.nn.functional.log_softmax(x, dim=0),
    "log_softmax_dim-1": lambda lib, x: lib.nn.functional.log_softmax(x, dim=-1),
    "method_sigmoid": lambda lib, x: x.sigmoid(),
    "method_tanh": lambda lib, x: x.tanh(),
    "method_relu": lambda lib, x: x.relu(),
    "method_softmax": lambda lib, x: x.softmax(-1),
    "method_log_softmax": lambda lib, x: x.log_softmax(0),
}
INPLACE = {
    "relu": lambda lib, x: lib.nn.functional.relu(x * 1.0, inplace=True),
    "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x * 1.0, 0.1, inplace=True),
    "elu": lambda lib, x: lib.nn.functional.elu(x * 1.0, inplace=True),
    "hardtanh": lambda lib, x: lib.nn.functional.hardtanh(x * 1.0, inplace=True),
    "silu": lambda lib, x: lib.nn.functional.silu(x * 1.0, inplace=True),
}
SHAPES = [(), (7,), (3, 4), (2, 3, 4)]


def _away_from_kinks(rng, shape, scale=3.0):
    """Distinct values with |x| in [0.1, scale] and away from +-0.5, 1, 1.5 (hardtanh, softplus edges)."""
    size = int(numpy.prod(shape))
    values = rng.permutation(numpy.linspace(0.1, scale, size) + rng.uniform(0, 0.02, size))
    values = numpy.where(numpy.abs(values % 0.5) < 0.06, values + 0.1, values)
    return (values * rng.choice([-1.0, 1.0], size)).reshape(shape)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_activation_matches_torch(name, shape, rng):
    assert_parity(UNARY[name], [_away_from_kinks(rng, shape)])


@pytest.mark.parametrize("name", UNARY)
def test_activation_matches_torch_float32(name, rng):
    assert_parity(UNARY[name], [_away_from_kinks(rng, (3, 5))], dtype="float32")


@pytest.mark.parametrize("name", UNARY)
def test_activation_gradcheck(name, rng):
    assert_gradcheck(UNARY[name], [_away_from_kinks(rng, (3, 4))])


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_flag_returns_the_right_values(name, rng):
    assert_parity(INPLACE[name], [_away_from_kinks(rng, (3, 4))])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_dtype_argument_casts_first(dtype, rng):
    x = rng.standard_normal((3, 4)).astype(numpy.float32)
    for op in ("softmax", "log_softmax"):
        ours = getattr(F, op)(glassnet.tensor(x), 1, dtype=getattr(glassnet, dtype))
        assert ours.dtype == numpy.dtype(dtype)
        expected = getattr(torch.nn.functional, op)(
            torch.tensor(x), 1, dtype=getattr(torch, dtype)
        ).numpy()
        numpy.testing.assert_allclose(ours.data, expected, rtol=1e-6)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 3, 2, 2)], ids=str)
def test_softmax_without_dim_follows_torch_implicit_rule(shape, rng):
    x = rng.standard_normal(shape)
    for op in ("softmax", "log_softmax"):
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            assert_parity(lambda lib, t: getattr(lib.nn.functional, op)(t), [x])


def test_softmax_of_zero_dim_tensor_is_one():
    assert F.softmax(glassnet.tensor(2.5), 0).item() == 1.0
    assert F.log_softmax(glassnet.tensor(2.5), -1).item() == 0.0


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log(rng):
    x = glassnet.tensor(rng.standard_normal((4, 6)) * 30)
    probabilities = F.softmax(x, dim=1).data
    numpy.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    numpy.testing.assert_allclose(numpy.exp(F.log_softmax(x, dim=1).data), probabilities, rtol=1e-5)


PRELU_CASES = {
    "one_weight_2d": ((4, 3), (1,)),
    "per_channel_2d": ((4, 3), (3,)),
    "per_channel_4d": ((2, 3, 2, 2), (3,)),
    "one_weight_4d": ((2, 3, 2, 2), (1,)),
    "one_weight_1d": ((6,), (1,)),
    "per_channel_3d": ((2, 4, 3), (4,)),
}


@pytest.mark.parametrize("case", PRELU_CASES)
def test_prelu_matches_torch_including_weight_grad(case, rng):
    input_shape, weight_shape = PRELU_CASES[case]
    x, w = _away_from_kinks(rng, input_shape), rng.uniform(0.05, 0.5, weight_shape)
    fn = lambda lib, x, w: lib.nn.functional.prelu(x, w)
    assert_parity(fn, [x, w])
    assert_parity(fn, [x, w], dtype="float32")
    assert_gradcheck(fn, [x, w])


EXTREME = numpy.array([[-1e4, -50.0, -0.7, 0.3, 50.0, 1e4], [1e4, 1e4 - 1, 2.0, -1e4, -3.0, 0.9]])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", [n for n in UNARY if not n.startswith("method")])
def test_activation_is_stable_at_extreme_inputs(name, dtype):
    """|x| = 1e4: no overflow/invalid warnings, finite values and gradients equal to torch's limits."""
    assert_stable(UNARY[name], [EXTREME], dtype=dtype)


def test_extreme_limits_are_exact():
    x = glassnet.tensor(numpy.array([-1e4, 1e4]))
    assert F.sigmoid(x).tolist() == [0.0, 1.0]
    assert F.tanh(x).tolist() == [-1.0, 1.0]
    assert F.gelu(x).tolist() == [0.0, 1e4]
    assert F.softplus(x).tolist() == [0.0, 1e4]
    assert F.softmax(x, 0).tolist() == [0.0, 1.0]
    assert F.log_softmax(x, 0).tolist() == [-2e4, 0.0]


def test_erfc_helper_matches_math_erfc_to_1e_13():
    z = numpy.concatenate([numpy.linspace(-6, 6, 1201), numpy.linspace(6, 26, 201)])
    expected = numpy.array([math.erfc(v) for v in z])
    numpy.testing.assert_allclose(_erfc(numpy, z), expected, rtol=1e-13, atol=0)
    z32 = z[:1201].astype(numpy.float32)
    result = _erfc(numpy, z32)
    assert result.dtype == numpy.float32
    expected32 = numpy.array([math.erfc(float(v)) for v in z32])
    numpy.testing.assert_allclose(
        result, expected32, rtol=1e-6, atol=5e-7
    )  # 1 - erf: absolute error


@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "gelu", "silu", "softplus", "elu", "leaky_relu", "hardtanh"]
)
def test_float32_stays_float32(name):
    x = glassnet.tensor(numpy.array([-2.0, 0.5, 3.0], dtype=numpy.float32), requires_grad=True)
    y = getattr(F, name)(x)
    y.backward(numpy.ones(3, dtype=numpy.float32))
    assert y.dtype == numpy.float32 and x.grad.dtype == numpy.float32


def test_top_level_functions_are_exported_from_the_module():
    from glassnet.ops import activation

    assert set(activation.__all__) == {
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "gelu",
        "silu",
        "softplus",
        "prelu",
        "hardtanh",
        "softmax",
        "log_softmax",
    }
    assert all(hasattr(F, name) for name in activation.__all__)


ERRORS = [
    (
        lambda: F.gelu(glassnet.ones(3), approximate="fast"),
        ValueError,
        r"gelu: approximate='fast'.*'none' or 'tanh'",
    ),
    (
        lambda: F.prelu(glassnet.ones((2, 4, 3)), glassnet.ones(3)),
        ValueError,
        r"prelu: weight has 3 parameters but input has 4 channels \(input shape \(2, 4, 3\), weight shape \(3,\)\)",
    ),
    (
        lambda: F.hardtanh(glassnet.ones(3), 1.0, -1.0),
        ValueError,
        r"hardtanh: min_val \(1.0\).*max_val \(-1.0\)",
    ),
    (
        lambda: F.softmax(glassnet.ones((2, 3)), dim=2),
        ValueError,
        r"softmax: dim=2 is out of range.*\(2, 3\)",
    ),
    (
        lambda: F.log_softmax(glassnet.ones((2, 3)), dim=-3),
        ValueError,
        r"log_softmax: dim=-3 is out of range",
    ),
    (lambda: F.softplus(glassnet.ones(3), beta=0), ValueError, r"softplus: beta must be non-zero"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, error, pattern = ERRORS[index]
    with pytest.raises(error, match=pattern):
        call()
