"""Pictures in and out of style transfer: `sample:NAME`, PNG/JPEG files, resizing, sheets.

An image here is a float32 array (3, H, W) with values in [0, 1] (RGB). Bad input
raises `ImageError`, one line naming the file and the problem, which the CLI turns
into exit status 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy
from PIL import Image, UnidentifiedImageError
from sklearn.datasets import load_sample_image

from glassnet.atomic import atomic_path

# The two photographs scikit-learn ships (CC BY 2.0, credited in the README).
SAMPLES = {"china": "china.jpg", "flower": "flower.jpg"}
MIN_SIDE = 16


class ImageError(ValueError):
    """An image that cannot be used: unreadable, too small, or an unknown sample name."""


def load_image(source: str | os.PathLike[str], size: int | None = None) -> numpy.ndarray:
    """`sample:china`, `sample:flower` or a PNG/JPEG path -> (3, H, W) float32 in [0, 1].

    With `size`, the long side is resized to `size` pixels (Lanczos), keeping the
    aspect ratio. Refuses images whose short side is under 16 pixels.
    """
    name = os.fspath(source)
    if name.startswith("sample:"):
        sample = name.removeprefix("sample:")
        if sample not in SAMPLES:
            raise ImageError(
                f"{name}: unknown sample picture {sample!r}; choose from "
                + ", ".join(f"sample:{key}" for key in SAMPLES)
            )
        picture = Image.fromarray(load_sample_image(SAMPLES[sample]))
    else:
        picture = _open(Path(name))
    if min(picture.size) < MIN_SIDE:
        raise ImageError(
            f"{name}: the image is {picture.size[0]}x{picture.size[1]} pixels; "
            f"style transfer needs at least {MIN_SIDE} on each side"
        )
    if size is not None:
        picture = resize(picture, size, name)
    return numpy.asarray(picture, dtype=numpy.float32).transpose(2, 0, 1) / 255.0


def _open(path: Path) -> Image.Image:
    if not path.is_file():
        raise ImageError(f"{path}: no such image file")
    try:
        with Image.open(path) as opened:
            opened.load()
            return opened.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"{path}: cannot read it as an image ({error})") from None


def resize(picture: Image.Image, size: int, name: str = "image") -> Image.Image:
    """The picture with its long side `size` pixels (aspect ratio kept)."""
    if size < MIN_SIDE:
        raise ImageError(f"{name}: --size {size} is too small; use at least {MIN_SIDE}")
    width, height = picture.size
    scale = size / max(width, height)
    shape = (max(1, round(width * scale)), max(1, round(height * scale)))
    return picture.resize(shape, Image.Resampling.LANCZOS)


def resize_array(image: numpy.ndarray, height: int, width: int) -> numpy.ndarray:
    """A (3, H, W) image in [0, 1] resized to (3, height, width) (bicubic)."""
    picture = to_pil(image)
    resized = picture.resize((width, height), Image.Resampling.BICUBIC)
    return numpy.asarray(resized, dtype=numpy.float32).transpose(2, 0, 1) / 255.0


def to_pil(image: numpy.ndarray) -> Image.Image:
    """(3, H, W) floats in [0, 1] -> an 8-bit RGB picture (values clipped)."""
    pixels = numpy.clip(numpy.asarray(image).transpose(1, 2, 0), 0.0, 1.0)
    return Image.fromarray(numpy.round(pixels * 255.0).astype(numpy.uint8))


def check_output(path: str | os.PathLike[str]) -> Path:
    """The path a picture will be written to, refused early if it cannot be.

    Its folder must exist and its suffix name a format Pillow writes (.png, .jpg, ...).
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise ImageError(f"{target}: the folder '{target.parent}' does not exist")
    suffix = target.suffix.lower()
    if Image.registered_extensions().get(suffix) not in Image.SAVE:
        raise ImageError(
            f"{target}: cannot write a picture with suffix {suffix or '(none)'!r}; use .png or .jpg"
        )
    return target


def save_image(image: numpy.ndarray, path: str | os.PathLike[str]) -> None:
    """Write a (3, H, W) image as PNG/JPEG (by the suffix), atomically."""
    target = check_output(path)
    with atomic_path(target, "save_image") as temporary:
        to_pil(image).save(temporary)


def sheet(images: list[numpy.ndarray], gap: int = 8) -> numpy.ndarray:
    """Images side by side on white, each scaled to the tallest one's height."""
    height = max(image.shape[1] for image in images)
    scaled = []
    for image in images:
        width = round(image.shape[2] * height / image.shape[1])
        if image.shape[1:] != (height, width):
            image = resize_array(image, height, width)
        scaled.append(image)
    width = sum(image.shape[2] for image in scaled) + gap * (len(scaled) - 1)
    canvas = numpy.ones((3, height, width), dtype=numpy.float32)
    column = 0
    for image in scaled:
        canvas[:, :, column : column + image.shape[2]] = image
        column += image.shape[2] + gap
    return canvas
