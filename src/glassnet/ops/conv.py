"""Convolutions: conv1d and conv2d, lowered to matrix products (GEMMs) with im2col.

The padded input's patches become the columns of a matrix (see `im2col.py`), and the
convolution is one GEMM per group: weight (O, C*kh*kw) @ columns. conv1d is conv2d over
a unit height. Which lowering runs when (`conv_gemm.py`):

- forward, 1x1 kernel: a GEMM over the (strided) pixels, no columns at all;
- forward, otherwise: the batch in blocks whose columns take about 3 MiB (so they stay
  in cache for the GEMM); for stride 1 each column row is one contiguous run of the
  padded input ("wide" rows: Wp - Wo garbage columns, sliced off; exact rows where the
  garbage would outnumber the output, as for a 1x1 output), and small images sit
  side by side on one canvas, sharing their zero borders (`ColumnBlocks`);
- backward, stride 1: dL/dx as the transposed convolution (im2col of the padded dL/dy,
  whose columns give dL/dW too), unless that computes over 1.25x the direct form's
  pixels (unpadded convolutions such as LeNet's);
- backward, otherwise: dL/dW = dL/dY X^T with recomputed columns X, and
  dL/dx = col2im(W^T dL/dY): contiguous adds for stride 1 (per-tap window adds where
  the rows are exact), one flat add.at for stride > 1.

The backward recomputes the columns instead of keeping them, so a convolution holds on
to nothing but its input and weight (the columns of one 16->16 3x3 layer at batch 128,
32x32 would take 75 MB; ResNet-20 would keep ~0.9 GB of them). What each choice bought,
measured against PyTorch: bench/RESULTS.md. `reference_conv2d` is the textbook form,
slow and plainly right: the tests' oracle beside PyTorch.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.cast import promote, to_float
from glassnet.ops.conv_gemm import conv_backward, conv_forward
from glassnet.ops.im2col import Geometry, int_tuple, output_size
from glassnet.tensor import Tensor


class Convolution(Function):
    """y[n,o,h,w] = b[o] + sum_{c,i,j} W[o,c,i,j] * x_pad[n, g(o)*C_g + c, s*h + d*i, s*w + d*j],
    where c runs over the C_g = C / groups input channels of output channel o's group g(o).

    With X the im2col columns (one column per output pixel) the forward is Y = W X, so
    dL/dW = dL/dY X^T, dL/db = sum of dL/dY over batch and pixels, and dL/dX = W^T dL/dY,
    which col2im adds back onto the pixels the columns were read from. For stride 1 that
    sum is itself a convolution: of dL/dy with the weight flipped in both spatial
    directions and its in/out channels swapped (the "transposed convolution").
    """

    def forward(
        self,
        x: Array,
        weight: Array,
        bias: Array | None,
        geometry: Geometry,
        groups: int,
        out_shape: tuple[int, ...],
    ) -> Array:
        g = geometry
        x4 = x.reshape(g.batch, g.channels, g.height, g.width)
        w4 = weight.reshape(weight.shape[0], -1, g.kernel[0], g.kernel[1])
        self.geometry, self.groups, self.shapes = g, groups, (x.shape, weight.shape)
        self.save(
            x4 if self.needs_input_grad[1] else None, w4
        )  # the weight is held by its parameter anyway
        return conv_forward(self.xp, x4, w4, g, groups, bias).reshape(out_shape)

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        x4, w4 = self.saved
        g = self.geometry
        need_x, need_w, need_b = self.needs_input_grad
        grad4 = grad.reshape(g.batch, -1, g.out_height, g.out_width)
        grad_x, grad_w = conv_backward(self.xp, x4, w4, grad4, g, self.groups, need_x, need_w)
        grad_b = self.xp.einsum("nchw->c", grad4) if need_b else None
        return (
            grad_x.reshape(self.shapes[0]) if grad_x is not None else None,
            grad_w.reshape(self.shapes[1]) if grad_w is not None else None,
            grad_b,
        )


# -- arguments ------------------------------------------------------------------------
def _padding(
    op: str,
    padding: Any,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial dim; 'same' puts the odd extra value after, like PyTorch."""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if padding != "same":
            raise ValueError(
                f"{op}: padding must be 'same', 'valid', an int or a tuple of ints, got {padding!r}"
            )
        if any(s != 1 for s in stride):
            raise ValueError(
                f"{op}: padding='same' needs stride 1 (as in PyTorch), got stride={stride}"
            )
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((total // 2, total - total // 2) for total in totals)
    values = int_tuple(op, "padding", padding, len(kernel))
    if min(values) < 0:
        raise ValueError(f"{op}: padding must be non-negative, got {padding!r}")
    return tuple((p, p) for p in values)


def _check_operands(op: str, input: Any, weight: Any, bias: Any, groups: Any, dims: int) -> None:
    """Types, ranks and channel counts of conv1d (dims=1) or conv2d (dims=2)."""
    for name, value in (("input", input), ("weight", weight), ("bias", bias)):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    layout = "(C, L) or (N, C, L)" if dims == 1 else "(C, H, W) or (N, C, H, W)"
    if input.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{op}: input must be {dims + 1}-D or {dims + 2}-D {layout}, got shape {input.shape}"
        )
    if weight.ndim != dims + 2:
        raise ValueError(
            f"{op}: weight must be {dims + 2}-D (out_channels, in_channels / groups, kernel...), "
            f"got shape {weight.shape}"
        )
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    channels, out_channels, group_in = input.shape[-dims - 1], weight.shape[0], weight.shape[1]
    where = f"(input shape {input.shape}, weight shape {weight.shape}, groups={groups})"
    if out_channels % groups:
        raise ValueError(
            f"{op}: weight has {out_channels} output channels, not divisible by groups={groups} {where}"
        )
    if channels % groups:
        raise ValueError(
            f"{op}: input has {channels} channels, not divisible by groups={groups} {where}"
        )
    if channels != group_in * groups:
        raise ValueError(
            f"{op}: weight has {group_in} input channels per group but input has {channels} channels "
            f"({channels // groups} per group) {where}"
        )
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(
            f"{op}: bias must have shape ({out_channels},) to match the weight's {out_channels} "
            f"output channels, got {bias.shape}"
        )


def _convolve(
    op: str,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    dims: int,
) -> Tensor:
    """Check the arguments of conv1d (dims=1) or conv2d (dims=2), then run the 2-D convolution."""
    _check_operands(op, input, weight, bias, groups, dims)
    kernel, sizes = tuple(weight.shape[2:]), tuple(input.shape[-dims:])
    strides = int_tuple(op, "stride", stride, dims)
    dilations = int_tuple(op, "dilation", dilation, dims)
    for name, values in (("stride", strides), ("dilation", dilations)):
        if min(values) < 1:
            raise ValueError(f"{op}: {name} must be positive, got {name}={values}")
    pads = _padding(op, padding, kernel, strides, dilations)
    padded = tuple(size + before + after for size, (before, after) in zip(sizes, pads))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilations))
    outs = tuple(
        output_size(n, k, s, b, a, d)
        for n, k, s, (b, a), d in zip(sizes, kernel, strides, pads, dilations)
    )
    if any(r > p for r, p in zip(reach, padded)) or min(outs) < 1:
        raise ValueError(
            f"{op}: the (dilated) kernel {reach} is larger than the padded input {padded}, so the "
            f"output size would be {tuple(max(o, 0) for o in outs)} (input shape {input.shape}, "
            f"weight shape {weight.shape}, padding={padding!r}, dilation={dilation!r})"
        )
    batched = input.ndim == dims + 2
    out_shape = (*input.shape[: 1 if batched else 0], weight.shape[0], *outs)
    if dims == 1:  # conv1d is conv2d over a unit height
        kernel, strides, dilations = (1, *kernel), (1, *strides), (1, *dilations)
        pads, sizes, outs = ((0, 0), *pads), (1, *sizes), (1, *outs)
    batch = input.shape[0] if batched else 1
    geometry = Geometry(
        batch,
        input.shape[-dims - 1],
        sizes[0],
        sizes[1],
        kernel,
        strides,  # type: ignore[arg-type]
        dilations,
        (*pads[0], *pads[1]),
        outs[0],
        outs[1],
    )
    operands = [
        to_float(t)
        for t in (promote(input, weight) if bias is None else promote(input, weight, bias))
    ]
    x, w, b = operands[0], operands[1], operands[2] if bias is not None else None
    return Convolution.apply(x, w, b, geometry=geometry, groups=groups, out_shape=out_shape)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution (a cross-correlation, as in PyTorch) of (N, C, L) or (C, L) input."""
    return _convolve("conv1d", input, weight, bias, stride, padding, dilation, groups, dims=1)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (a cross-correlation, as in PyTorch) of (N, C, H, W) or (C, H, W) input.

    padding: an int, a (pad_h, pad_w) tuple, 'valid' (no padding) or 'same' (stride 1
    only; the output keeps the input's size, an odd extra pad goes right/bottom).
    """
    return _convolve("conv2d", input, weight, bias, stride, padding, dilation, groups, dims=2)


