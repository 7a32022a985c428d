"""Remainders: fmod (sign of the dividend, C's fmod) and remainder (sign of the divisor, Python's %).

x = q y + r with q = trunc(x / y) for fmod and q = floor(x / y) for remainder; r is
piecewise linear in x and y, so dr/dx = 1 and dr/dy = -q (the jumps, where q changes,
are a set of measure zero, as PyTorch treats them).
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import broadcast_operands
from glassnet.tensor import Tensor


class Modulo(Function):
    """r = x - q y, q = trunc(x / y) (fmod) or floor(x / y) (remainder);  dr/dx = 1,  dr/dy = -q."""

    def forward(self, x: Array, y: Array, floor: bool) -> Array:
        xp = self.xp
        self.floor = floor
        self.save(x, y)
        return xp.remainder(x, y) if floor else xp.fmod(x, y)

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        x, y = self.saved
        xp = self.xp
        quotient = xp.floor(x / y) if self.floor else xp.trunc(x / y)
        return grad, (-grad * quotient if self.needs_input_grad[1] else None)


def fmod(input: Tensor, other: Any) -> Tensor:
    """x - trunc(x / y) y: the remainder with the sign of input (C's fmod)."""
    x, y = broadcast_operands("fmod", input, other)
    return Modulo.apply(x, y, floor=False)


def remainder(input: Any, other: Any) -> Tensor:
    """x - floor(x / y) y: the remainder with the sign of other (Python's %)."""
    x, y = broadcast_operands("remainder", input, other)
    return Modulo.apply(x, y, floor=True)


__all__ = ["fmod", "remainder"]

Tensor.define_methods(
    fmod=fmod,
    remainder=remainder,
    __mod__=remainder,
    __rmod__=lambda self, other: remainder(other, self),
)
