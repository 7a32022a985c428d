"""`RandomRotation`: rotate by an angle drawn uniformly from `degrees`, counter-clockwise.

Inverse mapping: every output pixel asks where it came from. With pixel centres at
(x + 0.5, y + 0.5) and the centre of rotation c (default: the image centre (W/2, H/2)),
the source of output point p is

    src = R(angle) (p - c_out) + c,   R = [[cos, -sin], [sin, cos]]

(y points down, so this turns the picture counter-clockwise, as torchvision and PIL
do). `nearest` takes the pixel that contains src; `bilinear` blends the four pixels
around it. Points outside the image read `fill`, as if the image were padded with
it. A batch builds one (N, H, W) grid of sources from its N angles and samples it
with one gather per neighbour (four for bilinear), no loop over samples or pixels.
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
    check_fill,
    fill_values,
    interpolation_mode,
    work_dtype,
)
from glassnet.data.transforms.randomness import Params


def _degrees(degrees: Any) -> tuple[float, float]:
    if isinstance(degrees, numbers.Real) and not isinstance(degrees, bool):
        if degrees < 0:
            raise ValueError(
                f"RandomRotation: degrees as one number must be non-negative (the range is "
                f"(-degrees, +degrees)); got {degrees!r}"
            )
        return -float(degrees), float(degrees)
    if (
        isinstance(degrees, Sequence)
        and len(degrees) == 2
        and all(isinstance(d, numbers.Real) and not isinstance(d, bool) for d in degrees)
    ):
        if degrees[0] > degrees[1]:
            raise ValueError(
                f"RandomRotation: degrees must be (min, max) with min <= max; got {degrees!r}"
            )
        return float(degrees[0]), float(degrees[1])
    raise ValueError(
        f"RandomRotation: degrees must be a number or a pair (min, max); got {degrees!r}"
    )


def expanded_size(angle: float, height: int, width: int) -> tuple[int, int]:
    """The (h, w) that holds the whole rotated image (expand=True), as torchvision computes it."""
    radians = math.radians(angle)
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    # The slack keeps a right angle's 32.0000000001 from becoming 33 (torchvision trims at 1e-4 too).
    return math.ceil(height * cos + width * sin - 1e-4), math.ceil(
        width * cos + height * sin - 1e-4
    )


def rotation_sources(
    angles: numpy.ndarray,
    out_size: tuple[int, int],
    center: tuple[float, float],
    out_center: tuple[float, float],
    dtype: Any = numpy.float64,
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Source coordinates (xs, ys), each (N, out_h, out_w), of every output pixel centre."""
    dtype = numpy.dtype(dtype)
    radians = numpy.deg2rad(numpy.asarray(angles, dtype=numpy.float64))[:, None, None]
    cos, sin = numpy.cos(radians).astype(dtype), numpy.sin(radians).astype(dtype)
    x_out = (numpy.arange(out_size[1]) + 0.5 - out_center[0]).astype(dtype)[None, None, :]
    y_out = (numpy.arange(out_size[0]) + 0.5 - out_center[1]).astype(dtype)[None, :, None]
    return cos * x_out - sin * y_out + dtype.type(
        center[0]
    ), sin * x_out + cos * y_out + dtype.type(center[1])


# Values per block of samples. Measured on 2 cores: a 128 x 3 x 32 x 32 bilinear batch takes
# 9 ms in one block and 2 ms in blocks of ~64k values, whose temporaries stay in cache.
BLOCK_VALUES = 1 << 16


