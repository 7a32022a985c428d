"""scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes), no network.

The images are the UCI optical digits: each pixel counts the "on" pixels of a 4x4
block of a 32x32 bitmap, so values are integers 0..16. They are returned RAW, as
float32 0..16 (divide by 16 for [0, 1]; `transforms.Normalize` for zero mean).

The split is fixed: stratified 60/20/20 train/val/test with scikit-learn's
`train_test_split(..., stratify=y, random_state=0)`, done in two steps (test first,
then val out of the rest), giving 1077 / 360 / 360 samples with every class in the
same proportion in each split. The same split on every machine and every call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.data.datasets.base import ArrayDataset

DIGITS_SPLITS = ("train", "val", "test")
DIGITS_SPLIT_SEED = 0
DIGITS_FRACTIONS = (0.6, 0.2, 0.2)
DIGITS_MAX_VALUE = 16


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """(images, targets) of `sklearn.datasets.load_digits()`, read once per process (it parses
    a CSV: ~0.1 s a call), read-only so that no caller can change another's copy."""
    from sklearn.datasets import load_digits  # lazy: scikit-learn takes ~0.3 s to import

    bunch = load_digits()
    bunch.images.flags.writeable = False
    bunch.target.flags.writeable = False
    return bunch.images, bunch.target


@functools.cache
def _split_indices() -> dict[str, np.ndarray]:
    from sklearn.model_selection import train_test_split

    labels = _digits()[1]
    _, val_fraction, test_fraction = DIGITS_FRACTIONS
    everything = np.arange(len(labels))
    rest, test = train_test_split(
        everything, test_size=test_fraction, stratify=labels, random_state=DIGITS_SPLIT_SEED
    )
    # val is 20% of the whole, i.e. 0.2 / 0.8 = 25% of what is left after the test split
    train, val = train_test_split(
        rest,
        test_size=val_fraction / (1 - test_fraction),
        stratify=labels[rest],
        random_state=DIGITS_SPLIT_SEED,
    )
    return {"train": np.sort(train), "val": np.sort(val), "test": np.sort(test)}


def digits_split_indices() -> dict[str, np.ndarray]:
    """Indices into `sklearn.datasets.load_digits()` of each split (sorted)."""
    return {split: indices.copy() for split, indices in _split_indices().items()}


class Digits(ArrayDataset):
    """One split of the 8x8 digits: `data` float32 (N, 1, 8, 8), or (N, 64) with flatten=True,
    raw values 0..16; `targets` int64 0..9; `classes` "0".."9".

    Args:
        split: "train" (1077), "val" (360) or "test" (360).
        flatten: give each sample as 64 features (for an MLP) instead of a 1x8x8 image.
        transform, target_transform: applied by `__getitem__`, as in torchvision.
    """

    def __init__(
        self,
        split: str = "train",
        flatten: bool = False,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        if split not in DIGITS_SPLITS:
            raise ValueError(
                f"Digits: split must be one of {', '.join(map(repr, DIGITS_SPLITS))}, got {split!r}"
            )
        all_images, all_targets = _digits()
        index = _split_indices()[split]
        images = all_images[index].astype(np.float32)
        data = images.reshape(len(index), 64) if flatten else images[:, None, :, :]
        super().__init__(
            data,
            all_targets[index],
            [str(k) for k in range(10)],
            transform,
            target_transform,
            source=f"digits[{split}]",
        )
        self.split = split
