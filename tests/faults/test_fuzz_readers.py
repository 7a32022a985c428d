"""Fuzz every dataset reader with damaged copies of valid files (issue 11).

For each format (IDX raw and gzip, CIFAR-10 binary and python, an ImageFolder's image,
NPZ, CSV) a small valid file is damaged: truncated at many offsets, bytes flipped at
random, random bytes appended, replaced by noise. Each copy goes through the reader and
through `glassnet data info` (`info.describe`); it must fail with one line naming the
file, or read as a sane dataset (samples = labels > 0, labels in range, numbers only).
"""

from __future__ import annotations

import gzip
import io
import pickle
import shutil
import struct

import numpy
import pytest
from damage_kit import Tally, write
from PIL import Image

from glassnet.data.datasets import MNIST, ImageFolder
from glassnet.data.datasets.arrays import CSVDataset, NPZDataset
from glassnet.data.datasets.cifar10 import (
    cifar10_batch_arrays,
    read_cifar10_batch,
    read_cifar10_binary,
)
from glassnet.data.datasets.idx import read_idx
from glassnet.data.datasets.info import describe

SEED = 5
FLIPS = 60


def idx_file(array: numpy.ndarray) -> bytes:
    codes = {numpy.uint8: 0x08, numpy.int32: 0x0C}
    head = bytes([0, 0, codes[array.dtype.type], array.ndim])
    sizes = struct.pack(f">{array.ndim}I", *array.shape)
    return head + sizes + array.astype(array.dtype.newbyteorder(">")).tobytes()


def png(rng) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (8, 8), dtype=numpy.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def valid_files(rng) -> dict[str, bytes]:
    images = rng.integers(0, 256, (6, 28, 28), dtype=numpy.uint8)
    labels = rng.integers(0, 10, 6).astype(numpy.uint8)
    npz = io.BytesIO()
    numpy.savez(
        npz, x=rng.standard_normal((6, 4)).astype(numpy.float32), y=labels.astype(numpy.int64)
    )
    records = b"".join(bytes([int(label)]) + rng.bytes(3072) for label in labels)
    batch = {
        b"data": rng.integers(0, 256, (6, 3072), dtype=numpy.uint8),
        b"labels": labels.tolist(),
    }
    return {
        "train-images-idx3-ubyte": idx_file(images),
        "train-labels-idx1-ubyte.gz": gzip.compress(idx_file(labels), mtime=0),
        "data_batch_1.bin": records,
        "data_batch_1": pickle.dumps(batch, protocol=2),
        "table.csv": "a,b,c,label\n" + "".join(f"{i},{i * 2},{i / 3},{i % 3}\n" for i in range(6)),
        "arrays.npz": npz.getvalue(),
        "image.png": png(rng),
    }


def damage(content: bytes, rng) -> list[tuple[str, bytes]]:
    cuts = sorted(
        {0, 1, 3, 4, 8, 16, len(content) // 2, len(content) - 1}
        | {int(c) for c in rng.integers(0, len(content), 4)}
    )
    cases = [(f"truncated at {cut}", content[:cut]) for cut in cuts if cut < len(content)]
    for position in rng.integers(0, min(len(content), 4096), FLIPS):
        damaged = bytearray(content)
        damaged[position] ^= int(rng.integers(1, 256))
        cases.append((f"byte {position} flipped", bytes(damaged)))
    cases.append(("garbage appended", content + rng.bytes(37)))
    cases.append(("noise", rng.bytes(len(content))))
    return cases


def sane_dataset(dataset) -> str:
    data, targets = numpy.asarray(dataset.data), numpy.asarray(dataset.targets)
    if not len(data) or len(data) != len(targets):
        return f"{len(data)} samples for {len(targets)} labels"
    if data.dtype.kind not in "biuf":
        return f"data of dtype {data.dtype}"
    if targets.min() < 0 or targets.max() >= len(dataset.classes):
        return f"labels outside 0..{len(dataset.classes) - 1}"
    return ""


def sane_arrays(pair) -> str:
    images, labels = pair
    if not len(images) or len(images) != len(labels) or labels.min() < 0 or labels.max() > 9:
        return f"{len(images)} images, {len(labels)} labels in {labels.min()}..{labels.max()}"
    return ""


def sane_summary(summary) -> str:
    return "" if all(split.size > 0 for split in summary.splits) else "an empty split"


def readers(name: str, path):
    """(label, call, sanity) for each way the library reads a file of this kind."""
    folder = path.parent
    if name.startswith("train-"):
        return [("read_idx", lambda: read_idx(path), lambda a: "" if a.size or a.ndim else "empty"),
                ("MNIST", lambda: MNIST(folder), sane_dataset)]  # fmt: skip
    if name.endswith(".bin"):
        return [("read_cifar10_binary", lambda: read_cifar10_binary(path), sane_arrays)]
    if name == "data_batch_1":
        read = lambda: cifar10_batch_arrays(read_cifar10_batch(path), str(path))
        return [("read_cifar10_batch", read, sane_arrays)]
    if name.endswith(".csv"):
        return [("CSVDataset", lambda: CSVDataset(path), sane_dataset)]
    if name.endswith(".npz"):
        return [("NPZDataset", lambda: NPZDataset(path), sane_dataset)]
    return [("ImageFolder", lambda: ImageFolder(folder.parent).data, lambda data: "")]


@pytest.mark.timeout(120)
def test_damaged_dataset_files(tmp_path):
    rng = numpy.random.default_rng(SEED)
    tallies: dict[str, Tally] = {}
    for name, content in valid_files(rng).items():
        content = content.encode() if isinstance(content, str) else content
        for number, (case, damaged) in enumerate(damage(content, rng)):
            folder = tmp_path / f"{name}-{number}" / "images" / "cat"
            folder.mkdir(parents=True)
            path = write(folder / name, damaged)
            if name.startswith("train-images"):  # MNIST needs its partner file, undamaged
                labels = idx_file(numpy.zeros(6, numpy.uint8))
                write(folder / "train-labels-idx1-ubyte", labels)
            if name.startswith("train-labels"):
                write(
                    folder / "train-images-idx3-ubyte",
                    idx_file(numpy.zeros((6, 28, 28), numpy.uint8)),
                )
            if name == "image.png":
                shutil.copytree(folder, folder.parent / "dog")
                (folder.parent / "dog" / name).write_bytes(content)
            for label, call, sane in readers(name, path):
                tallies.setdefault(label, Tally()).judge(f"{name} {case}", call, name, sane)
            if name != "image.png":
                tallies.setdefault("data info", Tally()).judge(
                    f"{name} {case}", lambda: describe(str(path)), name, sane_summary
                )
    lines = [tally.line(label) for label, tally in tallies.items()]
    print("\n" + "\n".join(lines))
    total = sum(tally.tried for tally in tallies.values())
    print(f"dataset readers: {total} cases tried, {sum(t.clean for t in tallies.values())} clean, "
          f"{sum(len(t.bad) for t in tallies.values())} bad")  # fmt: skip
    assert {label: tally.bad for label, tally in tallies.items() if tally.bad} == {}
