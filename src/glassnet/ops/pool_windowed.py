"""Max and average pooling over windows: the Functions (the arguments are checked in pool.py).

The input is padded once, then the kernel's taps are visited: for tap (i, j) the strided
view padded[:, :, d*i :: s, d*j :: s] holds that tap's value for every window at once,
so a pool is kh*kw whole-array steps and never a loop over pixels.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.im2col import Geometry


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
