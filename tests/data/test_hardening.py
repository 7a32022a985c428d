"""Regressions of issue 11 in the data readers: hostile pickles, empty batches, binary CSVs, bad NPZ.

Each test reproduces one reported defect: before the fix it hung, gave a traceback, or
accepted the file silently; now it fails at once with one line naming the file.
"""

from __future__ import annotations

import gzip
import io
import pickle
import zipfile

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.data.datasets import CIFAR10, DatasetError
from glassnet.data.datasets.arrays import CSVDataset, NPZDataset, read_csv
from glassnet.data.datasets.cifar10 import read_cifar10_batch, read_cifar10_binary
from glassnet.data.datasets.idx import read_idx


def shared_reference_bomb(depth: int) -> bytes:
    """`a = [a, a]` repeated `depth` times: a few hundred bytes, 2**depth paths to walk."""
    value: list = []
    for _ in range(depth):
        value = [value, value]
    return pickle.dumps({b"data": value, b"labels": [0]}, protocol=2)


def one_line_error(capsys, argv: list[str]) -> str:
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.timeout(20)
def test_a_shared_reference_pickle_fails_at_once_naming_the_file(tmp_path, capsys):
    content = shared_reference_bomb(64)
    assert len(content) < 1000
    path = tmp_path / "data_batch_1"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=r"data_batch_1: not a plain CIFAR-10 batch: .*deeper"):
        read_cifar10_batch(path)
    assert "data_batch_1: not a plain CIFAR-10 batch" in one_line_error(
        capsys, ["data", "info", str(path)]
    )


@pytest.mark.timeout(20)
def test_a_wide_shared_reference_pickle_is_bounded_in_size(tmp_path):
    """One list referenced 300,000 times: each object is visited once, references are counted."""
    leaf = [0]
    path = tmp_path / "wide"
    path.write_bytes(pickle.dumps({b"labels": [leaf] * 300_000}, protocol=2))
    with pytest.raises(DatasetError, match=r"wide: not a plain CIFAR-10 batch: .*references"):
        read_cifar10_batch(path)


def test_a_zero_byte_cifar_binary_batch_is_an_error(tmp_path, capsys):
    (tmp_path / "data_batch_1.bin").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"data_batch_1.bin: empty: no 3073-byte records"):
        read_cifar10_binary(tmp_path / "data_batch_1.bin")
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    record = bytes(3073)
    for name in [f"data_batch_{n}.bin" for n in range(1, 6)] + ["test_batch.bin"]:
        (folder / name).write_bytes(record)
    (folder / "data_batch_3.bin").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"data_batch_3.bin: empty"):
        CIFAR10(tmp_path)
    assert "data_batch_3.bin: empty" in one_line_error(capsys, ["data", "info", str(tmp_path)])


def test_an_empty_cifar_python_batch_is_an_error(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batch = {b"data": np.zeros((1, 3072), np.uint8), b"labels": [1]}
    for name in [f"data_batch_{n}" for n in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    empty = {b"data": np.zeros((0, 3072), np.uint8), b"labels": []}
    (folder / "data_batch_2").write_bytes(pickle.dumps(empty, protocol=4))
    with pytest.raises(DatasetError, match=r"data_batch_2: holds no images"):
        CIFAR10(tmp_path)


def test_a_csv_holding_binary_bytes_names_the_file_and_offset(tmp_path, capsys):
    path = tmp_path / "table.csv"
    path.write_bytes(b"1,2,3\n4,5,\xff\xfe\x00\n")
    with pytest.raises(DatasetError, match=r"table.csv: not UTF-8 text: byte offset 10"):
        read_csv(path)
    with pytest.raises(DatasetError, match=r"table.csv: not UTF-8 text"):
        CSVDataset(path)
    (tmp_path / "head.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(DatasetError, match=r"head.csv: not UTF-8 text: byte offset 0"):
        read_csv(tmp_path / "head.csv")
    assert "table.csv: not UTF-8 text" in one_line_error(capsys, ["data", "info", str(path)])


@pytest.mark.parametrize(
    "arrays,message",
    [
        ({"x": np.zeros((0, 4), np.float32), "y": np.zeros(0, np.int64)}, r"holds no samples"),
        ({"x": np.zeros(5, np.float32), "y": np.zeros(5, np.int64)}, r"one sample per row"),
        ({"x": np.zeros((5, 2), np.float32), "y": np.zeros((5, 2), np.int64)}, r"1-D"),
        ({"x": np.zeros((5, 2), np.float32), "y": np.zeros(5, np.float32)}, r"integer"),
        (
            {"x": np.zeros((5, 2), np.float32), "y": np.zeros(4, np.int64)},
            r"\(5, 2\), targets \(4,\)",
        ),
        ({"x": np.zeros((5, 2), np.float32), "y": np.full(5, -1, np.int64)}, r"label -1"),
        ({"x": np.array([b"ab"] * 5), "y": np.zeros(5, np.int64)}, r"numbers"),
    ],
    ids=["empty", "one-d", "two-d-labels", "float-labels", "lengths", "negative", "bytes"],
)
def test_a_bad_npz_gives_one_line_through_the_cli(tmp_path, capsys, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match=message):
        NPZDataset(path)
    err = one_line_error(capsys, ["train", "--data", str(path), "--out", str(tmp_path / "run")])
    assert "bad.npz" in err
    assert not (tmp_path / "run").exists()  # a refused run leaves nothing behind


@pytest.mark.timeout(30)
def test_a_gzip_bomb_stops_past_the_size_its_idx_header_declares(tmp_path):
    """A few KB of gzip that expand to 64 MiB: reading stops one chunk past the declared 16 bytes."""
    header = bytes([0, 0, 0x08, 1]) + (8).to_bytes(4, "big")  # 8 uint8 labels
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(header + bytes(8))
        block = bytes(1 << 20)
        for _ in range(64):
            stream.write(block)
    assert path.stat().st_size < 200_000
    with pytest.raises(
        DatasetError, match=r"decompresses to more than the 16 bytes its IDX header"
    ):
        read_idx(path)


def test_an_npz_array_too_large_for_memory_is_one_line(tmp_path, capsys):
    """An .npy header inside the zip that declares 2**60 float64 values (the data is absent)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (2**40, 2**20)}
    )
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", buffer.getvalue())
        archive.writestr("y.npy", buffer.getvalue())
    with pytest.raises(DatasetError, match=r"huge.npz: array 'x' "):
        NPZDataset(path)
