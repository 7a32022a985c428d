"""More elementwise math: square, reciprocal, rsqrt, sin, cos, tan, sinh, cosh, asin, acos,
atan, log2, log10, exp2, erf, log1p, expm1, lerp, nan_to_num, the rounding family (floor,
ceil, round, trunc, sign) and the tests isnan, isinf, isfinite.

The rounding functions are step functions: their derivative is 0 almost everywhere,
and PyTorch returns exactly that zero gradient (not None), so a graph through
`round` trains nothing upstream. The tests return bool tensors outside the graph.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.activation import _erfc
from glassnet.ops.cast import broadcast_operands, to_float
from glassnet.tensor import Tensor


class Square(Function):
    """y = x^2;  dy/dx = 2x."""

    def forward(self, x: Array) -> Array:
        self.save(x)
        return x * x

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad * (2 * x)


class Reciprocal(Function):
    """y = 1 / x;  dy/dx = -1 / x^2 = -y^2."""

    def forward(self, x: Array) -> Array:
        y = 1 / x
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return -grad * y * y


class Rsqrt(Function):
    """y = x^(-1/2);  dy/dx = -x^(-3/2) / 2 = -y^3 / 2."""

    def forward(self, x: Array) -> Array:
        y = 1 / self.xp.sqrt(x)
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * (-0.5 * y * y * y)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)."""

    def forward(self, x: Array) -> Array:
        self.save(x)
        return self.xp.sin(x)

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad * self.xp.cos(x)


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)."""

    def forward(self, x: Array) -> Array:
        self.save(x)
        return self.xp.cos(x)

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return -grad * self.xp.sin(x)


class Unary(Function):
    """y = f(x) for the elementary functions below;  dy/dx from DERIVATIVES (x and y given).

    tan' = 1 + y^2, sinh' = cosh, cosh' = sinh, asin' = 1 / sqrt(1 - x^2),
    acos' = -1 / sqrt(1 - x^2), atan' = 1 / (1 + x^2), log2' = 1 / (x ln 2),
    log10' = 1 / (x ln 10), exp2' = y ln 2, erf' = 2 / sqrt(pi) exp(-x^2).
    """

    def forward(self, x: Array, name: str) -> Array:
        self.name = name
        y = _erf(self.xp, x) if name == "erf" else getattr(self.xp, FUNCTIONS[name])(x)
        self.save(x, y)
        return y

    def backward(self, grad: Array) -> Array:
        x, y = self.saved
        return grad * DERIVATIVES[self.name](self.xp, x, y)


FUNCTIONS = {
    "tan": "tan",
    "sinh": "sinh",
    "cosh": "cosh",
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "log2": "log2",
    "log10": "log10",
    "exp2": "exp2",
}
DERIVATIVES = {
    "tan": lambda xp, x, y: 1 + y * y,
    "sinh": lambda xp, x, y: xp.cosh(x),
    "cosh": lambda xp, x, y: xp.sinh(x),
    "asin": lambda xp, x, y: 1 / xp.sqrt(1 - x * x),
    "acos": lambda xp, x, y: -1 / xp.sqrt(1 - x * x),
    "atan": lambda xp, x, y: 1 / (1 + x * x),
    "log2": lambda xp, x, y: 1 / (x * math.log(2)),
    "log10": lambda xp, x, y: 1 / (x * math.log(10)),
    "exp2": lambda xp, x, y: y * math.log(2),
    "erf": lambda xp, x, y: (2 / math.sqrt(math.pi)) * xp.exp(-x * x),
}


def _erf(xp: Any, x: Array) -> Array:
    """erf(x) = 1 - erfc(x), with activation.py's erfc (NumPy has no erf)."""
    return 1.0 - _erfc(xp, x)


class Log1p(Function):
    """y = log(1 + x), exact for tiny x where 1 + x would round to 1;  dy/dx = 1 / (1 + x)."""

    def forward(self, x: Array) -> Array:
        self.save(x)
        return self.xp.log1p(x)

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad / (1 + x)


class Expm1(Function):
    """y = exp(x) - 1, exact for tiny x;  dy/dx = exp(x) = y + 1."""

    def forward(self, x: Array) -> Array:
        y = self.xp.expm1(x)
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * (y + 1)


