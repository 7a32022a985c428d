"""max, min, argmax, argmin: the reductions whose gradient goes to the element that won.

max(x) and min(x) over all elements split the gradient evenly between tied winners, as
PyTorch does; along a dim they return (values, indices) and the gradient goes to the
index returned. max(x, other) is the elementwise maximum.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from glassnet import dtypes
from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.dims import reduction_axes
from glassnet.ops.elementwise import maximum, minimum
from glassnet.tensor import Tensor


class ValuesIndices(NamedTuple):
    """What max/min along a dim return (like torch.return_types.max): `.values`, `.indices`."""

    values: Tensor
    indices: Tensor


class Extremum(Function):
    """y = max (or min) over every element;  dy/dx_i = 1/k if x_i == y, else 0.

    k counts the tied winners: the gradient is shared evenly among them, as PyTorch
    does for a reduction over all elements.
    """

    def forward(self, x: Array, largest: bool) -> Array:
        y = self.xp.asarray(x.max() if largest else x.min())
        self.save(x, y)
        return y

    def backward(self, grad: Array) -> Array:
        x, y = self.saved
        winners = x == y
        return self.xp.where(winners, grad / int(winners.sum()), 0)


class ExtremumDim(Function):
    """(values, indices) = max (or min) along one dim;  d values/dx_i = 1 at the returned index, else 0.

    The gradient goes only to the element whose index is returned (the first one in a tie).
    """

    def forward(
        self, x: Array, axis: int | None, keepdim: bool, largest: bool
    ) -> tuple[Array, Array]:
        xp = self.xp
        self.shape, self.axis, self.keepdim = x.shape, axis, keepdim
        if axis is None:  # a 0-d tensor: itself, at index 0
            return x.copy(), xp.zeros((), dtype=dtypes.int64)
        pick = x.argmax if largest else x.argmin
        indices = pick(axis=axis, keepdims=True).astype(dtypes.int64, copy=False)
        values = xp.take_along_axis(x, indices, axis=axis)
        self.save(indices)
        if keepdim:
            return values, indices
        return values.squeeze(axis), indices.squeeze(axis)

    def backward(self, grad: Array, grad_indices: Array) -> Array:
        if self.axis is None:
            return grad
        (indices,) = self.saved
        xp, axis = self.xp, self.axis
        grad = grad if self.keepdim else xp.expand_dims(grad, axis)
        positions = xp.arange(self.shape[axis]).reshape(
            [-1 if a == axis else 1 for a in range(len(self.shape))]
        )
        return xp.where(positions == indices, grad, 0)


def _reduce_axis(op: str, input: Tensor, dim: Any) -> int | None:
    """One dim for max/min/argmax/argmin, checked to be non-empty."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be a single int, got {dim!r}")
    axes = reduction_axes(op, input.shape, dim)
    axis = None if axes is None else axes[0]
    if axis is not None and input.shape[axis] == 0:
        raise ValueError(f"{op}: cannot reduce dim {axis} of size 0 (input shape {input.shape})")
    return axis


def _check_nonempty(op: str, input: Tensor) -> None:
    if input.numel() == 0:
        raise ValueError(
            f"{op}: cannot reduce an empty tensor (shape {input.shape}) over all dims; pass dim"
        )


def _extremum(op: str, largest: bool, input: Tensor, dim: Any, keepdim: bool, other: Any) -> Any:
    if isinstance(dim, Tensor) or other is not None:  # the binary form: max(input, other)
        return (maximum if largest else minimum)(input, dim if other is None else other)
    if dim is None:
        _check_nonempty(op, input)
        return Extremum.apply(input, largest=largest)
    axis = _reduce_axis(op, input, dim)
    return ValuesIndices(*ExtremumDim.apply(input, axis=axis, keepdim=keepdim, largest=largest))


def max(
    input: Tensor,
    dim: int | Tensor | None = None,
    keepdim: bool = False,
    *,
    other: Tensor | None = None,
) -> Any:
    """max(input): the largest element. max(input, dim, keepdim=False): (values, indices)
    along dim. max(input, other): the elementwise maximum."""
    return _extremum("max", True, input, dim, keepdim, other)


def min(
    input: Tensor,
    dim: int | Tensor | None = None,
    keepdim: bool = False,
    *,
    other: Tensor | None = None,
) -> Any:
    """min(input), min(input, dim, keepdim=False) -> (values, indices), or min(input, other)."""
    return _extremum("min", False, input, dim, keepdim, other)


def _arg_extremum(op: str, largest: bool, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    """Indices carry no gradient, so no Function: the int64 index array is the result."""
    data = input.data
    if dim is None:
        _check_nonempty(op, input)
        axis = None
    else:
        axis = _reduce_axis(op, input, dim)
    pick = data.argmax if largest else data.argmin
    indices = pick(axis=axis, keepdims=keepdim and data.ndim > 0)
    return Tensor(namespace(data).asarray(indices, dtype=dtypes.int64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element along dim (of the flattened tensor when dim is None)."""
    return _arg_extremum("argmax", True, input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element along dim (of the flattened tensor when dim is None)."""
    return _arg_extremum("argmin", False, input, dim, keepdim)


__all__ = ["ValuesIndices", "argmax", "argmin", "max", "min"]
