"""Convolutions: conv1d and conv2d, lowered to matrix products (GEMMs) with im2col.

The padded input's patches become the columns of a matrix (see `im2col.py`), and the
convolution is one GEMM per group: weight (O, C*kh*kw) @ columns. A 1x1 kernel needs
no columns: it is a GEMM over the (strided) pixels. conv1d is conv2d over a unit
height. The backward recomputes the columns instead of keeping them, so a convolution
holds on to nothing but its input and weight (the columns of one 16->16 3x3 layer at
batch 128, 32x32 would take 75 MB; ResNet-20 would keep ~0.9 GB of them).

Internal note: what was measured and chosen (float32, batch 128, ResNet-20's shapes;
2-core AMD EPYC (Zen 5), NumPy 2.4 + OpenBLAS; PyTorch 2.13 in the same process with its
default 2 threads, timed one after the other; min of 10 runs):
- Column layout (C*kh*kw, n*Ho*Wq), one 2-D GEMM: OpenBLAS ran it as fast as or faster
  than per-image GEMMs (16->16@32: 4.6 vs 4.9 ms) or the NHWC layout (N*Ho*Wo, C*kh*kw),
  whose copy moves runs of kw values (30 ms vs 7 ms for 16->16@32).
- Blocking the batch so each block's columns take ~3 MiB (they stay in cache for the
  GEMM) halved the forward: 16->16@32 12.4 -> 6.0 ms, 32->32@16 8.7 -> 4.7 ms.
- "Wide" rows for stride 1 (contiguous runs, Wp - Wo garbage columns): faster than
  exact rows even at 8x8, where 25% of the GEMM is garbage (4.5 vs 5.7 ms).
- dL/dx for stride 1 as the transposed convolution (im2col of dL/dy + GEMM) instead of
  GEMM + col2im: fwd+bwd 27.1 vs 33.5 ms (16->16@32), 23.2 vs 30.5 (32->32@16), 22.4 vs
  27.6 (64->64@8), single-threaded. Stride > 1 uses col2im, where one 1-D add.at beat
  kh*kw strided adds (fwd+bwd 13.7 vs 14.3 ms for 16->32@32/2, 10.1 vs 11.3 for 32->64@16/2).
- Result, fwd+bwd ms ours / torch: 3->16@32 (no dL/dx) 4.3/1.1, 16->16@32 19.4/15.0,
  16->32@32/2 13.5/8.5, 32->32@16 14.7/4.2, 32->64@16/2 9.9/2.8, 64->64@8 13.5/3.8,
  1x1/2 16->32 2.5/5.9 and 32->64 1.4/1.0. Over ResNet-20's 21 convolutions: fwd+bwd
  290 vs 155 ms (1.9x torch; forward alone 3.1x); single-threaded both: 1.5x. The GEMMs
  are ~3/4 of our time: OpenBLAS reaches ~half the speed of torch's oneDNN kernels.
- Issue 6 (whole training steps; details in `conv_gemm.py` and `im2col.py`): the stride-1
  backward picks its form per shape (the transposed convolution only where it computes
  <= 1.25x the direct form's pixels: LeNet's unpadded 5x5 backward went 4.0 -> 1.8 ms and
  7.9 -> 0.6 ms for dL/dx), the transposed form's columns also give dL/dW (one im2col per
  block instead of two: stride-1 fwd+bwd -11 to -13%), and small images sit side by side
  on one canvas (64->64 @8 forward -10%). Tried and dropped: Winograd F(2x2, 3x3) in NumPy
  (its tile transforms are short strided loops: 1.5-2x slower than im2col at 16 and 32
  channels, -11% at 64 @8 only), one GEMM per tap without im2col (small-K GEMMs: slower),
  kh*kw strided adds for stride-2 col2im (0.69 vs 0.52 ms per block with add.at).
  The GEMMs run at 100-125 GFLOPS per core, the peak of OpenBLAS's AVX2 (Haswell) kernels
  that CI forces with OPENBLAS_CORETYPE=Haswell; OpenBLAS's own choice on this CPU
  (SkylakeX, AVX-512) runs them 1.5-1.9x faster.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
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


__all__ = ["conv1d", "conv2d"]
