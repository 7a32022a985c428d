"""IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed, and the MNIST datasets on them.

The IDX format (LeCun's MNIST page): a 4-byte magic number, then the sizes, then the data,
all big-endian:

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    byte  3     number of dimensions D
    4 .. 4+4D   D sizes, unsigned 32-bit each (the first counts the records)
    then        prod(sizes) elements, row-major

So MNIST's train images are 0x00000803, 60000, 28, 28, then 47,040,000 pixel bytes from
byte offset 16; its labels 0x00000801, 60000, then one byte per label from offset 8.
Compressed files are recognised by the gzip magic bytes (1f 8b), not by their name; byte
offsets in errors count in the decompressed content.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from glassnet.data.datasets.base import (
    ArrayDataset,
    DatasetError,
    bad_labels,
    check_on_error,
    label_range_message,
    warn_skipped,
)

IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def _read_gzip(path: Path) -> bytes:
    """Decompress in chunks, so that a broken stream is reported with how far it got, and
    a stream longer than its IDX header declares (a "gzip bomb": a few KB that expand to
    gigabytes) stops one chunk past the declared size instead of filling the memory."""
    chunks, done = [], 0
    limit: int | None = None
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                chunks.append(chunk)
                done += len(chunk)
                if limit is None and done >= 4:
                    limit = _declared_size(b"".join(chunks))
                if limit is not None and done > limit + _CHUNK:
                    raise DatasetError(
                        f"{path}: decompresses to more than the {limit} bytes its IDX header "
                        "declares (stopped reading); the file is corrupt or not an IDX file"
                    )
    except (EOFError, OSError, zlib.error) as error:
        raise DatasetError(
            f"{path}: the gzip stream is broken after {done} decompressed bytes ({error}); "
            "the file is truncated or corrupt: download it again"
        ) from error
    return b"".join(chunks)


def _declared_size(head: bytes) -> int | None:
    """Header plus data bytes an IDX header declares (None until the sizes have arrived)."""
    ndim, code = head[3], head[2]
    if len(head) < 4 + 4 * ndim:
        return None
    sizes = np.frombuffer(head, dtype=">u4", count=ndim, offset=4).astype(object)  # exact ints
    itemsize = IDX_DTYPES[code].itemsize if code in IDX_DTYPES else 1
    return 4 + 4 * ndim + int(np.prod(sizes)) * itemsize


def read_idx_bytes(path: str | os.PathLike) -> bytes:
    """The IDX content of `path`, decompressed if it is gzip."""
    path = Path(path)
    raw = path.read_bytes()
    return _read_gzip(path) if raw[:2] == GZIP_MAGIC else raw


def parse_idx_header(content: bytes, source: str) -> tuple[np.dtype, tuple[int, ...], int]:
    """(element dtype, sizes, byte offset of the data) from the start of an IDX file."""
    if len(content) < 4:
        raise DatasetError(
            f"{source}: {len(content)} bytes, too short for the 4-byte IDX magic number"
        )
    if content[0] != 0 or content[1] != 0:
        raise DatasetError(
            f"{source}: bytes 0-1 are 0x{content[:2].hex()}, not 0x0000: not an IDX file"
        )
    code, ndim = content[2], content[3]
    if code not in IDX_DTYPES:
        valid = ", ".join(f"0x{c:02X} ({d.name})" for c, d in IDX_DTYPES.items())
        raise DatasetError(
            f"{source}: byte 2: unknown IDX element type 0x{code:02X}; valid: {valid}"
        )
    if ndim == 0:
        raise DatasetError(
            f"{source}: byte 3: an IDX file needs at least 1 dimension, the header says 0"
        )
    offset = 4 + 4 * ndim
    if len(content) < offset:
        raise DatasetError(
            f"{source}: truncated header: {ndim} dimensions need {offset} header bytes, "
            f"the file has {len(content)}"
        )
    sizes = tuple(int(s) for s in np.frombuffer(content, dtype=">u4", count=ndim, offset=4))
    return IDX_DTYPES[code], sizes, offset


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in an IDX file (raw or .gz), in native byte order.

    A truncated file raises a DatasetError naming the first incomplete record and its
    byte offset; trailing bytes after the last record are an error too.
    """
    source = str(path)
    content = read_idx_bytes(path)
    dtype, sizes, offset = parse_idx_header(content, source)
    record_bytes = int(np.prod(sizes[1:], dtype=np.int64)) * dtype.itemsize
    expected = sizes[0] * record_bytes
    present = len(content) - offset
    shape = "x".join(map(str, sizes))
    if present < expected:
        record = present // record_bytes if record_bytes else 0
        raise DatasetError(
            f"{source}: truncated: the header declares {shape} {dtype.name} ({expected} data bytes from byte "
            f"offset {offset}), but the file ends at byte offset {len(content)}: record {record} of {sizes[0]} "
            f"(byte offset {offset + record * record_bytes}) is incomplete"
        )
    if present > expected:
        raise DatasetError(
            f"{source}: {present - expected} unexpected bytes after the last record "
            f"(from byte offset {offset + expected}; the header declares {shape} {dtype.name})"
        )
    data = np.frombuffer(
        content, dtype=dtype, count=int(np.prod(sizes, dtype=np.int64)), offset=offset
    )
    return data.reshape(sizes).astype(dtype.newbyteorder("="), copy=True)


