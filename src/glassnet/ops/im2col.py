"""im2col / col2im: the array plumbing that turns a convolution into matrix products.

A convolution reads, for every output pixel, a C x kh x kw patch of the padded input.
Laying those patches out as the columns of a matrix (im2col) turns the whole
convolution into one GEMM: weight (O, C*kh*kw) @ columns (C*kh*kw, pixels). Its
gradient with respect to the input sends every column entry back to the pixel it was
read from, adding where patches overlap (col2im).

The column layout here is (C, kh, kw, n, Ho, Wq): one row per (channel, tap), one
column per output pixel of a block of n images, so each GEMM is a single 2-D product.
For stride 1 the rows are "wide" (Wq = Wp, the padded width): the row of tap (i, j) is
then one contiguous run of the padded input, so the copy moves long runs instead of
rows of Wo values, at the price of Wp - Wo garbage output columns that are sliced off
(and that get a zero gradient, so they never reach the weight gradient).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, NamedTuple

from glassnet.backend import Array

BLOCK_BYTES = 3 << 20  # columns per batch block: ~3 MiB keeps them in cache (see conv.py)


class Geometry(NamedTuple):
    """Shapes of a 2-D convolution (or pooling) over NCHW arrays."""

    batch: int
    channels: int
    height: int
    width: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[int, int, int, int]  # top, bottom, left, right
    out_height: int
    out_width: int

    @property
    def padded(self) -> tuple[int, int]:
        top, bottom, left, right = self.padding
        return self.height + top + bottom, self.width + left + right

    @property
    def wide(self) -> bool:
        """Stride 1: rows of the column matrix are contiguous runs of the padded input."""
        return self.stride == (1, 1)

    @property
    def column_width(self) -> int:
        return self.padded[1] if self.wide else self.out_width

    @property
    def taps(self) -> int:
        return self.kernel[0] * self.kernel[1]


def int_tuple(op: str, name: str, value: Any, count: int) -> tuple[int, ...]:
    """An int or a tuple of `count` ints (a 1-tuple is repeated, as PyTorch does)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) == 1:
        values *= count
    if len(values) != count or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {count} ints, got {value!r}")
    return tuple(int(v) for v in values)


