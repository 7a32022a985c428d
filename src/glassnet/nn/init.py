"""Weight initialisation, `torch.nn.init` by name: every function fills a tensor in place and returns it.

Why the scale matters: a layer y = W x with fan_in inputs of variance v gives outputs
of variance fan_in * Var(W) * v. Unless fan_in * Var(W) (times what the activation
keeps) is about 1, the signal shrinks or grows geometrically with depth, and so do
the gradients on the way back: vanishing or exploding gradients. Xavier/Glorot and
He/Kaiming pick Var(W) to make that factor 1 for their activation.

All functions draw from `glassnet.random.default_generator()` (reset by
`glassnet.manual_seed`) unless a NumPy `generator` is given, write under `no_grad`
and keep the tensor's dtype. Fans follow PyTorch: for a weight of shape
(out, in, *kernel), fan_in = in * prod(kernel) and fan_out = out * prod(kernel).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy

from glassnet import random as glassnet_random
from glassnet.grad_mode import no_grad
from glassnet.tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
NONLINEARITIES = (*_LINEAR, "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """The factor by which to scale the std so an activation keeps the signal's variance.

    linear/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2) (ReLU zeroes half its inputs, halving
    the second moment); leaky_relu with slope a: sqrt(2 / (1 + a^2)) (a = 0.01 by
    default); selu: 3/4 (PyTorch's empirical value).
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r} (choose from {', '.join(NONLINEARITIES)})"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (size(1) * receptive field, size(0) * receptive field)."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(shape {tuple(tensor.shape)})"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _check(tensor: Any, where: str, floating: bool = True) -> bool:
    """Validate the target; False when it has no elements (nothing to do, as PyTorch warns)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a glassnet Tensor, got {type(tensor).__name__}")
    if floating and tensor.dtype.kind != "f":
        raise TypeError(f"{where}: expected a floating point tensor, got dtype {tensor.dtype}")
    if tensor.numel() == 0:
        warnings.warn(f"{where}: initializing a zero-element tensor is a no-op", stacklevel=3)
        return False
    return True


def _fill(tensor: Tensor, values: Any) -> Tensor:
    with no_grad():
        tensor.copy_(numpy.asarray(values))  # copy_ casts to the tensor's dtype
    return tensor


def _generator(generator: numpy.random.Generator | None) -> numpy.random.Generator:
    return glassnet_random.default_generator() if generator is None else generator


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Fill with U(a, b): mean (a + b) / 2, variance (b - a)^2 / 12."""
    if not _check(tensor, "uniform_"):
        return tensor
    if a > b:
        raise ValueError(f"uniform_ expects a <= b, but found a={a} > b={b}")
    return _fill(tensor, _generator(generator).uniform(a, b, tensor.shape))


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """Fill with N(mean, std^2)."""
    if not _check(tensor, "normal_"):
        return tensor
    if std < 0:
        raise ValueError(f"normal_ expects std >= 0.0, but found std {std}")
    return _fill(tensor, _generator(generator).normal(mean, std, tensor.shape))


