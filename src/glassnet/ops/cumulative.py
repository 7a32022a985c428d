"""Running totals: cumsum and cumprod along one dim.

y_i = x_1 + ... + x_i, so dL/dx_k = sum_{i >= k} dL/dy_i: the cumulative sum of the
gradient taken from the far end. For the product the same sum is weighted by y_i / x_k;
where a line holds a zero that ratio is undefined, and the exact form (the product of
every x_j, j <= i, j != k) is used instead.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.dims import wrap_dim
from glassnet.ops.reduce import _sum_dtype
from glassnet.tensor import Tensor


def _reverse_cumsum(xp: Any, values: Array, axis: int) -> Array:
    """out_k = sum_{i >= k} values_i along axis."""
    return xp.flip(xp.cumsum(xp.flip(values, axis), axis=axis), axis)


class CumSum(Function):
    """y_i = sum_{j <= i} x_j;  dL/dx_k = sum_{i >= k} dL/dy_i."""

    def forward(self, x: Array, axis: int, dtype: Any) -> Array:
        self.axis = axis
        return self.xp.cumsum(x, axis=axis, dtype=dtype)

    def backward(self, grad: Array) -> Array:
        return _reverse_cumsum(self.xp, grad, self.axis)


class CumProd(Function):
    """y_i = prod_{j <= i} x_j;  dL/dx_k = sum_{i >= k} dL/dy_i * prod_{j <= i, j != k} x_j,
    which is sum_{i >= k} dL/dy_i y_i / x_k when x_k != 0."""

    def forward(self, x: Array, axis: int, dtype: Any) -> Array:
        y = self.xp.cumprod(x, axis=axis, dtype=dtype)
        self.axis = axis
        self.save(x, y)
        return y

    def backward(self, grad: Array) -> Array:
        x, y = self.saved
        xp, axis = self.xp, self.axis
        if xp.all(x != 0):
            return _reverse_cumsum(xp, grad * y, axis) / x
        # exact: for each k, the running product with x_k replaced by 1 (n products of n terms)
        moved = xp.moveaxis(x, axis, -1)
        size = moved.shape[-1]
        eye = xp.eye(size, dtype=bool)
        without = xp.where(eye, 1, moved[..., None, :])  # [..., k, j] = x_j, or 1 where j == k
        partial = xp.cumprod(without, axis=-1)  # [..., k, i] = prod_{j <= i, j != k} x_j
        upper = xp.triu(xp.ones((size, size), dtype=bool))  # only i >= k
        grad_moved = xp.moveaxis(grad, axis, -1)[..., None, :]
        result = (partial * grad_moved * upper).sum(axis=-1)
        return xp.moveaxis(result, -1, axis)


def _cumulative(cls: type, op: str, input: Tensor, dim: int, dtype: Any) -> Tensor:
    axis = wrap_dim(dim, input.ndim, op)
    wanted = _sum_dtype(op, input, dtype)
    if input.ndim == 0:
        return cls.apply(input.reshape(1), axis=0, dtype=wanted).reshape(())
    return cls.apply(input, axis=axis, dtype=wanted)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum along dim; bool and integer tensors sum in int64 (as PyTorch)."""
    return _cumulative(CumSum, "cumsum", input, dim, dtype)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running product along dim; bool and integer tensors multiply in int64 (as PyTorch)."""
    return _cumulative(CumProd, "cumprod", input, dim, dtype)


__all__ = ["cumsum", "cumprod"]

Tensor.define_methods(cumsum=cumsum, cumprod=cumprod)
