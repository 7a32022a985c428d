"""ImageFolder: one sub-folder per class, as torchvision's, decoded with Pillow.

    root/cat/001.png          classes = sorted sub-folder names ["cat", "dog"]
    root/cat/nested/002.jpg   class_to_idx = {"cat": 0, "dog": 1}
    root/dog/003.png          samples = [(path, class_index), ...] sorted by class, then path

Files are found recursively inside each class folder (symlinks followed, as torchvision).
Images decode to HWC uint8 arrays: grayscale ("L", "1", "LA") as (H, W, 1), everything
else as RGB (H, W, 3), unless `mode` asks for a Pillow mode. `ImageFolder` decodes all
images when it is built (an in-memory dataset; for streaming, map `load_image` over the
files in a `glassnet.data.Pipeline`).

Loud: a root or class folder with no images, or an image that fails to decode, raises a
DatasetError naming the folder or file. With on_error="skip" undecodable images are
dropped and counted in one warning. Files without an image extension are left out as
torchvision does, but counted in a warning rather than silently (hidden files excepted).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.data.datasets.base import (
    ArrayDataset,
    DatasetError,
    check_on_error,
    warn_skipped,
)

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
_GRAY_MODES = ("L", "1", "LA")
_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")  # 16/32-bit integer and float images
_SHOWN = 3


def load_image(path: str | os.PathLike, mode: str | None = None) -> np.ndarray:
    """Decode one image file to an HWC uint8 array; a DatasetError names the file if it cannot.

    mode None: grayscale stays one channel (H, W, 1), any other mode becomes RGB (H, W, 3);
    otherwise the Pillow mode to convert to ("L", "RGB", ...).
    """
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()  # decode now: Image.open only reads the header
            found = image.mode
            wanted = mode or ("L" if found in _GRAY_MODES else "RGB")
            if mode is None and found in _WIDE_MODES:
                array = None  # converting would clip every value above 255 to 255, silently
            else:
                array = np.asarray(image if found == wanted else image.convert(wanted))
    except (
        Exception
    ) as error:  # Pillow raises OSError, SyntaxError, ValueError, DecompressionBombError...
        raise DatasetError(
            f"{path}: cannot decode the image: {type(error).__name__}: {error}"
        ) from error
    if array is None:
        raise DatasetError(
            f"{path}: a {found!r} image (more than 8 bits per pixel); ImageFolder decodes 8-bit "
            "images: pass a loader that scales it, or mode='L' to clip it to 0..255"
        )
    if array.dtype != np.uint8:
        raise DatasetError(
            f"{path}: decodes to {array.dtype} in mode {wanted!r}; ImageFolder gives uint8 "
            "(pass mode='L' or 'RGB', or a loader)"
        )
    return array[:, :, None] if array.ndim == 2 else array


def find_classes(directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
    """Sorted class-folder names and their indices (torchvision's find_classes)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"ImageFolder: {directory} is not a folder")
    classes = sorted(
        entry.name
        for entry in os.scandir(directory)
        if entry.is_dir() and not entry.name.startswith(".")
    )
    if not classes:
        images = [p.name for p in directory.iterdir() if p.suffix.lower() in IMG_EXTENSIONS]
        hint = (
            f" (it holds {len(images)} images directly: put them in one sub-folder per class)"
            if images
            else ""
        )
        raise DatasetError(
            f"ImageFolder: {directory} has no class sub-folders{hint}; expected "
            f"{directory}/<class>/<image>"
        )
    return classes, {name: index for index, name in enumerate(classes)}


def make_dataset(
    directory: str | os.PathLike,
    class_to_idx: dict[str, int],
    extensions: tuple[str, ...] = IMG_EXTENSIONS,
    is_valid_file: Callable[[str], bool] | None = None,
    allow_empty: bool = False,
) -> tuple[list[tuple[str, int]], list[str]]:
    """(samples, ignored): (path, class index) of every image under each class folder, and the
    non-hidden files the extension test left out. A class folder with no images raises unless allow_empty."""
    samples, ignored = [], []
    for name, index in sorted(class_to_idx.items(), key=lambda item: item[1]):
        folder = Path(directory) / name
        found = []
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            dirnames.sort()
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                valid = (
                    is_valid_file(path) if is_valid_file else filename.lower().endswith(extensions)
                )
                if valid:
                    found.append((path, index))
                elif is_valid_file is None and not filename.startswith(
                    "."
                ):  # a filter's rejects are chosen
                    ignored.append(path)
        if not found and not allow_empty:
            kinds = (
                "files accepted by is_valid_file"
                if is_valid_file
                else f"images ({', '.join(extensions)})"
            )
            raise DatasetError(
                f"ImageFolder: class folder {folder} has no {kinds}; remove it or pass "
                "allow_empty=True"
            )
        samples += found
    return samples, ignored


class ImageFolder(ArrayDataset):
    """Images in `root/<class>/...`, decoded in memory: `images` (list of HWC uint8 arrays),
    `data` (all stacked, (N, H, W, C), when they share one shape), `targets` int64,
    `classes`, `class_to_idx`, `samples` / `imgs` [(path, class index)].

    Args follow torchvision's: root, transform, target_transform, loader (path -> array;
    default `load_image`), is_valid_file, allow_empty; plus
        on_error: "raise" (default) on an image that fails to decode, naming the file;
            "skip" leaves it out of samples/targets and counts it in one warning.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        loader: Callable[[str], np.ndarray] | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
        on_error: str = "raise",
    ) -> None:
        check_on_error(on_error)
        self.root = Path(root)
        self.classes, self.class_to_idx = find_classes(self.root)
        found, ignored = make_dataset(
            self.root, self.class_to_idx, IMG_EXTENSIONS, is_valid_file, allow_empty
        )
        if ignored:
            more = f" and {len(ignored) - _SHOWN} more" if len(ignored) > _SHOWN else ""
            shown = ", ".join(ignored[:_SHOWN]) + more
            warnings.warn(
                f"ImageFolder({self.root}): left out {len(ignored)} files without an image extension: "
                f"{shown}",
                UserWarning,
                stacklevel=2,
            )
        read = loader or load_image
        self.samples, self.images, problems = [], [], []
        for path, index in found:
            try:
                image = read(path)
            except (
                Exception
            ) as error:  # a custom loader may raise anything: name the file either way
                if on_error == "raise":
                    if isinstance(error, DatasetError):
                        raise
                    raise DatasetError(
                        f"{path}: the loader failed: {type(error).__name__}: {error}"
                    ) from error
                problems.append(
                    str(error) if isinstance(error, DatasetError) else f"{path}: {error}"
                )
                continue
            self.samples.append((path, index))
            self.images.append(image)
        warn_skipped(f"ImageFolder({self.root})", len(found), problems, "images")
        # ArrayDataset's __init__ is not called: `data` is derived from `images` on demand
        self.targets = np.array([index for _, index in self.samples], dtype=np.int64)
        self.transform, self.target_transform = transform, target_transform
        self.source = str(self.root)
        self._stacked: np.ndarray | None = None

    @property
    def imgs(self) -> list[tuple[str, int]]:
        return self.samples

    @property
    def class_to_idx(self) -> dict[str, int]:
        return self._class_to_idx

    @class_to_idx.setter
    def class_to_idx(self, value: dict[str, int]) -> None:
        self._class_to_idx = value

    @property
    def data(self) -> np.ndarray:
        """All images stacked (N, H, W, C); an error names two files of different shapes."""
        if self._stacked is None:
            if not self.images:
                raise DatasetError(f"ImageFolder({self.root}): no images to stack")
            first = self.images[0].shape
            for (path, _), image in zip(self.samples, self.images):
                if image.shape != first:
                    raise DatasetError(
                        f"ImageFolder({self.root}): images differ in shape: {self.samples[0][0]} is "
                        f"{first}, {path} is {image.shape}; resize them in a transform and use "
                        "dataset[i], or use `images`"
                    )
            self._stacked = np.stack(self.images)
        return self._stacked

    def sample(self, index: int) -> np.ndarray:
        return self.images[index]
