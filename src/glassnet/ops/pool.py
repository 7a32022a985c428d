"""Pooling: max and average pooling (1-D and 2-D) and adaptive average/max pooling.

This file checks the arguments and holds the functional API; the Functions are in
`pool_windowed.py` (max and average over kernel windows) and `pool_adaptive.py`
(windows fitted to an output size). 1-D pools run as 2-D pools over a unit height;
3-D (C, H, W) input is unbatched.
"""

from __future__ import annotations

from typing import Any

from glassnet.ops.cast import to_float
from glassnet.ops.im2col import Geometry, int_tuple, pool_output_size
from glassnet.ops.pool_adaptive import AdaptiveAvgPool, AdaptiveMaxPool
from glassnet.ops.pool_windowed import AvgPool, MaxPool
from glassnet.tensor import Tensor


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
