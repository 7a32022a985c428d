"""Adaptive average and max pooling: windows fitted to a fixed output size, as PyTorch's.

Window i of an axis of `size` inputs and `out` outputs reads [floor(i size / out),
ceil((i + 1) size / out)); windows overlap when out does not divide size.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.im2col import Geometry


class AdaptiveAvgPool(Function):
    """y[i, j] = mean of x over rows [floor(i*H/Ho), ceil((i+1)*H/Ho)) and the matching columns.

    Separable and linear: y = A_h x A_w^T with (out, in) averaging matrices A, so
    dL/dx = A_h^T (dL/dy) A_w. Windows may overlap when the sizes do not divide.
    """

    def forward(self, x: Array, geometry: Geometry, out_shape: tuple[int, ...]) -> Array:
        g = self.geometry = geometry
        self.rows = _averaging_matrix(self.xp, g.height, g.out_height, x.dtype)
        self.cols = _averaging_matrix(self.xp, g.width, g.out_width, x.dtype)
        self.in_shape = x.shape
        return _separable(x.reshape(-1, g.height, g.width), self.rows, self.cols).reshape(out_shape)

    def backward(self, grad: Array) -> Array:
        g = self.geometry
        planes = grad.reshape(-1, g.out_height, g.out_width)
        if g.height % g.out_height or g.width % g.out_width:
            return _separable(planes, self.rows.T, self.cols.T).reshape(self.in_shape)
        # equal, disjoint windows: each input gets its window's gradient / window size
        kh, kw = g.height // g.out_height, g.width // g.out_width
        share = (planes / (kh * kw))[:, :, None, :, None]
        return self.xp.broadcast_to(
            share, (planes.shape[0], g.out_height, kh, g.out_width, kw)
        ).reshape(self.in_shape)


def _separable(planes: Array, rows: Array, cols: Array) -> Array:
    """rows @ plane @ cols^T for every plane of (B, H, W), as two single GEMMs."""
    batch, height, width = planes.shape
    if cols.shape[0] != cols.shape[1]:  # a square averaging matrix is the identity
        planes = (planes.reshape(-1, width) @ cols.T).reshape(batch, height, cols.shape[0])
    if rows.shape[0] != rows.shape[1]:
        width = planes.shape[2]
        planes = (
            (planes.transpose(0, 2, 1).reshape(-1, height) @ rows.T)
            .reshape(batch, width, -1)
            .transpose(0, 2, 1)
        )
    return planes


def _windows(size: int, out: int) -> tuple[list[int], list[int]]:
    """Adaptive windows: start = floor(i * size / out), end = ceil((i + 1) * size / out)."""
    return [i * size // out for i in range(out)], [-(-(i + 1) * size // out) for i in range(out)]


def _averaging_matrix(xp: Any, size: int, out: int, dtype: Any) -> Array:
    starts, ends = (xp.asarray(v)[:, None] for v in _windows(size, out))
    inside = (xp.arange(size)[None, :] >= starts) & (xp.arange(size)[None, :] < ends)
    return (inside / (ends - starts)).astype(dtype)


class AdaptiveMaxPool(Function):
    """y = max of x over each adaptive window;  dy/dx = 1 at the window's (first) maximum.

    A window's max is the max over its rows of the max over its columns, so the pool runs
    one axis at a time. Windows of unequal length read with their index clamped to the
    window's last position (repeating a value cannot change a maximum).
    """

    def forward(
        self, x: Array, geometry: Geometry, out_shape: tuple[int, ...], return_indices: bool
    ) -> Any:
        xp, g = self.xp, geometry
        self.geometry, self.in_shape = g, x.shape
        x4 = x.reshape(g.batch, g.channels, g.height, g.width)
        row_max, col = _window_max(xp, x4, _window_positions(xp, g.width, g.out_width), axis=3)
        out, row = _window_max(xp, row_max, _window_positions(xp, g.height, g.out_height), axis=2)
        index = row * g.width + xp.take_along_axis(col, row, axis=2)
        self.save(index)
        if not return_indices:
            return out.reshape(out_shape)
        return out.reshape(out_shape), index.reshape(out_shape)

    def backward(self, grad: Array, *_: Array) -> Array:
        (index,) = self.saved
        g = self.geometry
        plane = g.height * g.width
        flat = (
            index + self.xp.arange(g.batch * g.channels).reshape(g.batch, g.channels, 1, 1) * plane
        ).reshape(-1)
        grad_x = self.xp.zeros(g.batch * g.channels * plane, dtype=grad.dtype)
        self.xp.add.at(grad_x, flat, grad.reshape(-1))  # windows may overlap: add, do not assign
        return grad_x.reshape(self.in_shape)


def _window_positions(xp: Any, size: int, out: int) -> Array:
    """(out, longest window) input positions of each adaptive window, clamped to its last one."""
    starts, ends = (xp.asarray(v)[:, None] for v in _windows(size, out))
    return xp.minimum(starts + xp.arange(int((ends - starts).max()))[None, :], ends - 1)


def _window_max(xp: Any, x: Array, positions: Array, axis: int) -> tuple[Array, Array]:
    """Max over windows along one axis, and the position that won (the first, on ties)."""
    shape = (-1,) + (1,) * (x.ndim - 1 - axis)
    best = xp.take(x, positions[:, 0], axis=axis)
    winner = xp.broadcast_to(positions[:, 0].reshape(shape), best.shape).copy()
    for tap in range(
        1, positions.shape[1]
    ):  # positions only grow, so max() keeps the latest winner
        view = xp.take(x, positions[:, tap], axis=axis)
        xp.maximum(winner, (view > best) * positions[:, tap].reshape(shape), out=winner)
        xp.maximum(best, view, out=best)
    return best, winner
