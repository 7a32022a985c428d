"""Arrays a user brings as NPZ or CSV, and datasets on them.

NPZ is read with `allow_pickle=False`: an object array (which NPZ can only store by
pickling) is refused with an error naming the file and the key, never unpickled.
The data/label pair is found by key: x/y, X/y, data/targets, data/labels, images/labels,
inputs/targets, features/labels, or with a split Keras' x_train/y_train style
(`x_<split>`, `y_<split>`), unless data_key/targets_key name them.

CSV: one sample per line, numbers only; a first line with any non-numeric field is a
header (header="infer", pandas' default), or say header=None / header=0.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.data.datasets.base import ArrayDataset, DatasetError

NPZ_KEY_PAIRS = (
    ("x", "y"),
    ("X", "y"),
    ("data", "targets"),
    ("data", "labels"),
    ("images", "labels"),
    ("inputs", "targets"),
    ("features", "labels"),
)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of an .npz archive, read with allow_pickle=False."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DatasetError(f"{path}: not a readable .npz archive: {error}") from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DatasetError(f"{path}: a single .npy array, not an .npz archive of named arrays")
    arrays = {}
    with archive:
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except ValueError as error:  # numpy refuses object arrays without allow_pickle
                raise DatasetError(
                    f"{path}: array {key!r} holds Python objects, which NPZ stores by pickling; "
                    "glassnet reads NPZ with allow_pickle=False"
                ) from error
            except (OSError, EOFError, zipfile.BadZipFile) as error:
                raise DatasetError(f"{path}: array {key!r} is corrupt: {error}") from error
            except MemoryError:  # the shape its header declares does not fit in memory
                raise DatasetError(
                    f"{path}: array {key!r} declares more data than fits in memory"
                ) from None
    return arrays


def npz_key_pair(keys: list[str], split: str | None = None) -> tuple[str, str] | None:
    """The first (data key, targets key) of NPZ_KEY_PAIRS present in `keys` (suffixed _split if given)."""
    for data_key, targets_key in NPZ_KEY_PAIRS:
        if split is not None:
            data_key, targets_key = f"{data_key}_{split}", f"{targets_key}_{split}"
        if data_key in keys and targets_key in keys:
            return data_key, targets_key
    return None


def npz_splits(keys: list[str]) -> list[str]:
    """Split names with a data/targets pair, e.g. ["train", "test"] for Keras' mnist.npz."""
    found = []
    for key in keys:
        for data_key, _ in NPZ_KEY_PAIRS:
            split = key[len(data_key) + 1 :]
            if key.startswith(data_key + "_") and split not in found and npz_key_pair(keys, split):
                found.append(split)
    return found


class NPZDataset(ArrayDataset):
    """A dataset from two arrays of an .npz file (see the module doc for the key names).

    Args:
        path: the .npz file.
        split: pick x_<split>/y_<split> (e.g. "train" in Keras' mnist.npz).
        data_key, targets_key: the array names, when the conventions do not find them.
        classes: class names; default "0".."max label".
        transform, target_transform: applied by `__getitem__`.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        split: str | None = None,
        data_key: str | None = None,
        targets_key: str | None = None,
        classes: list[str] | None = None,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        arrays = read_npz(path)
        keys = list(arrays)
        if data_key is None or targets_key is None:
            pair = npz_key_pair(keys, split)
            if pair is None:
                tried = ", ".join(
                    f"{d}/{t}" if split is None else f"{d}_{split}/{t}_{split}"
                    for d, t in NPZ_KEY_PAIRS
                )
                raise DatasetError(
                    f"{path}: no data/targets pair among the arrays {keys}; tried {tried}; "
                    "pass data_key= and targets_key="
                )
            data_key, targets_key = data_key or pair[0], targets_key or pair[1]
        for key in (data_key, targets_key):
            if key not in arrays:
                raise DatasetError(f"{path}: no array {key!r}; the file holds {keys}")
        check_samples(arrays[data_key], f"{path}: array {data_key!r}")
        super().__init__(
            arrays[data_key],
            arrays[targets_key],
            classes,
            transform,
            target_transform,
            source=f"{path}[{data_key}, {targets_key}]",
        )
        self.path, self.split = Path(path), split


def check_samples(data: np.ndarray, source: str) -> None:
    """A file's data array must hold numbers, one sample per row, at least one sample."""
    if data.dtype.kind not in "biuf":
        raise DatasetError(f"{source} holds {data.dtype} values, not numbers")
    if data.ndim < 2:
        raise DatasetError(
            f"{source} has shape {data.shape}: one sample per row needs at least 2 dimensions "
            "(N, features...)"
        )
    if not len(data):
        raise DatasetError(f"{source} holds no samples (shape {data.shape})")


