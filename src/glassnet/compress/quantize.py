"""Linear quantisation: int8 / int4, per tensor or per output channel, symmetric or affine.

A real value r is stored as an integer q with a scale s and zero point z:

    q = clamp(round(r / s) + z, qmin, qmax),     r ~ s * (q - z)

symmetric:  z = 0,  s = max|r| / qmax          (qmin = -qmax: int8 uses -127..127)
affine:     s = (max r - min r) / (qmax - qmin),  z = qmin - round(min r / s)

Per channel, each output channel (dim 0 of a weight) gets its own s and z, which matters
when channels' ranges differ (as after BatchNorm folding). The range comes from
calibration: min/max, or percentiles (ignoring outliers, at the price of clipping them).

Fake quantisation r -> s * (q - z) keeps floats but rounds like the integers would; for
quantisation-aware training its gradient is the straight-through estimator, 1 inside the
representable range and 0 where the value was clipped (`QuantProxy`; PyTorch's
fake_quantize_per_channel_affine does the same).

Integer-only inference (`int_linear`, and `int_conv2d` on its patches): with x ~ s_x (q_x - z_x) and W ~ s_w q_w
(symmetric weights), y = x W^T + b is computed as an int32 accumulation

    acc = (q_x - z_x) @ q_w^T                 (int8 x int8 -> int32)
    y   = s_x * s_w * acc + b                  (requantise: one multiply per output)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.compress.prune import CompressionError
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor

SCHEMES = ("symmetric", "affine")
BITS = {"int8": 8, "int4": 4}


def qrange(bits: int, scheme: str) -> tuple[int, int]:
    """(qmin, qmax): symmetric uses a range symmetric around 0 (-127..127 for 8 bits)."""
    if scheme == "symmetric":
        return -(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1
    if scheme == "affine":
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    raise CompressionError(
        f"quantisation scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}"
    )


def calibrate(
    values: np.ndarray, per_channel: bool = False, percentile: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of `values`, per channel (dim 0) or overall; percentile p clips to [100-p, p]."""
    v = np.asarray(values, np.float64)
    flat = v.reshape(v.shape[0], -1) if per_channel else v.reshape(1, -1)
    if percentile is None:
        low, high = flat.min(axis=1), flat.max(axis=1)
    else:
        if not 50 < percentile <= 100:
            raise CompressionError(f"calibration percentile must be in (50, 100], got {percentile}")
        low = np.percentile(flat, 100 - percentile, axis=1)
        high = np.percentile(flat, percentile, axis=1)
    return np.minimum(low, 0.0), np.maximum(high, 0.0)  # the range always holds 0 exactly


def qparams(
    low: np.ndarray, high: np.ndarray, bits: int, scheme: str
) -> tuple[np.ndarray, np.ndarray]:
    """(scale, zero_point) per entry of the calibrated range (see the module docstring)."""
    qmin, qmax = qrange(bits, scheme)
    tiny = np.finfo(np.float32).tiny
    if scheme == "symmetric":
        scale = np.maximum(np.maximum(-low, high) / qmax, tiny)
        return scale, np.zeros_like(scale, dtype=np.int64)
    scale = np.maximum((high - low) / (qmax - qmin), tiny)
    zero = np.clip(qmin - np.round(low / scale), qmin, qmax).astype(np.int64)
    return scale, zero


def _broadcast(a: np.ndarray, ndim: int) -> np.ndarray:
    return a.reshape(-1, *([1] * (ndim - 1))) if a.size > 1 else a.reshape(())


def quantize(
    r: np.ndarray, scale: np.ndarray, zero: np.ndarray, bits: int, scheme: str
) -> np.ndarray:
    """q = clamp(round(r / s) + z, qmin, qmax) as int8 (per channel when scale has one per row)."""
    qmin, qmax = qrange(bits, scheme)
    s, z = _broadcast(scale, r.ndim), _broadcast(zero, r.ndim)
    return np.clip(np.round(r / s) + z, qmin, qmax).astype(np.int8)


