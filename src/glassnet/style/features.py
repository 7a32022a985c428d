"""Feature extractors for style transfer, and the random multi-scale filter banks.

An extractor maps a (1, 3, H, W) picture in [0, 1] to named (1, C, h, w) feature
maps; `style_layers` name the maps whose Gram matrices carry the style and
`content_layers` those compared directly with the content picture. Its weights are
fixed: only the picture is optimised.

`extractors.make_features(spec)` builds one from the CLI's names: `multiscale` (the
default), `vgg-random`, or `vgg19:PATH` (see features_vgg.py).
"""

from __future__ import annotations

from typing import Any

import numpy

import glassnet.nn.functional as F
from glassnet.style.fft_conv import conv2d_fft, fft_shape, weight_spectrum
from glassnet.tensor import Tensor

BANK_SIZES = (3, 5, 7, 11, 15, 23)


class FeatureExtractor:
    """Named feature maps of a picture; subclasses set the layer lists and `forward`."""

    name = "features"
    style_layers: tuple[str, ...] = ()
    content_layers: tuple[str, ...] = ()

    def forward(self, image: Tensor) -> dict[str, Tensor]:
        raise NotImplementedError

    def __call__(self, image: Tensor) -> dict[str, Tensor]:
        if image.ndim != 4 or image.shape[:2] != (1, 3):
            raise ValueError(
                f"{self.name}: the picture must be (1, 3, H, W), got shape {tuple(image.shape)}"
            )
        return self.forward(image)

    def describe(self) -> str:
        return self.name

    def prepare(self, style: Tensor) -> None:
        """Called once with the style picture before the targets are computed (default: nothing)."""


def random_filters(
    count: int, channels: int, size: int, rng: numpy.random.Generator
) -> numpy.ndarray:
    """`count` Gaussian filters (channels, size, size), each made zero-mean and unit-norm."""
    filters = rng.standard_normal((count, channels, size, size))
    filters -= filters.mean(axis=(1, 2, 3), keepdims=True)
    filters /= numpy.sqrt((filters**2).sum(axis=(1, 2, 3), keepdims=True))
    return filters.astype(numpy.float32)


class MultiScaleBanks(FeatureExtractor):
    r"""One layer of random filters at several sizes (Ustyuzhaninov et al. 2017).

    For each size k in `sizes`: `filters` random zero-mean unit-norm k x k filters,
    a valid convolution, a ReLU; the bank's maps are one style layer (``bank{k}``).
    Banks of size >= `downsample_from` see the picture average-pooled 2x, which
    doubles their reach at a quarter of the cost (as in the reference). Trained
    weights are not needed: the Gram matrices of many random filters already
    describe a texture well. The content layer is the ``bank{content_size}`` maps
    (fine random edges: they hold the layout of the content picture).

    Filters of k >= `fft_from` are applied through the FFT (`Conv2dFFT`, their spectra
    computed once per picture size), smaller ones by im2col (`F.conv2d`).
    """

    name = "multiscale"

    def __init__(
        self,
        sizes: tuple[int, ...] = BANK_SIZES,
        filters: int = 128,
        downsample_from: int = 11,
        content_size: int = 7,
        seed: int = 0,
        fft_from: int = 3,
    ) -> None:
        if content_size not in sizes:
            raise ValueError(f"multiscale: content_size {content_size} is not one of sizes {sizes}")
        rng = numpy.random.default_rng(seed)
        self.sizes = tuple(sizes)
        self.downsample_from = downsample_from
        self.fft_from = fft_from
        self.weights = {size: random_filters(filters, 3, size, rng) for size in self.sizes}
        self.style_layers = tuple(f"bank{size}" for size in self.sizes)
        self.content_layers = (f"bank{content_size}",)
        self._spectra: dict[tuple[int, int, int], Any] = {}

    def describe(self) -> str:
        count = len(next(iter(self.weights.values())))
        return (
            f"multiscale: {count} random filters at each size {self.sizes} "
            f"(sizes >= {self.downsample_from} on the picture pooled 2x)"
        )

    def forward(self, image: Tensor) -> dict[str, Tensor]:
        self._check_size(image.shape[2], image.shape[3])
        pooled = F.avg_pool2d(image, 2)
        maps = {}
        for size in self.sizes:
            source = pooled if size >= self.downsample_from else image
            maps[f"bank{size}"] = F.relu(self._convolve(source, size))
        return maps

    def _check_size(self, height: int, width: int) -> None:
        needed, size = max(
            (size * (2 if size >= self.downsample_from else 1), size) for size in self.sizes
        )
        if min(height, width) < needed:
            raise ValueError(
                f"multiscale: the picture is {width}x{height} pixels, but the {size}x{size} "
                f"bank needs at least {needed} on each side; use a larger --size"
            )

    def _convolve(self, source: Tensor, size: int) -> Tensor:
        weight = Tensor(self.weights[size])
        if size < self.fft_from:
            return F.conv2d(source, weight)
        height, width = source.shape[2:]
        key = (size, height, width)
        if key not in self._spectra:
            self._spectra[key] = weight_spectrum(self.weights[size], fft_shape(height, width))
        return conv2d_fft(source, weight, spectrum=self._spectra[key])
