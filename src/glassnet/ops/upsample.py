"""Resizing: interpolate (nearest, linear, bilinear), pixel_shuffle and pixel_unshuffle.

Resizing one axis from n to m samples is a linear map: an (m, n) matrix R whose row i
holds the weights output i takes from the inputs. Nearest puts a single 1 in each row
(input floor(i * scale)); linear puts 1 - t and t on the two inputs around the source
position. A 2-D resize applies one matrix per axis, Y = R_h X R_w^T, so its gradient is
dL/dX = R_h^T dL/dY R_w: every input collects what it contributed, with the same weights.

Source positions follow PyTorch: with align_corners=False the pixel centres line up,
src = (i + 0.5) * scale - 0.5 (clamped at 0), scale = n / m, or 1 / scale_factor when a
scale factor is given; align_corners=True maps the corner pixels onto each other,
src = i (n - 1) / (m - 1).
"""

from __future__ import annotations

import math
from typing import Any

from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.cast import to_float
from glassnet.tensor import Tensor

MODES = {"nearest": None, "linear": 3, "bilinear": 4}  # mode -> the input rank it needs


class Resample(Function):
    """Y = R_h X R_w^T over the last two dims (one matrix for 1-D);  dL/dX = R_h^T dL/dY R_w."""

    def forward(self, x: Array, matrices: tuple[Array, ...]) -> Array:
        self.matrices = matrices
        if len(matrices) == 1:
            return x @ matrices[0].T
        rows, cols = matrices
        return rows @ x @ cols.T

    def backward(self, grad: Array) -> Array:
        if len(self.matrices) == 1:
            return grad @ self.matrices[0]
        rows, cols = self.matrices
        return rows.T @ grad @ cols


def _resize_matrix(
    xp: Any, size_in: int, size_out: int, mode: str, align_corners: bool, scale: float | None
) -> Array:
    """The (size_out, size_in) matrix R of one axis (see the module docstring)."""
    out = xp.arange(size_out, dtype=xp.float64)
    matrix = xp.zeros((size_out, size_in))
    ratio = size_in / size_out if scale is None else 1.0 / scale
    if mode == "nearest":
        source = xp.minimum(xp.floor(out * ratio).astype(xp.int64), size_in - 1)
        matrix[xp.arange(size_out), source] = 1.0
        return matrix
    if align_corners:
        position = out * ((size_in - 1) / (size_out - 1)) if size_out > 1 else out * 0.0
    else:
        position = xp.maximum((out + 0.5) * ratio - 0.5, 0.0)
    low = xp.minimum(xp.floor(position).astype(xp.int64), size_in - 1)
    high = xp.minimum(low + 1, size_in - 1)
    weight = position - low
    rows = xp.arange(size_out)
    matrix[rows, low] += 1.0 - weight
    matrix[rows, high] += weight
    return matrix


def _output_sizes(op: str, input: Tensor, size: Any, scale_factor: Any, spatial: int) -> list[int]:
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor")
    given = size if size is not None else scale_factor
    values = list(given) if isinstance(given, (tuple, list)) else [given] * spatial
    if len(values) != spatial:
        raise ValueError(
            f"{op}: input of shape {input.shape} has {spatial} spatial dims, got "
            f"{'size' if size is not None else 'scale_factor'}={given!r}"
        )
    sizes = (
        values if size is not None else [math.floor(n * f) for n, f in zip(input.shape[2:], values)]
    )
    if min(sizes) < 1:
        raise ValueError(
            f"{op}: the output size {tuple(sizes)} must be positive (input shape {input.shape})"
        )
    return [int(s) for s in sizes]


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) input to `size` or by `scale_factor`.

    mode: 'nearest' (3-D or 4-D), 'linear' (3-D) or 'bilinear' (4-D); align_corners only
    for the linear modes (default False).
    """
    op = "interpolate"
    if mode not in MODES:
        raise ValueError(f"{op}: mode={mode!r} is not supported; expected one of {list(MODES)}")
    if input.ndim not in (3, 4) or (MODES[mode] is not None and input.ndim != MODES[mode]):
        wanted = "3-D or 4-D" if MODES[mode] is None else f"{MODES[mode]}-D"
        raise ValueError(
            f"{op}: mode={mode!r} needs {wanted} input (N, C, ...), got shape {input.shape}"
        )
    if mode == "nearest" and align_corners is not None:
        raise ValueError(f"{op}: align_corners only applies to the linear modes, not {mode!r}")
    if antialias:
        raise ValueError(f"{op}: antialias=True is not supported")
    spatial = input.ndim - 2
    sizes = _output_sizes(op, input, size, scale_factor, spatial)
    factors = scale_factor if isinstance(scale_factor, (tuple, list)) else [scale_factor] * spatial
    xp = namespace(input.data)
    x = to_float(input)
    matrices = tuple(
        _resize_matrix(
            xp,
            n,
            m,
            mode,
            bool(align_corners),
            None if scale_factor is None or recompute_scale_factor else float(f),
        ).astype(x.dtype)
        for n, m, f in zip(input.shape[2:], sizes, factors)
    )
    return Resample.apply(x, matrices=matrices)


class PixelShuffle(Function):
    """(N, C r^2, H, W) -> (N, C, H r, W r): y[n, c, h r + i, w r + j] = x[n, c r^2 + i r + j, h, w];
    a rearrangement, so dL/dx is dL/dy rearranged back (and the reverse for unshuffle)."""

    def forward(self, x: Array, factor: int, up: bool) -> Array:
        self.factor, self.up, self.shape = factor, up, x.shape
        return _shuffle(x, factor) if up else _unshuffle(x, factor)

    def backward(self, grad: Array) -> Array:
        return _unshuffle(grad, self.factor) if self.up else _shuffle(grad, self.factor)


def _shuffle(x: Array, r: int) -> Array:
    *lead, channels, height, width = x.shape
    split = x.reshape(*lead, channels // (r * r), r, r, height, width)
    k = len(lead)
    moved = split.transpose(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return moved.reshape(*lead, channels // (r * r), height * r, width * r)


def _unshuffle(x: Array, r: int) -> Array:
    *lead, channels, height, width = x.shape
    split = x.reshape(*lead, channels, height // r, r, width // r, r)
    k = len(lead)
    moved = split.transpose(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return moved.reshape(*lead, channels * r * r, height // r, width // r)


def _check_factor(op: str, name: str, factor: Any) -> int:
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {factor!r}")
    return factor


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): channels become sub-pixel positions (ESPCN)."""
    r = _check_factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.ndim < 3 or input.shape[-3] % (r * r):
        raise ValueError(
            f"pixel_shuffle: input must be (*, C, H, W) with C divisible by upscale_factor^2 = "
            f"{r * r}, got shape {input.shape}"
        )
    return PixelShuffle.apply(input, factor=r, up=True)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    r = _check_factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.ndim < 3 or input.shape[-2] % r or input.shape[-1] % r:
        raise ValueError(
            f"pixel_unshuffle: input must be (*, C, H, W) with H and W divisible by "
            f"downscale_factor = {r}, got shape {input.shape}"
        )
    return PixelShuffle.apply(input, factor=r, up=False)


__all__ = ["interpolate", "pixel_shuffle", "pixel_unshuffle"]
