"""Rearranging values: repeat/tile, roll, flip, tril, triu, diag and diff.

Each moves (or zeroes) values without computing new ones, so each backward moves the
gradient back: a tile's copies add their gradients, a roll rolls back, a flip flips
back, and a triangle keeps the gradient of the triangle it kept.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.dims import size_args, wrap_dim
from glassnet.ops.shape import cat
from glassnet.tensor import Tensor


class Tile(Function):
    """y = x repeated reps[d] times along each dim d;  dL/dx = the sum of dL/dy over the copies."""

    def forward(self, x: Array, reps: tuple[int, ...]) -> Array:
        self.reps, self.shape = reps, x.shape
        return self.xp.tile(x, reps)

    def backward(self, grad: Array) -> Array:
        shape = (
            self.shape
        )  # grad is (r0 * s0, r1 * s1, ...): split each dim into (r, s), sum the r's
        split = []
        for repeat, size in zip(self.reps, shape):
            split += [repeat, size]
        return grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))


class Roll(Function):
    """y = x shifted by `shifts` along `axes`, wrapping around;  dL/dx = dL/dy shifted back."""

    def forward(self, x: Array, shifts: tuple[int, ...], axes: tuple[int, ...] | None) -> Array:
        self.shifts, self.axes = shifts, axes
        return self.xp.roll(x, shifts, axes)

    def backward(self, grad: Array) -> Array:
        back = tuple(-s for s in self.shifts)
        return self.xp.roll(grad, back if self.axes is not None else back[0], self.axes)


class Flip(Function):
    """y = x reversed along `axes`;  dL/dx = dL/dy reversed along the same axes."""

    def forward(self, x: Array, axes: tuple[int, ...]) -> Array:
        self.axes = axes
        return self.xp.flip(x, axes).copy()

    def backward(self, grad: Array) -> Array:
        return self.xp.flip(grad, self.axes)


class Triangle(Function):
    """y = x on and below (tril) or above (triu) the k-th diagonal of the last two dims, else 0;
    dL/dx = dL/dy on the kept triangle, else 0."""

    def forward(self, x: Array, upper: bool, diagonal: int) -> Array:
        rows, cols = x.shape[-2:]
        xp = self.xp
        mask = (
            xp.triu(xp.ones((rows, cols), dtype=bool), diagonal)
            if upper
            else xp.tril(xp.ones((rows, cols), dtype=bool), diagonal)
        )
        self.save(mask)
        return xp.where(mask, x, xp.zeros((), dtype=x.dtype))

    def backward(self, grad: Array) -> Array:
        (mask,) = self.saved
        return self.xp.where(mask, grad, 0)


class Diag(Function):
    """Vector -> matrix: y = the matrix with v on its k-th diagonal (0 elsewhere); matrix -> vector:
    y = the k-th diagonal. Each is the other's adjoint, so each backward is the other op."""

    def forward(self, x: Array, diagonal: int) -> Array:
        self.diagonal, self.shape = diagonal, x.shape
        if x.ndim == 1:
            return self.xp.diag(x, diagonal)
        return self.xp.diagonal(x, diagonal).copy()

    def backward(self, grad: Array) -> Array:
        if len(self.shape) == 1:
            return self.xp.diagonal(grad, self.diagonal).copy()
        out = self.xp.zeros(self.shape, dtype=grad.dtype)
        rows = self.xp.arange(grad.shape[0])
        start_row, start_col = max(-self.diagonal, 0), max(self.diagonal, 0)
        out[rows + start_row, rows + start_col] = grad
        return out


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D input: the square matrix with it on the diagonal-th diagonal; 2-D: that diagonal."""
    if input.ndim not in (1, 2):
        raise ValueError(f"diag: input must be 1-D or 2-D, got shape {input.shape}")
    return Diag.apply(input, diagonal=operator.index(diagonal))


def diff(
    input: Tensor,
    n: int = 1,
    dim: int = -1,
    prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:
    """The n-th forward difference along dim: out[i] = x[i + 1] - x[i], n times (built from
    cat, slicing and sub, so its gradient is theirs)."""
    axis = wrap_dim(dim, input.ndim, "diff")
    if n < 0:
        raise ValueError(f"diff: order n must be non-negative, got n={n}")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, axis) if len(parts) > 1 else input
    before = (slice(None),) * axis
    for _ in range(n):
        x = x[before + (slice(1, None),)] - x[before + (slice(None, -1),)]
    return x


def _ints(op: str, name: str, values: Any) -> tuple[int, ...]:
    items = values if isinstance(values, (tuple, list)) else (values,)
    if not all(hasattr(v, "__index__") and not isinstance(v, bool) for v in items):
        raise TypeError(f"{op}: {name} must be an int or a sequence of ints, got {values!r}")
    return tuple(operator.index(v) for v in items)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """input repeated dims[d] times along each dim; fewer dims than input's are padded with 1s
    in front, more add leading dims (as torch.tile)."""
    reps = _ints("tile", "dims", dims)
    if min(reps, default=0) < 0:
        raise ValueError(f"tile: dims must be non-negative, got {dims!r}")
    reps = (1,) * (input.ndim - len(reps)) + reps
    shaped = input.reshape((1,) * (len(reps) - input.ndim) + input.shape)
    return Tile.apply(shaped, reps=reps)


def repeat(self: Tensor, *sizes: Any) -> Tensor:
    """Tensor.repeat: like tile, but sizes must name at least every dim of the tensor."""
    reps = _ints("repeat", "sizes", size_args(sizes))
    if len(reps) < self.ndim:
        raise ValueError(
            f"repeat: got {len(reps)} sizes {reps} for a tensor with {self.ndim} dims "
            f"(shape {self.shape}); give at least one size per dim"
        )
    return tile(self, reps)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift values along dims, wrapping around; dims=None rolls the flattened tensor."""
    moves = _ints("roll", "shifts", shifts)
    if dims is None:
        if len(moves) != 1:
            raise ValueError(f"roll: without dims, shifts must be one int, got {shifts!r}")
        return Roll.apply(input.reshape(-1), shifts=moves, axes=(0,)).reshape(input.shape)
    axes = tuple(wrap_dim(d, input.ndim, "roll", "dims") for d in _ints("roll", "dims", dims))
    if len(axes) != len(moves):
        raise ValueError(f"roll: shifts {moves} and dims {axes} must have the same length")
    return Roll.apply(input, shifts=moves, axes=axes)


