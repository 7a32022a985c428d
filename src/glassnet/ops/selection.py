"""Selection: clamp, maximum, minimum, where, and the comparisons (which carry no gradient).

Each output element is one of the inputs' elements (or a bound), so the gradient goes
to whichever input was chosen: the masks the forward computed route it back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassnet.backend import Array, xp
from glassnet.function import Function
from glassnet.ops.cast import as_operand, broadcast_operands
from glassnet.tensor import Tensor


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0."""

    def forward(self, x: Array, low: Array | None = None, high: Array | None = None) -> Array:
        xp = self.xp
        inside = xp.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        self.save(inside)
        return xp.clip(x, low, high)

    def backward(self, grad: Array) -> Array:
        (inside,) = self.saved
        return grad * inside


class Maximum(Function):
    """z = max(x, y) elementwise;  the gradient goes to the larger input, split evenly on ties."""

    def forward(self, x: Array, y: Array) -> Array:
        self.save(x, y)
        return self.xp.maximum(x, y)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        x, y = self.saved
        share = (x > y) + 0.5 * (x == y)
        share = share.astype(grad.dtype)
        return grad * share, grad * (1 - share)


class Minimum(Function):
    """z = min(x, y) elementwise;  the gradient goes to the smaller input, split evenly on ties."""

    def forward(self, x: Array, y: Array) -> Array:
        self.save(x, y)
        return self.xp.minimum(x, y)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        x, y = self.saved
        share = ((x < y) + 0.5 * (x == y)).astype(grad.dtype)
        return grad * share, grad * (1 - share)


class Where(Function):
    """z = x where condition else y;  dz/dx = condition,  dz/dy = not condition."""

    def forward(self, x: Array, y: Array, condition: Array) -> Array:
        self.save(condition)
        return self.xp.where(condition, x, y)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        (condition,) = self.saved
        zero = grad.dtype.type(0)
        return self.xp.where(condition, grad, zero), self.xp.where(condition, zero, grad)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit values to [min, max]; either bound may be None (not both) or a tensor."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    low = None if min is None else as_operand(min, input.dtype).data
    high = None if max is None else as_operand(max, input.dtype).data
    return Clamp.apply(input, low=low, high=high)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    x, y = broadcast_operands("maximum", input, other)
    return Maximum.apply(x, y)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    x, y = broadcast_operands("minimum", input, other)
    return Minimum.apply(x, y)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """input where condition is true, other elsewhere (both broadcast)."""
    mask = condition.data if isinstance(condition, Tensor) else condition
    if mask.dtype.kind != "b":
        raise TypeError(f"where: condition must be a bool tensor, got {mask.dtype}")
    x, y = broadcast_operands("where", input, other)
    try:
        xp.broadcast_shapes(mask.shape, x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"where: shapes do not broadcast: condition shape {mask.shape}, input shape {x.shape}, other shape {y.shape}"
        ) from None
    return Where.apply(x, y, condition=mask)


def _comparison(
    name: str, compare: Callable[[Array, Array], Array]
) -> Callable[[Any, Any], Tensor]:
    def op(input: Any, other: Any) -> Tensor:
        x, y = broadcast_operands(name, input, other)
        return Tensor(compare(x.data, y.data))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} comparison; a bool tensor, outside the graph (no gradient)."
    return op


eq = _comparison("eq", lambda x, y: x == y)
ne = _comparison("ne", lambda x, y: x != y)
lt = _comparison("lt", lambda x, y: x < y)
le = _comparison("le", lambda x, y: x <= y)
gt = _comparison("gt", lambda x, y: x > y)
ge = _comparison("ge", lambda x, y: x >= y)


__all__ = ["clamp", "maximum", "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge"]
