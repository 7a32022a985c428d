"""Activations: sigmoid, tanh, relu, leaky_relu, elu, gelu, silu, softplus, prelu,
hardtanh, and softmax and log_softmax (in `softmax.py`, re-exported here).

Every form here is the numerically stable one: nothing overflows or warns at
|x| = 1e4, and the limits come out exact (sigmoid -> 0 or 1, softmax -> one-hot).
`inplace=True` is accepted for PyTorch compatibility but computes out of place:
the returned tensor holds the right values, the input is left untouched.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote, to_float
from glassnet.ops.softmax import LogSoftmax, Softmax, log_softmax, softmax  # noqa: F401  (re-exported)
from glassnet.tensor import Tensor


def _series_coefficients(terms: int) -> list[float]:
    """1 / (1 * 3 * 5 * ... * (2n + 1)) for n = 0 .. terms."""
    coefficients = [1.0]
    for n in range(1, terms + 1):
        coefficients.append(coefficients[-1] / (2 * n + 1))
    return coefficients


_SERIES = {
    8: _series_coefficients(29),
    4: _series_coefficients(20),
}  # by itemsize: float64, float32
_DEPTH = {8: 40, 4: 16}


def _erfc(xp: Any, z: Array) -> Array:
    """erfc(z) = 1 - erf(z) from NumPy ops alone (NumPy has no erf), ~1e-13 relative error.

    |z| < 2: the Taylor series of erf with all terms positive, so nothing cancels,
        erf(z) = 2/sqrt(pi) exp(-z^2) z sum_n (2z^2)^n / (1*3*5*...*(2n+1)).
    |z| >= 2: Laplace's continued fraction, which keeps full relative accuracy in
    the tail where 1 - erf(z) would round to 0,
        erfc(z) = exp(-z^2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))).
    Negative z: erfc(-z) = 2 - erfc(z). Term counts are fixed (fewer for float32).
    """
    size = xp.abs(z)
    small = xp.minimum(size, 2.0)
    square2 = 2.0 * small * small
    coefficients = _SERIES[z.dtype.itemsize]
    series = xp.full_like(z, coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):  # Horner
        series *= square2
        series += coefficient
    erfc_size = xp.asarray(
        1.0 - (2.0 / math.sqrt(math.pi)) * xp.exp(-small * small) * small * series
    )
    tail = size >= 2.0
    if tail.any():  # the continued fraction only where it is needed: usually a few elements
        large = size[tail]
        fraction = large.copy()
        for k in range(_DEPTH[z.dtype.itemsize], 0, -1):  # evaluated from the tail up
            xp.divide(k / 2.0, fraction, out=fraction)
            fraction += large
        erfc_size[tail] = xp.exp(-large * large) / (math.sqrt(math.pi) * fraction)
    return xp.where(z < 0, 2.0 - erfc_size, erfc_size)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dy/dx = y * (1 - y).

    Saturates for |x| > ~5: the gradient falls below 0.007, which is why deep
    sigmoid stacks suffer from vanishing gradients. Computed as
    (1 + tanh(x / 2)) / 2, which cannot overflow for large |x|.
    """

    def forward(self, x: Array) -> Array:
        y = 0.5 * (1.0 + self.xp.tanh(0.5 * x))
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * y * (1.0 - y)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y^2.

    Zero-centred sigmoid: tanh(x) = 2 sigmoid(2x) - 1, with a gradient of 1 at 0.
    """

    def forward(self, x: Array) -> Array:
        y = self.xp.tanh(x)
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * (1.0 - y * y)


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0 (0 at the kink, as PyTorch).

    A unit whose input stays negative gets no gradient at all: a "dead" ReLU.
    """

    def forward(self, x: Array) -> Array:
        y = self.xp.maximum(x, 0)
        self.save(y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad * (y > 0)


class LeakyReLU(Function):
    """y = x where x > 0, else slope * x;  dy/dx = 1 where x > 0, else slope.

    The small negative slope keeps a gradient flowing into negative units (no dead units).
    """

    def forward(self, x: Array, negative_slope: float) -> Array:
        # dy/dx as an array (1 or slope), so forward and backward are plain multiplies:
        # `where` on random signs costs several times more per element (branch misses).
        derivative = (x > 0).astype(x.dtype)
        derivative *= 1 - negative_slope
        derivative += negative_slope
        self.save(derivative)
        return x * derivative

    def backward(self, grad: Array) -> Array:
        (derivative,) = self.saved
        return grad * derivative


class ELU(Function):
    """y = x where x > 0, else alpha (exp(x) - 1);  dy/dx = 1 where x > 0, else y + alpha.

    Smooth for negative x, saturating at -alpha. The exponential only sees min(x, 0),
    so large positive x cannot overflow; the negative-side derivative
    alpha exp(x) is read off the output as y + alpha.
    """

    def forward(self, x: Array, alpha: float) -> Array:
        xp = self.xp
        positive = x > 0
        y = xp.where(positive, x, alpha * xp.expm1(xp.minimum(x, 0)))
        self.save(positive, y)
        self.alpha = alpha
        return y

    def backward(self, grad: Array) -> Array:
        positive, y = self.saved
        return self.xp.where(positive, grad, grad * (y + self.alpha))


class GELU(Function):
    """y = x Phi(x), Phi the standard normal CDF;  dy/dx = Phi(x) + x phi(x), phi its density.

    Phi(x) = erfc(-x / sqrt 2) / 2, which stays accurate in the far tail.
    approximate='tanh': Phi(x) ~ (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2,
    the cheaper form GPT-2 and BERT were trained with.
    """

    def forward(self, x: Array, approximate: str) -> Array:
        xp = self.xp
        self.approximate = approximate
        if approximate == "tanh":
            inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
            t = xp.tanh(inner)
            self.save(x, t)
            return 0.5 * x * (1.0 + t)
        cdf = 0.5 * _erfc(xp, x * -math.sqrt(0.5))
        self.save(x, cdf)
        return x * cdf

    def backward(self, grad: Array) -> Array:
        x, value = self.saved
        if self.approximate == "tanh":
            t = value
            d_inner = math.sqrt(2.0 / math.pi) * (1.0 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner)
        density = (1.0 / math.sqrt(2.0 * math.pi)) * self.xp.exp(-0.5 * x * x)
        return grad * (value + x * density)


class SiLU(Function):
    """y = x sigmoid(x) (also called swish);  dy/dx = s (1 + x (1 - s)), s = sigmoid(x).

    Unlike ReLU it dips slightly below 0 (min -0.278 at x = -1.278) and is smooth.
    """

    def forward(self, x: Array) -> Array:
        s = 0.5 * (1.0 + self.xp.tanh(0.5 * x))
        self.save(x, s)
        return x * s

    def backward(self, grad: Array) -> Array:
        x, s = self.saved
        return grad * (s * (1.0 + x * (1.0 - s)))


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold;  dy/dx = sigmoid(beta x).

    A smooth ReLU. Computed as (max(bx, 0) + log1p(exp(-|bx|))) / beta, which never
    overflows; past the threshold it is linear with gradient 1, as in PyTorch.
    """

    def forward(self, x: Array, beta: float, threshold: float) -> Array:
        xp = self.xp
        scaled = x * beta
        linear = scaled > threshold
        soft = (xp.maximum(scaled, 0) + xp.log1p(xp.exp(-xp.abs(scaled)))) * (1.0 / beta)
        self.save(scaled, linear)
        return xp.where(linear, x, soft)

    def backward(self, grad: Array) -> Array:
        scaled, linear = self.saved
        slope = 0.5 * (1.0 + self.xp.tanh(0.5 * scaled))
        return self.xp.where(linear, grad, grad * slope)


class PReLU(Function):
    """y = x where x > 0, else a_c x (a learned slope per channel c, dim 1);
    dy/dx = 1 or a_c,  dy/da_c = x where x <= 0, else 0 (summed over all but dim 1).
    """

    def forward(self, x: Array, weight: Array) -> Array:
        xp = self.xp
        self.weight_shape = weight.shape
        slope = (
            weight.reshape(()) if weight.size == 1 else weight.reshape((-1,) + (1,) * (x.ndim - 2))
        )
        positive = x > 0
        self.save(x, positive, slope)
        return xp.where(positive, x, x * slope)

    def backward(self, grad: Array) -> tuple[Array | None, Array | None]:
        x, positive, slope = self.saved
        xp = self.xp
        grad_x = xp.where(positive, grad, grad * slope) if self.needs_input_grad[0] else None
        grad_w = None
        if self.needs_input_grad[1]:
            per_element = xp.where(positive, 0, grad * x)
            axes = tuple(axis for axis in range(x.ndim) if slope.ndim == 0 or axis != 1)
            grad_w = per_element.sum(axis=axes).reshape(self.weight_shape)
        return grad_x, grad_w


class Hardtanh(Function):
    """y = clip(x, min_val, max_val);  dy/dx = 1 strictly inside (min_val, max_val), else 0."""

    def forward(self, x: Array, min_val: float, max_val: float) -> Array:
        inside = (x > min_val) & (x < max_val)
        self.save(inside)
        return self.xp.clip(x, min_val, max_val)

    def backward(self, grad: Array) -> Array:
        (inside,) = self.saved
        return grad * inside


# -- the public functions ---------------------------------------------------------


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(to_float(input))


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(to_float(input))


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0). `inplace` is accepted but the result is always a new tensor."""
    return ReLU.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return LeakyReLU.apply(to_float(input), negative_slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return ELU.apply(to_float(input), alpha=alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"gelu: approximate={approximate!r} is not valid; expected 'none' or 'tanh'"
        )
    return GELU.apply(to_float(input), approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return SiLU.apply(to_float(input))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero (the output is divided by beta)")
    return Softplus.apply(to_float(input), beta=beta, threshold=threshold)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """max(0, x) + weight * min(0, x), with one slope for all channels or one per channel (dim 1)."""
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() not in (1, channels):
        raise ValueError(
            f"prelu: weight has {weight.numel()} parameters but input has {channels} channels "
            f"(input shape {tuple(input.shape)}, weight shape {tuple(weight.shape)}); use 1 or {channels}"
        )
    x, w = promote(to_float(input), to_float(weight))
    return PReLU.apply(x, w)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})"
        )
    return Hardtanh.apply(to_float(input), min_val=min_val, max_val=max_val)


Tensor.define_methods(
    sigmoid=sigmoid,
    tanh=tanh,
    relu=relu,
)

__all__ = [
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "softplus",
    "prelu",
    "hardtanh",
    "softmax",
    "log_softmax",
]
