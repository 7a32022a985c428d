"""Tensor methods PyTorch users reach for that are views, selections or facts, not new math:
new_zeros/new_ones/new_full/new_tensor, where, narrow, select, masked_select,
repeat_interleave, unfold (sliding windows), sum_to_size, index_copy, nonzero/argwhere,
is_floating_point, nelement, ndimension,
element_size, cpu, and the in-place forms masked_fill_, scatter_, scatter_add_,
index_add_, uniform_ and normal_ (for tensors outside the graph, like add_).

The differentiable ones are built on verified ops (indexing, index_select, where), so
their gradients are those ops' gradients.
"""

from __future__ import annotations

import operator
from typing import Any

from glassnet import creation, dtypes
from glassnet.backend import namespace
from glassnet.ops.dims import size_args, wrap_dim
from glassnet.ops.elementwise import where
from glassnet.ops.gather import index_add, index_select, masked_fill, scatter, scatter_add
from glassnet.random import default_generator
from glassnet.tensor import Tensor


def _like(self: Tensor, dtype: Any) -> Any:
    return self.dtype if dtype is None else dtype


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """zeros of `size` with this tensor's dtype (unless dtype is given)."""
    return creation.zeros(*size_args(size), dtype=_like(self, dtype), requires_grad=requires_grad)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return creation.ones(*size_args(size), dtype=_like(self, dtype), requires_grad=requires_grad)