class Lerp(Function):
    """y = x + w (e - x);  dy/dx = 1 - w,  dy/de = w,  dy/dw = e - x."""

    def forward(self, x: Array, end: Array, weight: Array) -> Array:
        self.save(x, end, weight)
        return x + weight * (end - x)

    def backward(self, grad: Array) -> tuple[Array, Array, Array | None]:
        x, end, weight = self.saved
        grad_w = grad * (end - x) if self.needs_input_grad[2] else None
        return grad * (1 - weight), grad * weight, grad_w


class NanToNum(Function):
    """y = x where x is finite, else the replacement (nan, posinf, neginf);  dy/dx = 1 where
    x is finite, else 0."""

    def forward(self, x: Array, nan: float, posinf: float | None, neginf: float | None) -> Array:
        self.save(self.xp.isfinite(x))
        return self.xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, grad: Array) -> Array:
        (finite,) = self.saved
        return grad * finite


class Step(Function):
    """y = floor, ceil, round, trunc or sign of x;  dy/dx = 0 (a step function)."""

    def forward(self, x: Array, step: str, decimals: int = 0) -> Array:
        xp = self.xp
        if step == "round":
            return xp.round(x, decimals) if x.dtype.kind == "f" else x.copy()
        if step == "sign":
            return xp.sign(x)
        return getattr(xp, step)(x) if x.dtype.kind == "f" else x.copy()

    def backward(self, grad: Array) -> Array:
        return self.xp.zeros_like(grad)


def square(input: Tensor) -> Tensor:
    return Square.apply(input)


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(to_float(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(to_float(input))


def sin(input: Tensor) -> Tensor:
    return Sin.apply(to_float(input))


def cos(input: Tensor) -> Tensor:
    return Cos.apply(to_float(input))


def _unary(name: str) -> Any:
    def op(input: Tensor) -> Tensor:
        return Unary.apply(to_float(input), name=name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name}; integer tensors are converted to float first."
    return op


tan, sinh, cosh, asin, acos, atan = (
    _unary(n) for n in ("tan", "sinh", "cosh", "asin", "acos", "atan")
)
log2, log10, exp2, erf = (_unary(n) for n in ("log2", "log10", "exp2", "erf"))


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(to_float(input))


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(to_float(input))


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input); weight is a number or a tensor (both broadcast)."""
    if input.dtype.kind != "f":
        raise TypeError(f"lerp: input must be a floating point tensor, got {input.dtype}")
    x, e, w = broadcast_operands("lerp", input, end, weight, names=("input", "end", "weight"))
    return Lerp.apply(x, e, w)


def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN -> nan, +inf -> posinf, -inf -> neginf (the dtype's largest/smallest when None)."""
    if input.dtype.kind != "f":
        return input.clone()
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def floor(input: Tensor) -> Tensor:
    return Step.apply(input, step="floor")


def ceil(input: Tensor) -> Tensor:
    return Step.apply(input, step="ceil")


def trunc(input: Tensor) -> Tensor:
    return Step.apply(input, step="trunc")


def sign(input: Tensor) -> Tensor:
    return Step.apply(input, step="sign")


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even (as PyTorch and NumPy), to `decimals` places."""
    return Step.apply(input, step="round", decimals=decimals)


def isnan(input: Tensor) -> Tensor:
    return Tensor(namespace(input.data).isnan(input.data))


def isinf(input: Tensor) -> Tensor:
    return Tensor(namespace(input.data).isinf(input.data))


def isfinite(input: Tensor) -> Tensor:
    return Tensor(namespace(input.data).isfinite(input.data))


__all__ = [
    "square",
    "reciprocal",
    "rsqrt",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "asin",
    "acos",
    "atan",
    "log2",
    "log10",
    "exp2",
    "erf",
    "log1p",
    "expm1",
    "lerp",
    "nan_to_num",
    "floor",
    "ceil",
    "trunc",
    "sign",
    "round",
    "isnan",
    "isinf",
    "isfinite",
]

Tensor.define_methods(
    square=square,
    reciprocal=reciprocal,
    rsqrt=rsqrt,
    sin=sin,
    cos=cos,
    tan=tan,
    sinh=sinh,
    cosh=cosh,
    asin=asin,
    acos=acos,
    atan=atan,
    log2=log2,
    log10=log10,
    exp2=exp2,
    erf=erf,
    log1p=log1p,
    expm1=expm1,
    lerp=lerp,
    nan_to_num=nan_to_num,
    floor=floor,
    ceil=ceil,
    trunc=trunc,
    sign=sign,
    round=round,
    isnan=isnan,
    isinf=isinf,
    isfinite=isfinite,
)
