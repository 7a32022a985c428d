"""Joining and cutting: cat, stack, split, chunk, unbind.

The backward undoes the forward: the gradient of a join is cut into the pieces that
were joined; the gradients of the pieces of a cut are joined back.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import accumulate

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote
from glassnet.ops.dims import is_int, tensor_list, wrap_dim
from glassnet.ops.indexing import _at
from glassnet.tensor import Tensor


class Cat(Function):
    """y = the inputs laid end to end along `dim`;  dx_k = the slice of grad that x_k filled."""

    def forward(self, *arrays: Array, dim: int) -> Array:
        self.dim = dim
        self.bounds = list(accumulate((array.shape[dim] for array in arrays), initial=0))
        return self.xp.concatenate(arrays, axis=dim)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        pieces = zip(self.bounds[:-1], self.bounds[1:], self.needs_input_grad)
        return tuple(
            grad[_at(self.dim, slice(lo, hi))] if needed else None for lo, hi, needed in pieces
        )


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; dtypes promote as in PyTorch.

    As in PyTorch, 1-d empty tensors (shape (0,)) are skipped, whatever the shapes of the others.
    """
    items = tensor_list(tensors, "cat")
    promoted = promote(*items)
    kept = [(position, item) for position, item in enumerate(promoted) if item.shape != (0,)]
    if not kept:
        return Cat.apply(*promoted, dim=0)
    first_position, first = kept[0]
    for position, item in kept:
        if item.ndim == 0:
            raise ValueError(
                f"cat: tensor {position} is zero-dimensional and cannot be concatenated"
            )
    axis = wrap_dim(dim, first.ndim, "cat")
    for position, item in kept[1:]:
        others, first_others = (
            item.shape[:axis] + item.shape[axis + 1 :],
            first.shape[:axis] + first.shape[axis + 1 :],
        )
        if item.ndim != first.ndim or others != first_others:
            raise ValueError(
                f"cat: tensor {position} has shape {item.shape} but tensor {first_position} has shape {first.shape}; "
                f"shapes must match except in dim {axis}"
            )
    return Cat.apply(*(item for _, item in kept), dim=axis)


def concat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return cat(tensors, dim)


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    return cat(tensors, axis)


class Stack(Function):
    """y = the inputs stacked along a new dim;  dx_k = grad taken at index k of that dim."""

    def forward(self, *arrays: Array, dim: int) -> Array:
        self.dim = dim
        return self.xp.stack(arrays, axis=dim)

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        return tuple(
            grad[_at(self.dim, k)] if needed else None
            for k, needed in enumerate(self.needs_input_grad)
        )


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equal-shape tensors along a new dim; dtypes promote as in PyTorch."""
    items = promote(*tensor_list(tensors, "stack"))
    for position, item in enumerate(items):
        if item.shape != items[0].shape:
            raise ValueError(
                f"stack: tensor {position} has shape {item.shape} but tensor 0 has shape {items[0].shape}; "
                "stack needs equal shapes"
            )
    return Stack.apply(*items, dim=wrap_dim(dim, items[0].ndim + 1, "stack"))


class Split(Function):
    """y_k = the k-th consecutive slice of x along `dim` (views);  dx = the grads joined back in order.

    A piece that got no gradient contributes zeros (filled in by `Function.call_backward`).
    """

    def forward(self, x: Array, sections: tuple[int, ...], dim: int) -> tuple[Array, ...]:
        self.dim = dim
        bounds = list(accumulate(sections, initial=0))
        return tuple(x[_at(dim, slice(lo, hi))] for lo, hi in zip(bounds[:-1], bounds[1:]))

    def backward(self, *grads: Array) -> Array:
        return self.xp.concatenate(grads, axis=self.dim)


def split(
    tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    """Cut into pieces of `split_size` (the last may be smaller) or of the listed sizes."""
    if tensor.ndim == 0:
        raise ValueError("split: a 0-d tensor cannot be split")
    axis = wrap_dim(dim, tensor.ndim, "split")
    size = tensor.shape[axis]
    if is_int(split_size_or_sections):
        step = operator.index(split_size_or_sections)
        if step < 0 or (step == 0 and size > 0):
            raise ValueError(
                f"split: split_size must be positive, got {step} for dim {axis} of size {size}"
            )
        sections = (
            ((step,) * (size // step) + ((size % step,) if size % step else ())) if size else (0,)
        )
    else:
        sections = tuple(int(item) for item in split_size_or_sections)
        if any(item < 0 for item in sections) or sum(sections) != size:
            raise ValueError(
                f"split: sections {list(sections)} must be non-negative and sum to {size}, "
                f"the size of dim {axis} (shape {tensor.shape})"
            )
    return Split.apply(tensor, sections=sections, dim=axis)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut into `chunks` pieces of ceil(size / chunks); as in PyTorch, fewer pieces may come back."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    if input.ndim == 0:
        raise ValueError("chunk: a 0-d tensor cannot be chunked")
    axis = wrap_dim(dim, input.ndim, "chunk")
    size = input.shape[axis]
    if size == 0:
        return Split.apply(input, sections=(0,) * chunks, dim=axis)
    return split(input, -(-size // chunks), axis)


class Unbind(Function):
    """y_k = x[..., k, ...] along `dim` (views, the dim removed);  dx = the grads stacked back."""

    def forward(self, x: Array, dim: int) -> tuple[Array, ...]:
        self.dim = dim
        return tuple(x[_at(dim, k)] for k in range(x.shape[dim]))

    def backward(self, *grads: Array) -> Array:
        return self.xp.stack(grads, axis=self.dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along `dim`, each without that dim."""
    if input.ndim == 0:
        raise ValueError("unbind: a 0-d tensor has no dim to unbind")
    return Unbind.apply(input, dim=wrap_dim(dim, input.ndim, "unbind"))


__all__ = ["cat", "concat", "concatenate", "stack", "split", "chunk", "unbind"]