def output_size(size: int, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int) -> int:
    """floor((size + padding - dilation * (kernel - 1) - 1) / stride) + 1."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def block_size(geometry: Geometry, itemsize: int) -> int:
    """How many images one block holds so that its columns fit in about BLOCK_BYTES."""
    per_image = geometry.channels * geometry.taps * geometry.out_height * geometry.column_width * itemsize
    return max(1, min(geometry.batch, BLOCK_BYTES // max(per_image, 1)))


class PaddedBlock:
    """A reusable zero-bordered buffer that holds a block of images with their padding.

    The flat buffer has a few spare zeros at the end: a wide column row of the last
    channel runs (kw - 1) * dilation values past its plane (into garbage columns only).
    """

    def __init__(self, xp: Any, geometry: Geometry, images: int, dtype: Any) -> None:
        height, width = geometry.padded
        spare = (geometry.kernel[1] - 1) * geometry.dilation[1]
        self.geometry = geometry
        self.flat = xp.zeros(images * geometry.channels * height * width + spare, dtype=dtype)

    def images(self, count: int) -> Array:
        height, width = self.geometry.padded
        return self.flat[: count * self.geometry.channels * height * width].reshape(
            count, self.geometry.channels, height, width
        )

    def fill(self, block: Array) -> Array:
        """Copy `block` (n, C, H, W) into the interior; the zero border stays as it is."""
        top, _, left, _ = self.geometry.padding
        padded = self.images(block.shape[0])
        padded[:, :, top : top + block.shape[2], left : left + block.shape[3]] = block
        return padded


def column_view(xp: Any, block: PaddedBlock, count: int) -> Array:
    """The columns of `count` padded images as a strided view (C, kh, kw, n, Ho, Wq), no copy."""
    g = block.geometry
    height, width = g.padded
    item = block.flat.itemsize
    shape = (g.channels, g.kernel[0], g.kernel[1], count, g.out_height, g.column_width)
    strides = (height * width, g.dilation[0] * width, g.dilation[1], g.channels * height * width,
               g.stride[0] * width, g.stride[1])
    return xp.lib.stride_tricks.as_strided(
        block.flat, shape, tuple(s * item for s in strides), writeable=False
    )


def columns_into(xp: Any, buffer: Array, block: PaddedBlock, count: int) -> Array:
    """im2col: copy the columns of `count` padded images into the flat `buffer`; (C*kh*kw, n*Ho*Wq)."""
    view = column_view(xp, block, count)
    rows = view.shape[0] * view.shape[1] * view.shape[2]
    dest = buffer[: view.size].reshape(view.shape)
    xp.copyto(dest, view)
    return dest.reshape(rows, -1)


def col2im_index(xp: Any, g: Geometry, images: int) -> Array:
    """For col2im: the flat position in a padded block (n, C, Hp, Wp) that each column entry
    (C, kh, kw, n, Ho, Wo) was read from."""
    height, width = g.padded
    c, i, j, n, h, w = (xp.arange(size).reshape([-1 if axis == k else 1 for k in range(6)])
                        for axis, size in enumerate((g.channels, *g.kernel, images, g.out_height, g.out_width)))
    index = ((n * g.channels + c) * height + h * g.stride[0] + i * g.dilation[0]) * width
    return index + w * g.stride[1] + j * g.dilation[1]


def col2im_add(xp: Any, padded_grad: Array, columns: Array, index: Array, geometry: Geometry) -> None:
    """col2im: add every column entry back onto the pixel it was read from (overlaps add up).

    `columns` is (C, kh, kw, n, Ho, Wq); `padded_grad` is a zeroed (n, C, Hp, Wp) block. One
    unbuffered scatter-add (`add.at`): measured faster than kh*kw strided adds (see conv.py).
    """
    count = padded_grad.shape[0]
    values = columns[..., : geometry.out_width].reshape(-1)
    xp.add.at(padded_grad.reshape(-1), index[:, :, :, :count].reshape(-1), values)  # 1-D: add.at's fast path


# -- convolution as GEMMs over blocks of columns -----------------------------------------
def _grouped_product(left: Array, right: Array, groups: int) -> Array:
    """Per-group GEMM: left (G, a, k) @ right (G*k, m) -> (G*a, m); one 2-D GEMM when G == 1."""
    if groups == 1:
        return left[0] @ right
    return (left @ right.reshape(groups, -1, right.shape[-1])).reshape(-1, right.shape[-1])


def _sampled(xp: Any, x: Array, g: Geometry) -> Array:
    """The input pixels a 1x1 kernel reads: padded, then every stride-th pixel."""
    top, bottom, left, right = g.padding
    if any(g.padding):
        x = xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    if g.stride != (1, 1):
        x = x[:, :, :: g.stride[0], :: g.stride[1]][:, :, : g.out_height, : g.out_width]
    return xp.ascontiguousarray(x)


def conv_forward(xp: Any, x: Array, weight: Array, g: Geometry, groups: int, bias: Array | None = None) -> Array:
    """y[n, o] = b[o] + sum_{c, i, j} w[o, c, i, j] * x_pad[n, c, s*h + d*i, s*w + d*j], as GEMMs."""
    out_channels, pixels = weight.shape[0], g.out_height * g.out_width
    w3 = weight.reshape(groups, out_channels // groups, -1)
    shift = None if bias is None else bias.reshape(out_channels, 1, 1)
    if g.kernel == (1, 1):  # a 1x1 convolution is a plain GEMM over the (strided) pixels
        sampled = _sampled(xp, x, g).reshape(g.batch, groups, -1, pixels)
        out = (w3 @ sampled).reshape(g.batch, out_channels, g.out_height, g.out_width)
        if shift is not None:
            out += shift
        return out
    out = xp.empty((g.batch, out_channels, g.out_height, g.out_width), dtype=x.dtype)
    images = block_size(g, x.itemsize)
    padded = PaddedBlock(xp, g, images, x.dtype)
    buffer = xp.empty(g.channels * g.taps * images * g.out_height * g.column_width, dtype=x.dtype)
    for start in range(0, g.batch, images):  # blocks of images, so the columns stay in cache
        block = x[start : start + images]
        count = block.shape[0]
        padded.fill(block)
        columns = columns_into(xp, buffer, padded, count)
        product = _grouped_product(w3, columns, groups).reshape(out_channels, count, g.out_height, g.column_width)
        out_block = out[start : start + count]
        out_block[...] = product[..., : g.out_width].transpose(1, 0, 2, 3)
        if shift is not None:
            out_block += shift
    return out


def _transposed(weight: Array, groups: int) -> Array:
    """The weight of the transposed convolution: in/out channels swapped per group, taps flipped."""
    out_channels, group_in, kh, kw = weight.shape
    swapped = weight.reshape(groups, out_channels // groups, group_in, kh, kw).transpose(0, 2, 1, 3, 4)
    return swapped[..., ::-1, ::-1].reshape(groups * group_in, out_channels // groups, kh, kw)


def _transposed_geometry(g: Geometry, out_channels: int) -> Geometry | None:
    """For stride 1, dL/dx is a convolution of dL/dy with the flipped weight; None if it needs cropping."""
    (kh, kw), (dh, dw) = g.kernel, g.dilation
    top, bottom, left, right = g.padding
    padding = (dh * (kh - 1) - top, dh * (kh - 1) - bottom, dw * (kw - 1) - left, dw * (kw - 1) - right)
    if g.stride != (1, 1) or min(padding) < 0:
        return None
    return Geometry(g.batch, out_channels, g.out_height, g.out_width, g.kernel, (1, 1), g.dilation, padding,
                    g.height, g.width)


def conv_backward(
    xp: Any, x: Array | None, weight: Array, grad: Array, g: Geometry, groups: int, need_input: bool,
    need_weight: bool,
) -> tuple[Array | None, Array | None]:
    """dL/dx and dL/dw of conv_forward, recomputing the columns block by block (x only for dL/dw)."""
    out_channels = weight.shape[0]
    w3 = weight.reshape(groups, out_channels // groups, -1)
    if g.kernel == (1, 1):
        return _pointwise_backward(xp, x, w3, grad, g, groups, need_input, need_weight, weight.shape)
    transposed = _transposed_geometry(g, out_channels) if need_input else None
    grad_x = None if transposed is None else conv_forward(xp, grad, _transposed(weight, groups), transposed, groups)
    col2im = need_input and transposed is None
    if not (need_weight or col2im):
        return grad_x, None
    dtype, images, width = grad.dtype, block_size(g, grad.itemsize), g.column_width
    top, _, left, _ = g.padding
    grad_w = xp.zeros(w3.shape, dtype=dtype) if need_weight else None
    padded = PaddedBlock(xp, g, images, dtype) if need_weight else None
    buffer = xp.empty(g.channels * g.taps * images * g.out_height * width, dtype=dtype) if need_weight else None
    if col2im:
        grad_x = xp.empty((g.batch, g.channels, g.height, g.width), dtype=dtype)
        padded_grad_block = PaddedBlock(xp, g, images, dtype)
        index = col2im_index(xp, g, images)
    grad_buffer = xp.zeros(out_channels * images * g.out_height * width, dtype=dtype)
    for start in range(0, g.batch, images):
        count = min(images, g.batch - start)
        block_grad = grad_buffer[: out_channels * count * g.out_height * width].reshape(
            out_channels, count, g.out_height, width)
        block_grad[..., : g.out_width] = grad[start : start + count].transpose(1, 0, 2, 3)
        if width != g.out_width:
            block_grad[..., g.out_width :] = 0  # garbage columns of the wide layout get no gradient
        block_grad = block_grad.reshape(groups, -1, count * g.out_height * width)
        if need_weight:
            padded.fill(x[start : start + count])
            columns = columns_into(xp, buffer, padded, count).reshape(groups, -1, block_grad.shape[-1])
            grad_w += block_grad @ columns.transpose(0, 2, 1)
        if col2im:
            block_columns = (w3.transpose(0, 2, 1) @ block_grad).reshape(
                g.channels, g.kernel[0], g.kernel[1], count, g.out_height, width)
            padded_grad = padded_grad_block.images(count)
            padded_grad[...] = 0
            col2im_add(xp, padded_grad, block_columns, index, g)
            grad_x[start : start + count] = padded_grad[:, :, top : top + g.height, left : left + g.width]
    return grad_x, (grad_w.reshape(weight.shape) if need_weight else None)


def _pointwise_backward(
    xp: Any, x: Array, w3: Array, grad: Array, g: Geometry, groups: int, need_input: bool, need_weight: bool,
    weight_shape: tuple[int, ...],
) -> tuple[Array | None, Array | None]:
    """Gradients of a 1x1 convolution: two GEMMs, and a strided scatter for the input."""
    pixels = g.out_height * g.out_width
    grad4 = grad.reshape(g.batch, groups, -1, pixels)
    grad_w = grad_x = None
    if need_weight:
        sampled = _sampled(xp, x, g).reshape(g.batch, groups, -1, pixels)
        grad_w = (grad4 @ sampled.transpose(0, 1, 3, 2)).sum(axis=0).reshape(weight_shape)
    if need_input:
        grad_sampled = (w3.transpose(0, 2, 1) @ grad4).reshape(g.batch, g.channels, g.out_height, g.out_width)
        if g.stride == (1, 1) and not any(g.padding):
            return grad_sampled, grad_w
        top, _, left, _ = g.padding
        height, width = g.padded
        padded = xp.zeros((g.batch, g.channels, height, width), dtype=grad.dtype)
        padded[:, :, :: g.stride[0], :: g.stride[1]][:, :, : g.out_height, : g.out_width] = grad_sampled
        grad_x = padded[:, :, top : top + g.height, left : left + g.width]
    return grad_x, grad_w
