"""Export a built-in dataset as image files, so the file pipeline can run on real files.

`export_digits(out)` writes an ImageFolder per split:

    out/train/<class>/<index>.png     index: the sample's position in Digits(split), zero-padded
    out/val/<class>/<index>.png
    out/test/<class>/<index>.png

as 8-bit grayscale, the raw 0..16 values scaled to 0..255 by round(v * 255 / 16). The
scale step (15.9) exceeds 1, so round(p * 16 / 255) recovers v exactly: reading the PNGs
back with ImageFolder gives the same labels and, rescaled, the same pixels. JPEG is
offered too, but it is lossy: its pixels come back only approximately.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from glassnet.data.datasets.digits import DIGITS_MAX_VALUE, DIGITS_SPLITS, Digits

EXPORT_FORMATS = {"png": ".png", "jpeg": ".jpg"}
EXPORTABLE = ("digits",)


def digits_to_uint8(values: np.ndarray) -> np.ndarray:
    """0..16 -> 0..255: round(v * 255 / 16)."""
    return np.rint(np.asarray(values, dtype=np.float64) * (255 / DIGITS_MAX_VALUE)).astype(np.uint8)


def export_digits(out: str | os.PathLike, format: str = "png") -> dict[str, int]:
    """Write the digits splits as an ImageFolder under `out`; returns the images written per split.

    `out` must be new or empty: files left from an earlier export would mix into the dataset.
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(
            f"export_digits: format must be one of {', '.join(EXPORT_FORMATS)}, got {format!r}"
        )
    from PIL import Image

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"export: {out} exists and is not an empty folder; choose a new or empty one"
        )
    written = {}
    for split in DIGITS_SPLITS:
        dataset = Digits(split)
        pixels = digits_to_uint8(dataset.data[:, 0])
        width = len(str(len(dataset) - 1))
        for name in dataset.classes:
            (out / split / name).mkdir(parents=True, exist_ok=True)
        for index, (image, label) in enumerate(zip(pixels, dataset.targets)):
            path = (
                out / split / dataset.classes[label] / f"{index:0{width}d}{EXPORT_FORMATS[format]}"
            )
            Image.fromarray(image).save(path, **({"quality": 95} if format == "jpeg" else {}))
        written[split] = len(dataset)
    return written
