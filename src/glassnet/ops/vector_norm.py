"""norm: the p-norm of a tensor's values, over all dims or some.

||x||_p = (sum |x_i|^p)^(1/p);  d||x||_p/dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1).
p = 2 ('fro') gives x_i / ||x||; p = inf gives the largest |x_i| (its gradient shared
among ties), p = -inf the smallest, p = 0 counts nonzeros (gradient 0). At x = 0 the
2-norm has no derivative; PyTorch and glassnet return 0 there.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import to_float
from glassnet.ops.dims import reduction_axes
from glassnet.ops.reduce import _keepdims
from glassnet.tensor import Tensor


class Norm(Function):
    """y = (sum |x|^p)^(1/p) over `axes`;  dy/dx = sign(x) |x|^(p-1) / y^(p-1)."""

    def forward(self, x: Array, p: float, axes: tuple[int, ...] | None, keepdim: bool) -> Array:
        xp = self.xp
        size = xp.abs(x)
        if math.isinf(p):
            y = (
                size.max(axis=axes, keepdims=keepdim)
                if p > 0
                else size.min(axis=axes, keepdims=keepdim)
            )
        elif p == 0:
            y = (size != 0).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
        elif p == 2:
            y = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        else:
            y = (size**p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
        self.p, self.axes, self.keepdim = p, axes, keepdim
        self.save(x, xp.asarray(y))
        return xp.asarray(y)

    def backward(self, grad: Array) -> Array:
        x, y = self.saved
        xp, p = self.xp, self.p
        y = _keepdims(xp, y, self.axes, self.keepdim)
        grad = _keepdims(xp, grad, self.axes, self.keepdim)
        if p == 0:
            return xp.zeros_like(x)
        if math.isinf(p):
            winners = xp.abs(x) == y
            return xp.sign(x) * winners * (grad / winners.sum(axis=self.axes, keepdims=True))
        safe = xp.where(y == 0, 1, y)
        if p == 2:
            return xp.where(y == 0, 0, grad * x / safe)
        local = xp.sign(x) * xp.abs(x) ** (p - 1) / safe ** (p - 1)
        return xp.where(y == 0, 0, grad * local)


def norm(
    input: Tensor,
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """The p-norm over dim (every dim when None): p a number, inf, -inf, or 'fro' (= 2)."""
    if p == "fro" or p is None:
        p = 2.0
    if isinstance(p, str) or isinstance(p, bool) or not isinstance(p, (int, float)):
        raise ValueError(f"norm: p must be a number, inf, -inf or 'fro', got p={p!r}")
    x = to_float(input) if dtype is None else input.to(dtype)
    return Norm.apply(x, p=float(p), axes=reduction_axes("norm", x.shape, dim), keepdim=keepdim)


__all__ = ["norm"]

Tensor.define_methods(
    norm=lambda self, p="fro", dim=None, keepdim=False, dtype=None: norm(
        self, p, dim, keepdim, dtype=dtype
    )
)
