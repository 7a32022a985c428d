"""`GaussianNoise` (additive pixel noise) and `Cutout` (square holes), the two occluding augmentations."""

from __future__ import annotations

import numbers
from typing import Any

import numpy

from glassnet.data.transforms.base import Transform, cast_like
from glassnet.data.transforms.randomness import Params


class GaussianNoise(Transform):
    """out = clip(x + e, 0, 1),  e ~ N(mean, sigma^2) drawn independently for every value.

    As torchvision.transforms.v2.GaussianNoise: expects a float image in [0, 1]
    (after ToTensor) or uint8 in [0, 255], where mean and sigma are scaled by 255 and
    the result is rounded. `clip` bounds floats to [0, 1]; integer images are always
    clipped to their range (a wrap-around would be garbage).
    """

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> None:
        if not isinstance(mean, numbers.Real) or isinstance(mean, bool):
            raise TypeError(f"GaussianNoise: mean must be a number; got {mean!r}")
        if not isinstance(sigma, numbers.Real) or isinstance(sigma, bool) or sigma < 0:
            raise ValueError(f"GaussianNoise: sigma must be a non-negative number; got {sigma!r}")
        self.mean, self.sigma, self.clip = float(mean), float(sigma), bool(clip)

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        # float32 draws are twice as fast and finer than any image's quantisation.
        return {"noise": generator.standard_normal((n,) + tuple(image_size), dtype=numpy.float32)}

    def _add(self, images: numpy.ndarray, noise: numpy.ndarray) -> numpy.ndarray:
        kind = images.dtype.kind
        if kind == "f":
            out = images + (self.mean + self.sigma * noise).astype(images.dtype)
            return numpy.clip(out, 0.0, 1.0) if self.clip else out
        if images.dtype != numpy.uint8:
            raise TypeError(
                f"GaussianNoise: expected a float image in [0, 1] or uint8 in [0, 255]; "
                f"got dtype {images.dtype}"
            )
        return cast_like(images + 255.0 * (self.mean + self.sigma * noise), images.dtype)

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        return self._add(image, params["noise"])

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        return self._add(images, params["noise"])

    def extra_repr(self) -> str:
        return f"mean={self.mean}, sigma={self.sigma}, clip={self.clip}"


class Cutout(Transform):
    """Zero `n_holes` squares of side `length`, centred at uniformly random pixels (DeVries & Taylor, 2017).

    As the paper's code: a centre (y, x) is uniform over all pixels, the square covers
    rows y - length // 2 .. y + length // 2 - 1 (so an odd length cuts length - 1),
    clipped at the border, so holes near an edge are partly outside; holes may overlap.
    Defaults are the paper's CIFAR-10 setting. torchvision's nearest relative is
    `RandomErasing(p=1, value=0)`, which keeps its rectangle inside the image and draws
    its area and aspect ratio instead of a fixed side: Cutout(1, L) ~ RandomErasing(p=1,
    scale=(L²/(HW), L²/(HW)), ratio=(1, 1), value=0) away from the border.
    """

    def __init__(self, n_holes: int = 1, length: int = 16) -> None:
        for name, value in (("n_holes", n_holes), ("length", length)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Cutout: {name} must be a positive int; got {value!r}")
        self.n_holes, self.length = int(n_holes), int(length)

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        height, width = image_size[-2:]
        return {
            "y": generator.integers(0, height, size=(n, self.n_holes)),
            "x": generator.integers(0, width, size=(n, self.n_holes)),
        }

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        height, width = image.shape[-2:]
        keep = numpy.ones((height, width), dtype=bool)
        half = self.length // 2
        for y, x in zip(params["y"], params["x"]):  # a few holes, each one slice
            keep[
                max(y - half, 0) : min(y + half, height), max(x - half, 0) : min(x + half, width)
            ] = False
        return numpy.where(keep, image, numpy.zeros((), image.dtype))

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        height, width = images.shape[-2:]
        half = self.length // 2
        rows, cols = numpy.arange(height), numpy.arange(width)
        # (N, holes, H) and (N, holes, W) interval tests; a hole is their outer product.
        in_rows = (rows >= params["y"][..., None] - half) & (rows < params["y"][..., None] + half)
        in_cols = (cols >= params["x"][..., None] - half) & (cols < params["x"][..., None] + half)
        holes = (in_rows[..., :, None] & in_cols[..., None, :]).any(axis=1)  # (N, H, W)
        return numpy.where(holes[:, None], numpy.zeros((), images.dtype), images)

    def extra_repr(self) -> str:
        return f"n_holes={self.n_holes}, length={self.length}"
