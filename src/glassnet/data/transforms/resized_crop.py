"""`RandomResizedCrop`: crop a random area and aspect ratio, then resize it to `size`.

Resizing is separable: out = Wy @ crop @ Wx^T, with one weight matrix per axis.
Bilinear weights use the triangle filter on pixel centres (half-pixel alignment,
PyTorch's align_corners=False):

    w[i, j] ∝ max(0, 1 - |j + 0.5 - (i + 0.5) * s| / a),   s = in / out,  a = max(s, 1)

normalised over j, the input pixels. With a = 1 this is plain bilinear
interpolation (clamped at the borders); a = s when shrinking (antialias=True) widens
the filter so every input pixel contributes, as Pillow and torchvision do. Nearest
takes pixel floor(i * s) (PyTorch's 'nearest'). For a batch the crop is folded into
the weights (zero outside each sample's box), so N crops of different sizes resize
in one batched matmul.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy

from glassnet.data.transforms.base import (
    InterpolationMode,
    Transform,
    cast_like,
    check_size,
    interpolation_mode,
    work_dtype,
)
from glassnet.data.transforms.randomness import Params

ATTEMPTS = 10  # torchvision's number of tries before falling back to a centre crop


def resize_weights(
    start: numpy.ndarray, length: numpy.ndarray, total: int, out: int, antialias: bool
) -> numpy.ndarray:
    """Bilinear weights (N, out, total) reading input pixels start .. start + length - 1 of each sample."""
    start, length = (
        numpy.asarray(start)[:, None, None],
        numpy.asarray(length, dtype=numpy.float64)[:, None, None],
    )
    scale = length / out
    support = numpy.maximum(scale, 1.0) if antialias else numpy.ones_like(scale)
    centre = (numpy.arange(out)[None, :, None] + 0.5) * scale  # in the crop's coordinates
    position = numpy.arange(total)[None, None, :] - start
    weights = numpy.maximum(0.0, 1.0 - numpy.abs(position + 0.5 - centre) / support)
    weights *= (position >= 0) & (position < length)
    return weights / weights.sum(axis=-1, keepdims=True)


def nearest_indices(start: numpy.ndarray, length: numpy.ndarray, out: int) -> numpy.ndarray:
    """Input index (N, out) of each output pixel: start + min(floor(i * in / out), in - 1)."""
    length = numpy.asarray(length)[:, None]
    offset = numpy.floor(numpy.arange(out)[None, :] * (length / out)).astype(numpy.int64)
    return numpy.asarray(start)[:, None] + numpy.minimum(offset, length - 1)


def resize_boxes(
    images: numpy.ndarray,
    boxes: dict[str, numpy.ndarray],
    size: tuple[int, int],
    mode: InterpolationMode,
    antialias: bool,
    where: str,
) -> numpy.ndarray:
    """Resize box n (top, left, height, width) of images[n] to `size`, for all n at once."""
    n, _, height, width = images.shape
    if mode is InterpolationMode.NEAREST:
        rows = nearest_indices(boxes["top"], boxes["height"], size[0])
        cols = nearest_indices(boxes["left"], boxes["width"], size[1])
        picked = images[
            numpy.arange(n)[:, None, None], :, rows[:, :, None], cols[:, None, :]
        ]  # (N, h, w, C)
        return picked.transpose(0, 3, 1, 2)
    dtype = work_dtype(images.dtype, where)
    weights_y = resize_weights(boxes["top"], boxes["height"], height, size[0], antialias).astype(
        dtype
    )
    weights_x = resize_weights(boxes["left"], boxes["width"], width, size[1], antialias).astype(
        dtype
    )
    # Rows first, then columns: (N,1,h,H) @ (N,C,H,W) @ (N,1,W,w). Zero weights outside the box
    # cost some multiplications but keep a batch of differently sized crops one matmul.
    out = (
        weights_y[:, None]
        @ images.astype(dtype, copy=False)
        @ weights_x.transpose(0, 2, 1)[:, None]
    )
    return cast_like(out, images.dtype)


def _range(value: Any, name: str) -> tuple[float, float]:
    if not (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ValueError(
            f"RandomResizedCrop: {name} must be a pair (min, max) of positive numbers; got {value!r}"
        )
    if value[0] > value[1]:
        raise ValueError(
            f"RandomResizedCrop: {name} must be (min, max) with min <= max; got {value!r}"
        )
    return float(value[0]), float(value[1])


class RandomResizedCrop(Transform):
    """Crop a box of random area (scale x the image's) and aspect ratio (w / h), resize it to `size`.

    As torchvision: up to 10 tries draw area ~ U(scale) and log-ratio ~ U(log ratio)
    and keep the first box that fits; if none fits, the largest centred box of an
    allowed ratio. `interpolation` 'bilinear' (default) or 'nearest'; `antialias`
    widens the bilinear filter when shrinking (torchvision's default, True).
    """

    def __init__(
        self,
        size: int | Sequence[int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: str = InterpolationMode.BILINEAR,
        antialias: bool = True,
    ) -> None:
        self.size = check_size(size, "RandomResizedCrop")
        self.scale = _range(scale, "scale")
        self.ratio = _range(ratio, "ratio")
        self.interpolation = interpolation_mode(interpolation, "RandomResizedCrop")
        self.antialias = bool(antialias)

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        height, width = image_size[-2:]
        area = height * width
        target = area * generator.uniform(self.scale[0], self.scale[1], size=(n, ATTEMPTS))
        aspect = numpy.exp(
            generator.uniform(math.log(self.ratio[0]), math.log(self.ratio[1]), size=(n, ATTEMPTS))
        )
        # rint rounds halves to even, as Python's round in torchvision does.
        widths = numpy.rint(numpy.sqrt(target * aspect)).astype(numpy.int64)
        heights = numpy.rint(numpy.sqrt(target / aspect)).astype(numpy.int64)
        fits = (widths > 0) & (widths <= width) & (heights > 0) & (heights <= height)
        first = numpy.argmax(fits, axis=1)
        found = fits[numpy.arange(n), first]
        fallback_h, fallback_w = self._centre_box(height, width)
        box_h = numpy.where(found, heights[numpy.arange(n), first], fallback_h)
        box_w = numpy.where(found, widths[numpy.arange(n), first], fallback_w)
        top = numpy.where(found, generator.integers(0, height - box_h + 1), (height - box_h) // 2)
        left = numpy.where(found, generator.integers(0, width - box_w + 1), (width - box_w) // 2)
        return {"top": top, "left": left, "height": box_h, "width": box_w}

    def _centre_box(self, height: int, width: int) -> tuple[int, int]:
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            return round(width / self.ratio[0]), width
        if in_ratio > self.ratio[1]:
            return height, round(height * self.ratio[1])
        return height, width

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        top, left, height, width = (int(params[key]) for key in ("top", "left", "height", "width"))
        crop = image[None, :, top : top + height, left : left + width]
        box = {
            "top": numpy.array([0]),
            "left": numpy.array([0]),
            "height": numpy.array([height]),
            "width": numpy.array([width]),
        }
        return resize_boxes(
            crop, box, self.size, self.interpolation, self.antialias, "RandomResizedCrop"
        )[0]

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        return resize_boxes(
            images, params, self.size, self.interpolation, self.antialias, "RandomResizedCrop"
        )

    def extra_repr(self) -> str:
        return (
            f"size={self.size}, scale={self.scale}, ratio={self.ratio}, "
            f"interpolation={self.interpolation.value}, antialias={self.antialias}"
        )
