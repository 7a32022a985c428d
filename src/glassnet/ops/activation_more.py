"""More activations: relu6, selu, celu, mish, hardswish, hardsigmoid, glu, logsigmoid, softmin.

Like `activation.py`, every form is the stable one: exponentials only see min(x, 0) or
-|x|, so nothing overflows at |x| = 1e4. The "hard" functions are piecewise linear
stand-ins for sigmoid and swish (MobileNetV3) and have gradient 0 at and beyond their
kinks, as in PyTorch. `inplace=True` is accepted and computes out of place.
"""

from __future__ import annotations

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.activation import Hardtanh
from glassnet.ops.cast import to, to_float
from glassnet.ops.dims import wrap_dim
from glassnet.ops.softmax import Softmax, _softmax_dim
from glassnet.tensor import Tensor

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class CELU(Function):
    """y = scale (x where x > 0, else alpha (exp(x / width) - 1));
    dy/dx = scale (1, else (alpha / width) exp(x / width)).

    CELU is width = alpha, scale = 1 (continuous derivative at 0); SELU is width = 1,
    alpha 1.6733, scale 1.0507, the pair that keeps a layer's mean 0 and variance 1 under
    LeCun-normal weights (self-normalising networks).
    """

    def forward(self, x: Array, alpha: float, width: float, scale: float) -> Array:
        xp = self.xp
        positive = x > 0
        exp = xp.exp(xp.minimum(x, 0) / width)
        self.save(positive, exp)
        self.alpha, self.width, self.scale = alpha, width, scale
        return scale * xp.where(positive, x, alpha * (exp - 1.0))

    def backward(self, grad: Array) -> Array:
        positive, exp = self.saved
        slope = self.xp.where(positive, 1.0, (self.alpha / self.width) * exp)
        return grad * (self.scale * slope)


class Mish(Function):
    """y = x tanh(softplus(x));  dy/dx = t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x))."""

    def forward(self, x: Array) -> Array:
        xp = self.xp
        softplus = xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        t = xp.tanh(softplus)
        self.save(x, t)
        return x * t

    def backward(self, grad: Array) -> Array:
        x, t = self.saved
        sigmoid = 0.5 * (1.0 + self.xp.tanh(0.5 * x))
        return grad * (t + x * sigmoid * (1.0 - t * t))


class Hardswish(Function):
    """y = x relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3, x (x + 3) / 6 between;
    dy/dx = 0, 1, or (2x + 3) / 6."""

    def forward(self, x: Array) -> Array:
        xp = self.xp
        self.save(x)
        return x * xp.clip(x + 3.0, 0.0, 6.0) / 6.0

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        xp = self.xp
        slope = xp.where(x < -3.0, 0.0, xp.where(x > 3.0, 1.0, (2.0 * x + 3.0) / 6.0))
        return grad * slope


class Hardsigmoid(Function):
    """y = relu6(x + 3) / 6 (0 below -3, 1 above 3, linear between);  dy/dx = 1/6 strictly inside (-3, 3), else 0."""

    def forward(self, x: Array) -> Array:
        inside = (x > -3.0) & (x < 3.0)
        self.save(inside)
        return self.xp.clip(x + 3.0, 0.0, 6.0) / 6.0

    def backward(self, grad: Array) -> Array:
        (inside,) = self.saved
        return grad * inside / 6.0


class GLU(Function):
    """y = a sigmoid(b), with a and b the two halves of x along `dim`;
    dy/da = sigmoid(b),  dy/db = a sigmoid(b) (1 - sigmoid(b))."""

    def forward(self, x: Array, axis: int) -> Array:
        xp = self.xp
        a, b = xp.split(x, 2, axis=axis)
        gate = 0.5 * (1.0 + xp.tanh(0.5 * b))
        self.axis = axis
        self.save(a, gate)
        return a * gate

    def backward(self, grad: Array) -> Array:
        a, gate = self.saved
        return self.xp.concatenate([grad * gate, grad * a * gate * (1.0 - gate)], axis=self.axis)


class LogSigmoid(Function):
    """y = log sigmoid(x) = -softplus(-x) = min(x, 0) - log(1 + exp(-|x|));  dy/dx = sigmoid(-x)."""

    def forward(self, x: Array) -> Array:
        xp = self.xp
        self.save(x)
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad * (0.5 * (1.0 - self.xp.tanh(0.5 * x)))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    return Hardtanh.apply(to_float(input), min_val=0.0, max_val=6.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * (x if x > 0 else alpha (exp(x) - 1)), alpha = 1.6733, scale = 1.0507."""
    return CELU.apply(to_float(input), alpha=SELU_ALPHA, width=1.0, scale=SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha (exp(x / alpha) - 1)."""
    if alpha == 0:
        raise ValueError("celu: alpha must be non-zero (x is divided by alpha)")
    return CELU.apply(to_float(input), alpha=alpha, width=alpha, scale=1.0)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return Mish.apply(to_float(input))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return Hardswish.apply(to_float(input))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return Hardsigmoid.apply(to_float(input))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the first and second halves of input along dim."""
    if input.ndim == 0:
        raise ValueError("glu: a 0-d tensor cannot be halved")
    axis = wrap_dim(dim, input.ndim, "glu")
    if input.shape[axis] % 2:
        raise ValueError(
            f"glu: dim {axis} of input shape {input.shape} has odd size {input.shape[axis]}; "
            "it must split into two halves"
        )
    return GLU.apply(to_float(input), axis=axis)


def logsigmoid(input: Tensor) -> Tensor:
    return LogSigmoid.apply(to_float(input))


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along dim: the smallest value gets the largest weight."""
    axis = _softmax_dim("softmin", input, dim, _stacklevel + 1)
    x = to_float(input) if dtype is None else to(input, dtype)
    return Softmax.apply(-x, dim=axis if x.ndim else None)


__all__ = [
    "relu6",
    "selu",
    "celu",
    "mish",
    "hardswish",
    "hardsigmoid",
    "glu",
    "logsigmoid",
    "softmin",
]
