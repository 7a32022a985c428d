"""Normalisation layers' math: batch_norm, layer_norm, group_norm.

All three do the same two things over a different set of axes: standardise
(subtract the mean, divide by the standard deviation) and then scale and shift
by learned per-feature parameters gamma (weight) and beta (bias):

    batch_norm:  statistics per channel, over the batch and spatial axes (0, 2, 3, ...)
    layer_norm:  statistics per sample, over the last len(normalized_shape) axes
    group_norm:  statistics per sample and group of channels, over (C / G, spatial)

Each backward is the fused one-pass formula. With xhat = (x - mean) * invstd and
dxhat = dL/dxhat (= dy * gamma), the mean and the variance both depend on every x
in the group, which gives three terms:

    dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))

The first is the direct path, the second the path through the mean, the third the
path through the variance. The backwards save the input (alive in the graph anyway)
with the per-group mean and invstd, and recompute xhat, instead of keeping a second
input-sized array. batch_norm, with its fast paths, is in `batch_norm.py` (re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.batch_norm import batch_norm, check_float, optional_param
from glassnet.tensor import Tensor


def _scale_shift(
    xhat: Array, gamma: Array | None, bias: Array | None, param_shape: tuple[int, ...]
) -> Array:
    """y = gamma * xhat + beta, in place on xhat (a fresh array), either parameter optional."""
    if gamma is not None:
        xhat *= gamma
    if bias is not None:
        xhat += bias.reshape(param_shape)
    return xhat


def _moments(
    x: Array, axes: tuple[int, ...], eps: float, xp: ModuleType
) -> tuple[Array, Array, Array, Array]:
    """Mean, biased variance, 1/sqrt(variance + eps) and xhat over `axes` (kept as size-1 axes)."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    invstd = 1.0 / xp.sqrt(var + eps)
    centered *= invstd  # centered is our own temporary: reuse it as xhat
    return mean, var, invstd, centered


