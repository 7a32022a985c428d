"""Transposed convolutions: conv_transpose1d and conv_transpose2d.

A convolution is a linear map x -> y = C x. Its transpose C^T maps a y-shaped tensor
back to an x-shaped one, and that is the whole op: conv_transpose2d(x, W) is the
gradient a conv2d with the same weight, stride, padding and dilation would send to its
input. So each output pixel gathers every (input pixel, tap) that a convolution would
have sent there, and with stride s the output grows by s per input pixel:

    H_out = (H - 1) s - 2 p + d (k - 1) + output_padding + 1.

The forward reuses conv's dL/dx code and the backward reuses conv's forward and dL/dW
(`conv_gemm.py`): dL/dx = conv2d(dL/dy, W) and dL/dW = the weight gradient of that
conv2d with dL/dy as its input and x as its output gradient. output_padding adds rows
(columns) at the end, to pick
one of the s input sizes a strided conv maps to the same output size: it crops
o fewer rows at the end (the adjoint conv pads p - o there), and where o > p the rows past
the uncropped output are reached by no input pixel and hold only the bias.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote, to_float
from glassnet.ops.conv_gemm import conv_backward, conv_forward
from glassnet.ops.im2col import Geometry, int_tuple
from glassnet.tensor import Tensor


class ConvTranspose(Function):
    """y = C^T x + b, C the conv2d with weight W (in/out roles swapped): y[n, o, s h - p + d i,
    s w - p + d j] += sum_c x[n, c, h, w] W[c, o, i, j];  dL/dx = C dL/dy (a conv2d),
    dL/dW = sum over pixels of x times the patches of dL/dy,  dL/db = sum of dL/dy."""

    def forward(
        self,
        x: Array,
        weight: Array,
        bias: Array | None,
        geometry: Geometry,
        groups: int,
        extra: tuple[int, int],
        out_shape: tuple[int, ...],
    ) -> Array:
        g, xp = geometry, self.xp
        x4 = xp.ascontiguousarray(x.reshape(g.batch, -1, g.out_height, g.out_width))
        w4 = weight.reshape(weight.shape[0], weight.shape[1], *g.kernel)
        self.geometry, self.groups, self.extra = g, groups, extra
        self.shapes = (x.shape, weight.shape)
        self.save(x4 if self.needs_input_grad[1] else None, w4)
        core, _ = conv_backward(xp, None, w4, x4, g, groups, need_input=True, need_weight=False)
        y = xp.pad(core, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1]))) if any(extra) else core
        if bias is not None:
            y = y + bias.reshape(-1, 1, 1)
        return y.reshape(out_shape)

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        x4, w4 = self.saved
        g, xp = self.geometry, self.xp
        need_x, need_w, need_b = self.needs_input_grad
        grad4 = grad.reshape(g.batch, -1, g.height + self.extra[0], g.width + self.extra[1])
        core = xp.ascontiguousarray(grad4[:, :, : g.height, : g.width])
        grad_x = conv_forward(xp, core, w4, g, self.groups) if need_x else None
        grad_w = None
        if need_w:
            _, grad_w = conv_backward(xp, core, w4, x4, g, self.groups, False, True)
        grad_b = xp.einsum("nchw->c", grad4) if need_b else None
        return (
            grad_x.reshape(self.shapes[0]) if grad_x is not None else None,
            grad_w.reshape(self.shapes[1]) if grad_w is not None else None,
            grad_b,
        )


def _check(op: str, input: Any, weight: Any, bias: Any, groups: Any, dims: int) -> None:
    for name, value in (("input", input), ("weight", weight), ("bias", bias)):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{op}: input must be {dims + 1}-D or {dims + 2}-D (N, C, ...), got shape {input.shape}"
        )
    if weight.ndim != dims + 2:
        raise ValueError(
            f"{op}: weight must be {dims + 2}-D (in_channels, out_channels / groups, kernel...), "
            f"got shape {weight.shape}"
        )
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    channels = input.shape[-dims - 1]
    where = f"(input shape {input.shape}, weight shape {weight.shape}, groups={groups})"
    if weight.shape[0] != channels or channels % groups:
        raise ValueError(
            f"{op}: weight has {weight.shape[0]} input channels (dim 0), input has {channels}; "
            f"both must agree and be divisible by groups {where}"
        )
    out_channels = weight.shape[1] * groups
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(
            f"{op}: bias must have shape ({out_channels},) (weight.shape[1] * groups), got {bias.shape}"
        )


def _conv_transpose(
    op: str, input: Tensor, weight: Tensor, bias: Tensor | None, options: dict, dims: int
) -> Tensor:
    _check(op, input, weight, bias, options["groups"], dims)
    kernel = tuple(weight.shape[2:])
    stride, padding, extra, dilation = (
        int_tuple(op, name, options[name], dims)
        for name in ("stride", "padding", "output_padding", "dilation")
    )
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(extra) < 0:
        raise ValueError(
            f"{op}: stride and dilation must be positive, padding and output_padding non-negative; "
            f"got stride={stride}, dilation={dilation}, padding={padding}, output_padding={extra}"
        )
    for o, s, d in zip(extra, stride, dilation):
        if o >= max(s, d):
            raise ValueError(
                f"{op}: output_padding {extra} must be smaller than stride {stride} or dilation "
                f"{dilation} (per dim)"
            )
    sizes = tuple(input.shape[-dims:])
    full = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + o + 1
        for n, s, p, d, k, o in zip(sizes, stride, padding, dilation, kernel, extra)
    )
    if min(full) < 1:
        raise ValueError(
            f"{op}: the output size would be {full}: padding {padding} is too large for input "
            f"shape {input.shape} and kernel {kernel}"
        )
    # output_padding crops less at the end: the adjoint conv pads p - o after; rows past the
    # uncropped output (o > p) are reached by no input pixel and are appended as zeros
    after = tuple(max(p - o, 0) for p, o in zip(padding, extra))
    zeros = tuple(max(o - p, 0) for p, o in zip(padding, extra))
    core = tuple(f - z for f, z in zip(full, zeros))
    batched = input.ndim == dims + 2
    out_channels = weight.shape[1] * options["groups"]
    out_shape = (*input.shape[: 1 if batched else 0], out_channels, *full)
    if dims == 1:
        kernel, stride, dilation = (1, *kernel), (1, *stride), (1, *dilation)
        padding, after, core, zeros = (0, *padding), (0, *after), (1, *core), (0, *zeros)
        sizes = (1, *sizes)
    geometry = Geometry(
        input.shape[0] if batched else 1,
        out_channels,
        core[0],
        core[1],
        kernel,  # type: ignore[arg-type]
        stride,  # type: ignore[arg-type]
        dilation,  # type: ignore[arg-type]
        (padding[0], after[0], padding[1], after[1]),
        sizes[0],
        sizes[1],
    )
    operands = [to_float(t) for t in promote(*(t for t in (input, weight, bias) if t is not None))]
    x, w, b = operands[0], operands[1], operands[2] if bias is not None else None
    return ConvTranspose.apply(
        x, w, b, geometry=geometry, groups=options["groups"], extra=zeros, out_shape=out_shape
    )


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed 1-D convolution of (N, C_in, L) or (C_in, L); weight (C_in, C_out / groups, k)."""
    options = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=groups,
        dilation=dilation,
    )
    return _conv_transpose("conv_transpose1d", input, weight, bias, options, dims=1)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed 2-D convolution of (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out / groups,
    kh, kw). The adjoint of conv2d with the same arguments (see the module docstring)."""
    options = dict(
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=groups,
        dilation=dilation,
    )
    return _conv_transpose("conv_transpose2d", input, weight, bias, options, dims=2)


__all__ = ["conv_transpose1d", "conv_transpose2d"]
