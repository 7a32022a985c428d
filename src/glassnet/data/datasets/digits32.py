"""The 8x8 digits upsampled bilinearly to 32x32, one channel: a CIFAR-sized input for the zoo's
ResNet-20 and friends, with no network.

Same images, labels and fixed split as `Digits` (stratified 60/20/20, 1077 / 360 / 360);
each 8x8 image is resized to 32x32 by bilinear interpolation with half-pixel centres, the
convention of `torch.nn.functional.interpolate(mode="bilinear", align_corners=False)` and of
PIL's `Image.resize(..., BILINEAR)` when enlarging (tested against PIL). Output pixel i of
n_out samples the input at

    u = (i + 1/2) * n_in / n_out - 1/2,  clamped to [0, n_in - 1],
    value = (1 - t) * x[floor(u)] + t * x[floor(u) + 1],  t = u - floor(u),

along each axis in turn (the 2-D result is separable: R @ image @ R^T with R the
(n_out, n_in) interpolation matrix). Values stay raw, 0..16, as float32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.data.datasets.base import ArrayDataset
from glassnet.data.datasets.digits import DIGITS_SPLITS, Digits

DIGITS32_SIZE = 32


def bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) float64 matrix R with R @ x the half-pixel bilinear resize of the vector x."""
    if n_in < 1 or n_out < 1:
        raise ValueError(f"bilinear_matrix: sizes must be >= 1, got n_in={n_in}, n_out={n_out}")
    u = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    low = np.floor(u).astype(np.int64)
    high = np.minimum(low + 1, n_in - 1)
    t = u - low
    matrix = np.zeros((n_out, n_in))
    np.add.at(matrix, (np.arange(n_out), low), 1 - t)
    np.add.at(matrix, (np.arange(n_out), high), t)
    return matrix


def resize_bilinear(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize the last two axes of `images` (..., H, W) to `size` = (H', W'), bilinear, half-pixel."""
    if images.ndim < 2:
        raise ValueError(f"resize_bilinear: images need (..., H, W), got shape {images.shape}")
    rows = bilinear_matrix(images.shape[-2], size[0])
    cols = bilinear_matrix(images.shape[-1], size[1])
    out = np.einsum("ih,...hw,jw->...ij", rows, images.astype(np.float64), cols)
    return out.astype(np.float32)


class Digits32(ArrayDataset):
    """One split of the digits upsampled to 32x32: `data` float32 (N, 1, 32, 32), raw 0..16;
    `targets` int64 0..9, the same samples in the same order as `Digits(split)`.

    Args:
        split: "train" (1077), "val" (360) or "test" (360).
        transform, target_transform: applied by `__getitem__`, as in torchvision.
    """

    def __init__(
        self,
        split: str = "train",
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        if split not in DIGITS_SPLITS:
            raise ValueError(
                f"Digits32: split must be one of {', '.join(map(repr, DIGITS_SPLITS))}, got {split!r}"
            )
        small = Digits(split)
        data = resize_bilinear(small.data, (DIGITS32_SIZE, DIGITS32_SIZE))
        super().__init__(
            data,
            small.targets,
            small.classes,
            transform,
            target_transform,
            source=f"digits32[{split}]",
        )
        self.split = split
