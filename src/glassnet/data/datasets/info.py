"""`glassnet data info NAME`: what a dataset holds, per split: sizes, classes, sample shapes,
dtype, value range and class balance. NAME is "digits", "digits32", "mnist1d", or a path to an IDX file,
a CIFAR-10 folder or batch file, an ImageFolder (or a folder of split ImageFolders, as
`glassnet data export` writes), an NPZ or a CSV file. A folder is recognised by its
layout; a file by its extension (.npz, .csv, .bin) or else its first bytes (IDX, gzip,
pickle; a pickle is only ever read through the restricted CIFAR-10 unpickler).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet.data.datasets.arrays import (
    NPZDataset,
    npz_key_pair,
    npz_splits,
    read_csv,
    read_npz,
)
from glassnet.data.datasets.base import ArrayDataset, DatasetError
from glassnet.data.datasets.cifar10 import (
    CIFAR10,
    CIFAR10_CLASSES,
    cifar10_batch_arrays,
    find_cifar10_folder,
    read_cifar10_batch,
    read_cifar10_binary,
)
from glassnet.data.datasets.digits import DIGITS_SPLITS, Digits
from glassnet.data.datasets.digits32 import Digits32
from glassnet.data.datasets.idx import GZIP_MAGIC, IDX_DTYPES, MNIST, read_idx
from glassnet.data.datasets.image_folder import ImageFolder
from glassnet.data.datasets.mnist1d import MNIST1D, MNIST1D_SPLITS

NAMED_DATASETS = ("digits", "digits32", "mnist1d")
SPLIT_FOLDERS = ("train", "val", "valid", "validation", "test")
KNOWN_FORMATS = (
    "an IDX file (raw or .gz)",
    "a CIFAR-10 folder or batch file",
    "an ImageFolder",
    "an .npz",
    "a .csv",
)


@dataclass
class SplitSummary:
    name: str
    size: int
    sample_shape: tuple[int, ...]
    dtype: str
    value_range: tuple[float, float] | None = None
    counts: np.ndarray | None = None  # samples per class


@dataclass
class DatasetSummary:
    name: str
    description: str
    classes: list[str] | None
    splits: list[SplitSummary]
    notes: list[str] = field(default_factory=list)


def _range(array: np.ndarray) -> tuple[float, float] | None:
    return (float(array.min()), float(array.max())) if array.size else None


IMAGE_NOTE = "image shapes are CxHxW, as transforms.ToTensor() gives them (the files hold HxWxC)"


def chw(shape: tuple[int, ...]) -> tuple[int, ...]:
    """An image's stored shape, HxW or HxWxC, as the tool writes shapes: CxHxW."""
    if len(shape) == 2:
        return (1, *shape)
    if len(shape) == 3:
        return (shape[2], shape[0], shape[1])
    return shape


def _is_images(dataset: ArrayDataset) -> bool:
    """CIFAR-10, MNIST and ImageFolder hold HxW(xC) images (torchvision's layout)."""
    return isinstance(dataset, (CIFAR10, MNIST, ImageFolder))


def summarize_split(name: str, dataset: ArrayDataset) -> SplitSummary:
    """Size, per-sample shape (CxHxW for images), dtype, value range and class counts of one dataset."""
    data = dataset.data
    shape = tuple(data.shape[1:])
    return SplitSummary(
        name,
        len(dataset),
        chw(shape) if _is_images(dataset) else shape,
        str(data.dtype),
        _range(data),
        dataset.class_counts(),
    )


def _labels_summary(
    name: str, images: np.ndarray, labels: np.ndarray, classes: list[str]
) -> SplitSummary:
    return SplitSummary(
        name,
        len(labels),
        chw(tuple(images.shape[1:])),
        str(images.dtype),
        _range(images),
        np.bincount(labels, minlength=len(classes)),
    )


def _from_datasets(
    name: str, description: str, datasets: dict[str, ArrayDataset]
) -> DatasetSummary:
    first = next(iter(datasets.values()))
    summary = DatasetSummary(
        name,
        description,
        first.classes,
        [summarize_split(split, dataset) for split, dataset in datasets.items()],
    )
    if _is_images(first):
        summary.notes.append(IMAGE_NOTE)
    for split, dataset in datasets.items():
        if dataset.classes != first.classes:
            summary.notes.append(f"split {split} has other classes: {dataset.classes}")
    return summary


def _describe_folder(path: Path) -> DatasetSummary:
    try:
        find_cifar10_folder(path)
    except FileNotFoundError:
        pass
    else:
        return _from_datasets(
            str(path), "CIFAR-10", {"train": CIFAR10(path, True), "test": CIFAR10(path, False)}
        )
    mnist = {}
    for split, train in (("train", True), ("test", False)):
        try:
            mnist[split] = MNIST(path, train)
        except FileNotFoundError:
            continue
    if mnist:
        return _from_datasets(str(path), "MNIST-format IDX files (MNIST / Fashion-MNIST)", mnist)
    splits = [name for name in SPLIT_FOLDERS if (path / name).is_dir()]
    if splits:
        return _from_datasets(
            str(path),
            f"ImageFolder per split ({', '.join(splits)})",
            {name: ImageFolder(path / name) for name in splits},
        )
    return _from_datasets(str(path), "ImageFolder", {path.name: ImageFolder(path)})


def _describe_npz(path: Path) -> DatasetSummary:
    arrays = read_npz(path)
    keys = list(arrays)
    notes = [
        f"array {key}: {'x'.join(map(str, value.shape)) or 'scalar'} {value.dtype}"
        for key, value in arrays.items()
    ]
    splits = npz_splits(keys)
    datasets = {split: NPZDataset(path, split) for split in splits}
    if not datasets and npz_key_pair(keys):
        datasets = {path.stem: NPZDataset(path)}
    if not datasets:
        return DatasetSummary(str(path), "NPZ arrays (no data/targets pair found)", None, [], notes)
    summary = _from_datasets(str(path), "NPZ arrays", datasets)
    summary.notes = notes + summary.notes
    return summary


