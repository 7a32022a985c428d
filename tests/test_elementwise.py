"""Elementwise math beyond + - * /: pow, exp, log, sqrt, abs, clamp, maximum, minimum, where, comparisons."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from helpers import assert_gradcheck, assert_parity


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def signed(rng, shape):
    """Values away from 0 (|x| >= 0.3): abs and clamp have kinks there."""
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


UNARY = {
    "exp": (lambda lib, x: x.exp(), signed),
    "log": (lambda lib, x: lib.log(x), positive),
    "sqrt": (lambda lib, x: x.sqrt(), positive),
    "abs": (lambda lib, x: abs(x), signed),
    "pow_2": (lambda lib, x: x**2, signed),
    "pow_int3": (lambda lib, x: x.pow(3), signed),
    "pow_frac": (lambda lib, x: x**1.5, positive),
    "pow_neg": (lambda lib, x: lib.pow(x, -0.5), positive),
    "pow_zero": (lambda lib, x: x**0, signed),
    "rpow": (lambda lib, x: 2.5**x, signed),
    "clamp_both": (lambda lib, x: x.clamp(-1.0, 1.0), signed),
    "clamp_min": (lambda lib, x: lib.clamp(x, min=0.1), signed),
    "clamp_max": (lambda lib, x: lib.clamp(x, max=-0.1), signed),
}


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_torch(name, shape, rng):
    fn, draw = UNARY[name]
    assert_parity(fn, [draw(rng, shape)])


@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_torch_float32(name, rng):
    fn, draw = UNARY[name]
    assert_parity(fn, [draw(rng, (16, 8))], dtype="float32")


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradcheck(name, rng):
    fn, draw = UNARY[name]
    assert_gradcheck(fn, [draw(rng, (3, 4))])


def _distinct_pair(rng, shape_x, shape_y):
    """Two inputs whose broadcast values never tie."""
    values = (
        rng.permutation(200)[: int(numpy.prod(shape_x)) + int(numpy.prod(shape_y))] / 37.0 - 2.5
    )
    size_x = int(numpy.prod(shape_x))
    return [values[:size_x].reshape(shape_x), values[size_x:].reshape(shape_y)]


BINARY = {
    "pow": (lambda lib, x, y: lib.pow(x.abs() + 0.5, y)),
    "maximum": (lambda lib, x, y: lib.maximum(x, y)),
    "minimum": (lambda lib, x, y: lib.minimum(x, y)),
    "where": (lambda lib, x, y: lib.where(x > y, x * 2, y)),
    "where_scalar": (lambda lib, x, y: lib.where(x > 0, x, 0.5) * y),
}


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 5))], ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_matches_torch(name, shapes, rng):
    assert_parity(BINARY[name], _distinct_pair(rng, *shapes))
    assert_parity(BINARY[name], _distinct_pair(rng, *shapes), dtype="float32")


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradcheck(name, rng):
    assert_gradcheck(BINARY[name], _distinct_pair(rng, (3, 4), (4,)))


def test_maximum_splits_gradient_on_ties_like_torch():
    assert_parity(
        lambda lib, x, y: lib.maximum(x, y) + lib.minimum(x, y) * 3,
        [numpy.array([1.0, 2.0, 3.0]), numpy.array([1.0, 5.0, 3.0])],
    )


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_match_torch_and_carry_no_grad(op, rng):
    x = rng.integers(0, 3, (4, 5)).astype(float)
    y = rng.integers(0, 3, (5,)).astype(float)
    ours = getattr(glassnet.tensor(x, requires_grad=True), op)(glassnet.tensor(y))
    theirs = getattr(torch.tensor(x), op)(torch.tensor(y))
    assert ours.dtype == glassnet.bool and not ours.requires_grad
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_operators_with_python_scalars_on_the_left(rng):
    assert_parity(
        lambda lib, x: 1 - x + 2 * x - 3 / (x.abs() + 1) + (x > 0.5) * 1.0, [signed(rng, (6,))]
    )


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="clamp: at least one of min and max"):
        glassnet.ones(3).clamp()


def test_where_needs_a_bool_condition():
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got float32"):
        glassnet.where(glassnet.ones(2), glassnet.ones(2), glassnet.zeros(2))


def test_integer_pow_keeps_integers_and_refuses_negative_powers():
    assert (glassnet.tensor([2, 3]) ** 2).tolist() == [4, 9]
    assert (glassnet.tensor([2, 3]) ** 2).dtype == glassnet.int64
    with pytest.raises(ValueError, match="negative powers"):
        glassnet.tensor([2, 3]) ** -1


def test_exp_log_of_integers_give_float32():
    assert glassnet.tensor([1, 2]).exp().dtype == torch.tensor([1, 2]).exp().numpy().dtype


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_rounded_division_matches_torch(mode, dtype, rng):
    x, y = signed(rng, (4, 5)) * 3, signed(rng, (5,))
    assert_parity(lambda lib, a, b: lib.div(a, b, rounding_mode=mode) + a, [x, y], dtype=dtype)


def test_integer_floor_division_keeps_integers():
    ours = glassnet.tensor([7, -7, 5]) // glassnet.tensor([2, 2, -3])
    theirs = torch.tensor([7, -7, 5]) // torch.tensor([2, 2, -3])
    assert ours.dtype == glassnet.int64 and ours.tolist() == theirs.tolist()
    assert glassnet.div(glassnet.tensor([-7]), 2, rounding_mode="trunc").tolist() == [-3]
    with pytest.raises(
        ValueError, match="rounding_mode must be None, 'trunc' or 'floor', got 'round'"
    ):
        glassnet.div(glassnet.ones(1), 2, rounding_mode="round")


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "lt"])
def test_shapes_that_do_not_broadcast_are_named(op):
    with pytest.raises(
        ValueError,
        match=rf"{op}: shapes do not broadcast: input shape \(2, 3\), other shape \(4,\)",
    ):
        getattr(glassnet, op)(glassnet.ones(2, 3), glassnet.ones(4))


def test_operator_and_where_broadcast_errors_name_the_shapes():
    with pytest.raises(
        ValueError, match=r"mul: shapes do not broadcast: input shape \(3,\), other shape \(2,\)"
    ):
        glassnet.ones(3) * glassnet.ones(2)
    with pytest.raises(
        ValueError,
        match=r"where: shapes do not broadcast: condition shape \(2,\), input shape \(3,\)",
    ):
        glassnet.where(glassnet.ones(2) > 0, glassnet.ones(3), glassnet.ones(3))