def new_full(
    self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    return creation.full(size, fill_value, dtype=_like(self, dtype), requires_grad=requires_grad)


def new_tensor(self: Tensor, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return creation.tensor(data, dtype=_like(self, dtype), requires_grad=requires_grad)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice start .. start + length - 1 along dim (a differentiable view by indexing)."""
    axis = wrap_dim(dim, input.ndim, "narrow")
    size = input.shape[axis]
    start = (
        operator.index(start) % size
        if -size <= operator.index(start) < 0
        else operator.index(start)
    )
    if not (0 <= start <= size and 0 <= length <= size - start):
        raise ValueError(
            f"narrow: start {start} and length {length} do not fit dim {axis} of size {size} "
            f"(input shape {input.shape})"
        )
    return input[(slice(None),) * axis + (slice(start, start + length),)]


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """input[..., index, ...] along dim, that dim removed."""
    axis = wrap_dim(dim, input.ndim, "select")
    size = input.shape[axis]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} is out of range for dim {axis} of size {size}")
    return input[(slice(None),) * axis + (index,)]


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The 1-D tensor of input's values where mask (broadcast with input) is True."""
    if not isinstance(mask, Tensor) or mask.dtype != dtypes.bool_:
        raise TypeError(f"masked_select: mask must be a bool tensor, got {mask!r:.60}")
    xp = namespace(input.data)
    shape = xp.broadcast_shapes(input.shape, mask.shape)
    expanded = input if input.shape == shape else input.expand(*shape)
    return expanded[Tensor(xp.broadcast_to(mask.data, shape))]


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element (or slice along dim) repeated `repeats` times in place: [a, b] -> [a, a, b, b].

    dim=None works on the flattened tensor; repeats is an int or a 1-D tensor of counts;
    output_size, when given, must be the total length (PyTorch uses it to skip a sync).
    repeat_interleave(counts) alone repeats 0, 1, 2, ... counts[i] times each.
    """
    if repeats is None:
        xp = namespace(input.data)
        input, repeats = Tensor(xp.arange(input.numel(), dtype=dtypes.int64)), input
    source = input.reshape(-1) if dim is None else input
    axis = 0 if dim is None else wrap_dim(dim, input.ndim, "repeat_interleave")
    xp = namespace(source.data)
    counts = repeats.data if isinstance(repeats, Tensor) else xp.asarray(repeats)
    if counts.ndim > 1 or (counts.ndim == 1 and counts.size not in (1, source.shape[axis])):
        raise ValueError(
            f"repeat_interleave: repeats must be an int or hold one count per entry of dim {axis} "
            f"({source.shape[axis]}), got shape {tuple(counts.shape)}"
        )
    if (counts < 0).any():
        raise ValueError("repeat_interleave: repeats must be non-negative")
    index = xp.repeat(xp.arange(source.shape[axis]), counts)
    if output_size is not None and output_size != index.size:
        raise ValueError(
            f"repeat_interleave: output_size={output_size} but the repeats give {index.size}"
        )
    return index_select(source, axis, Tensor(index.astype(dtypes.int64)))


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: every window of `size` entries along dimension, `step` apart, as a new last
    dim (not F.unfold's im2col). Built on index_select: overlapping windows add their gradients."""
    axis = wrap_dim(dimension, self.ndim, "unfold")
    length = self.shape[axis] if self.ndim else 1
    if not (1 <= size <= length and step >= 1):
        raise ValueError(
            f"unfold: size {size} must be in [1, {length}] (dim {axis} of shape {self.shape}) and "
            f"step {step} positive"
        )
    xp = namespace(self.data)
    windows = (length - size) // step + 1
    index = (xp.arange(windows)[:, None] * step + xp.arange(size)).reshape(-1)
    picked = index_select(self, axis, Tensor(index.astype(dtypes.int64)))
    shape = self.shape[:axis] + (windows, size) + self.shape[axis + 1 :]
    if not self.ndim:
        return picked
    order = [d for d in range(self.ndim + 1) if d != axis + 1] + [axis + 1]  # the window dim last
    return picked.reshape(shape).permute(*order)


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """Sum this tensor down to `size`, to which it must broadcast (the reverse of expand)."""
    target = size_args(size)
    lead = self.ndim - len(target)
    if lead < 0 or any(n not in (1, m) for n, m in zip(target, self.shape[lead:])):
        raise ValueError(f"sum_to_size: size {target} is not expandable to shape {self.shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, (n, m) in enumerate(zip(target, self.shape[lead:])) if n == 1 and m != 1
    )
    out = self.sum(dim=axes, keepdim=True) if axes else self
    return out.reshape(target)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of input with input[..., index[i], ...] = source[..., i, ...] along dim (a scatter)."""
    axis = wrap_dim(dim, input.ndim, "index_copy")
    if not isinstance(index, Tensor) or index.ndim != 1:
        raise ValueError("index_copy: index must be a 1-D integer tensor")
    shape = [1] * source.ndim
    shape[axis] = index.shape[0]
    positions = namespace(index.data).broadcast_to(index.data.reshape(shape), source.shape)
    return scatter(input, axis, Tensor(positions), source)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """(count, ndim) int64 indices of the nonzero elements (a tuple of 1-D tensors with as_tuple)."""
    xp = namespace(input.data)
    positions = xp.nonzero(input.data)
    if as_tuple:
        return tuple(Tensor(p.astype(dtypes.int64)) for p in positions)
    return Tensor(xp.stack(positions, axis=-1).astype(dtypes.int64).reshape(-1, input.ndim))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def _in_place(self: Tensor, op: str, result: Tensor) -> Tensor:
    """Write an out-of-place result into this tensor (refused while it takes part in a graph)."""
    self._check_inplace(op)
    self.data[...] = result.data
    return self


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b) draws from glassnet's generator (glassnet.manual_seed)."""
    self._check_inplace("uniform_")
    self.data[...] = default_generator().uniform(a, b, self.shape)
    return self


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std^2) draws from glassnet's generator."""
    self._check_inplace("normal_")
    self.data[...] = default_generator().normal(mean, std, self.shape)
    return self


__all__ = [
    "narrow",
    "select",
    "masked_select",
    "repeat_interleave",
    "index_copy",
    "nonzero",
    "argwhere",
]

Tensor.define_methods(
    new_zeros=new_zeros,
    new_ones=new_ones,
    new_full=new_full,
    new_tensor=new_tensor,
    where=lambda self, condition, other: where(condition, self, other),
    narrow=narrow,
    select=select,
    masked_select=masked_select,
    repeat_interleave=repeat_interleave,
    nonzero=nonzero,
    argwhere=argwhere,
    unfold=unfold,
    sum_to_size=sum_to_size,
    index_copy=index_copy,
    index_copy_=lambda self, dim, index, source: _in_place(
        self, "index_copy_", index_copy(self, dim, index, source)
    ),
    is_floating_point=lambda self: self.dtype.kind == "f",
    nelement=lambda self: self.numel(),
    ndimension=lambda self: self.ndim,
    element_size=lambda self: self.dtype.itemsize,
    cpu=lambda self: self,
    masked_fill_=lambda self, mask, value: _in_place(
        self, "masked_fill_", masked_fill(self, mask, value)
    ),
    scatter_=lambda self, dim, index, src=None, **kw: _in_place(
        self, "scatter_", scatter(self, dim, index, src, **kw)
    ),
    scatter_add_=lambda self, dim, index, src: _in_place(
        self, "scatter_add_", scatter_add(self, dim, index, src)
    ),
    index_add_=lambda self, dim, index, source, alpha=1: _in_place(
        self, "index_add_", index_add(self, dim, index, source, alpha=alpha)
    ),
    uniform_=uniform_,
    normal_=normal_,
)
