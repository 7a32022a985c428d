"""Two-argument math: atan2 (the angle of the point (other, input)), float_power (pow in float64)
and nansum (a sum that skips NaN).

atan2(y, x) is the angle of (x, y) in (-pi, pi]: d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
float_power and nansum are built from verified ops (cast + pow; where + sum).
"""

from __future__ import annotations

from typing import Any

from glassnet import dtypes
from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.cast import as_operand, broadcast_operands, to_float
from glassnet.ops.elementwise import pow, where
from glassnet.ops.reduce import sum
from glassnet.tensor import Tensor


class Atan2(Function):
    """z = atan2(y, x);  dz/dy = x / (x^2 + y^2),  dz/dx = -y / (x^2 + y^2)."""

    def forward(self, y: Array, x: Array) -> Array:
        self.save(y, x)
        return self.xp.arctan2(y, x)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        y, x = self.saved
        scale = grad / (x * x + y * y)
        return scale * x, -scale * y


def atan2(input: Tensor, other: Any) -> Tensor:
    """The angle in (-pi, pi] of the point (other, input): the quadrant-aware atan(input / other)."""
    y, x = broadcast_operands("atan2", to_float(input), other)
    return Atan2.apply(y, x)


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64 (as PyTorch: the result is always double)."""
    base = as_operand(input, dtypes.float64)
    power = exponent if not isinstance(exponent, Tensor) else as_operand(exponent, dtypes.float64)
    return pow(base, power)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over dim with NaN counted as 0 (their gradient is 0 too)."""
    if input.dtype.kind != "f":
        return sum(input, dim, keepdim, dtype=dtype)
    missing = Tensor(namespace(input.data).isnan(input.data))
    return sum(where(missing, 0.0, input), dim, keepdim, dtype=dtype)


__all__ = ["atan2", "float_power", "nansum"]

Tensor.define_methods(atan2=atan2, float_power=float_power, nansum=nansum)