def _normalized_grad(dxhat: Array, xhat: Array, invstd: Array, axes: tuple[int, ...]) -> Array:
    """dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), means over `axes`."""
    grad_x = dxhat - dxhat.mean(axis=axes, keepdims=True)
    grad_x -= xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)
    grad_x *= invstd
    return grad_x


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * gamma + beta, statistics over the last k axes.

    Each sample is normalised on its own, so train and eval mode are the same and the
    batch size does not matter (why transformers use it). With xhat the normalised input:

        dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * gamma
        dgamma = sum over leading axes of dy * xhat,   dbeta = sum over leading axes of dy
    """

    def forward(
        self, x: Array, weight: Array | None, bias: Array | None, k: int = 1, eps: float = 1e-5
    ) -> Array:
        self.axes = tuple(range(x.ndim - k, x.ndim))
        mean, _, invstd, xhat = _moments(x, self.axes, eps, self.xp)
        self.save(x, mean, invstd, weight)
        y = xhat
        if weight is not None:
            y *= weight
        if bias is not None:
            y += bias
        return y

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        x, mean, invstd, weight = self.saved
        leading = tuple(range(x.ndim - len(self.axes)))
        xhat = (x - mean) * invstd
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            dxhat = grad * weight if weight is not None else grad
            grad_x = _normalized_grad(dxhat, xhat, invstd, self.axes)
        if self.needs_input_grad[1]:
            grad_weight = (grad * xhat).sum(axis=leading)
        if self.needs_input_grad[2]:
            grad_bias = grad.sum(axis=leading)
        return grad_x, grad_weight, grad_bias


class GroupNorm(Function):
    """Channels split into G groups; each (sample, group) is normalised on its own:

        y = (x - mean_ng) / sqrt(var_ng + eps) * gamma_c + beta_c

    Computed on the view (N, G, C/G * spatial), where it is layer_norm over the last
    axis; gamma and beta stay per channel. G = 1 is layer_norm over (C, *) with
    per-channel parameters; G = C is instance norm. Backward as layer_norm's:

        dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) in the group view
    """

    def forward(
        self,
        x: Array,
        weight: Array | None,
        bias: Array | None,
        num_groups: int = 1,
        eps: float = 1e-5,
    ) -> Array:
        batch, channels = x.shape[:2]
        self.param_shape = (1, channels) + (1,) * (x.ndim - 2)
        self.group_shape = (batch, num_groups, -1)
        mean, _, invstd, xhat = _moments(x.reshape(self.group_shape), (2,), eps, self.xp)
        gamma = weight.reshape(self.param_shape) if weight is not None else None
        self.save(x, mean, invstd, gamma)
        return _scale_shift(xhat.reshape(x.shape), gamma, bias, self.param_shape)

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        x, mean, invstd, gamma = self.saved
        channels = self.param_shape[1]
        outer = (0,) + tuple(range(2, x.ndim))
        xhat = ((x.reshape(self.group_shape) - mean) * invstd).reshape(x.shape)
        grad_x = grad_weight = grad_bias = None
        if self.needs_input_grad[0]:
            dxhat = (grad * gamma if gamma is not None else grad).reshape(self.group_shape)
            grad_x = _normalized_grad(dxhat, xhat.reshape(self.group_shape), invstd, (2,)).reshape(
                x.shape
            )
        if self.needs_input_grad[1]:
            grad_weight = (grad * xhat).sum(axis=outer).reshape(channels)
        if self.needs_input_grad[2]:
            grad_bias = grad.sum(axis=outer).reshape(channels)
        return grad_x, grad_weight, grad_bias


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int] | int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise over the trailing axes given by `normalized_shape` (an int means one axis)."""
    check_float(input, "layer_norm")
    shape = (
        (int(normalized_shape),)
        if isinstance(normalized_shape, int)
        else tuple(int(s) for s in normalized_shape)
    )
    k = len(shape)
    if k > input.ndim or tuple(input.shape[input.ndim - k :]) != shape:
        expected = ", ".join(["*"] + [str(s) for s in shape])
        raise ValueError(
            f"layer_norm: Given normalized_shape={list(shape)}, expected input with shape [{expected}], "
            f"but got input of shape {input.shape}"
        )
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and (not isinstance(value, Tensor) or tuple(value.shape) != shape):
            got = value.shape if isinstance(value, Tensor) else type(value).__name__
            raise ValueError(
                f"layer_norm: Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                f"{got} and normalized_shape={list(shape)}"
            )
    return LayerNorm.apply(
        input,
        optional_param(weight, input.dtype, "layer_norm", "weight"),
        optional_param(bias, input.dtype, "layer_norm", "bias"),
        k=k,
        eps=float(eps),
    )


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each of `num_groups` channel groups of an (N, C, *) input per sample."""
    check_float(input, "group_norm")
    if input.ndim < 2:
        raise ValueError(
            f"group_norm: Expected at least 2 dimensions for input tensor but got shape {input.shape}"
        )
    batch, channels = input.shape[:2]
    if num_groups <= 0 or channels % num_groups:
        raise ValueError(
            f"group_norm: Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {input.shape} and num_groups={num_groups}"
        )
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and (not isinstance(value, Tensor) or value.shape != (channels,)):
            got = value.shape if isinstance(value, Tensor) else type(value).__name__
            raise ValueError(
                f"group_norm: Expected {name} to be a vector of size equal to the number of channels in input "
                f"({channels}), but got {name} of shape {got} and input of shape {input.shape}"
            )
    # torch's check: batch * (channels / groups) * spatial values; one value means zero variance everywhere
    if batch * (channels // num_groups) * math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"group_norm: Expected more than 1 value per channel when training, got input size "
            f"{[batch * channels // num_groups, num_groups, *input.shape[2:]]}"
        )
    return GroupNorm.apply(
        input,
        optional_param(weight, input.dtype, "group_norm", "weight"),
        optional_param(bias, input.dtype, "group_norm", "bias"),
        num_groups=int(num_groups),
        eps=float(eps),
    )


__all__ = ["batch_norm", "layer_norm", "group_norm"]
