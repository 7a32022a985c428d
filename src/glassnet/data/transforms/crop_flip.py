"""`RandomHorizontalFlip` and `RandomCrop`: the cheapest augmentations, exact pixel copies.

A batch is flipped by one indexed assignment of the chosen samples' mirrors, and
cropped by one gather from a strided view of every crop window (no copy until the
gather).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy
from numpy.lib.stride_tricks import sliding_window_view

from glassnet.data.transforms.base import (
    Transform,
    check_fill,
    check_probability,
    check_size,
    fill_values,
)
from glassnet.data.transforms.randomness import Params

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


class RandomHorizontalFlip(Transform):
    """Mirror the image left-right (out[..., x] = in[..., W - 1 - x]) with probability p."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = check_probability(p, "RandomHorizontalFlip")

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        return {"flip": generator.random(n) < self.p}

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        return image[..., ::-1] if params["flip"] else image

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        # Copy, then overwrite the flipped samples: 3x faster than a `where` over both versions.
        out = images.copy()
        chosen = numpy.flatnonzero(params["flip"])
        out[chosen] = images[chosen, ..., ::-1]
        return out

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _padding(padding: Any) -> tuple[int, int, int, int]:
    """torchvision's padding forms -> (left, top, right, bottom)."""
    given = padding
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        padding = (padding,)
    if (
        not isinstance(padding, Sequence)
        or len(padding) not in (1, 2, 4)
        or not all(
            isinstance(p, numbers.Integral) and not isinstance(p, bool) and p >= 0 for p in padding
        )
    ):
        raise ValueError(
            "RandomCrop: padding must be a non-negative int or a sequence of 1, 2 "
            f"(left/right, top/bottom) or 4 (left, top, right, bottom) of them; got {given!r}"
        )
    if len(padding) == 1:
        padding = tuple(padding) * 4
    elif len(padding) == 2:
        padding = (padding[0], padding[1], padding[0], padding[1])
    return tuple(int(p) for p in padding)  # type: ignore[return-value]


class RandomCrop(Transform):
    """Cut a random size[0] x size[1] window out of the (optionally padded) image.

    As torchvision: `padding` is added first (int: all borders; (lr, tb); or (l, t, r, b)),
    then with `pad_if_needed` an image smaller than the crop is padded by the shortfall
    on both sides of that axis; the top-left corner is uniform over every valid position.
    `fill` (a number or one per channel) is used by padding_mode='constant'.
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: float | Sequence[float] = 0,
        padding_mode: str = "constant",
    ) -> None:
        self.size = check_size(size, "RandomCrop")
        self.padding = None if padding is None else _padding(padding)
        self.pad_if_needed = bool(pad_if_needed)
        self.fill = check_fill(fill, "RandomCrop")
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"RandomCrop: padding_mode must be one of {PADDING_MODES}; got {padding_mode!r}"
            )
        self.padding_mode = padding_mode

    def _pads(self, height: int, width: int) -> list[tuple[int, int, int, int]]:
        """The padding steps (left, top, right, bottom), in torchvision's order."""
        steps = [self.padding] if self.padding is not None and any(self.padding) else []
        if steps:
            height, width = height + steps[0][1] + steps[0][3], width + steps[0][0] + steps[0][2]
        if self.pad_if_needed and width < self.size[1]:
            steps.append((self.size[1] - width, 0, self.size[1] - width, 0))
            width = 2 * self.size[1] - width
        if self.pad_if_needed and height < self.size[0]:
            steps.append((0, self.size[0] - height, 0, self.size[0] - height))
        return steps

    def _pad(self, images: numpy.ndarray) -> numpy.ndarray:
        """Pad the last two axes; the same for one image or a batch."""
        for left, top, right, bottom in self._pads(*images.shape[-2:]):
            if self.padding_mode == "constant":
                fill = fill_values(self.fill, images.shape[-3], images.dtype, "RandomCrop")
                height, width = images.shape[-2:]
                padded = numpy.empty(
                    images.shape[:-2] + (top + height + bottom, left + width + right), images.dtype
                )
                padded[...] = fill[:, None, None]
                padded[..., top : top + height, left : left + width] = images
                images = padded
            else:
                widths = [(0, 0)] * (images.ndim - 2) + [(top, bottom), (left, right)]
                images = numpy.pad(images, widths, mode=self.padding_mode)
        return images

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        height, width = image_size[-2:]
        for left, top, right, bottom in self._pads(height, width):
            height, width = height + top + bottom, width + left + right
        if height < self.size[0] or width < self.size[1]:
            raise ValueError(
                f"RandomCrop: crop size {self.size} is larger than the input image size "
                f"{(height, width)} (after padding={self.padding}); pad more, use "
                "pad_if_needed=True or crop smaller"
            )
        top = generator.integers(0, height - self.size[0] + 1, size=n)
        left = generator.integers(0, width - self.size[1] + 1, size=n)
        return {"top": top, "left": left}

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        top, left = int(params["top"]), int(params["left"])
        return self._pad(image)[:, top : top + self.size[0], left : left + self.size[1]]

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        windows = sliding_window_view(
            self._pad(images), self.size, axis=(2, 3)
        )  # (N, C, y, x, h, w)
        # Advanced indices split by a slice put their broadcast axis first: (N, C, h, w).
        return windows[numpy.arange(len(images)), :, params["top"], params["left"]]

    def extra_repr(self) -> str:
        return (
            f"size={self.size}, padding={self.padding}, pad_if_needed={self.pad_if_needed}, "
            f"fill={self.fill}, padding_mode={self.padding_mode!r}"
        )
