"""Argument checks that the shape ops and the reductions share: dims, sizes, tensor lists.

`dim` follows PyTorch: an int, negative counting from the end; a 0-d tensor accepts dim
0 and -1. Bools are refused where PyTorch refuses them.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from glassnet.tensor import Tensor


def is_int(value: Any) -> bool:
    """Python and NumPy integers; not bools, which PyTorch rejects as sizes and dims."""
    try:
        return not isinstance(value, bool) and operator.index(value) is not None
    except TypeError:
        return False


def wrap_dim(dim: Any, ndim: int, op: str, name: str = "dim") -> int:
    """Wrap a dim (negative counts from the end) into range(ndim); 0-d tensors take 0 and -1."""
    if not is_int(dim):
        raise TypeError(f"{op}: {name} must be an int, got {type(dim).__name__}")
    dim = operator.index(dim)
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise ValueError(
            f"{op}: {name} {dim} is out of range for a tensor with {ndim} dims (expected {-bound} to {bound - 1})"
        )
    return dim % bound


def size_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]), as PyTorch's Tensor methods do."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(args)


def tensor_list(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    for position, item in enumerate(tensors):
        if not isinstance(item, Tensor):
            raise TypeError(f"{op}: element {position} must be a Tensor, got {type(item).__name__}")
    return list(tensors)


def reduction_axes(op: str, shape: tuple[int, ...], dim: Any) -> tuple[int, ...] | None:
    """`dim` as a sorted tuple of non-negative axes; None means every axis.

    A 0-d tensor accepts dim 0 and -1, as in PyTorch; an empty tuple means every dim.
    """
    if dim is None:
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    bound = len(shape) or 1
    axes = []
    for item in dims:
        if isinstance(item, bool) or not hasattr(item, "__index__"):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        item = operator.index(item)
        if not -bound <= item < bound:
            raise ValueError(
                f"{op}: dim {item} is out of range for a tensor of shape {tuple(shape)} "
                f"(expected a dim in [{-bound}, {bound - 1}])"
            )
        axis = item % bound
        if axis in axes:
            raise ValueError(f"{op}: dim {axis} appears more than once in dim={dim!r}")
        axes.append(axis)
    if not axes or not shape:
        return None
    return tuple(sorted(axes))