def reference_conv2d(
    x: Array,
    weight: Array,
    bias: Array | None = None,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
    groups: int = 1,
) -> Array:
    """The convolution straight from its formula, for tests: arrays in, array out, no autograd.

        y[n, o, h, w] = b[o] + sum_{c, i, j} W[o, c, i, j] * x_pad[n, g C_g + c, s h + d i, s w + d j]

    with g = o // (O / groups) the group of output channel o and C_g = C / groups. Every
    window is a strided view of the padded input (no copy), and each group's windows meet
    its weights in one tensordot over (c, i, j). x is (N, C, H, W), weight (O, C_g, kh, kw);
    stride, padding (both sides) and dilation are (height, width) pairs.
    """
    xp = namespace(x, weight)
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    out_channels, group_in, kh, kw = weight.shape
    if x.shape[1] != group_in * groups or out_channels % groups:
        raise ValueError(f"reference_conv2d: x {x.shape}, weight {weight.shape}, groups={groups}")
    x = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    batch, channels, height, width = x.shape
    out_h, out_w = output_size(height, kh, sh, 0, 0, dh), output_size(width, kw, sw, 0, 0, dw)
    sn, sc, sy, sx = x.strides
    # windows[n, c, h, w, i, j] = x_pad[n, c, sh*h + dh*i, sw*w + dw*j]
    windows = xp.lib.stride_tricks.as_strided(
        x,
        (batch, channels, out_h, out_w, kh, kw),
        (sn, sc, sh * sy, sw * sx, dh * sy, dw * sx),
        writeable=False,
    )
    group_out = out_channels // groups
    outputs = [  # each (N, Ho, Wo, O_g): the sum over c, i, j of window times weight
        xp.tensordot(
            windows[:, g * group_in : (g + 1) * group_in],
            weight[g * group_out : (g + 1) * group_out],
            axes=((1, 4, 5), (1, 2, 3)),
        )
        for g in range(groups)
    ]
    y = xp.concatenate(outputs, axis=-1).transpose(0, 3, 1, 2)
    return y if bias is None else y + bias.reshape(1, -1, 1, 1)


__all__ = ["conv1d", "conv2d"]  # reference_conv2d is for tests: import it by its path
