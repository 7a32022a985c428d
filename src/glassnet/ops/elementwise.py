"""Elementwise math: add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp,
maximum, minimum, where, and the comparisons (which carry no gradient); the last five
are in `selection.py`, re-exported here with every Tensor method and operator.

Binary ops promote their operands with PyTorch's rules first (`cast.promote`);
broadcasting is undone in one shared place (`autograd.unbroadcast`), so each
backward below returns gradients in the broadcast shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassnet.backend import Array
from glassnet.dtypes import common_dtype
from glassnet.function import Function
from glassnet.ops.cast import as_operand, broadcast_operands, to_float
from glassnet.ops.selection import clamp, eq, ge, gt, le, lt, maximum, minimum, ne, where
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


class RoundedDiv(Function):
    """z = floor(x / y) or trunc(x / y);  a step function: dz/dx = dz/dy = 0 (as in PyTorch)."""

    def forward(self, x: Array, y: Array, rounding_mode: str) -> Array:
        xp = self.xp
        if x.dtype.kind in "iu" and rounding_mode == "floor":
            return xp.floor_divide(x, y)
        quotient = xp.true_divide(x, y)
        rounded = xp.floor(quotient) if rounding_mode == "floor" else xp.trunc(quotient)
        return rounded.astype(x.dtype)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        return grad * 0, grad * 0


class Neg(Function):
    """y = -x;  dy/dx = -1."""

    def forward(self, x: Array) -> Array:
        return -x

    def backward(self, grad: Array) -> Array:
        return -grad


class PowScalar(Function):
    """y = x ** p (p a number);  dy/dx = p * x ** (p - 1)."""

    def forward(self, x: Array, exponent: float) -> Array:
        self.exponent = exponent
        self.save(x)
        return x**exponent

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        if self.exponent == 0:
            return grad * 0
        return grad * (self.exponent * x ** (self.exponent - 1))


class Pow(Function):
    """z = x ** y;  dz/dx = y * x ** (y - 1),  dz/dy = z * ln(x) (0 where x == 0 and y >= 0)."""

    def forward(self, x: Array, y: Array) -> Array:
        z = x**y
        self.save(x, y, z)
        return z

    def backward(self, grad: Array) -> tuple[Array | None, Array | None]:
        x, y, z = self.saved
        xp = self.xp
        grad_x = grad * y * x ** (y - 1) if self.needs_input_grad[0] else None
        grad_y = None
        if self.needs_input_grad[1]:
            with xp.errstate(divide="ignore", invalid="ignore"):
                grad_y = grad * xp.where((x == 0) & (y >= 0), 0, z * xp.log(x))
        return grad_x, grad_y


class Exp(Function):
    """y = e^x;  dy/dx = e^x = y (so backward needs only the output)."""

    def forward(self, x: Array) -> Array:
        y = self.xp.exp(x)
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * y


class Log(Function):
    """y = ln(x);  dy/dx = 1 / x."""

    def forward(self, x: Array) -> Array:
        self.save(x)
        return self.xp.log(x)

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad / x


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 0.5 / y."""

    def forward(self, x: Array) -> Array:
        y = self.xp.sqrt(x)
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * 0.5 / y


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0, as PyTorch)."""

    def forward(self, x: Array) -> Array:
        self.save(x)
        return self.xp.abs(x)

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad * self.xp.sign(x)


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input + alpha * other, broadcast, with PyTorch's type promotion."""
    x, y = broadcast_operands("add", input, other)
    return Add.apply(x, y, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other."""
    x, y = broadcast_operands("sub", input, other)
    return Sub.apply(x, y, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    x, y = broadcast_operands("mul", input, other)
    return Mul.apply(x, y)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """True division (integer operands give float32, as in PyTorch), or rounded with
    rounding_mode 'trunc' (towards zero) or 'floor' (down), which keeps the dtype."""
    x, y = broadcast_operands("div", input, other)
    if rounding_mode is None:
        return Div.apply(to_float(x), to_float(y))
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
        )
    return RoundedDiv.apply(x, y, rounding_mode=rounding_mode)


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent; a number exponent keeps the tensor's dtype (float32 ** 2 is float32)."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        dtype = common_dtype(input, exponent)
        base = as_operand(input, dtype)
        if dtype.kind in "iu" and exponent < 0:
            raise ValueError(
                f"pow: integers to negative powers are not allowed (exponent {exponent}, dtype {dtype})"
            )
        return PowScalar.apply(base, exponent=exponent)
    x, y = broadcast_operands("pow", input, exponent, names=("input", "exponent"))
    return Pow.apply(x, y)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(to_float(input))


def log(input: Tensor) -> Tensor:
    return Log.apply(to_float(input))


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(to_float(input))


def abs(input: Tensor) -> Tensor:
    return Abs.apply(input)


def _reflected(op: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    return lambda self, other: op(other, self)


__all__ = [
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "pow",
    "exp",
    "log",
    "sqrt",
    "abs",
    "clamp",
    "clip",
    "maximum",
    "minimum",
    "where",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
]
clip = clamp

Tensor.define_methods(
    add=add,
    sub=sub,
    mul=mul,
    div=div,
    neg=neg,
    pow=pow,
    exp=exp,
    log=log,
    sqrt=sqrt,
    abs=abs,
    clamp=clamp,
    clip=clamp,
    maximum=maximum,
    minimum=minimum,
    eq=eq,
    ne=ne,
    lt=lt,
    le=le,
    gt=gt,
    ge=ge,
    __add__=add,
    __radd__=_reflected(add),
    __sub__=sub,
    __rsub__=_reflected(sub),
    __mul__=mul,
    __rmul__=_reflected(mul),
    __truediv__=div,
    __rtruediv__=_reflected(div),
    __floordiv__=lambda self, other: div(self, other, rounding_mode="floor"),
    __rfloordiv__=lambda self, other: div(other, self, rounding_mode="floor"),
    __pow__=pow,
    __rpow__=_reflected(pow),
    __neg__=neg,
    __abs__=abs,
    __eq__=eq,
    __ne__=ne,
    __lt__=lt,
    __le__=le,
    __gt__=gt,
    __ge__=ge,
)
