"""CIFAR-10 from the files a user brings: the binary version and the python version.

Binary (cifar-10-batches-bin/data_batch_{1..5}.bin, test_batch.bin): 10,000 records of
3,073 bytes each: 1 label byte (0..9), then 1024 red, 1024 green, 1024 blue bytes, each
channel a 32x32 image row by row. Class names in batches.meta.txt, one per line.

Python (cifar-10-batches-py/data_batch_{1..5}, test_batch): each a pickled dict (protocol
2, written by Python 2) with b"data" uint8 (10000, 3072) in the same channel-planar
order, b"labels" a list of ints, b"batch_label", b"filenames"; batches.meta holds
b"label_names".

Unpickling runs code chosen by the file, so these pickles are read with
`RestrictedUnpickler`: it admits only plain containers (dict, list, tuple, str, bytes,
int, float, bool, None) and NumPy arrays. Any other global the pickle names (os.system,
builtins.eval, subprocess.Popen, ...) raises before it is called. This module is the one
place glassnet touches pickle, and only to read this third-party format, never to write.

Both versions load to `data` uint8 (N, 32, 32, 3) HWC, as torchvision's CIFAR10.
"""

from __future__ import annotations

import _codecs
import io
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.data.datasets.base import (
    ArrayDataset,
    DatasetError,
    bad_labels,
    check_on_error,
    label_range_message,
    warn_skipped,
)

CIFAR10_CLASSES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
RECORD_BYTES = 3073  # 1 label byte + 3 * 32 * 32 pixel bytes
IMAGE_BYTES = 3072
TRAIN_BATCHES = [f"data_batch_{n}" for n in range(1, 6)]
TEST_BATCHES = ["test_batch"]


def _numpy_global(name: str) -> Any:
    """`name` from numpy's private core module (numpy._core in NumPy 2, numpy.core before)."""
    try:
        from numpy._core import multiarray, numeric
    except ImportError:  # NumPy 1.x
        from numpy.core import multiarray, numeric
    return getattr(multiarray, name, None) or getattr(numeric, name)


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """Protocol-2 pickles written by Python 3 store bytes as _codecs.encode(text, "latin1")."""
    if encoding.lower().replace("-", "") != "latin1":
        raise pickle.UnpicklingError(
            f"_codecs.encode with encoding {encoding!r} is not allowed (only latin1)"
        )
    return _codecs.encode(text, "latin1")


