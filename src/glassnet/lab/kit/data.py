"""The lab's data: one split type, one way to carve a validation set, MNIST-1D and the digits.

    split = mnist1d(n_train=500, n_val=1000, seed=0)   # shuffled, validation first
    split = mnist1d(n_train=1000, n_val=0)              # the first 1,000, no validation set
    split = digits_split(n_train=None)                  # the fixed 8x8-digits splits, in [0, 1]
    split.x_train, split.y_train, split.x_val, split.y_val, split.x_test, split.y_test

Every array is float32 (features) or int64 (labels). `carve` is the one place that decides
which rows of a training split become the validation set and which the training subset.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from glassnet.data.datasets import MNIST1D, Digits

__all__ = ["Split", "carve", "mnist1d", "digits_split", "digits_standardised"]

Array = np.ndarray


@dataclass(frozen=True)
class Split:
    """Training subset, validation set (carved from the training split; may be empty) and test split."""

    x_train: Array
    y_train: Array
    x_val: Array
    y_val: Array
    x_test: Array
    y_test: Array

    @property
    def features(self) -> int:
        return int(self.x_train.shape[1])

    def describe(self) -> str:
        """'500 train / 1000 validation / 1000 test'."""
        return f"{len(self.y_train)} train / {len(self.y_val)} validation / {len(self.y_test)} test"

    def astype(self, dtype: type) -> Split:
        """The same split with every x in `dtype` (float64 for exact-arithmetic runs)."""
        return Split(
            self.x_train.astype(dtype),
            self.y_train,
            self.x_val.astype(dtype),
            self.y_val,
            self.x_test.astype(dtype),
            self.y_test,
        )


def carve(
    n: int, n_val: int, n_train: int | None, seed: int | None = None, val_at: str = "start"
) -> tuple[Array, Array]:
    """(train rows, validation rows) of a training split of `n` rows.

    The rows are shuffled by `default_rng([seed, 1])` when a seed is given (else kept in
    order); the validation set is the first `n_val` of them (`val_at='start'`) or the last
    (`val_at='end'`), and the training subset the first `n_train` of the rest (all when None).
    """
    if n_train is not None and n_train < 1:
        raise ValueError(f"carve: n_train must be >= 1 (or None for all), got {n_train}")
    if val_at not in ("start", "end"):
        raise ValueError(f"carve: val_at must be 'start' or 'end', got {val_at!r}")
    order = np.arange(n) if seed is None else np.random.default_rng([seed, 1]).permutation(n)
    val, rest = (
        (order[:n_val], order[n_val:])
        if val_at == "start"
        else (order[n - n_val :], order[: n - n_val])
    )
    if n_train is not None and n_train > len(rest):
        raise ValueError(f"carve: n_train={n_train} + n_val={n_val} exceeds the {n} training rows")
    return (rest if n_train is None else rest[:n_train]), val


def mnist1d(
    n_train: int | None = None,
    n_val: int = 1000,
    seed: int | None = None,
    val_at: str = "start",
    n_test: int | None = None,
) -> Split:
    """MNIST-1D (4,000 train + 1,000 test signals of length 40, 10 classes, the paper's defaults),
    carved by `carve(4000, n_val, n_train, seed, val_at)`; `n_test` keeps the first n_test."""
    train, test = MNIST1D("train"), MNIST1D("test")
    x = np.ascontiguousarray(train.data, dtype=np.float32)
    y = np.asarray(train.targets, dtype=np.int64)
    rows, val = carve(len(y), n_val, n_train, seed, val_at)
    x_test = np.ascontiguousarray(test.data, dtype=np.float32)[:n_test]
    y_test = np.asarray(test.targets, dtype=np.int64)[:n_test]
    return Split(x[rows], y[rows], x[val], y[val], x_test, y_test)


def digits_split(n_train: int | None, seed: int = 0) -> Split:
    """scikit-learn's 8x8 digits, flattened to 64 features scaled to [0, 1]: the fixed train (1,077)
    / val (360) / test (360) splits; the training subset is the first `n_train` of the train split
    shuffled by `default_rng([seed, 3])`."""
    splits = {name: Digits(name, flatten=True) for name in ("train", "val", "test")}
    x = {name: (d.data / 16.0).astype(np.float32) for name, d in splits.items()}
    order = np.random.default_rng([seed, 3]).permutation(len(splits["train"].targets))[:n_train]
    return Split(
        x["train"][order],
        splits["train"].targets[order],
        x["val"],
        splits["val"].targets,
        x["test"],
        splits["test"].targets,
    )


@lru_cache(maxsize=1)
def digits_standardised() -> Split:
    """The 8x8 digits, flattened, standardised per pixel with the train split's mean and std.

    Train is the fixed 'train' split (1,077); test is 'val' + 'test' (720) and there is no
    validation set: the initialisation topics choose nothing on held-out data. Pixels
    constant in train (std 0) become 0.
    """
    train = Digits("train", flatten=True)
    held_out = [Digits(split, flatten=True) for split in ("val", "test")]
    x_train = np.asarray(train.data, dtype=np.float32)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0

    def scale(x: Array) -> Array:
        return ((np.asarray(x, dtype=np.float32) - mean) / std).astype(np.float32)

    empty = np.zeros((0, x_train.shape[1]), dtype=np.float32)
    return Split(
        scale(x_train),
        np.asarray(train.targets, dtype=np.int64),
        empty,
        np.zeros(0, dtype=np.int64),
        scale(np.concatenate([d.data for d in held_out])),
        np.concatenate([np.asarray(d.targets, dtype=np.int64) for d in held_out]),
    )
