"""The main job's data: named or on-disk datasets -> fixed train/val/test splits -> standardised arrays.

Splits (all fixed, the same on every machine):
    digits     the dataset's own stratified 60/20/20 (1077 / 360 / 360)
    digits32   the same digits and split, upsampled bilinearly to 1x32x32
    mnist1d    its 4000 / 1000 train / test; val = a stratified 20% of train (seed 0)
    a path     its own splits; val (if missing) = a stratified 20% of train (seed 0); a
               single split is cut 60/20/20, stratified (seed 0)

Layout: every sample gets a channel axis, (F,) -> (1, F) and (H, W) -> (1, H, W); HWC
images become CHW. The MLP flattens whatever it gets; the CNN picks Conv1d or Conv2d.

Standardisation, fitted on the TRAINING split only (fitting on val/test would leak
their statistics into training): x' = (x - mean_c) / std_c per channel c, over all
training samples and positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.data.datasets import MNIST1D, Digits, Digits32
from glassnet.data.datasets.arrays import NPZDataset, npz_key_pair, npz_splits, read_npz
from glassnet.data.datasets.base import ArrayDataset, DatasetError
from glassnet.data.datasets.cifar10 import CIFAR10, find_cifar10_folder
from glassnet.data.datasets.idx import MNIST
from glassnet.data.datasets.image_folder import ImageFolder

NAMED = ("digits", "digits32", "mnist1d")
SPLIT_SEED = 0
VAL_FRACTION = 0.2
_SPLIT_NAMES = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}


@dataclass
class Split:
    x: np.ndarray  # float32, (N, C, ...) with a channel axis
    y: np.ndarray  # int64 class indices


@dataclass
class JobData:
    name: str
    classes: list[str]
    train: Split
    val: Split
    test: Split

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.train.x.shape[1:])


def _from_path(source: str) -> dict[str, ArrayDataset]:
    path = Path(source)
    if path.is_file() and path.suffix.lower() == ".npz":
        keys = list(read_npz(path))
        splits = {split: NPZDataset(path, split) for split in npz_splits(keys)}
        if not splits and npz_key_pair(keys):
            splits = {"all": NPZDataset(path)}
        if not splits:
            raise DatasetError(
                f"{path}: no data/targets array pair found (keys: {', '.join(keys)})"
            )
        return splits
    if not path.is_dir():
        raise DatasetError(
            f"unknown dataset {source!r}: not {', '.join(NAMED[:-1])} or {NAMED[-1]}, and no such folder or .npz file "
            "(a path may be a CIFAR-10 folder, MNIST IDX files, an ImageFolder, or an .npz)"
        )
    try:
        find_cifar10_folder(path)
        return {"train": CIFAR10(path, True), "test": CIFAR10(path, False)}
    except FileNotFoundError:
        pass
    mnist = {}
    for split, train in (("train", True), ("test", False)):
        try:
            mnist[split] = MNIST(path, train)
        except FileNotFoundError:
            continue
    if mnist:
        return mnist
    folders = {name: path / name for name in _SPLIT_NAMES if (path / name).is_dir()}
    if folders:
        return {name: ImageFolder(folder) for name, folder in folders.items()}
    return {"all": ImageFolder(path)}


def _with_channel_axis(data: np.ndarray) -> np.ndarray:
    """(N, F) -> (N, 1, F); (N, H, W) -> (N, 1, H, W); (N, H, W, C) images -> (N, C, H, W)."""
    if data.ndim in (2, 3):
        return data[:, None]
    if data.ndim == 4 and data.shape[-1] in (1, 3, 4) and data.shape[1] not in (1, 3, 4):
        return data.transpose(0, 3, 1, 2)
    return data


def _stratified(x: np.ndarray, y: np.ndarray, fraction: float) -> tuple[Split, Split]:
    from sklearn.model_selection import train_test_split  # lazy: ~0.3 s to import

    counts = np.bincount(y)
    stratify = (
        y if counts[counts > 0].min() >= 2 else None
    )  # stratifying needs two samples per class
    rest, held = train_test_split(
        np.arange(len(y)), test_size=fraction, stratify=stratify, random_state=SPLIT_SEED
    )
    rest, held = np.sort(rest), np.sort(held)
    return Split(x[rest], y[rest]), Split(x[held], y[held])


def load_job_data(source: str) -> JobData:
    """The train/val/test splits of `source` (digits, digits32, mnist1d, or a path), as float32 with a channel axis."""
    if source == "digits":
        datasets: dict[str, ArrayDataset] = {
            split: Digits(split) for split in ("train", "val", "test")
        }
    elif source == "digits32":
        datasets = {split: Digits32(split) for split in ("train", "val", "test")}
    elif source == "mnist1d":
        datasets = {split: MNIST1D(split) for split in ("train", "test")}
    else:
        datasets = {
            _SPLIT_NAMES.get(name, name): dataset for name, dataset in _from_path(source).items()
        }
    classes = next(iter(datasets.values())).classes
    splits = {
        name: Split(
            _with_channel_axis(np.asarray(dataset.data)).astype(np.float32),
            np.asarray(dataset.targets, dtype=np.int64),
        )
        for name, dataset in datasets.items()
    }
    if set(splits) == {"all"}:
        rest, test = _stratified(splits["all"].x, splits["all"].y, 0.2)
        train, val = _stratified(rest.x, rest.y, 0.25)  # 25% of the remaining 80% = 20% of all
        splits = {"train": train, "val": val, "test": test}
    if "train" not in splits or "test" not in splits:
        raise DatasetError(
            f"{source}: needs a train and a test split (or one split to cut 60/20/20); found "
            f"{', '.join(splits)}"
        )
    if "val" not in splits:
        splits["train"], splits["val"] = _stratified(
            splits["train"].x, splits["train"].y, VAL_FRACTION
        )
    shapes = {name: split.x.shape[1:] for name, split in splits.items()}
    if len(set(shapes.values())) > 1:
        raise DatasetError(f"{source}: the splits' samples differ in shape: {shapes}")
    return JobData(source, list(classes), splits["train"], splits["val"], splits["test"])


def fit_standardizer(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std of the training inputs (x: (N, C, ...)), shaped (C, 1, ...) to broadcast.

    Per channel, as `transforms.Normalize` does, rather than per pixel: one scale for
    every position keeps a shifted digit the same input to a convolution. Measured on
    digits (bench/train_digits.py), it also beat per-pixel scaling for the MLP.
    A constant channel gets std 1.
    """
    axes = (0, *range(2, x.ndim))
    mean = x.mean(axis=axes, dtype=np.float64, keepdims=True)[0]
    std = x.std(axis=axes, dtype=np.float64, keepdims=True)[0]
    std[std == 0] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def standardize(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std with the training split's statistics."""
    if x.ndim != mean.ndim + 1 or x.shape[1] != mean.shape[0]:
        raise ValueError(
            f"standardize: samples of shape {x.shape[1:]} do not match statistics of shape "
            f"{mean.shape} (C, 1, ...)"
        )
    return ((x - mean) / std).astype(np.float32)
