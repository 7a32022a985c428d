"""Logic: logical_and, logical_or, logical_xor, logical_not, all and any.

Every result is a bool tensor outside the graph (truth values have no gradient).
Any nonzero value counts as true, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import namespace
from glassnet.ops.cast import broadcast_operands
from glassnet.ops.dims import reduction_axes
from glassnet.tensor import Tensor


def _binary(name: str, input: Any, other: Any) -> Tensor:
    x, y = broadcast_operands(name, input, other)
    xp = namespace(x.data)
    return Tensor(getattr(xp, name)(x.data != 0, y.data != 0))


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    return _binary("logical_and", input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    return _binary("logical_or", input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    return _binary("logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    return Tensor(input.data == 0)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every element along `dim` (every dim when None) is nonzero."""
    axes = reduction_axes("all", input.shape, dim)
    return Tensor(namespace(input.data).asarray((input.data != 0).all(axis=axes, keepdims=keepdim)))


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where some element along `dim` (every dim when None) is nonzero."""
    axes = reduction_axes("any", input.shape, dim)
    return Tensor(namespace(input.data).asarray((input.data != 0).any(axis=axes, keepdims=keepdim)))


__all__ = ["logical_and", "logical_or", "logical_xor", "logical_not", "all", "any"]

Tensor.define_methods(
    logical_and=logical_and,
    logical_or=logical_or,
    logical_xor=logical_xor,
    logical_not=logical_not,
    all=all,
    any=any,
)
