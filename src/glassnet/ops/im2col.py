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

BLOCK_BYTES = 3 << 20  # columns per batch block: ~3 MiB keeps them in cache
WIDE_MAX_WASTE = 1.0  # wide rows while their garbage columns are at most as many as the output's


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
        """Stride 1: rows of the column matrix are contiguous runs of the padded input.

        Only while the garbage columns, (Wp - Wo) / Wo, stay within WIDE_MAX_WASTE: padded 3x3
        kernels (2 / Wo: 25% at 8x8) and LeNet's unpadded 5x5 at 14x14 (40%) run wide; a 5x5
        whose output is 1x1 (400%) computes exact rows instead. (Exact rows at 40% made
        LeNet's forward faster but its col2im slower, by per-tap adds of 10-value runs.)
        """
        return self.stride == (1, 1) and self.padded[1] - self.out_width <= (
            WIDE_MAX_WASTE * self.out_width
        )

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
    if len(values) != count or not all(
        isinstance(v, Integral) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {count} ints, got {value!r}")
    return tuple(int(v) for v in values)


def output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    pad_before: int = 0,
    pad_after: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """How many windows fit along one axis: PyTorch's formula for convolutions and pools,

        out = floor((size + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1

    where dilation * (kernel - 1) + 1 is the span of the dilated kernel. ceil_mode (pools)
    rounds up instead; `pool_output_size` then drops a window that starts in the padding.
    """
    span = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    return (-(-span // stride) if ceil_mode else span // stride) + 1


def pool_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """`output_size` of a pool padded by `padding` on both sides; in ceil_mode, one less when the
    last window would start in the right padding ((out - 1) * stride >= size + padding)."""
    out = output_size(size, kernel, stride, padding, padding, dilation, ceil_mode)
    return out - 1 if ceil_mode and (out - 1) * stride >= size + padding else out


def block_size(geometry: Geometry, itemsize: int, threads: int = 1) -> int:
    """How many images one block holds so that its columns fit in about BLOCK_BYTES / threads
    (threads working at once share the cache)."""
    per_image = (
        geometry.channels * geometry.taps * geometry.out_height * geometry.column_width * itemsize
    )
    return max(1, min(geometry.batch, BLOCK_BYTES // threads // max(per_image, 1)))


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
    strides = (
        height * width,
        g.dilation[0] * width,
        g.dilation[1],
        g.channels * height * width,
        g.stride[0] * width,
        g.stride[1],
    )
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
    c, i, j, n, h, w = (
        xp.arange(size).reshape([-1 if axis == k else 1 for k in range(6)])
        for axis, size in enumerate((g.channels, *g.kernel, images, g.out_height, g.out_width))
    )
    index = ((n * g.channels + c) * height + h * g.stride[0] + i * g.dilation[0]) * width
    return index + w * g.stride[1] + j * g.dilation[1]


def col2im_add(
    xp: Any, padded_grad: Array, columns: Array, index: Array, geometry: Geometry
) -> None:
    """col2im: add every column entry back onto the pixel it was read from (overlaps add up).

    `columns` is (C, kh, kw, n, Ho, Wq); `padded_grad` is a zeroed (n, C, Hp, Wp) block. One
    unbuffered scatter-add (`add.at`), which beat kh*kw strided adds for stride 2.
    """
    count = padded_grad.shape[0]
    values = columns[..., : geometry.out_width].reshape(-1)
    xp.add.at(
        padded_grad.reshape(-1), index[:, :, :, :count].reshape(-1), values
    )  # 1-D: add.at's fast path


def col2im_tap_add(xp: Any, padded_grad: Array, columns: Array, g: Geometry) -> None:
    """col2im for stride 1 with exact rows: tap (i, j) adds its (n, C, Ho, Wo) block onto the
    window of the padded planes that it read, starting at row i*dh, column j*dw."""
    rows = columns.reshape(g.channels, g.kernel[0], g.kernel[1], padded_grad.shape[0], -1)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            top, left = i * g.dilation[0], j * g.dilation[1]
            window = padded_grad[:, :, top : top + g.out_height, left : left + g.out_width]
            window += (
                rows[:, i, j]
                .reshape(g.channels, -1, g.out_height, g.out_width)
                .transpose(1, 0, 2, 3)
            )


def col2im_wide_add(xp: Any, padded_grad: Array, columns: Array, g: Geometry) -> None:
    """col2im for stride 1 (wide columns): tap (i, j) adds its whole column row to one contiguous
    run of every padded plane, starting at i*dh*Wp + j*dw. The garbage columns hold zeros; the
    run is cut where the last garbage columns would pass the end of the plane."""
    height, width = g.padded
    count = padded_grad.shape[0]
    planes = padded_grad.reshape(count, g.channels, height * width)
    run = g.out_height * width - (g.kernel[1] - 1) * g.dilation[1]
    rows = columns.reshape(g.channels, g.kernel[0], g.kernel[1], count, -1)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            start = i * g.dilation[0] * width + j * g.dilation[1]
            planes[:, :, start : start + run] += rows[:, i, j, :, :run].transpose(1, 0, 2)


# -- blocks of images: one padded image each, or side by side on one canvas ------------------
CANVAS_MIN_WASTE = 0.05  # side by side once wide rows would waste >= 5% of the GEMM's columns


def canvas_border(g: Geometry) -> int | None:
    """The shared border s when a block of images can sit side by side on one canvas, else None.

    Stride 1 with equal left/right padding 1 <= s <= the kernel's reach: image k starts at
    column s + k (W + s) of a canvas whose separators are s zero columns, which is all the
    padding either neighbour reads, so the convolution of the canvas holds every image's
    output. Worth it where wide rows waste columns, (Wp - Wo) / Wo: 25% at 8x8, 12.5% at
    16x16, 6% at 32x32 for a padded 3x3, against (n + 1) s of the canvas's n (W + s) + s.
    """
    _, _, left, right = g.padding
    reach = (g.kernel[1] - 1) * g.dilation[1]
    if not g.wide or left != right or not 1 <= left <= reach or g.batch < 2:
        return None
    return left if (g.padded[1] - g.out_width) / g.out_width >= CANVAS_MIN_WASTE else None


class ColumnBlocks:
    """im2col for blocks of images, in the layout that wastes fewer GEMM columns.

    Per image (the default): columns (C*kh*kw, n*Ho*Wq), see `column_view`. Canvas (see
    `canvas_border`): the n images of a block side by side, columns (C*kh*kw, Ho*Wc) with
    Wc = n (W + s) + s, image k's output in columns k (W + s) ... k (W + s) + Wo - 1.
    Both backward GEMMs of the transposed form use the same layout.
    """

    def __init__(self, xp: Any, g: Geometry, images: int, dtype: Any) -> None:
        self.xp, self.g, self.images, self.dtype = xp, g, images, dtype
        self.border = canvas_border(g)
        self.layouts: dict[int, tuple[Geometry, PaddedBlock]] = {}
        self.packed: dict[int, Array] = {}
        self.buffer = xp.empty(g.channels * g.taps * self.column_count(images), dtype=dtype)

    def _layout(self, count: int) -> tuple[Geometry, PaddedBlock]:
        if count not in self.layouts:  # the last block may hold fewer images: a canvas of its own
            g, border = self.g, self.border
            if border is None:
                shared = next(iter(self.layouts.values()), None)
                self.layouts[count] = (
                    g,
                    shared[1] if shared else PaddedBlock(self.xp, g, self.images, self.dtype),
                )
            else:
                width = count * (g.width + border) - border
                canvas = g._replace(
                    batch=1,
                    width=width,
                    out_width=width + 2 * border - (g.kernel[1] - 1) * g.dilation[1],
                )
                self.layouts[count] = (canvas, PaddedBlock(self.xp, canvas, 1, self.dtype))
        return self.layouts[count]

    def column_count(self, count: int) -> int:
        """Columns (output pixels, garbage included) of a block of `count` images."""
        layout, _ = self._layout(count)
        return layout.out_height * layout.column_width * (count if self.border is None else 1)

    def columns(self, block: Array) -> Array:
        """Fill the padded block (or canvas) with `block` (n, C, H, W); its columns (C*kh*kw, M)."""
        count, g = block.shape[0], self.g
        _, padded = self._layout(count)
        if self.border is None:
            padded.fill(block)
            return columns_into(self.xp, self.buffer, padded, count)
        top, border = g.padding[0], self.border
        plane = padded.images(1)[0]  # (C, Hp, n (W + s) + s); separators are never written
        plane[:, top : top + g.height, border:].reshape(g.channels, g.height, count, -1)[
            ..., : g.width
        ] = block.transpose(1, 2, 0, 3)
        return columns_into(self.xp, self.buffer, padded, 1)

    def unpack(self, product: Array, count: int) -> Array:
        """The (n, rows, Ho, Wo) view of a GEMM product (rows, M) of this block's columns."""
        g, rows = self.g, product.shape[0]
        if self.border is None:
            return product.reshape(rows, count, g.out_height, -1)[..., : g.out_width].transpose(
                1, 0, 2, 3
            )
        images = product.reshape(rows, g.out_height, -1)[:, :, : count * (g.width + self.border)]
        return images.reshape(rows, g.out_height, count, -1)[..., : g.out_width].transpose(
            2, 0, 1, 3
        )

    def pack(self, array: Array) -> Array:
        """`array` (n, rows, Ho, Wo) laid out like this block's GEMM output, (rows, M), zeros elsewhere."""
        count, rows = array.shape[:2]
        key = (count, rows)
        if key not in self.packed:
            self.packed[key] = self.xp.zeros((rows, self.column_count(count)), dtype=array.dtype)
        packed = self.packed[key]
        self.unpack(packed, count)[...] = (
            array  # garbage positions are never written: they stay zero
        )
        return packed