def _find(folders: list[Path], stem: str) -> Path:
    """The first existing spelling of an MNIST file (-/. before idx, raw or .gz) in `folders`."""
    names = [stem, stem.replace("-idx", ".idx")]
    candidates = [
        folder / (name + ext) for folder in folders for name in names for ext in ("", ".gz")
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"no {stem}[.gz] in {', '.join(map(str, folders))} (looked for "
        f"{', '.join(c.name for c in candidates[:4])}); glassnet never downloads: "
        "put the four IDX files there"
    )


class MNIST(ArrayDataset):
    """MNIST from its IDX files: `data` uint8 (N, 28, 28) as in torchvision, `targets` int64 0..9.

    `dataset[i]` gives the image as HWC (28, 28, 1) uint8, ready for `transforms.ToTensor()`.
    The files are looked for in `root` and `root/MNIST/raw` (torchvision's layout;
    `root/FashionMNIST/raw` for FashionMNIST): train-images-idx3-ubyte, train-labels-idx1-ubyte,
    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz. Nothing is downloaded.

    Args:
        root: the folder holding the files.
        train: the 60,000 training records, else the 10,000 test records.
        transform, target_transform: applied by `__getitem__`.
        on_error: "raise" on a label out of range (naming file, record, byte offset);
            "skip" drops those records and counts them in one warning.
    """

    classes: ClassVar[list[str]] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self,
        root: str | os.PathLike,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        on_error: str = "raise",
    ) -> None:
        check_on_error(on_error)
        root = Path(root)
        folders = [root, root / type(self).__name__ / "raw"]
        prefix = "train" if train else "t10k"
        images_path = _find(folders, f"{prefix}-images-idx3-ubyte")
        labels_path = _find(folders, f"{prefix}-labels-idx1-ubyte")
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.dtype != np.uint8:
            raise DatasetError(
                f"{images_path}: expected uint8 images N x H x W, got {images.dtype.name} "
                f"{'x'.join(map(str, images.shape))}"
            )
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise DatasetError(
                f"{labels_path}: expected uint8 labels of shape N, got {labels.dtype.name} "
                f"{'x'.join(map(str, labels.shape))}"
            )
        if len(images) != len(labels):
            raise DatasetError(
                f"{images_path} holds {len(images)} images but {labels_path} holds "
                f"{len(labels)} labels"
            )
        classes = type(self).classes
        bad = bad_labels(labels, len(classes))
        if len(bad):
            # a labels file has an 8-byte header, then one byte per record
            problems = [
                label_range_message(
                    str(labels_path), int(i), int(labels[i]), len(classes), 8 + int(i)
                )
                for i in bad
            ]
            if on_error == "raise":
                raise DatasetError(
                    problems[0] + (f" ({len(bad)} labels out of range)" if len(bad) > 1 else "")
                )
            warn_skipped(str(labels_path), len(labels), problems)
            keep = np.ones(len(labels), dtype=bool)
            keep[bad] = False
            images, labels = images[keep], labels[keep]
        super().__init__(
            images, labels, classes, transform, target_transform, source=str(images_path)
        )
        self.root, self.train = root, train

    def sample(self, index: int) -> np.ndarray:
        return self.data[index][:, :, None]


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): MNIST's format and file names, ten kinds of clothing."""

    classes: ClassVar[list[str]] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
