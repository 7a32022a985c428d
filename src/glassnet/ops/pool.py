"""Pooling: max and average pooling (1-D and 2-D) and adaptive average/max pooling.

Windowed pools pad the input once, then visit the kernel's taps: for tap (i, j) the
strided view padded[:, :, d*i :: s, d*j :: s] holds that tap's value for every
window at once, so a pool is kh*kw whole-array steps and never a loop over pixels.
1-D pools run as 2-D pools over a unit height; 3-D (C, H, W) input is unbatched.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import to_float
from glassnet.ops.im2col import Geometry, int_tuple, pool_output_size
from glassnet.tensor import Tensor


def _taps(padded: Array, g: Geometry) -> Any:
    """(tap number, strided view of that tap over all windows), row-major over the kernel."""
    (kh, kw), (sh, sw), (dh, dw) = g.kernel, g.stride, g.dilation
    span_h, span_w = sh * (g.out_height - 1) + 1, sw * (g.out_width - 1) + 1
    for i in range(kh):
        for j in range(kw):
            yield (
                i * kw + j,
                padded[:, :, i * dh : i * dh + span_h : sh, j * dw : j * dw + span_w : sw],
            )


def _pad(xp: Any, x: Array, g: Geometry, fill: Any) -> Array:
    """x inside a border of `fill`; bottom/right include ceil_mode's overhang."""
    top, _, left, _ = g.padding
    if not any(g.padding):
        return x
    padded = xp.full((g.batch, g.channels, *g.padded), fill, dtype=x.dtype)
    padded[:, :, top : top + g.height, left : left + g.width] = x
    return padded


def _disjoint(g: Geometry) -> bool:
    """Windows do not overlap (stride >= dilated kernel span), so each input gets one gradient term."""
    return all(s >= d * (k - 1) + 1 for k, s, d in zip(g.kernel, g.stride, g.dilation))


def _unpad(padded: Array, g: Geometry) -> Array:
    top, _, left, _ = g.padding
    return padded[:, :, top : top + g.height, left : left + g.width]


class MaxPool(Function):
    """y = max of x over each window (padding counts as -inf);
    dy/dx = 1 at the window's maximum (its first one, on ties) and 0 elsewhere.

    Only one input per window receives the gradient, so the forward keeps which tap
    won (one small integer per output) and the backward routes dL/dy back through it.
    Taps are visited in order and a later tap wins only when strictly greater, so the
    winning tap number only grows: winner = max(winner, t * better) needs no masked copy.
    A NaN in a window propagates to its output (its index may point elsewhere).
    """

    def forward(
        self, x: Array, geometry: Geometry, out_shape: tuple[int, ...], return_indices: bool
    ) -> Any:
        xp, g = self.xp, geometry
        self.geometry, self.in_shape = g, x.shape
        low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        taps = _taps(_pad(xp, x.reshape(g.batch, g.channels, g.height, g.width), g, low), g)
        best = next(taps)[1].copy()
        winner = xp.zeros(best.shape, dtype=xp.uint8 if g.taps <= 256 else xp.int32)
        scratch = xp.empty_like(winner)
        for tap, view in taps:
            xp.multiply(view > best, tap, out=scratch, casting="unsafe")
            xp.maximum(winner, scratch, out=winner)
            xp.maximum(best, view, out=best)
        self.save(winner)
        out = best.reshape(out_shape)
        if not return_indices:
            return out
        return out, _flat_indices(xp, winner, g).reshape(out_shape)

    def backward(self, grad: Array, *_: Array) -> Array:
        (winner,) = self.saved
        g = self.geometry
        grad4 = grad.reshape(winner.shape)
        padded = self.xp.zeros((g.batch, g.channels, *g.padded), dtype=grad.dtype)
        disjoint = _disjoint(g)
        for tap, view in _taps(padded, g):
            if disjoint:  # each input is in one window at most: write, no temporary
                self.xp.multiply(grad4, winner == tap, out=view)
            else:
                view += grad4 * (winner == tap)
        return _unpad(padded, g).reshape(self.in_shape)


def _flat_indices(xp: Any, winner: Array, g: Geometry) -> Array:
    """PyTorch's indices: the winner's flat position h * W + w in its input plane."""
    (kw, (sh, sw), (dh, dw)) = (g.kernel[1], g.stride, g.dilation)
    row = (xp.arange(g.out_height) * sh - g.padding[0])[:, None] + (winner // kw).astype(
        xp.int64
    ) * dh
    col = (xp.arange(g.out_width) * sw - g.padding[2])[None, :] + (winner % kw).astype(
        xp.int64
    ) * dw
    return row * g.width + col


