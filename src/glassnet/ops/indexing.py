"""Reading through an index: `x[key]` and `pad`.

Both read input elements at chosen positions, so both backward passes send each
output gradient back to the position it was read from. Where one input element
is read several times (x[[0, 0]], the edge of a replicate pad), its gradient is
the sum of those reads' gradients; a plain assignment would keep only the last.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.tensor import Tensor, index_item


def _at(dim: int, item: Any) -> tuple[Any, ...]:
    """The index that applies `item` to dim `dim` and keeps every other dim whole."""
    return (slice(None),) * dim + (item,)


# -- x[key] -------------------------------------------------------------------------
class Index(Function):
    """y = x[key] with NumPy's indexing rules;  dx = zeros with grad added where y read x.

    Ints, slices, None, ... and boolean masks read each element at most once, so
    backward writes grad back by assignment. Integer arrays may read an element
    several times (x[[0, 0]]), so backward adds with `add.at` on flat positions,
    which sums repeats (faster than add.at with the original key).
    """

    def forward(self, x: Array, key: Any, repeats: bool) -> Array:
        self.input_shape, self.repeats = x.shape, repeats
        self.save(key)
        return self.xp.asarray(x[key])  # a NumPy scalar back to a 0-d array

    def backward(self, grad: Array) -> Array:
        (key,) = self.saved
        if not self.repeats:
            grad_input = self.xp.zeros(self.input_shape, grad.dtype)
            grad_input[key] = grad
            return grad_input
        positions = _flat_positions(self.xp, self.input_shape, key)
        grad_input = self.xp.zeros(math.prod(self.input_shape), grad.dtype)
        self.xp.add.at(grad_input, positions.reshape(-1), grad.reshape(-1))
        return grad_input.reshape(self.input_shape)


def _flat_positions(xp_: Any, shape: tuple[int, ...], key: Any) -> Array:
    """The row-major flat position in x of every element of x[key].

    Indexing each dim's coordinate grid (a broadcast view, no memory) with the same
    key gives that coordinate of every element read; flat = sum of coordinate * stride.
    """
    positions = None
    for dim, size in enumerate(shape):
        grid = (xp_.arange(size) * math.prod(shape[dim + 1 :])).reshape(
            (size,) + (1,) * (len(shape) - dim - 1)
        )
        coordinate = xp_.broadcast_to(grid, shape)[
            key
        ]  # a fresh array: the key holds an integer array
        if positions is None:
            positions = coordinate
        else:
            positions += coordinate
    return positions


def getitem(self: Tensor, key: Any) -> Tensor:
    """x[key]: ints, slices (steps > 0 as in PyTorch; negative steps work too, NumPy-style),
    None, Ellipsis, integer arrays (Tensors, lists, NumPy arrays) and boolean masks."""
    items = tuple(index_item(item) for item in (key if isinstance(key, tuple) else (key,)))
    repeats = any(getattr(item, "ndim", 0) > 0 and item.dtype.kind in "iu" for item in items)
    try:
        return Index.apply(self, key=items if isinstance(key, tuple) else items[0], repeats=repeats)
    except IndexError as error:
        raise IndexError(f"index: {error} (tensor shape {self.shape})") from None


# -- pad ------------------------------------------------------------------------------
_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(xp_: Any, mode: str, size: int, before: int, after: int) -> Array:
    """For each output position along one dim, the input position it reads.

    reflect mirrors without repeating the edge (x2 x1 | x0 x1 x2 | x1 x0), replicate
    repeats the edge (x0 x0 | x0 x1 x2 | x2 x2), circular wraps (x1 x2 | x0 x1 x2 | x0 x1).
    Negative padding crops: reflect and replicate read the uncropped input (as PyTorch
    does), circular wraps what is left after cropping.
    """
    if mode == "circular":
        start = max(-before, 0)
        kept = size - start - max(-after, 0)
        return start + xp_.arange(-max(before, 0), kept + max(after, 0)) % kept
    position = xp_.arange(-before, size + after)
    if mode == "reflect":
        return (size - 1) - xp_.abs((size - 1) - xp_.abs(position))
    return xp_.clip(position, 0, size - 1)


class Pad(Function):
    """y = x read through one index map per padded dim (constant: `value` outside x);
    dx = each output gradient added back at the input position it read.

    The centre of y is x itself (one slice); only the few padded positions per dim are
    read from elsewhere, so backward copies the centre and adds the padded taps one by
    one: an edge read k times collects k gradients. Constant padding reads nothing, so
    its gradient is dropped.
    """

    def forward(self, x: Array, widths: list[tuple[int, int]], mode: str, value: float) -> Array:
        xp_ = self.xp
        self.input_shape, self.widths, self.mode = x.shape, widths, mode
        # the part of x that survives cropping, and where it lands in y
        self.source = tuple(
            slice(max(-lo, 0), size - max(-hi, 0)) for size, (lo, hi) in zip(x.shape, widths)
        )
        self.target = tuple(
            slice(max(lo, 0), max(lo, 0) + s.stop - s.start)
            for (lo, _), s in zip(widths, self.source)
        )
        if mode == "constant":
            shape = tuple(size + lo + hi for size, (lo, hi) in zip(x.shape, widths))
            y = xp_.full(shape, value, dtype=x.dtype)
            y[self.target] = x[self.source]
            return y
        self.maps = {
            dim: _source_index(xp_, mode, x.shape[dim], lo, hi)
            for dim, (lo, hi) in enumerate(widths)
            if lo or hi
        }
        for dim, index in self.maps.items():
            x = xp_.take(x, index, axis=dim)
        return x

    def backward(self, grad: Array) -> Array:
        xp_ = self.xp
        if self.mode == "constant":
            if grad[self.target].shape == self.input_shape:
                return grad[self.target]
            grad_input = xp_.zeros(self.input_shape, grad.dtype)
            grad_input[self.source] = grad[self.target]
            return grad_input
        for dim in sorted(self.maps, reverse=True):
            index, target = self.maps[dim].tolist(), self.target[dim]
            back = xp_.zeros(
                grad.shape[:dim] + (self.input_shape[dim],) + grad.shape[dim + 1 :], grad.dtype
            )
            back[_at(dim, self.source[dim])] = grad[_at(dim, target)]
            for position in [
                *range(target.start),
                *range(target.stop, len(index)),
            ]:  # the padded taps
                back[_at(dim, index[position])] += grad[_at(dim, position)]
            grad = back
        return grad


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad (or, with negative widths, crop) the last len(pad) // 2 dims.

    `pad` lists widths from the last dim backwards: (left, right, top, bottom, front, back).
    """
    shape = input.shape
    widths_given = tuple(int(item) for item in pad)
    if len(widths_given) % 2:
        raise ValueError(
            f"pad: pad {widths_given} must have an even length (a (before, after) pair per dim)"
        )
    pairs = len(widths_given) // 2
    if pairs > input.ndim:
        raise ValueError(
            f"pad: pad {widths_given} has length {len(widths_given)}, more than 2 * ndim = {2 * input.ndim} "
            f"for input of shape {shape}"
        )
    if mode not in _MODES:
        raise ValueError(f"pad: mode {mode!r} is not one of {', '.join(_MODES)}")
    widths = [(0, 0)] * input.ndim
    for pair in range(pairs):
        widths[input.ndim - 1 - pair] = (widths_given[2 * pair], widths_given[2 * pair + 1])
    for dim, (size, (lo, hi)) in enumerate(zip(shape, widths)):
        if max(-lo, 0) + max(-hi, 0) > size or size + lo + hi < 0:
            raise ValueError(
                f"pad: padding ({lo}, {hi}) crops more than the size {size} of dim {dim} (input shape {shape})"
            )
    if mode != "constant":
        if value:
            raise ValueError(f"pad: mode {mode!r} takes no value (got value={value})")
        if not 1 <= pairs <= 3 or input.ndim not in (pairs + 1, pairs + 2):
            raise ValueError(
                f"pad: mode {mode!r} with {len(widths_given)} pad values needs a {pairs + 1}-D or {pairs + 2}-D input "
                f"(padding 1 to 3 spatial dims of ([N,] C, ...)), got shape {shape}"
            )
        for dim in range(input.ndim - pairs, input.ndim):
            size, (lo, hi) = shape[dim], widths[dim]
            kept = size - max(-lo, 0) - max(-hi, 0)
            if mode == "reflect" and max(lo, hi) >= size:
                raise ValueError(
                    f"pad: reflect padding ({lo}, {hi}) must be less than the size {size} of dim {dim} "
                    f"(input shape {shape})"
                )
            if mode == "replicate" and size == 0:
                raise ValueError(
                    f"pad: replicate padding needs dim {dim} to be non-empty (input shape {shape})"
                )
            if mode == "circular" and max(lo, hi) > 0 and max(lo, hi) > kept:
                raise ValueError(
                    f"pad: circular padding ({lo}, {hi}) must be at most the size {kept} of dim {dim} after "
                    f"cropping (input shape {shape}): it would wrap around more than once"
                )
    return Pad.apply(input, widths=widths, mode=mode, value=0 if value is None else value)


Tensor.define_methods(__getitem__=getitem)
