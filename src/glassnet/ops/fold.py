"""unfold and fold: im2col and col2im as functions (torch.nn.functional.unfold / fold).

unfold copies every kh x kw patch of the padded input into a column: (N, C, H, W) ->
(N, C kh kw, L), L the number of patch positions. A convolution is then one matrix
product, weight (O, C kh kw) @ columns. fold is its adjoint: it adds each column back
onto the pixels it came from (overlaps add up), (N, C kh kw, L) -> (N, C, H, W). So the
gradient of unfold is fold, and the gradient of fold is unfold.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.im2col import int_tuple
from glassnet.tensor import Tensor


class Patches:
    """The geometry of one unfold/fold: kernel, dilation, padding, stride and the image size."""

    def __init__(
        self, op: str, size: tuple[int, int], kernel: Any, dilation: Any, padding: Any, stride: Any
    ):
        self.kernel = int_tuple(op, "kernel_size", kernel, 2)
        self.dilation = int_tuple(op, "dilation", dilation, 2)
        self.padding = int_tuple(op, "padding", padding, 2)
        self.stride = int_tuple(op, "stride", stride, 2)
        if min(self.kernel + self.dilation + self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(
                f"{op}: kernel_size, dilation and stride must be positive and padding non-negative, "
                f"got kernel_size={self.kernel}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}"
            )
        self.size = size
        self.blocks = tuple(
            (n + 2 * p - d * (k - 1) - 1) // s + 1
            for n, p, d, k, s in zip(size, self.padding, self.dilation, self.kernel, self.stride)
        )
        if min(self.blocks) < 1:
            raise ValueError(
                f"{op}: the (dilated) kernel does not fit the padded image {size} (kernel_size="
                f"{self.kernel}, dilation={self.dilation}, padding={self.padding})"
            )

    def taps(self) -> list[tuple[int, int, tuple[slice, slice]]]:
        """For each tap (i, j): the strided slice of the padded image it reads."""
        (kh, kw), (dh, dw), (sh, sw), (bh, bw) = (
            self.kernel,
            self.dilation,
            self.stride,
            self.blocks,
        )
        return [
            (
                i,
                j,
                (
                    slice(i * dh, i * dh + sh * (bh - 1) + 1, sh),
                    slice(j * dw, j * dw + sw * (bw - 1) + 1, sw),
                ),
            )
            for i in range(kh)
            for j in range(kw)
        ]


def _unfold(xp: Any, x: Array, g: Patches) -> Array:
    n, c = x.shape[:2]
    (ph, pw), (kh, kw) = g.padding, g.kernel
    padded = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    columns = xp.empty((n, c, kh, kw, *g.blocks), dtype=x.dtype)
    for i, j, window in g.taps():
        columns[:, :, i, j] = padded[(slice(None), slice(None), *window)]
    return columns.reshape(n, c * kh * kw, -1)


def _fold(xp: Any, columns: Array, g: Patches) -> Array:
    n = columns.shape[0]
    (ph, pw), (kh, kw) = g.padding, g.kernel
    c = columns.shape[1] // (kh * kw)
    taps = columns.reshape(n, c, kh, kw, *g.blocks)
    padded = xp.zeros((n, c, g.size[0] + 2 * ph, g.size[1] + 2 * pw), dtype=columns.dtype)
    for i, j, window in g.taps():
        padded[(slice(None), slice(None), *window)] += taps[:, :, i, j]
    return padded[:, :, ph : ph + g.size[0], pw : pw + g.size[1]]


class Unfold(Function):
    """columns[n, (c, i, j), l] = x_pad[n, c, s h_l + d i, s w_l + d j];  dL/dx = fold(dL/dcolumns)."""

    def forward(self, x: Array, patches: Patches) -> Array:
        self.patches = patches
        return _unfold(self.xp, x, patches)

    def backward(self, grad: Array) -> Array:
        return _fold(self.xp, grad, self.patches)


class Fold(Function):
    """y = sum over columns of each entry added onto the pixel it names;  dL/dcolumns = unfold(dL/dy)."""

    def forward(self, columns: Array, patches: Patches) -> Array:
        self.patches = patches
        return _fold(self.xp, columns, patches)

    def backward(self, grad: Array) -> Array:
        return _unfold(self.xp, grad, self.patches)


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C * prod(kernel_size), L), one column per patch position."""
    if input.ndim not in (3, 4):
        raise ValueError(f"unfold: input must be 3-D or 4-D (N, C, H, W), got shape {input.shape}")
    x = input if input.ndim == 4 else input.unsqueeze(0)
    g = Patches("unfold", tuple(x.shape[2:]), kernel_size, dilation, padding, stride)
    out = Unfold.apply(x, patches=g)
    return out if input.ndim == 4 else out.squeeze(0)


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """col2im: (N, C * prod(kernel_size), L) -> (N, C, *output_size), overlapping entries summed."""
    if input.ndim not in (2, 3):
        raise ValueError(
            f"fold: input must be 2-D or 3-D (N, C * kh * kw, L), got shape {input.shape}"
        )
    x = input if input.ndim == 3 else input.unsqueeze(0)
    size = int_tuple("fold", "output_size", output_size, 2)
    g = Patches("fold", size, kernel_size, dilation, padding, stride)
    taps = g.kernel[0] * g.kernel[1]
    if x.shape[1] % taps or x.shape[2] != g.blocks[0] * g.blocks[1]:
        raise ValueError(
            f"fold: input shape {input.shape} does not match kernel_size {g.kernel} and output_size "
            f"{size}: dim -2 must be divisible by {taps} and dim -1 must be {g.blocks[0] * g.blocks[1]} "
            f"(the number of patch positions)"
        )
    out = Fold.apply(x, patches=g)
    return out if input.ndim == 3 else out.squeeze(0)


__all__ = ["unfold", "fold"]
