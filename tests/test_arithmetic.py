"""Core arithmetic: add, sub, mul, div, neg, with broadcasting and scalars."""

from __future__ import annotations

import numpy
import pytest

from helpers import assert_gradcheck, assert_parity

BINARY = {
    "add": lambda lib, x, y: x + y,
    "add_alpha": lambda lib, x, y: lib.add(x, y, alpha=-2.5),
    "sub": lambda lib, x, y: x - y,
    "sub_alpha": lambda lib, x, y: lib.sub(x, y, alpha=0.5),
    "mul": lambda lib, x, y: x * y,
    "div": lambda lib, x, y: x / y,
    "rsub_scalar": lambda lib, x, y: 2.0 - x * y,
    "rdiv_scalar": lambda lib, x, y: 3.0 / y + x,
    "neg": lambda lib, x, y: -x * y,
}
SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 5)), ((2, 1, 4), (3, 1)), ((), (3,))]


def _inputs(rng, shapes):
    x = rng.standard_normal(shapes[0])
    y = rng.uniform(0.5, 2.0, shapes[1]) * rng.choice([-1, 1], shapes[1])  # away from 0 for div
    return [numpy.asarray(x), numpy.asarray(y)]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_matches_torch(name, shapes, rng):
    assert_parity(BINARY[name], _inputs(rng, shapes))


@pytest.mark.parametrize("name", BINARY)
def test_binary_matches_torch_float32(name, rng):
    assert_parity(BINARY[name], _inputs(rng, SHAPES[1]), dtype="float32")


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_gradcheck(name, shapes, rng):
    assert_gradcheck(BINARY[name], _inputs(rng, shapes))