def _read_text(path: Path) -> str:
    """The file as UTF-8 text; binary bytes are an error naming the first bad byte's offset."""
    content = path.read_bytes()
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"{path}: not UTF-8 text: byte offset {error.start} is 0x{content[error.start]:02x} "
            "(a CSV file holds numbers as text)"
        ) from None


def _header_lines(text: str, delimiter: str, header: str | int | None) -> int:
    if header is None:
        return 0
    if isinstance(header, int) and not isinstance(header, bool) and header >= 0:
        return header + 1
    if header != "infer":
        raise ValueError(
            f"read_csv: header must be 'infer', None or a line index >= 0, got {header!r}"
        )
    first = text.split("\n", 1)[0]
    try:
        [float(field) for field in first.split(delimiter)]
    except ValueError:
        return 1
    return 0


def read_csv(
    path: str | os.PathLike,
    delimiter: str = ",",
    header: str | int | None = "infer",
    dtype: Any = np.float32,
) -> np.ndarray:
    """A numeric CSV as a 2-D array (rows x columns); a bad cell names the file, row and column."""
    path = Path(path)
    text = _read_text(path)
    skip = _header_lines(text, delimiter, header)
    try:
        with warnings.catch_warnings():  # an empty table is our error below, not numpy's warning
            warnings.filterwarnings("ignore", "loadtxt: input contained no data", UserWarning)
            table = np.loadtxt(
                io.StringIO(text), delimiter=delimiter, skiprows=skip, dtype=dtype, ndmin=2
            )
    except ValueError as error:
        raise DatasetError(f"{path}: {error} (rows counted after {skip} header line(s))") from error
    if table.shape[0] == 0:
        raise DatasetError(f"{path}: no data rows (after {skip} header line(s))")
    return table


class CSVDataset(ArrayDataset):
    """A dataset from a numeric CSV: one column holds integer labels, the others the features (float32).

    Args:
        path: the .csv file.
        target_column: the label column (default the last).
        delimiter, header: as `read_csv`.
        classes, transform, target_transform: as ArrayDataset.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        target_column: int = -1,
        delimiter: str = ",",
        header: str | int | None = "infer",
        classes: list[str] | None = None,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        table = read_csv(
            path, delimiter, header, dtype=np.float64
        )  # float64 holds every int label exactly
        columns = table.shape[1]
        if not -columns <= target_column < columns or columns < 2:
            raise DatasetError(
                f"{path}: target_column {target_column} does not leave a label and features in "
                f"{columns} column(s)"
            )
        labels = table[:, target_column]
        fractional = np.flatnonzero(labels != np.round(labels))
        if len(fractional):
            row = int(fractional[0])
            raise DatasetError(
                f"{path}: data row {row + 1}: label {float(labels[row]):g} in column {target_column} is "
                "not an integer class index"
            )
        features = np.delete(table, target_column % columns, axis=1).astype(np.float32)
        super().__init__(
            features,
            labels.astype(np.int64),
            classes,
            transform,
            target_transform,
            source=str(path),
        )
        self.path = Path(path)