def _describe_csv(path: Path) -> DatasetSummary:
    table = read_csv(path)
    return DatasetSummary(
        str(path),
        "CSV table",
        None,
        [SplitSummary(path.name, table.shape[0], table.shape[1:], str(table.dtype), _range(table))],
        [f"{table.shape[1]} columns"],
    )


def _describe_idx(path: Path) -> DatasetSummary:
    """One IDX array (raw or gzipped); a 1-D array of non-negative integers is read as labels."""
    array = read_idx(path)
    counts = classes = None
    if (
        array.ndim == 1
        and np.issubdtype(array.dtype, np.integer)
        and len(array)
        and array.min() >= 0
    ):
        counts = np.bincount(array)
        classes = [str(k) for k in range(len(counts))]
    shape = "x".join(map(str, array.shape))
    return DatasetSummary(
        str(path),
        f"IDX file: one {array.dtype} array of shape {shape}",
        classes,
        [
            SplitSummary(
                path.name, len(array), array.shape[1:], str(array.dtype), _range(array), counts
            )
        ],
    )


def _describe_file(path: Path) -> DatasetSummary:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if path.suffix.lower() == ".npz":
        return _describe_npz(path)
    if path.suffix.lower() == ".csv":
        return _describe_csv(path)
    if head[:2] == GZIP_MAGIC or (len(head) == 4 and head[:2] == b"\0\0" and head[2] in IDX_DTYPES):
        return _describe_idx(path)
    if path.suffix.lower() == ".bin":  # CIFAR-10's binary batches; a truncated one gets its error
        images, labels = read_cifar10_binary(path)
        return DatasetSummary(
            str(path),
            "CIFAR-10 binary batch",
            list(CIFAR10_CLASSES),
            [_labels_summary(path.name, images, labels, CIFAR10_CLASSES)],
            [IMAGE_NOTE],
        )
    if head[:1] == b"\x80":  # a pickle protocol >= 2: a CIFAR-10 python batch, read restricted
        images, labels = cifar10_batch_arrays(read_cifar10_batch(path), str(path))
        return DatasetSummary(
            str(path),
            "CIFAR-10 python batch",
            list(CIFAR10_CLASSES),
            [_labels_summary(path.name, images, labels, CIFAR10_CLASSES)],
            [IMAGE_NOTE],
        )
    raise DatasetError(
        f"{path}: cannot tell the format; glassnet data reads {', '.join(KNOWN_FORMATS)}"
    )


def describe(source: str) -> DatasetSummary:
    """Summary of a named dataset or of the dataset at a path."""
    if source == "digits":
        return _from_datasets(
            "digits",
            "scikit-learn's 8x8 handwritten digits, raw pixel values 0..16, "
            "stratified 60/20/20 split (seed 0)",
            {split: Digits(split) for split in DIGITS_SPLITS},
        )
    if source == "digits32":
        return _from_datasets(
            "digits32",
            "the 8x8 digits upsampled bilinearly to 32x32 (half-pixel centres), raw values "
            "0..16, the digits' split",
            {split: Digits32(split) for split in DIGITS_SPLITS},
        )
    if source == "mnist1d":
        return _from_datasets(
            "mnist1d",
            "MNIST-1D generated by the mnist1d package (default arguments, cached)",
            {split: MNIST1D(split) for split in MNIST1D_SPLITS},
        )
    path = Path(source)
    if path.is_dir():
        return _describe_folder(path)
    if path.is_file():
        return _describe_file(path)
    raise DatasetError(
        f"unknown dataset {source!r}: not {', '.join(NAMED_DATASETS[:-1])} or {NAMED_DATASETS[-1]}, and no such file or folder "
        f"(a path may be {', '.join(KNOWN_FORMATS)})"
    )


def _value(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.4g}"


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ).rstrip()
        for row in rows
    ]


def format_summary(summary: DatasetSummary) -> list[str]:
    """The lines `glassnet data info` prints."""
    lines = [f"{summary.name}: {summary.description}"]
    if summary.classes is not None:
        lines.append(f"classes: {len(summary.classes)} ({', '.join(summary.classes)})")
    if summary.splits:
        rows = [["split", "samples", "sample shape", "dtype", "values"]]
        for split in summary.splits:
            values = (
                f"{_value(split.value_range[0])} .. {_value(split.value_range[1])}"
                if split.value_range
                else "-"
            )
            rows.append(
                [
                    split.name,
                    str(split.size),
                    "x".join(map(str, split.sample_shape)) or "scalar",
                    split.dtype,
                    values,
                ]
            )
        if len(summary.splits) > 1:
            rows.append(["total", str(sum(split.size for split in summary.splits)), "", "", ""])
        lines += [""] + _table(rows, {1})
    counted = [split for split in summary.splits if split.counts is not None]
    if counted and summary.classes is not None:
        lines += ["", "class balance (samples per class)"]
        rows = [["class", *[split.name for split in counted]]]
        for index, name in enumerate(summary.classes):
            rows.append(
                [
                    name,
                    *[
                        str(split.counts[index]) if index < len(split.counts) else "0"
                        for split in counted
                    ],
                ]
            )
        rows.append(
            [
                "min/max",
                *[f"{split.counts.min() / max(split.counts.max(), 1):.2f}" for split in counted],
            ]
        )
        lines += _table(rows, set(range(1, len(counted) + 1)))
    if summary.notes:
        lines += [""] + summary.notes
    return lines
