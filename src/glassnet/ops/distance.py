"""Lengths and angles between vectors: normalize, cosine_similarity, pairwise_distance.

normalize divides by the p-norm (but never by less than eps); cosine_similarity is the
dot product of the two normalised vectors; pairwise_distance is ||x1 - x2 + eps||_p,
the eps keeping the gradient finite when the two vectors coincide.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import broadcast_operands, to_float
from glassnet.ops.dims import wrap_dim
from glassnet.ops.vector_norm import norm
from glassnet.tensor import Tensor


def _p_norm(xp: Any, x: Array, p: float, axis: int) -> Array:
    size = xp.abs(x)
    if p == float("inf"):
        return size.max(axis=axis, keepdims=True)
    if p == 2:
        return xp.sqrt((x * x).sum(axis=axis, keepdims=True))
    return (size**p).sum(axis=axis, keepdims=True) ** (1.0 / p)


class Normalize(Function):
    """y = x / n, n = max(||x||_p, eps) along `axis`;
    dL/dx = g / n - [||x||_p > eps] sum(g x) / n^2 * dn/dx,  dn/dx = sign(x) |x|^(p-1) / n^(p-1)."""

    def forward(self, x: Array, p: float, axis: int, eps: float) -> Array:
        xp = self.xp
        length = _p_norm(xp, x, p, axis)
        n = xp.maximum(length, eps)
        self.p, self.axis = p, axis
        self.save(x, n, length > eps)
        return x / n

    def backward(self, grad: Array) -> Array:
        x, n, active = self.saved
        xp, p = self.xp, self.p
        if p == 2:
            d_n = x / n
        elif p == float("inf"):
            winners = xp.abs(x) == n
            d_n = xp.sign(x) * winners / winners.sum(axis=self.axis, keepdims=True)
        else:
            d_n = xp.sign(x) * (xp.abs(x) / n) ** (p - 1)
        along = (grad * x).sum(axis=self.axis, keepdims=True) / (n * n)
        return grad / n - active * along * d_n


class CosineSimilarity(Function):
    """y = sum(u v), u = x1 / max(||x1||, eps), v = x2 / max(||x2||, eps) along `axis`;
    dy/dx1 = (v - [||x1|| > eps] y u) / max(||x1||, eps), and the same with 1 and 2 swapped."""

    def forward(self, x1: Array, x2: Array, axis: int, eps: float) -> Array:
        xp = self.xp
        x1, x2 = xp.broadcast_arrays(x1, x2)
        l1 = xp.sqrt((x1 * x1).sum(axis=axis, keepdims=True))
        l2 = xp.sqrt((x2 * x2).sum(axis=axis, keepdims=True))
        n1, n2 = xp.maximum(l1, eps), xp.maximum(l2, eps)
        u, v = x1 / n1, x2 / n2
        y = (u * v).sum(axis=axis, keepdims=True)
        self.axis = axis
        self.save(u, v, n1, n2, l1 > eps, l2 > eps, y)
        return y.squeeze(axis)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        u, v, n1, n2, active1, active2, y = self.saved
        g = self.xp.expand_dims(grad, self.axis)
        return g * (v - active1 * y * u) / n1, g * (u - active2 * y * v) / n2


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """input / max(||input||_p, eps) along dim: unit-length vectors (p = 2) along dim."""
    if out is not None:
        raise ValueError("normalize: out= is not supported; use the returned tensor")
    if not p > 0:
        raise ValueError(f"normalize: p must be positive, got p={p!r}")
    axis = wrap_dim(dim, input.ndim, "normalize")
    if input.ndim == 0:
        return Normalize.apply(to_float(input).reshape(1), p=float(p), axis=0, eps=eps).reshape(())
    return Normalize.apply(to_float(input), p=float(p), axis=axis, eps=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos of the angle between x1 and x2 along dim (they broadcast): x1 . x2 / (|x1| |x2|)."""
    a, b = broadcast_operands("cosine_similarity", to_float(x1), to_float(x2), names=("x1", "x2"))
    ndim = max(a.ndim, b.ndim)
    axis = wrap_dim(dim, ndim, "cosine_similarity")
    return CosineSimilarity.apply(a, b, axis=axis, eps=eps)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim (a sum of verified ops: sub, add, norm)."""
    a, b = broadcast_operands("pairwise_distance", to_float(x1), to_float(x2), names=("x1", "x2"))
    ndim = max(a.ndim, b.ndim)
    return norm(a - b + eps, p, dim=-1 if ndim else None, keepdim=keepdim)


__all__ = ["normalize", "cosine_similarity", "pairwise_distance"]
