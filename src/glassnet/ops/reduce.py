"""Reductions: sum, mean, var, std, prod, logsumexp, max, min, argmax, argmin.

A reduction's backward hands each output's gradient back to the elements it
summarised: broadcast along the reduced dims (sum, mean), weighted by the local
derivative (var, std, prod, logsumexp), or routed to the element that won (max, min).
`dim` follows PyTorch: an int, a negative int, a tuple of ints, or None for all dims.
max, min, argmax and argmin are in `extremum.py` and re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from glassnet import dtypes
from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import to_float
from glassnet.ops.dims import reduction_axes
from glassnet.ops.extremum import argmax, argmin, max, min
from glassnet.tensor import Tensor

Dim = int | Sequence[int] | None


# -- dims ----------------------------------------------------------------------------
def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """How many input elements each output element summarises."""
    return math.prod(shape) if axes is None else math.prod(shape[axis] for axis in axes)


def _keepdims(xp: Any, grad: Array, axes: tuple[int, ...] | None, keepdim: bool) -> Array:
    """The output gradient with the reduced dims put back as size 1 (a view)."""
    if keepdim or axes is None:
        return grad  # a 0-d gradient broadcasts as it is
    return xp.expand_dims(grad, axes)


def _broadcast_back(
    xp: Any, grad: Array, axes: tuple[int, ...] | None, keepdim: bool, shape: tuple
) -> Array:
    """Copy the output gradient to every element it summarised: a broadcast view, no copy."""
    return xp.broadcast_to(_keepdims(xp, grad, axes, keepdim), shape)


# -- sum, mean, prod -------------------------------------------------------------------
class Sum(Function):
    """y = sum of x over the reduced dims;  dy/dx_i = 1 for every element summed.

    So the backward just broadcasts the output gradient back to x's shape (a view).
    """

    def forward(self, x: Array, axes: tuple[int, ...] | None, keepdim: bool, dtype: Any) -> Array:
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        if x.dtype != dtype:
            x = x.astype(dtype)  # PyTorch casts before summing
        return self.xp.asarray(x.sum(axis=axes, keepdims=keepdim))

    def backward(self, grad: Array) -> Array:
        return _broadcast_back(self.xp, grad, self.axes, self.keepdim, self.shape)


class Mean(Function):
    """y = (1/N) * sum of x over the reduced dims;  dy/dx_i = 1/N.

    N counts the elements each output averages (the product of the reduced sizes).
    """

    def forward(self, x: Array, axes: tuple[int, ...] | None, keepdim: bool, dtype: Any) -> Array:
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        self.count = _count(x.shape, axes)
        return self.xp.asarray(x.mean(axis=axes, keepdims=keepdim, dtype=dtype))

    def backward(self, grad: Array) -> Array:
        scale = 1.0 / self.count if self.count else 0.0  # a Python float keeps float32 float32
        return _broadcast_back(self.xp, grad * scale, self.axes, self.keepdim, self.shape)


class Prod(Function):
    """y = product of x along one dim (or all);  dy/dx_i = product of every x_j with j != i.

    The backward multiplies the products of the elements before i and after i
    (exclusive cumulative products from both ends) instead of computing y / x_i,
    so it stays exact when some x_i is zero.
    """

    def forward(self, x: Array, axis: int | None, keepdim: bool, dtype: Any) -> Array:
        self.axis, self.keepdim = axis, keepdim
        self.save(x)
        return self.xp.asarray(x.prod(axis=axis, keepdims=keepdim, dtype=dtype))

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        xp, axis = self.xp, self.axis
        line = x.reshape(-1) if axis is None else x
        along = 0 if axis is None else axis
        before = _exclusive_cumprod(xp, line, along)
        after = xp.flip(_exclusive_cumprod(xp, xp.flip(line, along), along), along)
        others = (before * after).reshape(x.shape)
        axes = None if axis is None else (axis,)
        return _keepdims(xp, grad, axes, self.keepdim) * others


def _exclusive_cumprod(xp: Any, x: Array, axis: int) -> Array:
    """out[i] = x[0] * ... * x[i-1] along `axis` (1 for i = 0)."""
    out = xp.ones_like(x)
    head = [slice(None)] * x.ndim
    tail = [slice(None)] * x.ndim
    head[axis], tail[axis] = slice(None, -1), slice(1, None)
    out[tuple(tail)] = xp.cumprod(x[tuple(head)], axis=axis)
    return out


def _sum_dtype(op: str, input: Tensor, dtype: Any) -> Any:
    """PyTorch's accumulation dtype: bool and integer tensors sum to int64."""
    if dtype is not None:
        return dtypes.as_dtype(dtype, op)
    return input.dtype if input.dtype.kind == "f" else dtypes.int64


