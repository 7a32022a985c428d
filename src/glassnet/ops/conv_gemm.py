"""Convolution as GEMMs over blocks of im2col columns: the forward and both gradients.

Forward: for each block of images, Y = W X with X the block's columns (see `im2col.py`).
Backward, three lowerings, chosen per shape (measured: bench/RESULTS.md):

- 1x1 kernels: plain GEMMs over the (strided) pixels, no columns at all.
- stride 1, "transposed": dL/dx is the convolution of dL/dy (padded by d(k-1) - p) with
  the weight flipped in both spatial directions and its in/out channels swapped. The
  columns G of that padded dL/dy then serve *both* gradients: dL/dx = W_t G, and, since
  dL/dW[o, c, i, j] = sum over pixels of x[c, a, b] * dL/dy[o, a + p - d i, b + p - d j]
  = sum of x[c, a, b] * G[(o, k-1-i, k-1-j), (a, b)], also dL/dW = flip(G X^T) with X the
  input itself laid out like G's columns. One im2col per block instead of two.
- otherwise, "col2im": dL/dW = dL/dY X^T with recomputed input columns X, and
  dL/dx = col2im(W^T dL/dY): contiguous adds for stride 1 (per-tap window adds where the
  rows are exact, see `Geometry.wide`), one flat add.at for stride > 1.
  Used where the transposed form would compute many more pixels than the direct one
  (unpadded convs such as LeNet's: 1.8x at 6->16 @14, 9x at 16->120 @5).

Both directions split the batch over glassnet's threads (`glassnet.parallel`): each
thread runs the serial code above on its own images with its own column buffers (and
the BLAS on one thread), writes its rows of y or dL/dx, and returns its share of dL/dW;
the shares are added in a fixed order, so the result is the same every run. With T
threads at work each one's blocks take BLOCK_BYTES / T, so together they take what
one thread's did (the threads share the cache).
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.ops.im2col import (
    ColumnBlocks,
    Geometry,
    PaddedBlock,
    block_size,
    col2im_add,
    col2im_index,
    col2im_tap_add,
    col2im_wide_add,
    columns_into,
)
from glassnet.parallel import Split, min_items, parallel_for, split

TRANSPOSED_LIMIT = (
    1.25  # the transposed form only while it computes <= 1.25x the direct form's pixels
)
MIN_CHUNK_MACS = 1 << 22  # a thread's share of a convolution: at least ~4 M multiply-adds


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


def conv_forward(
    xp: Any, x: Array, weight: Array, g: Geometry, groups: int, bias: Array | None = None
) -> Array:
    """y[n, o] = b[o] + sum_{c, i, j} w[o, c, i, j] * x_pad[n, c, s*h + d*i, s*w + d*j], as GEMMs.

    Split over the threads by blocks of images (`glassnet.parallel`), each writing its own rows."""
    out = xp.empty((g.batch, weight.shape[0], g.out_height, g.out_width), dtype=x.dtype)
    plan = split(xp, g.batch, images_per_chunk(g, weight.shape[0]))

    def part(start: int, stop: int) -> None:
        share = g._replace(batch=stop - start)
        _forward_into(xp, x[start:stop], weight, share, groups, bias, out[start:stop], plan)

    parallel_for(xp, g.batch, part, plan=plan)
    return out


def images_per_chunk(g: Geometry, out_channels: int) -> int:
    """The fewest images a thread's share may hold: about MIN_CHUNK_MACS multiply-adds."""
    return min_items(
        out_channels * g.channels * g.taps * g.out_height * g.out_width, MIN_CHUNK_MACS
    )


