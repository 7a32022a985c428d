"""softmax and log_softmax: a distribution along one dim, and its logarithm, computed stably.

Both subtract the maximum first (the same ratio, but the largest term is exp(0) = 1, so
nothing overflows), and log_softmax never takes the log of a rounded probability.
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import to, to_float
from glassnet.tensor import Tensor


class Softmax(Function):
    """y_i = exp(x_i) / sum_j exp(x_j) along `dim`;  dL/dx = y * (g - sum(g * y)).

    exp(x - max x) instead of exp(x): the same ratio, but the largest term is exp(0) = 1,
    so nothing overflows. The backward is the Jacobian-vector product of
    diag(y) - y y^T, computed without forming the Jacobian.
    """

    def forward(self, x: Array, dim: int) -> Array:
        xp = self.xp
        exps = xp.exp(x - x.max(axis=dim, keepdims=True))
        exps /= exps.sum(axis=dim, keepdims=True)
        self.save(exps)
        self.dim = dim
        return exps

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        inner = (grad * y).sum(axis=self.dim, keepdims=True)
        return y * (grad - inner)


class LogSoftmax(Function):
    """y = x - logsumexp(x) along `dim`;  dL/dx = g - softmax(x) * sum(g).

    logsumexp(x) = m + log(sum exp(x - m)), m = max x: stable, and far more accurate
    than log(softmax(x)), which rounds tiny probabilities to log(0) = -inf.
    """

    def forward(self, x: Array, dim: int) -> Array:
        xp = self.xp
        shifted = x - x.max(axis=dim, keepdims=True)
        shifted -= xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        self.save(shifted)
        self.dim = dim
        return shifted

    def backward(self, grad: Array) -> Array:
        (y,) = self.saved
        return grad - self.xp.exp(y) * grad.sum(axis=self.dim, keepdims=True)


def _softmax_dim(op: str, input: Tensor, dim: int | None, stacklevel: int) -> int:
    """Normalise `dim`; dim=None follows PyTorch's deprecated implicit choice (with its warning)."""
    ndim = input.ndim
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {op} has been deprecated. Change the call to include dim=X as an argument.",
            stacklevel=stacklevel,
        )
        dim = 0 if ndim in (0, 1, 3) else 1
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise ValueError(
            f"{op}: dim={dim} is out of range for an input of shape {tuple(input.shape)}"
        )
    return dim % rank


def _softmax_like(
    cls: type[Function],
    op: str,
    input: Tensor,
    dim: int | None,
    stacklevel: int,
    dtype: Any,
) -> Tensor:
    axis = _softmax_dim(op, input, dim, stacklevel + 1)
    x = to_float(input) if dtype is None else to(input, dtype)
    return cls.apply(x, dim=axis if x.ndim else None)  # a 0-d input is a one-element distribution


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`; `dtype` casts the input first."""
    return _softmax_like(Softmax, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """x - logsumexp(x) along `dim`; `dtype` casts the input first."""
    return _softmax_like(LogSoftmax, "log_softmax", input, dim, _stacklevel, dtype)


Tensor.define_methods(
    softmax=lambda self, dim, dtype=None: softmax(self, dim, dtype=dtype),
    log_softmax=lambda self, dim, dtype=None: log_softmax(self, dim, dtype=dtype),
)

__all__ = ["softmax", "log_softmax"]