def sum(input: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over `dim` (every dim when None). Bool and integer tensors give int64."""
    axes = reduction_axes("sum", input.shape, dim)
    return Sum.apply(input, axes=axes, keepdim=keepdim, dtype=_sum_dtype("sum", input, dtype))


def mean(input: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Average over `dim` (every dim when None). Needs a floating input or a floating `dtype`."""
    wanted = dtypes.as_dtype(dtype, "mean") if dtype is not None else input.dtype
    if wanted.kind != "f":
        raise TypeError(
            f"mean: needs a floating point dtype, got {wanted}; "
            "pass dtype=glassnet.float32 or convert the tensor with .float()"
        )
    return Mean.apply(
        input, axes=reduction_axes("mean", input.shape, dim), keepdim=keepdim, dtype=wanted
    )


def prod(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """Product over one dim (every element when None). Bool and integer tensors give int64."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(
            f"prod: dim must be a single int, got {dim!r} (PyTorch's prod reduces one dim)"
        )
    axes = reduction_axes("prod", input.shape, dim)
    axis = None if axes is None else axes[0]
    return Prod.apply(input, axis=axis, keepdim=keepdim, dtype=_sum_dtype("prod", input, dtype))


# -- var, std ------------------------------------------------------------------------
class Var(Function):
    """v = sum (x_i - mean)^2 / (N - c);  dv/dx_i = 2 (x_i - mean) / (N - c).

    c is the `correction`: 1 (Bessel's, the default) gives the unbiased sample
    variance, 0 the population variance. The mean depends on x_i too, but that term
    drops out of the derivative because the centred values sum to zero.
    """

    def forward(
        self, x: Array, axes: tuple[int, ...] | None, keepdim: bool, correction: float
    ) -> Array:
        self.axes, self.keepdim = axes, keepdim
        centred = x - x.mean(axis=axes, keepdims=True)
        dof = _count(x.shape, axes) - correction
        self.dof = dof if dof > 0 else 0  # max(0, N - c): 0 gives inf/nan, as in PyTorch
        squares = (centred * centred).sum(axis=axes, keepdims=keepdim)
        self.save(centred)
        return self.xp.asarray(squares / self.dof)

    def backward(self, grad: Array) -> Array:
        (centred,) = self.saved
        scale = 2.0 / self.dof if self.dof else math.inf
        return _keepdims(self.xp, grad, self.axes, self.keepdim) * centred * scale


class Std(Var):
    """s = sqrt(var(x));  ds/dx_i = (x_i - mean) / ((N - c) * s).

    The chain rule through the square root: ds/dv = 1 / (2 s) times dv/dx_i (see Var).
    """

    def forward(
        self, x: Array, axes: tuple[int, ...] | None, keepdim: bool, correction: float
    ) -> Array:
        std = self.xp.sqrt(super().forward(x, axes, keepdim, correction))
        self.save(self.saved[0], std)
        return std

    def backward(self, grad: Array) -> Array:
        centred, std = self.saved
        keep = self.keepdim
        scaled = _keepdims(self.xp, grad, self.axes, keep) / (
            _keepdims(self.xp, std, self.axes, keep) * self.dof
        )
        return scaled * centred


def _correction(
    op: str, dim: Any, unbiased: bool | None, correction: float | None
) -> tuple[Any, float]:
    """Resolve PyTorch's two spellings: `unbiased` (bool, old) and `correction` (number, new)."""
    if isinstance(dim, bool):  # torch.var(x, False): the bool is `unbiased`
        if unbiased is not None:
            raise TypeError(f"{op}: got a bool for dim ({dim}) and unbiased={unbiased}")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{op}: pass either unbiased={unbiased} or correction={correction}, not both"
        )
    if correction is not None:
        if isinstance(correction, bool) or not isinstance(correction, (int, float)):
            raise TypeError(f"{op}: correction must be a number, got {correction!r}")
        return dim, correction
    return dim, 1 if unbiased is None or unbiased else 0


def _check_float(op: str, input: Tensor) -> None:
    if input.dtype.kind != "f":
        raise TypeError(
            f"{op}: needs a floating point tensor, got {input.dtype}; convert it with .float()"
        )


def var(
    input: Tensor,
    dim: Dim = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance over `dim`, dividing by N - correction (default correction=1, or unbiased=False for 0)."""
    _check_float("var", input)
    dim, correction = _correction("var", dim, unbiased, correction)
    return Var.apply(
        input, axes=reduction_axes("var", input.shape, dim), keepdim=keepdim, correction=correction
    )


def std(
    input: Tensor,
    dim: Dim = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Standard deviation over `dim`: sqrt(var(...)) with the same arguments."""
    _check_float("std", input)
    dim, correction = _correction("std", dim, unbiased, correction)
    return Std.apply(
        input, axes=reduction_axes("std", input.shape, dim), keepdim=keepdim, correction=correction
    )


# -- logsumexp -----------------------------------------------------------------------
class LogSumExp(Function):
    """y = log(sum exp(x_i)) over the reduced dims;  dy/dx_i = exp(x_i - y) = softmax(x)_i.

    Computed as m + log(sum exp(x_i - m)) with m the maximum, so exp never overflows.
    """

    def forward(self, x: Array, axes: tuple[int, ...] | None, keepdim: bool) -> Array:
        xp = self.xp
        peak = x.max(axis=axes, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, 0)  # all -inf (or an inf): shift by 0, not by inf
        y = xp.log(xp.exp(x - peak).sum(axis=axes, keepdims=True)) + peak
        self.axes, self.keepdim = axes, keepdim
        self.save(x, y)
        if keepdim:
            return y
        return y.reshape(()) if axes is None else y.squeeze(axes)

    def backward(self, grad: Array) -> Array:
        x, y = self.saved
        return _keepdims(self.xp, grad, self.axes, self.keepdim) * self.xp.exp(x - y)


def logsumexp(input: Tensor, dim: Dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over `dim`, computed stably. Integer tensors become float32."""
    return LogSumExp.apply(
        to_float(input), axes=reduction_axes("logsumexp", input.shape, dim), keepdim=keepdim
    )


Tensor.define_methods(
    sum=sum,
    mean=mean,
    prod=prod,
    var=var,
    std=std,
    logsumexp=logsumexp,
    max=max,
    min=min,
    argmax=argmax,
    argmin=argmin,
)
__all__ = ["sum", "mean", "prod", "var", "std", "logsumexp", "max", "min", "argmax", "argmin"]
