"""amax and amin: the largest (smallest) value over one or several dims.

Unlike max(dim) they return no indices and take several dims at once. Where several
elements tie for the extreme, the gradient is shared evenly among them (as PyTorch),
so the sum of the input gradients still equals the output gradient.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.dims import reduction_axes
from glassnet.ops.reduce import _keepdims
from glassnet.tensor import Tensor


class Amax(Function):
    """y = max (or min) of x over `axes`;  dy/dx_i = 1 / (number of ties) where x_i == y, else 0."""

    def forward(
        self, x: Array, axes: tuple[int, ...] | None, keepdim: bool, largest: bool
    ) -> Array:
        reduce = x.max if largest else x.min
        y = self.xp.asarray(reduce(axis=axes, keepdims=keepdim))
        self.axes, self.keepdim = axes, keepdim
        self.save(x, y)
        return y

    def backward(self, grad: Array) -> Array:
        x, y = self.saved
        xp = self.xp
        winners = x == _keepdims(xp, y, self.axes, self.keepdim)
        ties = winners.sum(axis=self.axes, keepdims=True)
        return winners * (_keepdims(xp, grad, self.axes, self.keepdim) / ties)


def _extreme(op: str, input: Tensor, dim: Any, keepdim: bool, largest: bool) -> Tensor:
    axes = reduction_axes(op, input.shape, dim if dim not in ((), []) else None)
    if input.numel() == 0:
        raise ValueError(f"{op}: cannot reduce an empty tensor (shape {input.shape})")
    return Amax.apply(input, axes=axes, keepdim=keepdim, largest=largest)


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The largest value over dim (an int or tuple; () or None means every dim)."""
    return _extreme("amax", input, dim, keepdim, largest=True)


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The smallest value over dim (an int or tuple; () or None means every dim)."""
    return _extreme("amin", input, dim, keepdim, largest=False)


__all__ = ["amax", "amin"]

Tensor.define_methods(amax=amax, amin=amin)