def _forward_into(
    xp: Any,
    x: Array,
    weight: Array,
    g: Geometry,
    groups: int,
    bias: Array | None,
    out: Array,
    plan: Split,
) -> None:
    """conv_forward of one share of the batch, on one thread, into `out` (n, O, Ho, Wo)."""
    out_channels, pixels = weight.shape[0], g.out_height * g.out_width
    w3 = weight.reshape(groups, out_channels // groups, -1)
    shift = None if bias is None else bias.reshape(out_channels, 1, 1)
    if g.kernel == (1, 1):  # a 1x1 convolution is a plain GEMM over the (strided) pixels
        sampled = _sampled(xp, x, g).reshape(g.batch, groups, -1, pixels)
        xp.matmul(w3, sampled, out=out.reshape(g.batch, groups, -1, pixels))
        if shift is not None:
            out += shift
        return
    images = block_size(g, x.itemsize, len(plan.parts))
    blocks = ColumnBlocks(xp, g, images, x.dtype)
    for start in range(0, g.batch, images):  # blocks of images, so the columns stay in cache
        block = x[start : start + images]
        product = _grouped_product(w3, blocks.columns(block), groups)
        out_block = out[start : start + block.shape[0]]
        out_block[...] = blocks.unpack(product, block.shape[0])
        if shift is not None:
            out_block += shift


def _transposed(weight: Array, groups: int) -> Array:
    """The weight of the transposed convolution: in/out channels swapped per group, taps flipped."""
    out_channels, group_in, kh, kw = weight.shape
    swapped = weight.reshape(groups, out_channels // groups, group_in, kh, kw).transpose(
        0, 2, 1, 3, 4
    )
    return swapped[..., ::-1, ::-1].reshape(groups * group_in, out_channels // groups, kh, kw)


def _transposed_geometry(g: Geometry, out_channels: int) -> Geometry | None:
    """For stride 1, dL/dx is a convolution of dL/dy with the flipped weight; None if it needs cropping."""
    (kh, kw), (dh, dw) = g.kernel, g.dilation
    top, bottom, left, right = g.padding
    padding = (
        dh * (kh - 1) - top,
        dh * (kh - 1) - bottom,
        dw * (kw - 1) - left,
        dw * (kw - 1) - right,
    )
    if g.stride != (1, 1) or min(padding) < 0:
        return None
    return Geometry(
        g.batch,
        out_channels,
        g.out_height,
        g.out_width,
        g.kernel,
        (1, 1),
        g.dilation,
        padding,
        g.height,
        g.width,
    )


def _transposed_inflation(g: Geometry, t: Geometry) -> float:
    """Output columns the transposed convolution computes per column of the direct GEMM + col2im."""
    return (t.out_height * t.column_width) / (g.out_height * g.column_width)


def conv_backward(
    xp: Any,
    x: Array | None,
    weight: Array,
    grad: Array,
    g: Geometry,
    groups: int,
    need_input: bool,
    need_weight: bool,
) -> tuple[Array | None, Array | None]:
    """dL/dx and dL/dw of conv_forward, recomputing columns block by block (x only for dL/dw).

    Split over the threads by blocks of images: each writes its rows of dL/dx and returns
    its share of dL/dw; the shares are added in block order (the same order every run)."""
    out_channels = weight.shape[0]
    w3 = weight.reshape(groups, out_channels // groups, -1)
    transposed = None
    if g.kernel != (1, 1) and need_input:
        transposed = _transposed_geometry(g, out_channels)
        if transposed is not None and _transposed_inflation(g, transposed) > TRANSPOSED_LIMIT:
            transposed = None
    grad_x = (
        xp.empty((g.batch, g.channels, g.height, g.width), dtype=grad.dtype) if need_input else None
    )

    plan = split(xp, g.batch, images_per_chunk(g, out_channels))

    def part(start: int, stop: int) -> Array | None:
        share = g._replace(batch=stop - start)
        x_share, grad_share = None if x is None else x[start:stop], grad[start:stop]
        out = None if grad_x is None else grad_x[start:stop]
        if g.kernel == (1, 1):
            return _pointwise_backward(
                xp, x_share, w3, grad_share, share, groups, need_weight, weight.shape, out
            )
        if transposed is not None:
            t = transposed._replace(batch=share.batch)
            return _transposed_backward(
                xp, x_share, weight, grad_share, share, t, groups, need_weight, out, plan
            )
        return _col2im_backward(
            xp, x_share, w3, grad_share, share, groups, need_weight, weight.shape, out, plan
        )

    shares = parallel_for(xp, g.batch, part, plan=plan)
    grad_w = shares[0] if need_weight else None
    for share in shares[1:] if need_weight else ():
        grad_w = grad_w + share
    return grad_x, grad_w


def _transposed_backward(
    xp: Any,
    x: Array | None,
    weight: Array,
    grad: Array,
    g: Geometry,
    t: Geometry,
    groups: int,
    need_weight: bool,
    grad_x: Array,
    plan: Split,
) -> Array | None:
    """Stride 1: dL/dx = W_t G into `grad_x`, and dL/dW = flip(G X^T) (returned), G the columns
    of the padded dL/dy (see the top)."""
    dtype = grad.dtype
    weight_t = _transposed(weight, groups)
    wt3 = weight_t.reshape(groups, weight_t.shape[0] // groups, -1)
    group_in = g.channels // groups
    images = block_size(t, grad.itemsize, len(plan.parts))
    blocks = ColumnBlocks(xp, t, images, dtype)
    if need_weight:
        grad_wt = xp.zeros((groups, wt3.shape[2], group_in), dtype=dtype)  # (G, O_g*kh*kw, C_g)
    for start in range(0, g.batch, images):
        count = min(images, g.batch - start)
        columns = blocks.columns(grad[start : start + count])
        grad_x[start : start + count] = blocks.unpack(_grouped_product(wt3, columns, groups), count)
        if (
            need_weight
        ):  # x where G's columns have their output pixels; zeros under G's garbage columns
            inputs = blocks.pack(x[start : start + count])
            grouped = columns.reshape(groups, -1, columns.shape[-1])
            grad_wt += grouped @ inputs.reshape(groups, group_in, -1).transpose(0, 2, 1)
    if not need_weight:
        return None
    out_channels, (kh, kw) = weight.shape[0], g.kernel
    grad_w = grad_wt.reshape(groups, out_channels // groups, kh, kw, group_in).transpose(
        0, 1, 4, 2, 3
    )
    return grad_w[..., ::-1, ::-1].reshape(weight.shape)


def _col2im_backward(
    xp: Any,
    x: Array | None,
    w3: Array,
    grad: Array,
    g: Geometry,
    groups: int,
    need_weight: bool,
    weight_shape: tuple[int, ...],
    grad_x: Array | None,
    plan: Split,
) -> Array | None:
    """dL/dW = dL/dY X^T with recomputed input columns (returned); dL/dx = col2im(W^T dL/dY)
    into `grad_x` (None: not needed)."""
    out_channels = w3.shape[0] * w3.shape[1]
    dtype, width = grad.dtype, g.column_width
    images = block_size(g, grad.itemsize, len(plan.parts))
    top, _, left, _ = g.padding
    need_input, grad_w = grad_x is not None, None
    if need_weight:
        grad_w = xp.zeros(
            (groups, w3.shape[2], w3.shape[1]), dtype=dtype
        )  # transposed: (G, C_g*kh*kw, O_g)
        padded = PaddedBlock(xp, g, images, dtype)
        buffer = xp.empty(g.channels * g.taps * images * g.out_height * width, dtype=dtype)
    if need_input:
        padded_grad_block = PaddedBlock(xp, g, images, dtype)
        index = None if g.stride == (1, 1) else col2im_index(xp, g, images)
    grad_buffer = xp.zeros(out_channels * images * g.out_height * width, dtype=dtype)
    for start in range(0, g.batch, images):
        count = min(images, g.batch - start)
        block_grad = grad_buffer[: out_channels * count * g.out_height * width].reshape(
            out_channels, count, g.out_height, width
        )
        block_grad[..., : g.out_width] = grad[start : start + count].transpose(1, 0, 2, 3)
        if width != g.out_width:
            block_grad[..., g.out_width :] = 0  # garbage columns of the wide layout get no gradient
        block_grad = block_grad.reshape(groups, -1, count * g.out_height * width)
        if need_weight:
            padded.fill(x[start : start + count])
            columns = columns_into(xp, buffer, padded, count).reshape(
                groups, -1, block_grad.shape[-1]
            )
            grad_w += columns @ block_grad.transpose(
                0, 2, 1
            )  # (K, M) @ (M, O): faster than dY @ X^T
        if need_input:
            block_columns = (w3.transpose(0, 2, 1) @ block_grad).reshape(
                g.channels, g.kernel[0], g.kernel[1], count, g.out_height, width
            )
            padded_grad = _col2im_block(
                xp, padded_grad_block.images(count), block_columns, index, g
            )
            grad_x[start : start + count] = padded_grad[
                :, :, top : top + g.height, left : left + g.width
            ]
    return grad_w.transpose(0, 2, 1).reshape(weight_shape) if need_weight else None


def _col2im_block(
    xp: Any, padded_grad: Array, block_columns: Array, index: Array | None, g: Geometry
) -> Array:
    """padded_grad = col2im(block_columns): zeroed, then each tap's columns added at its offset."""
    padded_grad[...] = 0
    if g.wide:
        col2im_wide_add(xp, padded_grad, block_columns, g)
    elif index is None:
        col2im_tap_add(xp, padded_grad, block_columns, g)
    else:
        col2im_add(xp, padded_grad, block_columns, index, g)
    return padded_grad


def _pointwise_backward(
    xp: Any,
    x: Array | None,
    w3: Array,
    grad: Array,
    g: Geometry,
    groups: int,
    need_weight: bool,
    weight_shape: tuple[int, ...],
    grad_x: Array | None,
) -> Array | None:
    """Gradients of a 1x1 convolution: two GEMMs (dL/dW returned), and a strided scatter for
    the input (into `grad_x`; None: not needed)."""
    pixels = g.out_height * g.out_width
    grad4 = grad.reshape(g.batch, groups, -1, pixels)
    grad_w = None
    if need_weight:
        sampled = _sampled(xp, x, g).reshape(g.batch, groups, -1, pixels)
        grad_w = (grad4 @ sampled.transpose(0, 1, 3, 2)).sum(axis=0).reshape(weight_shape)
    if grad_x is None:
        return grad_w
    if g.stride == (1, 1) and not any(g.padding):
        xp.matmul(w3.transpose(0, 2, 1), grad4, out=grad_x.reshape(g.batch, groups, -1, pixels))
        return grad_w
    grad_sampled = (w3.transpose(0, 2, 1) @ grad4).reshape(
        g.batch, g.channels, g.out_height, g.out_width
    )
    top, _, left, _ = g.padding
    height, width = g.padded
    padded = xp.zeros((g.batch, g.channels, height, width), dtype=grad.dtype)
    padded[:, :, :: g.stride[0], :: g.stride[1]][:, :, : g.out_height, : g.out_width] = grad_sampled
    grad_x[...] = padded[:, :, top : top + g.height, left : left + g.width]
    return grad_w