# (module, name) -> object. Both numpy module spellings: files pickled under NumPy 1 say numpy.core.
_ALLOWED_GLOBALS: dict[tuple[str, str], Callable[[], Any]] = {
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): lambda: _numpy_global("_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"): lambda: _numpy_global("_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"): lambda: _numpy_global("_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"): lambda: _numpy_global("_frombuffer"),
    ("_codecs", "encode"): lambda: _latin1_encode,
}
_PLAIN = (dict, list, tuple, str, bytes, int, float, bool, type(None))


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler whose `find_class` admits only NumPy's array reconstruction and dtypes.

    Every global a pickle can reach (GLOBAL, STACK_GLOBAL, EXT*) goes through find_class,
    so a payload naming os.system fails here, before anything runs.
    """

    def find_class(self, module: str, name: str) -> Any:
        make = _ALLOWED_GLOBALS.get((module, name))
        if make is None:
            allowed = ", ".join(f"{m}.{n}" for m, n in _ALLOWED_GLOBALS)
            raise pickle.UnpicklingError(
                f"forbidden global {module}.{name}: a CIFAR-10 batch holds only plain "
                f"containers and NumPy arrays (allowed: {allowed})"
            )
        return make()


MAX_DEPTH = 8  # a batch is dict -> list -> item: depth 2; 8 leaves room, and no more
MAX_REFERENCES = 200_000  # a batch holds ~20,000 objects (labels and file names): 10x that


def _check_plain(value: Any, where: str) -> None:
    """Everything loaded must be plain containers and non-object arrays, all the way down.

    Each object is visited once (by id): a pickle's memo lets a few hundred bytes build
    `a = [a, a]` 64 deep, 2**64 paths but only 64 objects. Depth and the number of
    references followed are bounded, so a structure that is not CIFAR's fails at once.
    Walked with an explicit stack: a hostile file may nest lists deeper than Python's recursion limit.
    """
    pending = [(value, where, 0)]
    seen: set[int] = set()
    references = 0
    while pending:
        item, path, depth = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            if item.dtype.hasobject:
                raise pickle.UnpicklingError(f"{path}: an object array, not a plain NumPy array")
            continue
        if not isinstance(item, _PLAIN):
            raise pickle.UnpicklingError(f"{path}: a {type(item).__name__}, not a plain container")
        if not isinstance(item, (dict, list, tuple)):
            continue
        if depth >= MAX_DEPTH:
            raise pickle.UnpicklingError(
                f"{path}: containers nested deeper than {MAX_DEPTH} levels (a CIFAR-10 batch "
                "nests 2)"
            )
        children = (
            [*((key, path) for key in item), *((c, f"{path}[{k!r}]") for k, c in item.items())]
            if isinstance(item, dict)
            else [(child, f"{path}[{index}]") for index, child in enumerate(item)]
        )
        references += len(children)
        if references > MAX_REFERENCES:
            raise pickle.UnpicklingError(
                f"{path}: more than {MAX_REFERENCES:,} object references (a CIFAR-10 batch "
                "holds ~20,000)"
            )
        pending += [(child, child_path, depth + 1) for child, child_path in children]


def restricted_load(content: bytes, source: str) -> Any:
    """Unpickle `content` allowing only plain containers and NumPy arrays (see RestrictedUnpickler)."""
    try:
        # latin1: decodes Python 2 str as the original CIFAR files need, as torchvision does
        value = RestrictedUnpickler(io.BytesIO(content), encoding="latin1").load()
        _check_plain(value, "the pickle")
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
    ) as error:
        raise DatasetError(f"{source}: not a plain CIFAR-10 batch: {error}") from error
    return value


def _text_keys(batch: dict) -> dict:
    return {
        key.decode("latin1") if isinstance(key, bytes) else key: value
        for key, value in batch.items()
    }


def read_cifar10_batch(path: str | os.PathLike) -> dict[str, Any]:
    """A python-version batch (or batches.meta) as a dict with str keys, via the restricted unpickler."""
    batch = restricted_load(Path(path).read_bytes(), str(path))
    if not isinstance(batch, dict):
        raise DatasetError(
            f"{path}: a CIFAR-10 batch is a pickled dict, this holds a {type(batch).__name__}"
        )
    return _text_keys(batch)


def _planar_to_hwc(rows: np.ndarray) -> np.ndarray:
    """(N, 3072) R-plane, G-plane, B-plane rows -> (N, 32, 32, 3)."""
    return np.ascontiguousarray(rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


def _drop_bad_labels(
    images: np.ndarray,
    labels: np.ndarray,
    source: str,
    on_error: str,
    offset_of: Callable[[int], int | None],
    problems: tuple[str, ...] = (),
    total: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Raise on (or, skipping, drop) labels outside 0..9; `problems` are earlier skips of the same file."""
    bad = bad_labels(labels, len(CIFAR10_CLASSES))
    found = [
        label_range_message(source, int(i), int(labels[i]), len(CIFAR10_CLASSES), offset_of(int(i)))
        for i in bad
    ]
    if found and on_error == "raise":
        raise DatasetError(
            found[0] + (f" ({len(bad)} labels out of range)" if len(bad) > 1 else "")
        )
    warn_skipped(source, len(labels) if total is None else total, [*problems, *found])
    if not len(bad):
        return images, labels
    keep = np.ones(len(labels), dtype=bool)
    keep[bad] = False
    return images[keep], labels[keep]


