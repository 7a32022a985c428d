"""Elementwise arithmetic: add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp,
maximum, minimum, where, and the comparisons (which carry no gradient).

Binary ops promote their operands with PyTorch's rules first (`cast.promote`);
broadcasting is undone in one shared place (`autograd.unbroadcast`), so each
backward below returns gradients in the broadcast shape.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote, to_float
from glassnet.tensor import Tensor


class Add(Function):
    """z = x + alpha * y;  dz/dx = 1,  dz/dy = alpha."""

    def forward(self, x: Array, y: Array, alpha: float = 1) -> Array:
        self.alpha = alpha
        return x + y if alpha == 1 else x + alpha * y

    def backward(self, grad: Array) -> tuple[Array, Array]:
        return grad, grad if self.alpha == 1 else grad * self.alpha


class Sub(Function):
    """z = x - alpha * y;  dz/dx = 1,  dz/dy = -alpha."""

    def forward(self, x: Array, y: Array, alpha: float = 1) -> Array:
        self.alpha = alpha
        return x - y if alpha == 1 else x - alpha * y

    def backward(self, grad: Array) -> tuple[Array, Array]:
        return grad, -grad if self.alpha == 1 else grad * -self.alpha


class Mul(Function):
    """z = x * y;  dz/dx = y,  dz/dy = x."""

    def forward(self, x: Array, y: Array) -> Array:
        self.save(x if self.needs_input_grad[1] else None, y if self.needs_input_grad[0] else None)
        return x * y

    def backward(self, grad: Array) -> tuple[Array | None, Array | None]:
        x, y = self.saved
        return (grad * y if y is not None else None), (grad * x if x is not None else None)


class Div(Function):
    """z = x / y;  dz/dx = 1 / y,  dz/dy = -x / y^2 = -z / y."""

    def forward(self, x: Array, y: Array) -> Array:
        z = x / y
        self.save(y, z)
        return z

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        y, z = self.saved
        grad_x = grad / y
        return grad_x, (-grad_x * z if self.needs_input_grad[1] else None)


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, grad: Array) -> Array:
        return -grad


def add(input: Any, other: Any, alpha: float = 1) -> Tensor:  # noqa: A002
    """input + alpha * other, broadcast, with PyTorch's type promotion."""
    x, y = promote(input, other)
    return Add.apply(x, y, alpha=alpha)


def sub(input: Any, other: Any, alpha: float = 1) -> Tensor:  # noqa: A002
    x, y = promote(input, other)
    return Sub.apply(x, y, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:  # noqa: A002
    x, y = promote(input, other)
    return Mul.apply(x, y)


def div(input: Any, other: Any) -> Tensor:  # noqa: A002
    """True division: integer operands give float32, as in PyTorch."""
    x, y = promote(input, other)
    return Div.apply(to_float(x), to_float(y))


def neg(input: Tensor) -> Tensor:  # noqa: A002
    return Neg.apply(input)


Tensor.define_methods(
    add=add, sub=sub, mul=mul, div=div, neg=neg,
    __add__=add, __radd__=lambda self, other: add(other, self),
    __sub__=sub, __rsub__=lambda self, other: sub(other, self),
    __mul__=mul, __rmul__=lambda self, other: mul(other, self),
    __truediv__=div, __rtruediv__=lambda self, other: div(other, self),
    __neg__=neg,
)
__all__ = ["add", "sub", "mul", "div", "neg"]