def sample(
    images: numpy.ndarray,
    xs: numpy.ndarray,
    ys: numpy.ndarray,
    mode: InterpolationMode,
    fill: Any,
    where: str,
) -> numpy.ndarray:
    """Read (N, C, H, W) `images` at continuous points (xs, ys) (N, h, w) -> (N, C, h, w).

    Vectorised over samples, in blocks of samples sized to the cache (BLOCK_VALUES).
    """
    n, channels = images.shape[:2]
    block = max(1, BLOCK_VALUES // max(1, channels * xs[0].size))
    if n <= block:
        return _sample_block(images, xs, ys, mode, fill, where)
    parts = [
        _sample_block(
            images[i : i + block], xs[i : i + block], ys[i : i + block], mode, fill, where
        )
        for i in range(0, n, block)
    ]
    return numpy.concatenate(parts)


def _sample_block(
    images: numpy.ndarray,
    xs: numpy.ndarray,
    ys: numpy.ndarray,
    mode: InterpolationMode,
    fill: Any,
    where: str,
) -> numpy.ndarray:
    """`sample` for one block of samples.

    The image is framed with `fill` (one pixel left/top, two right/bottom) and points
    are clamped into the frame, so every read is in bounds and a point outside the
    image reads `fill` with no masks. Reads and weights stay channel-planar: NumPy
    is slow on arrays whose last axis is as short as C.
    """
    n, channels, height, width = images.shape
    nearest = mode is InterpolationMode.NEAREST
    dtype = images.dtype if nearest else work_dtype(images.dtype, where)
    framed = numpy.empty((n, channels, height + 3, width + 3), dtype)
    framed[...] = fill_values(fill, channels, dtype, where)[:, None, None]
    framed[:, :, 1 : height + 1, 1 : width + 1] = images
    flat = framed.reshape(-1)
    # Pixel-index coordinates, clamped to the frame: beyond it everything reads fill anyway.
    half = xs.dtype.type(0.5)
    px = numpy.clip(xs.reshape(n, 1, -1) - half, -1, width)
    py = numpy.clip(ys.reshape(n, 1, -1) - half, -1, height)
    row_stride = width + 3
    plane = (numpy.arange(n * channels) * ((height + 3) * row_stride)).reshape(n, channels, 1)
    out_shape = (n, channels) + xs.shape[1:]
    if nearest:
        # rint rounds halves to even, as grid_sample's nearest does.
        offset = (
            (numpy.rint(py).astype(numpy.intp) + 1) * row_stride
            + numpy.rint(px).astype(numpy.intp)
            + 1
        )
        return flat.take(plane + offset).reshape(out_shape)
    x0, y0 = numpy.floor(px), numpy.floor(py)
    wx, wy = (px - x0).astype(dtype), (py - y0).astype(dtype)
    index = plane + ((y0.astype(numpy.intp) + 1) * row_stride + x0.astype(numpy.intp) + 1)
    top = flat.take(index) * (1 - wx) + flat.take(index + 1) * wx
    bottom = flat.take(index + row_stride) * (1 - wx) + flat.take(index + (row_stride + 1)) * wx
    return cast_like((top * (1 - wy) + bottom * wy).reshape(out_shape), images.dtype)


class RandomRotation(Transform):
    """Rotate by an angle uniform in `degrees` ((-d, d) for a number d), counter-clockwise.

    As torchvision: `interpolation` 'nearest' (default) or 'bilinear'; `expand=True`
    grows the output to hold the whole rotated image (which assumes rotation about the
    image centre); `center` (x, y) in pixels with (0, 0) the top-left corner of the
    top-left pixel; `fill` (a number or one per channel) for the uncovered area. One
    difference: bilinear pixels near the border blend with `fill` as if the image
    were padded with it (torchvision re-weights them by a coverage mask).
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        interpolation: str = InterpolationMode.NEAREST,
        expand: bool = False,
        center: Sequence[float] | None = None,
        fill: float | Sequence[float] = 0,
    ) -> None:
        self.degrees = _degrees(degrees)
        self.interpolation = interpolation_mode(interpolation, "RandomRotation")
        self.expand = bool(expand)
        if center is not None and not (
            isinstance(center, Sequence)
            and len(center) == 2
            and all(isinstance(c, numbers.Real) for c in center)
        ):
            raise ValueError(
                f"RandomRotation: center must be a pair (x, y) of numbers; got {center!r}"
            )
        self.center = None if center is None else (float(center[0]), float(center[1]))
        self.fill = check_fill(fill, "RandomRotation")

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        return {"angle": generator.uniform(self.degrees[0], self.degrees[1], size=n)}

    def _rotate(
        self, images: numpy.ndarray, angles: numpy.ndarray, out_size: tuple[int, int]
    ) -> numpy.ndarray:
        height, width = images.shape[-2:]
        center = self.center if self.center is not None else (width / 2, height / 2)
        # The output grid is centred on the image; a custom centre keeps its offset from it.
        out_center = (
            out_size[1] / 2 + center[0] - width / 2,
            out_size[0] / 2 + center[1] - height / 2,
        )
        # float32 coordinates for float32 and uint8 images: half the memory traffic, ample precision.
        dtype = (
            work_dtype(images.dtype, "RandomRotation")
            if images.dtype.kind in "iuf"
            else numpy.dtype("float64")
        )
        xs, ys = rotation_sources(angles, out_size, center, out_center, dtype)
        return sample(images, xs, ys, self.interpolation, self.fill, "RandomRotation")

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        angle = float(params["angle"])
        size = expanded_size(angle, *image.shape[-2:]) if self.expand else image.shape[-2:]
        return self._rotate(image[None], numpy.array([angle]), size)[0]

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        size = images.shape[-2:]
        if self.expand:
            sizes = {expanded_size(float(angle), *size) for angle in params["angle"]}
            if len(sizes) > 1:
                raise ValueError(
                    f"RandomRotation(expand=True).batch: the angles give different output sizes "
                    f"{sorted(sizes)}, which cannot be stacked; use expand=False for batches"
                )
            size = sizes.pop() if sizes else size
        return self._rotate(images, params["angle"], size)

    def extra_repr(self) -> str:
        return (
            f"degrees={self.degrees}, interpolation={self.interpolation.value}, expand={self.expand}, "
            f"center={self.center}, fill={self.fill}"
        )
