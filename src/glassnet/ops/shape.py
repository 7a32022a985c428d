"""Shape ops: reshape/view, flatten, squeeze, unsqueeze, permute/transpose, expand,
cat, stack, split, chunk, unbind (in `join.py`, re-exported here), clone.

None of these changes a value; they only move values around. So every backward
moves the gradient back the same way: reshape it back, permute it back, cut it
into the pieces that were joined, join the pieces that were cut. Indexing
(`x[...]`) and `pad` live in `ops/indexing.py`, which this module imports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.dims import is_int, size_args, wrap_dim
from glassnet.ops.indexing import _at, pad  # noqa: F401  (attaches Tensor.__getitem__; pad for nn.functional)
from glassnet.ops.join import cat, chunk, concat, concatenate, split, stack, unbind
from glassnet.tensor import Tensor

__all__ = [
    "reshape",
    "flatten",
    "squeeze",
    "unsqueeze",
    "permute",
    "transpose",
    "t",
    "broadcast_to",
    "cat",
    "concat",
    "concatenate",
    "stack",
    "split",
    "chunk",
    "unbind",
    "clone",
]


# -- reshape and everything that is a reshape -------------------------------------------
class Reshape(Function):
    """y = x with a new shape, same values in the same (row-major) order;  dx = grad reshaped back.

    reshape, view, flatten, squeeze and unsqueeze are all this one op. On NumPy the
    result is a view whenever the memory layout allows, a copy otherwise.
    """

    def forward(self, x: Array, shape: tuple[int, ...]) -> Array:
        self.input_shape = x.shape
        return x.reshape(shape)

    def backward(self, grad: Array) -> Array:
        return grad.reshape(self.input_shape)


def _infer_shape(shape: tuple[int, ...], input_shape: tuple[int, ...], op: str) -> tuple[int, ...]:
    """Replace the one allowed -1 by the size that keeps the element count."""
    numel = math.prod(input_shape)
    for index, size in enumerate(shape):
        if not is_int(size):
            raise TypeError(f"{op}: shape must be ints, got {shape}")
        if size < -1:
            raise ValueError(f"{op}: invalid size {size} at index {index} of shape {shape}")
    unknown = [index for index, size in enumerate(shape) if size == -1]
    if len(unknown) > 1:
        raise ValueError(f"{op}: only one dimension can be -1, got shape {shape}")
    known = math.prod(size for size in shape if size != -1)
    if unknown and known == 0:
        raise ValueError(
            f"{op}: cannot infer the -1 in shape {shape} for input of shape {input_shape} (0 elements)"
        )
    if (unknown and numel % known) or (not unknown and known != numel):
        raise ValueError(
            f"{op}: shape {shape} is invalid for input of shape {input_shape} ({numel} elements)"
        )
    return tuple(int(numel // known) if size == -1 else int(size) for size in shape)


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    """The same elements in a new shape; one size may be -1 (inferred)."""
    return Reshape.apply(input, shape=_infer_shape(tuple(shape), input.shape, "reshape"))


def view(self: Tensor, *shape: Any) -> Tensor:
    """`reshape` under PyTorch's other name (NumPy needs no contiguity, so no error for that)."""
    sizes = size_args(shape)
    if len(sizes) == 1 and not is_int(sizes[0]):
        raise TypeError(
            f"view: expected sizes as ints, got {sizes[0]!r} (view(dtype) is not supported)"
        )
    return Reshape.apply(self, shape=_infer_shape(sizes, self.shape, "view"))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim (inclusive) into one; a 0-d tensor becomes shape (1,)."""
    shape = input.shape
    start, end = (
        wrap_dim(start_dim, input.ndim, "flatten", "start_dim"),
        wrap_dim(end_dim, input.ndim, "flatten", "end_dim"),
    )
    if start > end:
        raise ValueError(
            f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (input shape {shape})"
        )
    merged = shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]
    return Reshape.apply(input, shape=merged)


def squeeze(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Drop dims of size 1: all of them, or those among `dim` (an int or a tuple); other sizes stay."""
    shape = input.shape
    if dim is None:
        chosen = set(range(input.ndim))
    else:
        dims = [dim] if is_int(dim) else list(dim)
        chosen = {wrap_dim(item, input.ndim, "squeeze") for item in dims}
        if len(chosen) != len(dims):
            raise ValueError(f"squeeze: dim {tuple(dims)} names a dim more than once")
    kept = tuple(size for axis, size in enumerate(shape) if not (axis in chosen and size == 1))
    return Reshape.apply(input, shape=kept)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at position `dim` (-1 appends it)."""
    axis = wrap_dim(dim, input.ndim + 1, "unsqueeze")
    return Reshape.apply(input, shape=input.shape[:axis] + (1,) + input.shape[axis:])


# -- permutations -------------------------------------------------------------------
class Permute(Function):
    """y = x with its dims reordered: y.shape[i] = x.shape[dims[i]];  dx = grad permuted by the inverse order."""

    def forward(self, x: Array, dims: tuple[int, ...]) -> Array:
        self.inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))
        return x.transpose(dims)

    def backward(self, grad: Array) -> Array:
        return grad.transpose(self.inverse)


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Reorder the dims: output dim i is input dim dims[i]."""
    dims = tuple(dims)
    if len(dims) != input.ndim:
        raise ValueError(
            f"permute: dims {dims} has {len(dims)} entries but the tensor has {input.ndim} dims"
        )
    axes = tuple(wrap_dim(item, input.ndim, "permute") for item in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"permute: dims {dims} repeats a dim")
    return Permute.apply(input, dims=axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    axes = list(range(input.ndim))
    first, second = (
        wrap_dim(dim0, input.ndim, "transpose", "dim0"),
        wrap_dim(dim1, input.ndim, "transpose", "dim1"),
    )
    if input.ndim:
        axes[first], axes[second] = axes[second], axes[first]
    return Permute.apply(input, dims=tuple(axes))


def t(input: Tensor) -> Tensor:
    """Transpose a matrix; 0-d and 1-d tensors come back as they are."""
    if input.ndim > 2:
        raise ValueError(
            f"t: expects a tensor with at most 2 dims, got shape {input.shape}; use transpose or mT"
        )
    return Permute.apply(input, dims=tuple(reversed(range(input.ndim))))


def _matrix_transpose(self: Tensor) -> Tensor:
    if self.ndim < 2:
        raise ValueError(f"mT: needs a matrix or a batch of matrices, got shape {self.shape}")
    return transpose(self, -2, -1)


# -- expand ---------------------------------------------------------------------------
class Expand(Function):
    """y = x broadcast to a larger shape (a read-only view: no copy);  dx = grad summed over the broadcast dims.

    The sum is the central `autograd.unbroadcast`, so backward just hands grad on:
    each element of x was used once per copy, so its gradient is the sum over copies.
    """

    def forward(self, x: Array, shape: tuple[int, ...]) -> Array:
        return self.xp.broadcast_to(x, shape)

    def backward(self, grad: Array) -> Array:
        return grad


def _expanded_shape(shape: tuple[int, ...], sizes: tuple[int, ...], op: str) -> tuple[int, ...]:
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise ValueError(
            f"{op}: got {len(sizes)} sizes {sizes} for a tensor with {len(shape)} dims (shape {shape})"
        )
    target = []
    for index, size in enumerate(sizes):
        old = shape[index - lead] if index >= lead else None
        if size == -1 and old is not None:
            size = old
        if size < 0:
            raise ValueError(
                f"{op}: size {size} at index {index} of {sizes} is not allowed (shape {shape})"
            )
        if old is not None and old != 1 and size != old:
            raise ValueError(
                f"{op}: size {size} at index {index} of {sizes} does not match the existing size {old} "
                f"(only size-1 dims can expand; tensor shape {shape})"
            )
        target.append(int(size))
    return tuple(target)


def expand(self: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to `sizes` without copying; -1 keeps a dim's size, new dims go in front."""
    return Expand.apply(self, shape=_expanded_shape(self.shape, size_args(sizes), "expand"))


def broadcast_to(input: Tensor, shape: Sequence[int]) -> Tensor:
    return Expand.apply(input, shape=_expanded_shape(input.shape, tuple(shape), "broadcast_to"))


class Clone(Function):
    """y = a copy of x;  dx = grad. A differentiable copy, unlike `detach()` (shared memory, no gradient)."""

    def forward(self, x: Array) -> Array:
        return x.copy()

    def backward(self, grad: Array) -> Array:
        return grad


def clone(input: Tensor) -> Tensor:
    return Clone.apply(input)


Tensor.define_methods(
    reshape=lambda self, *shape: reshape(self, size_args(shape)),
    view=view,
    reshape_as=lambda self, other: reshape(self, other.shape),
    view_as=lambda self, other: reshape(self, other.shape),
    flatten=flatten,
    squeeze=squeeze,
    unsqueeze=unsqueeze,
    permute=lambda self, *dims: permute(self, size_args(dims)),
    transpose=transpose,
    t=t,
    T=property(lambda self: Permute.apply(self, dims=tuple(reversed(range(self.ndim))))),
    mT=property(_matrix_transpose),
    expand=expand,
    expand_as=lambda self, other: expand(self, other.shape),
    split=split,
    chunk=chunk,
    unbind=unbind,
    clone=clone,
    contiguous=lambda self: self,  # NumPy ops accept any layout, so there is nothing to do
)