def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of values along each of dims."""
    axes = tuple(wrap_dim(d, input.ndim, "flip", "dims") for d in _ints("flip", "dims", dims))
    if len(set(axes)) != len(axes):
        raise ValueError(f"flip: dims {dims!r} names a dim more than once")
    return Flip.apply(input, axes=axes)


def _triangle(op: str, input: Tensor, diagonal: int, upper: bool) -> Tensor:
    if input.ndim < 2:
        raise ValueError(f"{op}: input must have at least 2 dims, got shape {input.shape}")
    return Triangle.apply(input, upper=upper, diagonal=operator.index(diagonal))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Lower triangle (on and below the diagonal-th diagonal) of the last two dims; 0 elsewhere."""
    return _triangle("tril", input, diagonal, upper=False)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Upper triangle (on and above the diagonal-th diagonal) of the last two dims; 0 elsewhere."""
    return _triangle("triu", input, diagonal, upper=True)


__all__ = ["tile", "roll", "flip", "tril", "triu", "diag", "diff"]

Tensor.define_methods(
    tile=lambda self, *dims: tile(self, size_args(dims)),
    repeat=repeat,
    roll=roll,
    flip=lambda self, *dims: flip(self, size_args(dims)),
    tril=tril,
    triu=triu,
    diag=diag,
    diff=diff,
)