def _normal_ppf(p: numpy.ndarray) -> numpy.ndarray:
    """Inverse of the standard normal CDF for p in (0, 1/2] (Acklam's rational approximation).

    Relative error below 1.2e-9. Only the lower half is needed: callers mirror upper tails,
    which keeps p far from 1, where 1 - p would lose its digits.
    """
    a = (
        -3.969683028665376e01,
        2.209460984245205e02,
        -2.759285104469687e02,
        1.383577518672690e02,
        -3.066479806614716e01,
        2.506628277459239e00,
    )
    b = (
        -5.447609879822406e01,
        1.615858368580409e02,
        -1.556989798598866e02,
        6.680131188771972e01,
        -1.328068155288572e01,
    )
    c = (
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e00,
        -2.549732539343734e00,
        4.374664141464968e00,
        2.938163982698783e00,
    )
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    p = numpy.asarray(p, dtype=numpy.float64)
    result = numpy.empty_like(p)
    tail = p < 0.02425
    q = numpy.sqrt(-2.0 * numpy.log(p[tail]))
    result[tail] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
        (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0
    )
    q = p[~tail] - 0.5
    r = q * q
    result[~tail] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    )
    return result


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """Fill with N(mean, std^2) conditioned on [a, b] (a and b are absolute values, not in stds).

    Sampled by inverting the CDF: u ~ U(Phi(alpha), Phi(beta)), x = mean + std * Phi^-1(u),
    with alpha = (a - mean) / std, beta = (b - mean) / std. Exact for any interval, even one
    far in a tail where rejection sampling would almost never accept. The variance is
    below std^2: std^2 * (1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2),
    Z = Phi(beta) - Phi(alpha).
    """
    if not _check(tensor, "trunc_normal_"):
        return tensor
    if not std > 0:
        raise ValueError(f"trunc_normal_ expects std > 0, but found std {std}")
    if not a < b:
        raise ValueError(f"trunc_normal_ expects a < b, but found a={a}, b={b}")
    alpha, beta = (a - mean) / std, (b - mean) / std
    mirrored = alpha + beta > 0  # work in the lower tail, where the CDF keeps its precision
    if mirrored:
        alpha, beta = -beta, -alpha
    low, high = _normal_cdf(alpha), _normal_cdf(beta)
    u = _generator(generator).uniform(low, high, tensor.shape)
    upper_half = (
        u > 0.5
    )  # Phi^-1(u) = -Phi^-1(1 - u); only reached when beta > 0 (no precision lost)
    z = _normal_ppf(numpy.where(upper_half, 1.0 - u, u))
    z = numpy.where(upper_half, -z, z)
    if mirrored:
        z = -z
    return _fill(tensor, numpy.clip(mean + std * z, a, b))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value `val`."""
    if not _check(tensor, "constant_", floating=False):
        return tensor
    with no_grad():
        tensor.fill_(val)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0. For weights this makes every unit of a layer compute the same thing and
    receive the same gradient, so they never become different: use it for biases."""
    return constant_(tensor, 0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the diagonal): a Linear layer that passes inputs through."""
    if tensor.dim() != 2:
        raise ValueError(
            f"eye_: only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}"
        )
    if not _check(tensor, "eye_", floating=False):
        return tensor
    return _fill(tensor, numpy.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a conv weight (out, in, *kernel) with the Dirac delta: the conv returns its input.

    Output channel d of each group takes input channel d at the kernel's centre, for
    d < min(out / groups, in); the rest are zero. Identity-initialised convs preserve
    the signal through depth (used for very deep plain nets).
    """
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError(
            f"dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape {tuple(tensor.shape)}"
        )
    if not _check(tensor, "dirac_", floating=False):
        return tensor
    out_channels = tensor.shape[0]
    if groups < 1 or out_channels % groups != 0:
        raise ValueError(f"dirac_: dim 0 ({out_channels}) must be divisible by groups ({groups})")
    per_group = out_channels // groups
    count = min(per_group, tensor.shape[1])
    values = numpy.zeros(tensor.shape)
    rows = (numpy.arange(groups)[:, None] * per_group + numpy.arange(count)[None, :]).ravel()
    columns = numpy.tile(numpy.arange(count), groups)
    centre = tuple(size // 2 for size in tensor.shape[2:])
    values[(rows, columns, *centre)] = 1.0
    return _fill(tensor, values)


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    Targets Var(W) = gain^2 * 2 / (fan_in + fan_out): the compromise between keeping the
    forward variance (fan_in * Var(W) = 1) and the backward one (fan_out * Var(W) = 1).
    The derivation assumes an activation that is linear with slope 1 near zero, so it
    suits tanh and sigmoid-like units working near their linear regime (with gain
    calculate_gain('tanh') = 5/3 for tanh); for ReLU it is too small by a factor 2.
    """
    if not _check(tensor, "xavier_uniform_"):
        return tensor
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: numpy.random.Generator | None = None
) -> Tensor:
    """Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    Same target variance as `xavier_uniform_` (2 / (fan_in + fan_out), forward and backward
    signal kept for tanh/sigmoid-like activations near their linear regime).
    """
    if not _check(tensor, "xavier_normal_"):
        return tensor
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """He/Kaiming uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan).

    Targets Var(W) = gain^2 / fan, which for ReLU (gain^2 = 2) is 2 / fan_in: ReLU zeroes
    half of its inputs, halving the second moment, and the factor 2 gives it back, so the
    forward signal keeps its scale through any depth (mode='fan_in'), or the backward
    gradient does (mode='fan_out'). `a` is the negative slope of a leaky ReLU. PyTorch's
    Linear and Conv layers use a=sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    if not _check(tensor, "kaiming_uniform_"):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: numpy.random.Generator | None = None,
) -> Tensor:
    """He/Kaiming normal: N(0, std^2) with std = gain / sqrt(fan).

    Same target as `kaiming_uniform_`: Var(W) = 2 / fan_in for ReLU, compensating the half
    of the inputs that ReLU sets to zero.
    """
    if not _check(tensor, "kaiming_normal_"):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def orthogonal_(
    tensor: Tensor, gain: float = 1, generator: numpy.random.Generator | None = None
) -> Tensor:
    """A (semi-)orthogonal matrix times gain, flattening trailing dimensions: W W^T = gain^2 I (rows <= cols).

    Q from the QR decomposition of a Gaussian matrix, with the signs of R's diagonal
    folded in so Q is uniformly (Haar) distributed. All singular values equal gain, so
    a deep linear stack neither shrinks nor grows any direction: useful for RNNs.
    """
    if tensor.dim() < 2:
        raise ValueError(
            f"orthogonal_: only tensors with 2 or more dimensions are supported, got shape {tuple(tensor.shape)}"
        )
    if not _check(tensor, "orthogonal_"):
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = _generator(generator).standard_normal((rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = numpy.linalg.qr(flattened)
    q = q * numpy.sign(numpy.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))