def dequantize(q: np.ndarray, scale: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """r = s * (q - z), float32."""
    s, z = _broadcast(scale, q.ndim), _broadcast(zero, q.ndim)
    return (s * (q.astype(np.float64) - z)).astype(np.float32)


@dataclass
class QuantizedWeight:
    q: np.ndarray  # int8 (values in the bits' range)
    scale: np.ndarray  # float64, one per channel or one
    zero: np.ndarray  # int64, likewise
    bits: int
    scheme: str

    def dense(self) -> np.ndarray:
        return dequantize(self.q, self.scale, self.zero)


def quantize_weight(
    weight: np.ndarray,
    bits: int = 8,
    scheme: str = "symmetric",
    per_channel: bool = True,
    percentile: float | None = None,
) -> QuantizedWeight:
    """Post-training quantisation of one weight tensor (calibrated on itself)."""
    low, high = calibrate(weight, per_channel, percentile)
    scale, zero = qparams(low, high, bits, scheme)
    scale = scale.astype(np.float32).astype(np.float64)  # what the file stores
    return QuantizedWeight(quantize(weight, scale, zero, bits, scheme), scale, zero, bits, scheme)


def fake_quantize(
    r: np.ndarray, scale: np.ndarray, zero: np.ndarray, bits: int, scheme: str
) -> np.ndarray:
    """s * (clamp(round(r / s) + z) - z): the float the integer stands for."""
    return dequantize(quantize(r, scale, zero, bits, scheme), scale, zero).astype(r.dtype)


def ste_mask(
    r: np.ndarray, scale: np.ndarray, zero: np.ndarray, bits: int, scheme: str
) -> np.ndarray:
    """1 where r lies inside the representable range (the STE passes the gradient), else 0."""
    qmin, qmax = qrange(bits, scheme)
    s, z = _broadcast(scale, r.ndim), _broadcast(zero, r.ndim)
    unclipped = np.round(r / s) + z
    return ((unclipped >= qmin) & (unclipped <= qmax)).astype(r.dtype)


class QuantProxy:
    """Quantisation-aware training of one layer: W = fake_quant(theta), dL/dtheta = STE(dL/dW)."""

    def __init__(
        self, layer: Module, bits: int = 8, scheme: str = "symmetric", per_channel: bool = True
    ) -> None:
        self.weight, self.bits, self.scheme, self.per_channel = (
            layer.weight,
            bits,
            scheme,
            per_channel,
        )
        self.parameter = Parameter(layer.weight.data.copy())

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        low, high = calibrate(self.parameter.data, self.per_channel)
        return qparams(low, high, self.bits, self.scheme)

    def project(self) -> None:
        scale, zero = self._params()
        self.weight.data[...] = fake_quantize(
            self.parameter.data, scale, zero, self.bits, self.scheme
        )

    def backprop(self) -> None:
        scale, zero = self._params()
        mask = ste_mask(self.parameter.data, scale, zero, self.bits, self.scheme)
        self.parameter.grad = Tensor(self.weight.grad.data * mask)


def int_linear(
    qx: np.ndarray,
    x_scale: float,
    x_zero: int,
    qw: np.ndarray,
    w_scale: np.ndarray,
    bias: np.ndarray | None,
) -> np.ndarray:
    """y = s_x s_w ((q_x - z_x) @ q_w^T) + b with an int32 accumulator (symmetric weights)."""
    acc = (qx.astype(np.int32) - np.int32(x_zero)) @ qw.astype(np.int32).T
    if acc.dtype != np.int32:
        raise CompressionError(f"int_linear: the accumulator is {acc.dtype}, expected int32")
    y = acc.astype(np.float64) * (x_scale * np.asarray(w_scale).reshape(1, -1))
    return (y if bias is None else y + bias).astype(np.float32)


def int_conv2d(
    qx: np.ndarray,
    x_scale: float,
    x_zero: int,
    qw: np.ndarray,
    w_scale: np.ndarray,
    bias: np.ndarray | None,
    stride: int = 1,
    padding: int = 0,
) -> np.ndarray:
    """Conv2d (groups 1, dilation 1) in integers: patches of q_x (padded with z_x, the integer
    of a real 0) times q_w through `int_linear`; input (N, C, H, W) int8, output (N, O, H', W')."""
    out_channels, _, kh, kw = qw.shape
    padded = np.pad(
        qx, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=x_zero
    )
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]  # (N, C, H', W', kh, kw)
    n, _, height, width = windows.shape[:4]
    patches = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * height * width, -1)
    y = int_linear(patches, x_scale, x_zero, qw.reshape(out_channels, -1), w_scale, bias)
    return y.reshape(n, height, width, out_channels).transpose(0, 3, 1, 2)


def quantize_input(
    x: np.ndarray, low: float, high: float, bits: int = 8
) -> tuple[np.ndarray, float, int]:
    """(q_x, s_x, z_x): affine quantisation of an activation with a calibrated range."""
    scale, zero = qparams(np.array([low]), np.array([high]), bits, "affine")
    return quantize(x, scale, zero, bits, "affine"), float(scale[0]), int(zero[0])


def check_scheme(name: str) -> int:
    """Bits of a --quantize choice (int8, int4); an error naming the choices otherwise."""
    if name not in BITS:
        raise CompressionError(f"--quantize must be one of {', '.join(BITS)}, got {name!r}")
    return BITS[name]
