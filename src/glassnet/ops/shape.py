"""Shape ops: reshape/view, flatten, squeeze, unsqueeze, permute/transpose, expand,
cat, stack, split, chunk, unbind, clone.

None of these changes a value; they only move values around. So every backward
moves the gradient back the same way: reshape it back, permute it back, cut it
into the pieces that were joined, join the pieces that were cut. Indexing
(`x[...]`) and `pad` live in `ops/indexing.py`, which this module imports.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote
from glassnet.ops.indexing import _at, pad  # noqa: F401  (attaches Tensor.__getitem__; pad for nn.functional)
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


# -- argument checks shared by the ops -------------------------------------------------
def _is_int(value: Any) -> bool:
    """Python and NumPy integers; not bools, which PyTorch rejects as sizes and dims."""
    try:
        return not isinstance(value, bool) and operator.index(value) is not None
    except TypeError:
        return False


def _dim(dim: Any, ndim: int, op: str, name: str = "dim") -> int:
    """Wrap a dim (negative counts from the end) into range(ndim); 0-d tensors take 0 and -1."""
    if not _is_int(dim):
        raise TypeError(f"{op}: {name} must be an int, got {type(dim).__name__}")
    dim = operator.index(dim)
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise ValueError(
            f"{op}: {name} {dim} is out of range for a tensor with {ndim} dims (expected {-bound} to {bound - 1})"
        )
    return dim % bound


def _sizes(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]), as PyTorch's Tensor methods do."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(args)


def _tensors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    for position, item in enumerate(tensors):
        if not isinstance(item, Tensor):
            raise TypeError(f"{op}: element {position} must be a Tensor, got {type(item).__name__}")
    return list(tensors)


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
        if not _is_int(size):
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
    sizes = _sizes(shape)
    if len(sizes) == 1 and not _is_int(sizes[0]):
        raise TypeError(
            f"view: expected sizes as ints, got {sizes[0]!r} (view(dtype) is not supported)"
        )
    return Reshape.apply(self, shape=_infer_shape(sizes, self.shape, "view"))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim (inclusive) into one; a 0-d tensor becomes shape (1,)."""
    shape = input.shape
    start, end = (
        _dim(start_dim, input.ndim, "flatten", "start_dim"),
        _dim(end_dim, input.ndim, "flatten", "end_dim"),
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
        dims = [dim] if _is_int(dim) else list(dim)
        chosen = {_dim(item, input.ndim, "squeeze") for item in dims}
        if len(chosen) != len(dims):
            raise ValueError(f"squeeze: dim {tuple(dims)} names a dim more than once")
    kept = tuple(size for axis, size in enumerate(shape) if not (axis in chosen and size == 1))
    return Reshape.apply(input, shape=kept)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at position `dim` (-1 appends it)."""
    axis = _dim(dim, input.ndim + 1, "unsqueeze")
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
    axes = tuple(_dim(item, input.ndim, "permute") for item in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"permute: dims {dims} repeats a dim")
    return Permute.apply(input, dims=axes)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    axes = list(range(input.ndim))
    first, second = (
        _dim(dim0, input.ndim, "transpose", "dim0"),
        _dim(dim1, input.ndim, "transpose", "dim1"),
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
    return Expand.apply(self, shape=_expanded_shape(self.shape, _sizes(sizes), "expand"))


def broadcast_to(input: Tensor, shape: Sequence[int]) -> Tensor:
    return Expand.apply(input, shape=_expanded_shape(input.shape, tuple(shape), "broadcast_to"))


# -- joining and cutting ---------------------------------------------------------------
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
    items = _tensors(tensors, "cat")
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
    axis = _dim(dim, first.ndim, "cat")
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
    items = promote(*_tensors(tensors, "stack"))
    for position, item in enumerate(items):
        if item.shape != items[0].shape:
            raise ValueError(
                f"stack: tensor {position} has shape {item.shape} but tensor 0 has shape {items[0].shape}; "
                "stack needs equal shapes"
            )
    return Stack.apply(*items, dim=_dim(dim, items[0].ndim + 1, "stack"))


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
    axis = _dim(dim, tensor.ndim, "split")
    size = tensor.shape[axis]
    if _is_int(split_size_or_sections):
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
    axis = _dim(dim, input.ndim, "chunk")
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
    return Unbind.apply(input, dim=_dim(dim, input.ndim, "unbind"))


class Clone(Function):
    """y = a copy of x;  dx = grad. A differentiable copy, unlike `detach()` (shared memory, no gradient)."""

    def forward(self, x: Array) -> Array:
        return x.copy()

    def backward(self, grad: Array) -> Array:
        return grad


def clone(input: Tensor) -> Tensor:
    return Clone.apply(input)


Tensor.define_methods(
    reshape=lambda self, *shape: reshape(self, _sizes(shape)),
    view=view,
    reshape_as=lambda self, other: reshape(self, other.shape),
    view_as=lambda self, other: reshape(self, other.shape),
    flatten=flatten,
    squeeze=squeeze,
    unsqueeze=unsqueeze,
    permute=lambda self, *dims: permute(self, _sizes(dims)),
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