class AvgPool(Function):
    """y = (sum of x over the window) / divisor;  dy/dx = 1 / divisor for each x in the window.

    The divisor is the window's size, counting padding (count_include_pad=True) or only
    real pixels, or divisor_override; ceil_mode's overhang past the padding never counts.
    """

    def forward(
        self,
        x: Array,
        geometry: Geometry,
        out_shape: tuple[int, ...],
        count_include_pad: bool,
        divisor_override: int | None,
    ) -> Array:
        g = self.geometry = geometry
        divisor = self.divisor = _avg_divisor(
            self.xp, g, count_include_pad, divisor_override, x.dtype
        )
        self.in_shape = x.shape
        padded = _pad(self.xp, x.reshape(g.batch, g.channels, g.height, g.width), g, 0)
        taps = _taps(padded, g)
        total = next(taps)[1].copy()
        for _, view in taps:
            total += view
        if x.dtype.kind != "f":  # integer pools divide like C: truncating toward zero
            return (
                self.xp.where(total < 0, -(-total // divisor), total // divisor)
                .astype(x.dtype)
                .reshape(out_shape)
            )
        return (total / divisor).reshape(out_shape)

    def backward(self, grad: Array) -> Array:
        g = self.geometry
        share = grad.reshape(g.batch, g.channels, g.out_height, g.out_width) / self.divisor
        padded = self.xp.zeros((g.batch, g.channels, *g.padded), dtype=grad.dtype)
        disjoint = _disjoint(g)
        for _, view in _taps(padded, g):
            if disjoint:
                view[...] = share
            else:
                view += share
        return _unpad(padded, g).reshape(self.in_shape)


def _avg_divisor(
    xp: Any, g: Geometry, count_include_pad: bool, divisor_override: int | None, dtype: Any
) -> Any:
    """Per-output divisor (Ho, Wo): PyTorch's window size rules."""
    if divisor_override is not None:
        return divisor_override
    sizes = []
    for out, size, kernel, stride, pad in (
        (g.out_height, g.height, g.kernel[0], g.stride[0], g.padding[0]),
        (g.out_width, g.width, g.kernel[1], g.stride[1], g.padding[2]),
    ):
        start = xp.arange(out) * stride - pad
        end = xp.minimum(start + kernel, size + pad)  # ceil_mode's overhang is never counted
        sizes.append(
            end - start if count_include_pad else xp.minimum(end, size) - xp.maximum(start, 0)
        )
    divisor = sizes[0][:, None] * sizes[1][None, :]
    return divisor.astype(dtype) if dtype.kind == "f" else divisor


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


# -- arguments ------------------------------------------------------------------------
def _check_input(op: str, input: Any, dims: int) -> tuple[int, ...]:
    """The input's shape with a batch dim (1 for unbatched input)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (dims + 1, dims + 2):
        layout = "(C, L) or (N, C, L)" if dims == 1 else "(C, H, W) or (N, C, H, W)"
        raise ValueError(
            f"{op}: input must be {dims + 1}-D or {dims + 2}-D {layout}, got shape {input.shape}"
        )
    return input.shape if input.ndim == dims + 2 else (1, *input.shape)


def _geometry(
    shape: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    after: tuple[int, ...],
    outs: tuple[int, ...],
) -> Geometry:
    """A 2-D geometry; a 1-D pool becomes a 2-D pool over a unit height."""
    if len(kernel) == 1:
        shape = (shape[0], shape[1], 1, shape[2])
        kernel, stride, dilation, outs = (1, *kernel), (1, *stride), (1, *dilation), (1, *outs)
        padding, after = (0, *padding), (0, *after)
    return Geometry(
        shape[0],
        shape[1],
        shape[2],
        shape[3],
        kernel,
        stride,
        dilation,  # type: ignore[arg-type]
        (padding[0], after[0], padding[1], after[1]),
        outs[0],
        outs[1],
    )


def _window_geometry(
    op: str,
    input: Any,
    dims: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[Geometry, tuple[int, ...]]:
    """Check a windowed pool's arguments; return its geometry and output shape."""
    shape = _check_input(op, input, dims)
    kernel = int_tuple(op, "kernel_size", kernel_size, dims)
    strides = (
        kernel
        if stride is None or (isinstance(stride, (tuple, list)) and not stride)
        else int_tuple(op, "stride", stride, dims)
    )
    pads = int_tuple(op, "padding", padding, dims)
    dilations = int_tuple(op, "dilation", dilation, dims)
    for name, values in (("kernel_size", kernel), ("stride", strides), ("dilation", dilations)):
        if min(values) < 1:
            raise ValueError(f"{op}: {name} must be positive, got {name}={values}")
    if min(pads) < 0 or any(p > k // 2 for p, k in zip(pads, kernel)):
        raise ValueError(
            f"{op}: padding must be non-negative and at most half the kernel size (as in PyTorch), "
            f"got padding={pads} with kernel_size={kernel}"
        )
    outs, after = [], []
    for size, k, s, p, d in zip(shape[2:], kernel, strides, pads, dilations):
        reach = d * (k - 1) + 1
        out = pool_output_size(size, k, s, p, d, ceil_mode)
        outs.append(out)
        after.append(
            max(p, (out - 1) * s + reach - size - p)
        )  # ceil_mode's overhang, padded like padding
    if min(outs) < 1:
        raise ValueError(
            f"{op}: output size would be {tuple(outs)} for input shape {input.shape} "
            f"(kernel_size={kernel}, stride={strides}, padding={pads}, dilation={dilations}): too small"
        )
    geometry = _geometry(shape, kernel, strides, pads, dilations, tuple(after), tuple(outs))
    return geometry, (*input.shape[:-dims], *outs)


def _max_pool(
    op: str,
    dims: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    geometry, out_shape = _window_geometry(
        op, input, dims, kernel_size, stride, padding, dilation, ceil_mode
    )
    return MaxPool.apply(
        input, geometry=geometry, out_shape=out_shape, return_indices=return_indices
    )


def _avg_pool(
    op: str,
    dims: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> Tensor:
    if divisor_override is not None and (
        not isinstance(divisor_override, int) or divisor_override == 0
    ):
        raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
    geometry, out_shape = _window_geometry(
        op, input, dims, kernel_size, stride, padding, 1, ceil_mode
    )
    return AvgPool.apply(
        input,
        geometry=geometry,
        out_shape=out_shape,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def _adaptive_geometry(
    op: str,
    input: Any,
    dims: int,
    output_size: Any,
) -> tuple[Geometry, tuple[int, ...]]:
    shape = _check_input(op, input, dims)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(sizes) != dims:
        raise ValueError(
            f"{op}: output_size must be an int or a tuple of {dims} ints or None, got {output_size!r}"
        )
    sizes = tuple(size if out is None else out for out, size in zip(sizes, shape[2:]))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in sizes):
        raise ValueError(
            f"{op}: output_size must be positive ints (or None to keep a size), got {output_size!r}"
        )
    if min(shape[2:]) < 1:
        raise ValueError(f"{op}: input shape {input.shape} has an empty spatial dim")
    ones = (1,) * dims
    geometry = _geometry(shape, ones, ones, (0,) * dims, ones, (0,) * dims, sizes)
    return geometry, (*input.shape[:-dims], *sizes)


def _adaptive_avg(op: str, dims: int, input: Tensor, output_size: Any) -> Tensor:
    geometry, out_shape = _adaptive_geometry(op, input, dims, output_size)
    return AdaptiveAvgPool.apply(to_float(input), geometry=geometry, out_shape=out_shape)


# -- the functional API -------------------------------------------------------------
def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of (N, C, L) or (C, L) input; indices are positions along L."""
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of (N, C, H, W) or (C, H, W) input; stride defaults to kernel_size.

    return_indices=True also returns each maximum's flat index h * W + w in its input plane.
    """
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over windows; count_include_pad decides whether zero padding counts in the divisor."""
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average into a fixed output size (None keeps that input size); windows as in PyTorch."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def _adaptive_max(op: str, dims: int, input: Tensor, output_size: Any, return_indices: bool) -> Any:
    geometry, out_shape = _adaptive_geometry(op, input, dims, output_size)
    g = geometry
    kernel = (g.height // g.out_height, g.width // g.out_width)
    if g.height % g.out_height == 0 and g.width % g.out_width == 0 and kernel[0] * kernel[1] <= 16:
        # equal, small windows: a plain max pool (its backward needs no scatter)
        geometry = g._replace(kernel=kernel, stride=kernel)
        return MaxPool.apply(
            input, geometry=geometry, out_shape=out_shape, return_indices=return_indices
        )
    return AdaptiveMaxPool.apply(
        input, geometry=geometry, out_shape=out_shape, return_indices=return_indices
    )


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max into a fixed output size (None keeps that input size); windows as in PyTorch."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "max_pool1d",
    "max_pool2d",
]