def read_cifar10_binary(
    path: str | os.PathLike, on_error: str = "raise"
) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 (N, 32, 32, 3) and labels int64 (N,) of a binary-version batch file.

    A file whose size is not a multiple of 3,073 ends in a truncated record: an error naming
    the record and its byte offset, or with on_error="skip" that record is dropped. Labels
    outside 0..9 likewise. All of a file's skips go in one warning.
    """
    check_on_error(on_error)
    content = Path(path).read_bytes()
    records, tail = divmod(len(content), RECORD_BYTES)
    if (
        records == 0
    ):  # nothing to skip to: an empty batch is a missing batch, never a smaller dataset
        raise DatasetError(
            f"{path}: empty: no {RECORD_BYTES}-byte records (the file has {len(content)} bytes)"
        )
    problems: tuple[str, ...] = ()
    if tail:
        problem = (
            f"{path}: truncated: record {records} (byte offset {records * RECORD_BYTES}) has {tail} of "
            f"{RECORD_BYTES} bytes; the file is {len(content)} bytes, not a multiple of {RECORD_BYTES}"
        )
        if on_error == "raise":
            raise DatasetError(problem)
        problems = (problem,)
    table = np.frombuffer(content, dtype=np.uint8, count=records * RECORD_BYTES).reshape(
        records, RECORD_BYTES
    )
    return _drop_bad_labels(
        _planar_to_hwc(table[:, 1:]),
        table[:, 0].astype(np.int64),
        str(path),
        on_error,
        lambda i: i * RECORD_BYTES,
        problems,
        records + bool(tail),
    )


def cifar10_batch_arrays(
    batch: dict[str, Any], source: str, on_error: str = "raise"
) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) uint8 and labels int64 out of a python-version batch dict."""
    check_on_error(on_error)
    missing = [key for key in ("data", "labels") if key not in batch]
    if missing:
        raise DatasetError(f"{source}: missing key(s) {missing} (keys: {sorted(batch)})")
    data, labels = np.asarray(batch["data"]), np.asarray(batch["labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != IMAGE_BYTES:
        raise DatasetError(
            f"{source}: 'data' must be uint8 (N, {IMAGE_BYTES}), got {data.dtype} {data.shape}"
        )
    if not len(data):
        raise DatasetError(f"{source}: holds no images ('data' has shape {data.shape})")
    if labels.shape != (len(data),) or (
        len(labels) and not np.issubdtype(labels.dtype, np.integer)
    ):
        raise DatasetError(
            f"{source}: 'labels' must be {len(data)} integers (one per row of 'data'), got "
            f"{labels.dtype} {labels.shape}"
        )
    return _drop_bad_labels(
        _planar_to_hwc(data), labels.astype(np.int64), source, on_error, lambda i: None
    )


def find_cifar10_folder(root: Path) -> tuple[Path, bool]:
    """(folder, is_binary): torchvision's cifar-10-batches-py, the binary cifar-10-batches-bin, or root itself."""
    for folder, binary in (
        (root / "cifar-10-batches-py", False),
        (root / "cifar-10-batches-bin", True),
        (root, False),
        (root, True),
    ):
        if (folder / ("data_batch_1.bin" if binary else "data_batch_1")).is_file():
            return folder, binary
    raise FileNotFoundError(
        f"no CIFAR-10 batches under {root}: looked for cifar-10-batches-py/data_batch_1, "
        "cifar-10-batches-bin/data_batch_1.bin and the same names in the folder itself; "
        "glassnet never downloads"
    )


class CIFAR10(ArrayDataset):
    """CIFAR-10 from `root`: `data` uint8 (N, 32, 32, 3), `targets` int64 0..9, `classes` the ten names.

    Reads the python version (cifar-10-batches-py, through the restricted unpickler) or the
    binary version (cifar-10-batches-bin), whichever `root` holds. All five training
    batches must be there: a missing one is an error, not a smaller dataset.

    Args:
        root: the folder holding cifar-10-batches-py/ or cifar-10-batches-bin/ (or the batches).
        train: the training batches (50,000), else the test batch (10,000).
        transform, target_transform: applied by `__getitem__`.
        on_error: "skip" drops truncated records and labels out of range, in one warning per file.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        on_error: str = "raise",
    ) -> None:
        check_on_error(on_error)
        folder, binary = find_cifar10_folder(Path(root))
        names = [
            name + (".bin" if binary else "") for name in (TRAIN_BATCHES if train else TEST_BATCHES)
        ]
        missing = [name for name in names if not (folder / name).is_file()]
        if missing:
            raise FileNotFoundError(
                f"{folder}: missing CIFAR-10 batch file(s) {', '.join(missing)}"
            )
        parts = [
            read_cifar10_binary(folder / name, on_error)
            if binary
            else cifar10_batch_arrays(
                read_cifar10_batch(folder / name), str(folder / name), on_error
            )
            for name in names
        ]
        super().__init__(
            np.concatenate([images for images, _ in parts]),
            np.concatenate([labels for _, labels in parts]),
            self._class_names(folder, binary),
            transform,
            target_transform,
            source=str(folder),
        )
        self.root, self.train = Path(root), train

    @staticmethod
    def _class_names(folder: Path, binary: bool) -> list[str]:
        """From batches.meta(.txt) when present, else the standard ten."""
        if binary:
            meta = folder / "batches.meta.txt"
            names = (
                [line.strip() for line in meta.read_text().splitlines() if line.strip()]
                if meta.is_file()
                else []
            )
        else:
            meta = folder / "batches.meta"
            names = list(read_cifar10_batch(meta).get("label_names", [])) if meta.is_file() else []
            names = [
                name.decode("latin1") if isinstance(name, bytes) else str(name) for name in names
            ]
        if names and len(names) != len(CIFAR10_CLASSES):
            raise DatasetError(
                f"{meta}: {len(names)} class names, CIFAR-10 has {len(CIFAR10_CLASSES)}"
            )
        return names or list(CIFAR10_CLASSES)
