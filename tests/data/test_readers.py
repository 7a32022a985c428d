"""Readers of the files a user brings: IDX, CIFAR-10 (binary and python), ImageFolder, NPZ, CSV.

Every test writes small files in the real format (IDX bytes by hand, CIFAR records by hand,
pickled batch dicts with protocol 2 as the originals, real PNG/JPEG through Pillow), then
reads them back; the bad-input tests check the error names the file and record/offset.
"""

from __future__ import annotations

import gzip
import os
import pickle
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from glassnet.data.datasets import (
    CIFAR10,
    CIFAR10_CLASSES,
    MNIST,
    CSVDataset,
    DatasetError,
    FashionMNIST,
    ImageFolder,
    NPZDataset,
    SkippedRecordsWarning,
    load_image,
    read_cifar10_batch,
    read_cifar10_binary,
    read_csv,
    read_idx,
    read_npz,
)

IDX_CODES = {"u1": 0x08, "i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


# ---------------------------------------------------------------- writers of the real formats


def idx_bytes(array: np.ndarray, big_endian_dtype: str) -> bytes:
    """IDX: 0x00 0x00, type code, ndim, sizes as big-endian uint32, then big-endian data."""
    header = struct.pack(">BBBB", 0, 0, IDX_CODES[big_endian_dtype], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian_dtype).tobytes()


def write_idx(
    path: Path, array: np.ndarray, big_endian_dtype: str = "u1", gz: bool = False
) -> Path:
    content = idx_bytes(array, big_endian_dtype)
    path.write_bytes(gzip.compress(content) if gz else content)
    return path


def write_mnist(
    folder: Path, rng, train: int = 6, test: int = 4, gz: bool = False
) -> dict[str, np.ndarray]:
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train": (
            rng.integers(0, 256, (train, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, train),
        ),
        "t10k": (rng.integers(0, 256, (test, 28, 28), dtype=np.uint8), rng.integers(0, 10, test)),
    }
    suffix = ".gz" if gz else ""
    for prefix, (images, labels) in arrays.items():
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, gz=gz)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels.astype(np.uint8), gz=gz)
    return arrays


def cifar_records(images_hwc: np.ndarray, labels) -> bytes:
    """Binary CIFAR-10: per record 1 label byte, then the R, G and B planes (1024 bytes each)."""
    planar = images_hwc.transpose(0, 3, 1, 2).reshape(len(labels), 3072)
    return b"".join(bytes([label]) + row.tobytes() for label, row in zip(labels, planar))


def cifar_batch_dict(images_hwc: np.ndarray, labels, name: str = "training batch 1 of 5") -> dict:
    """The python version's dict, with bytes keys as `pickle.load(f, encoding='bytes')` shows them."""
    return {
        b"batch_label": name.encode(),
        b"labels": [int(label) for label in labels],
        b"data": images_hwc.transpose(0, 3, 1, 2).reshape(len(labels), 3072).copy(),
        b"filenames": [f"img_{i}.png".encode() for i in range(len(labels))],
    }


def write_pickle(path: Path, value) -> Path:
    path.write_bytes(pickle.dumps(value, protocol=2))  # protocol 2, as the original CIFAR-10 files
    return path


def random_cifar(rng, count: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, count)


def write_png(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


# ---------------------------------------------------------------- IDX


@pytest.mark.parametrize("dtype", list(IDX_CODES))
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 5), (2, 1, 2, 3)])
def test_read_idx_every_type_code_and_rank(tmp_path, rng, dtype, shape):
    array = (rng.standard_normal(shape) * 50).astype(np.dtype(dtype).newbyteorder("="))
    result = read_idx(write_idx(tmp_path / "a.idx", array, dtype))
    assert result.dtype == np.dtype(dtype).newbyteorder("=") and result.dtype.isnative
    np.testing.assert_array_equal(result, array)


def test_read_idx_gzip_is_recognised_by_content(tmp_path, rng):
    array = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(
        read_idx(write_idx(tmp_path / "no-gz-suffix", array, gz=True)), array
    )


def test_read_idx_mnist_header_bytes_are_big_endian(tmp_path):
    content = idx_bytes(np.zeros((60000, 28, 28), np.uint8)[:2], "u1")
    assert content[:16].hex() == "00000803" + "00000002" + "0000001c" + "0000001c"


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("layout", [".", "MNIST/raw"])
def test_mnist_reads_torchvision_layouts_raw_and_gz(tmp_path, rng, gz, layout):
    arrays = write_mnist(tmp_path / layout, rng, gz=gz)
    train, test = MNIST(tmp_path, train=True), MNIST(tmp_path, train=False)
    assert train.data.shape == (6, 28, 28) and train.data.dtype == np.uint8 and len(test) == 4
    np.testing.assert_array_equal(train.data, arrays["train"][0])
    np.testing.assert_array_equal(test.targets, arrays["t10k"][1])
    assert train.targets.dtype == np.int64 and train.classes[3] == "3 - three"
    image, label = train[2]
    assert image.shape == (28, 28, 1) and label == int(arrays["train"][1][2])
    np.testing.assert_array_equal(image[:, :, 0], arrays["train"][0][2])


def test_fashion_mnist_classes_and_its_own_raw_folder(tmp_path, rng):
    write_mnist(tmp_path / "FashionMNIST" / "raw", rng)
    dataset = FashionMNIST(tmp_path)
    assert dataset.classes[9] == "Ankle boot" and len(dataset) == 6
    with pytest.raises(
        FileNotFoundError, match="no train-images-idx3-ubyte.*glassnet never downloads"
    ):
        MNIST(tmp_path)  # MNIST does not look in FashionMNIST/raw


def test_idx_truncated_names_file_record_and_offset(tmp_path, rng):
    path = write_idx(
        tmp_path / "train-images-idx3-ubyte", rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    )
    path.write_bytes(path.read_bytes()[: 16 + 2 * 784 + 100])
    with pytest.raises(
        DatasetError,
        match=rf"{path}: truncated: the header declares 5x28x28 uint8 \(3920 data bytes "
        r"from byte offset 16\), but the file ends at byte offset 1684: record 2 "
        r"of 5 \(byte offset 1584\) is incomplete",
    ):
        read_idx(path)


def test_idx_truncated_gzip_names_file(tmp_path, rng):
    path = write_idx(tmp_path / "labels.gz", rng.integers(0, 10, 3000).astype(np.uint8), gz=True)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(
        DatasetError, match=rf"{path}: the gzip stream is broken after \d+ decompressed bytes"
    ):
        read_idx(path)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\x00\x00", r"2 bytes, too short for the 4-byte IDX magic number"),
        (b"\x89PNG\r\n", r"bytes 0-1 are 0x8950, not 0x0000: not an IDX file"),
        (
            b"\x00\x00\x07\x01\x00\x00\x00\x01\x05",
            r"byte 2: unknown IDX element type 0x07; valid: 0x08 \(uint8\)",
        ),
        (b"\x00\x00\x08\x00", r"byte 3: an IDX file needs at least 1 dimension, the header says 0"),
        (
            b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00",
            r"truncated header: 3 dimensions need 16 header bytes, the file "
            r"has 10",
        ),
        (
            b"\x00\x00\x08\x01\x00\x00\x00\x02\x05\x06\x07",
            r"1 unexpected bytes after the last record \(from byte offset "
            r"10; the header declares 2 uint8\)",
        ),
    ],
)
def test_idx_bad_headers(tmp_path, content, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=rf"{path}: {message}"):
        read_idx(path)


def test_mnist_label_out_of_range_raises_with_record_and_offset(tmp_path, rng):
    write_mnist(tmp_path, rng)
    labels = np.array([1, 2, 12, 3, 4, 200], np.uint8)
    path = write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    with pytest.raises(
        DatasetError,
        match=rf"{path}: record 2 \(byte offset 10\): label 12 is out of range 0..9 "
        r"\(2 labels out of range\)",
    ):
        MNIST(tmp_path)


def test_mnist_skip_drops_bad_labels_in_one_warning(tmp_path, rng):
    images = write_mnist(tmp_path, rng)["train"][0]
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2, 12, 3, 4, 200], np.uint8))
    with pytest.warns(SkippedRecordsWarning) as caught:
        dataset = MNIST(tmp_path, on_error="skip")
    assert len(caught) == 1
    assert "skipped 2 of 6 records" in str(
        caught[0].message
    ) and "record 5 (byte offset 13): label 200" in str(caught[0].message)
    np.testing.assert_array_equal(dataset.targets, [1, 2, 3, 4])
    np.testing.assert_array_equal(dataset.data, images[[0, 1, 3, 4]])


def test_mnist_count_mismatch_and_missing_file(tmp_path, rng):
    write_mnist(tmp_path, rng)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(5, dtype=np.uint8))
    with pytest.raises(
        DatasetError,
        match=r"train-images-idx3-ubyte holds 6 images but .*train-labels-idx1-ubyte "
        r"holds 5 labels",
    ):
        MNIST(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(
        FileNotFoundError,
        match=r"no t10k-labels-idx1-ubyte\[.gz\] in .*looked for "
        r"t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz",
    ):
        MNIST(tmp_path, train=False)


def test_mnist_on_error_must_be_a_valid_choice(tmp_path):
    with pytest.raises(ValueError, match="on_error must be one of 'raise', 'skip', got 'ignore'"):
        MNIST(tmp_path, on_error="ignore")


# ---------------------------------------------------------------- CIFAR-10


def test_cifar_binary_record_layout_to_hwc(tmp_path, rng):
    images, labels = random_cifar(rng, 4)
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar_records(images, labels))
    assert path.stat().st_size == 4 * 3073
    read_images, read_labels = read_cifar10_binary(path)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)
    # one pixel by hand: record 1, row 5, column 7, green = byte 1 + 1024 + 5*32 + 7 of the record
    raw = path.read_bytes()[3073 : 2 * 3073]
    assert read_images[1, 5, 7, 1] == raw[1 + 1024 + 5 * 32 + 7] and read_labels[1] == raw[0]


def test_cifar_binary_truncated_names_record_and_offset(tmp_path, rng):
    path = tmp_path / "test_batch.bin"
    path.write_bytes(cifar_records(*random_cifar(rng, 3))[:-1000])
    with pytest.raises(
        DatasetError,
        match=rf"{path}: truncated: record 2 \(byte offset 6146\) has 2073 of 3073 "
        r"bytes; the file is 8219 bytes, not a multiple of 3073",
    ):
        read_cifar10_binary(path)


def test_cifar_binary_skip_truncated_and_bad_label_in_one_warning(tmp_path, rng):
    images, labels = random_cifar(rng, 4)
    labels[1] = 11
    path = tmp_path / "b.bin"
    path.write_bytes(cifar_records(images, labels)[:-5])
    with pytest.warns(SkippedRecordsWarning) as caught:
        read_images, read_labels = read_cifar10_binary(path, on_error="skip")
    message = str(caught[0].message)
    assert len(caught) == 1 and "skipped 2 of 4 records" in message
    assert "record 3 (byte offset 9219) has 3068 of 3073" in message
    assert "record 1 (byte offset 3073): label 11 is out of range 0..9" in message
    np.testing.assert_array_equal(read_labels, labels[[0, 2]])
    np.testing.assert_array_equal(read_images, images[[0, 2]])


def test_cifar_binary_label_out_of_range_raises(tmp_path, rng):
    images, labels = random_cifar(rng, 3)
    labels[2] = 10
    path = tmp_path / "b.bin"
    path.write_bytes(cifar_records(images, labels))
    with pytest.raises(
        DatasetError, match=rf"{path}: record 2 \(byte offset 6146\): label 10 is out of range 0..9"
    ):
        read_cifar10_binary(path)


def test_cifar_python_batch_protocol_2_bytes_keys(tmp_path, rng):
    images, labels = random_cifar(rng, 5)
    path = write_pickle(tmp_path / "data_batch_1", cifar_batch_dict(images, labels))
    batch = read_cifar10_batch(path)
    assert sorted(batch) == ["batch_label", "data", "filenames", "labels"]
    assert (
        batch["filenames"][4] == b"img_4.png" and batch["batch_label"] == b"training batch 1 of 5"
    )
    np.testing.assert_array_equal(batch["data"], images.transpose(0, 3, 1, 2).reshape(5, 3072))


def test_cifar_python_batch_pickled_under_numpy_1_and_with_str_keys(tmp_path, rng):
    """The original files name numpy.core.multiarray._reconstruct (NumPy 1) and have str keys (Python 2)."""
    images, labels = random_cifar(rng, 3)
    batch = {
        "data": images.transpose(0, 3, 1, 2).reshape(3, 3072).copy(),
        "labels": labels.tolist(),
    }
    content = pickle.dumps(batch, protocol=2)
    assert b"numpy._core.multiarray" in content
    path = tmp_path / "test_batch"
    path.write_bytes(content.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    read = read_cifar10_batch(path)
    np.testing.assert_array_equal(read["data"], batch["data"])
    assert read["labels"] == labels.tolist()


class _SystemPayload:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


class _ExecPayload:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self):
        return exec, (self.code,)


@pytest.mark.parametrize(
    "make_payload,forbidden",
    [
        (lambda marker: _SystemPayload(f"touch {marker}"), r"(posix|nt|os)\.system"),
        # protocol 2 spells builtins __builtin__
        (
            lambda marker: _ExecPayload(f"open({str(marker)!r}, 'w').close()"),
            r"(__builtin__|builtins)\.exec",
        ),
    ],
    ids=["os.system", "builtins.exec"],
)
def test_malicious_cifar_pickle_is_refused_and_never_runs(tmp_path, rng, make_payload, forbidden):
    marker = tmp_path / "pwned"
    images, labels = random_cifar(rng, 2)
    batch = cifar_batch_dict(images, labels)
    batch[b"labels"] = make_payload(marker)
    path = write_pickle(tmp_path / "data_batch_1", batch)
    with pytest.raises(
        DatasetError,
        match=rf"{path}: not a plain CIFAR-10 batch: forbidden global {forbidden}: a "
        r"CIFAR-10 batch holds only plain containers and NumPy arrays",
    ):
        read_cifar10_batch(path)
    assert not marker.exists()


def test_restricted_unpickler_refuses_object_arrays_and_other_codecs(tmp_path):
    objects = np.array([1, "two"], dtype=object)
    path = write_pickle(tmp_path / "objects", {"data": objects})
    with pytest.raises(
        DatasetError, match=r"the pickle\['data'\]: an object array, not a plain NumPy array"
    ):
        read_cifar10_batch(path)
    crafted = b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x04\x00\x00\x00zlib\x86R."
    (tmp_path / "codec").write_bytes(crafted)
    with pytest.raises(
        DatasetError, match=r"_codecs.encode with encoding 'zlib' is not allowed \(only latin1\)"
    ):
        read_cifar10_batch(tmp_path / "codec")


def test_restricted_unpickler_checks_deep_nesting_without_recursing(tmp_path):
    """[[[...[object array]...]]] 5,000 deep, written opcode by opcode (pickle.dumps itself would recurse)."""
    inner = pickle.dumps(np.zeros(2, dtype=object), protocol=2)[2:-1]  # without PROTO and STOP
    depth = 5000  # beyond Python's recursion limit
    (tmp_path / "deep").write_bytes(b"\x80\x02" + b"]" * depth + inner + b"a" * depth + b".")
    with pytest.raises(
        DatasetError, match=r"the pickle(\[0\]){8}: containers nested deeper than 8 levels"
    ):
        read_cifar10_batch(tmp_path / "deep")


def test_cifar_python_batch_that_is_not_a_dict_or_lacks_keys(tmp_path, rng):
    with pytest.raises(
        DatasetError, match=r"a CIFAR-10 batch is a pickled dict, this holds a list"
    ):
        read_cifar10_batch(write_pickle(tmp_path / "a", [1, 2]))
    (tmp_path / "cut").write_bytes(
        pickle.dumps({"data": np.zeros((2, 3072), np.uint8)}, protocol=2)[:-40]
    )
    with pytest.raises(DatasetError, match=r"cut: not a plain CIFAR-10 batch"):
        read_cifar10_batch(tmp_path / "cut")


def make_cifar_folder(root: Path, rng, binary: bool, per_batch: int = 3) -> dict[str, tuple]:
    folder = root / ("cifar-10-batches-bin" if binary else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    written = {}
    for name in [f"data_batch_{n}" for n in range(1, 6)] + ["test_batch"]:
        images, labels = random_cifar(rng, per_batch)
        written[name] = (images, labels)
        if binary:
            (folder / f"{name}.bin").write_bytes(cifar_records(images, labels))
        else:
            write_pickle(folder / name, cifar_batch_dict(images, labels))
    if binary:
        (folder / "batches.meta.txt").write_text("\n".join(CIFAR10_CLASSES) + "\n\n")
    else:
        write_pickle(
            folder / "batches.meta",
            {b"label_names": [name.encode() for name in CIFAR10_CLASSES], b"num_vis": 3072},
        )
    return written


@pytest.mark.parametrize("binary", [False, True], ids=["python", "binary"])
def test_cifar10_dataset_reads_both_versions(tmp_path, rng, binary):
    written = make_cifar_folder(tmp_path, rng, binary)
    train, test = CIFAR10(tmp_path, train=True), CIFAR10(tmp_path, train=False)
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8 and len(test) == 3
    np.testing.assert_array_equal(
        train.data, np.concatenate([written[f"data_batch_{n}"][0] for n in range(1, 6)])
    )
    np.testing.assert_array_equal(test.targets, written["test_batch"][1])
    assert train.classes == CIFAR10_CLASSES and test[1][0].shape == (32, 32, 3)


def test_cifar10_missing_batch_is_an_error_not_a_smaller_dataset(tmp_path, rng):
    make_cifar_folder(tmp_path, rng, binary=False)
    (tmp_path / "cifar-10-batches-py" / "data_batch_4").unlink()
    with pytest.raises(
        FileNotFoundError,
        match=r"cifar-10-batches-py: missing CIFAR-10 batch file\(s\) data_batch_4",
    ):
        CIFAR10(tmp_path)
    with pytest.raises(
        FileNotFoundError, match=r"no CIFAR-10 batches under .*glassnet never downloads"
    ):
        CIFAR10(tmp_path / "cifar-10-batches-py" / "nothing-here")


# ---------------------------------------------------------------- ImageFolder


def make_image_folder(root: Path, rng) -> dict[str, np.ndarray]:
    """cat: two PNG (one in a nested folder); dog: a PNG and a JPEG; all 6x5 RGB."""
    pictures = {
        "cat/b.png": rng.integers(0, 256, (6, 5, 3), dtype=np.uint8),
        "cat/nested/a.png": rng.integers(0, 256, (6, 5, 3), dtype=np.uint8),
        "dog/c.png": rng.integers(0, 256, (6, 5, 3), dtype=np.uint8),
    }
    for name, array in pictures.items():
        write_png(root / name, array)
    flat = np.full(
        (6, 5, 3), (200, 40, 90), np.uint8
    )  # flat colour: JPEG keeps it to within a level or two
    Image.fromarray(flat).save(root / "dog" / "d.jpg", quality=95)
    pictures["dog/d.jpg"] = flat
    return pictures


def test_image_folder_classes_order_and_pixels(tmp_path, rng):
    pictures = make_image_folder(tmp_path, rng)
    dataset = ImageFolder(tmp_path)
    assert dataset.classes == ["cat", "dog"] and dataset.class_to_idx == {"cat": 0, "dog": 1}
    assert [
        (Path(path).relative_to(tmp_path).as_posix(), label) for path, label in dataset.samples
    ] == [("cat/b.png", 0), ("cat/nested/a.png", 0), ("dog/c.png", 1), ("dog/d.jpg", 1)]
    assert dataset.imgs == dataset.samples and dataset.targets.tolist() == [0, 0, 1, 1]
    assert dataset.data.shape == (4, 6, 5, 3) and dataset.data.dtype == np.uint8
    for index, name in enumerate(["cat/b.png", "cat/nested/a.png", "dog/c.png"]):
        np.testing.assert_array_equal(dataset.data[index], pictures[name])
    assert np.abs(dataset.data[3].astype(int) - pictures["dog/d.jpg"]).max() <= 3
    image, label = dataset[2]
    assert label == 1 and image.shape == (6, 5, 3)
    np.testing.assert_array_equal(dataset.class_counts(), [2, 2])


def test_load_image_modes(tmp_path, rng):
    gray = rng.integers(0, 256, (4, 3), dtype=np.uint8)
    assert load_image(write_png(tmp_path / "g.png", gray)).shape == (4, 3, 1)
    np.testing.assert_array_equal(load_image(tmp_path / "g.png")[:, :, 0], gray)
    rgba = rng.integers(0, 256, (4, 3, 4), dtype=np.uint8)
    np.testing.assert_array_equal(load_image(write_png(tmp_path / "a.png", rgba)), rgba[:, :, :3])
    rgb = load_image(tmp_path / "g.png", mode="RGB")
    assert rgb.shape == (4, 3, 3) and (rgb == gray[:, :, None]).all()


def test_load_image_refuses_to_clip_16_bit_images(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.array([[0, 1000], [30000, 65535]], np.uint16)).save(path)
    with pytest.raises(
        DatasetError,
        match=rf"{path}: a 'I;16' image \(more than 8 bits per pixel\); ImageFolder "
        r"decodes 8-bit images: pass a loader that scales it, or mode='L'",
    ):
        load_image(path)
    assert load_image(path, mode="L")[:, :, 0].tolist() == [
        [0, 255],
        [255, 255],
    ]  # clipped, as asked


def test_image_folder_is_valid_file_selects_files(tmp_path, rng):
    make_image_folder(tmp_path, rng)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "error"
        )  # the files the filter rejects were chosen: no warning about them
        dataset = ImageFolder(tmp_path, is_valid_file=lambda path: path.endswith((".jpg", "a.png")))
    assert [Path(path).name for path, _ in dataset.samples] == ["a.png", "d.jpg"]


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_image_that_fails_to_decode_names_the_file(tmp_path, rng, damage):
    make_image_folder(tmp_path, rng)
    bad = tmp_path / "dog" / "c.png"
    content = bad.read_bytes()
    bad.write_bytes(b"not an image at all" if damage == "garbage" else content[: len(content) // 2])
    with pytest.raises(DatasetError, match=rf"{bad}: cannot decode the image: \w+"):
        ImageFolder(tmp_path)


def test_image_folder_skip_counts_bad_images_in_one_warning(tmp_path, rng):
    make_image_folder(tmp_path, rng)
    (tmp_path / "dog" / "c.png").write_bytes(b"garbage")
    (tmp_path / "cat" / "b.png").write_bytes(b"")
    with pytest.warns(SkippedRecordsWarning) as caught:
        dataset = ImageFolder(tmp_path, on_error="skip")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith(f"ImageFolder({tmp_path}): skipped 2 of 4 images (on_error='skip'): ")
    assert "cat/b.png: cannot decode" in message and "dog/c.png: cannot decode" in message
    assert [Path(path).name for path, _ in dataset.samples] == ["a.png", "d.jpg"]
    assert dataset.targets.tolist() == [0, 1] and len(dataset.images) == 2 and len(dataset) == 2


def test_image_folder_empty_class_folder_names_it(tmp_path, rng):
    make_image_folder(tmp_path, rng)
    (tmp_path / "emu").mkdir()
    (tmp_path / "emu" / "notes.txt").write_text("no images here")
    with pytest.raises(
        DatasetError, match=rf"class folder {tmp_path / 'emu'} has no images \(.jpg, .jpeg, .png"
    ):
        ImageFolder(tmp_path)
    with pytest.warns(
        UserWarning, match=r"left out 1 files without an image extension: .*emu/notes.txt"
    ):
        dataset = ImageFolder(tmp_path, allow_empty=True)
    assert dataset.classes == ["cat", "dog", "emu"] and dataset.class_counts().tolist() == [2, 2, 0]


def test_image_folder_without_class_folders(tmp_path, rng):
    with pytest.raises(
        DatasetError, match=rf"ImageFolder: {tmp_path} has no class sub-folders; expected"
    ):
        ImageFolder(tmp_path)
    write_png(tmp_path / "x.png", rng.integers(0, 256, (2, 2), dtype=np.uint8))
    with pytest.raises(
        DatasetError,
        match=r"has no class sub-folders \(it holds 1 images directly: put them in one "
        r"sub-folder per class\)",
    ):
        ImageFolder(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"ImageFolder: .*missing is not a folder"):
        ImageFolder(tmp_path / "missing")


def test_image_folder_of_different_sizes_indexes_but_does_not_stack(tmp_path, rng):
    write_png(tmp_path / "a" / "1.png", rng.integers(0, 256, (4, 4), dtype=np.uint8))
    write_png(tmp_path / "b" / "2.png", rng.integers(0, 256, (5, 4), dtype=np.uint8))
    dataset = ImageFolder(
        tmp_path, transform=lambda image: image[:4], target_transform=lambda label: label + 10
    )
    image, label = dataset[1]
    assert image.shape == (4, 4, 1) and label == 11
    with pytest.raises(
        DatasetError,
        match=r"images differ in shape: .*a/1.png is \(4, 4, 1\), .*b/2.png is "
        r"\(5, 4, 1\)",
    ):
        _ = dataset.data


def test_image_folder_custom_loader_failure_names_the_file(tmp_path, rng):
    write_png(tmp_path / "a" / "1.png", rng.integers(0, 256, (4, 4), dtype=np.uint8))

    def loader(path):
        raise OSError("disk on fire")

    with pytest.raises(DatasetError, match=r"a/1.png: the loader failed: OSError: disk on fire"):
        ImageFolder(tmp_path, loader=loader)


# ---------------------------------------------------------------- NPZ and CSV


def test_npz_pairs_splits_and_explicit_keys(tmp_path, rng):
    x, y = rng.standard_normal((6, 3)).astype(np.float32), np.array([0, 1, 2, 1, 0, 2])
    np.savez(tmp_path / "plain.npz", x=x, y=y)
    dataset = NPZDataset(tmp_path / "plain.npz")
    np.testing.assert_array_equal(dataset.data, x)
    assert dataset.targets.dtype == np.int64 and dataset.classes == ["0", "1", "2"]
    np.savez(tmp_path / "keras.npz", x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])
    assert len(NPZDataset(tmp_path / "keras.npz", split="test")) == 2
    np.savez(tmp_path / "odd.npz", pixels=x, answer=y)
    assert len(NPZDataset(tmp_path / "odd.npz", data_key="pixels", targets_key="answer")) == 6
    with pytest.raises(
        DatasetError,
        match=r"odd.npz: no data/targets pair among the arrays \['pixels', 'answer'\]; "
        r"tried x/y, X/y, data/targets",
    ):
        NPZDataset(tmp_path / "odd.npz")
    with pytest.raises(DatasetError, match=r"plain.npz: no array 'z'; the file holds \['x', 'y'\]"):
        NPZDataset(tmp_path / "plain.npz", data_key="z", targets_key="y")


def test_npz_object_arrays_are_refused_not_unpickled(tmp_path):
    np.savez(tmp_path / "objects.npz", x=np.zeros(2), y=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(
        DatasetError,
        match=r"objects.npz: array 'y' holds Python objects, which NPZ stores by "
        r"pickling; glassnet reads NPZ with allow_pickle=False",
    ):
        read_npz(tmp_path / "objects.npz")
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(DatasetError, match=r"junk.npz: not a readable .npz archive"):
        read_npz(tmp_path / "junk.npz")


def test_npz_labels_out_of_range_and_mismatched_lengths(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.zeros((3, 2)), y=np.array([0, 5, 1]))
    with pytest.raises(
        DatasetError, match=r"a.npz\[x, y\]: record 1: label 5 is out of range 0..1"
    ):
        NPZDataset(tmp_path / "a.npz", classes=["no", "yes"])
    np.savez(tmp_path / "b.npz", x=np.zeros((3, 2)), y=np.array([0, -1, 1]))
    with pytest.raises(DatasetError, match=r"record 1: label -1 is out of range 0..1"):
        NPZDataset(tmp_path / "b.npz")
    np.savez(tmp_path / "c.npz", x=np.zeros((3, 2)), y=np.array([0, 1]))
    with pytest.raises(
        DatasetError,
        match=r"targets must be 1-D with one label per sample: data has shape \(3, 2\), "
        r"targets \(2,\)",
    ):
        NPZDataset(tmp_path / "c.npz")
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 2)), y=np.array([0.0, 1.0]))
    with pytest.raises(
        DatasetError, match=r"targets must be integer class indices, got dtype float64"
    ):
        NPZDataset(tmp_path / "d.npz")


def test_csv_header_inferred_or_declared(tmp_path):
    (tmp_path / "h.csv").write_text("a,b,label\n1.5,2,0\n3.25,4,1\n")
    np.testing.assert_array_equal(read_csv(tmp_path / "h.csv"), [[1.5, 2, 0], [3.25, 4, 1]])
    (tmp_path / "n.csv").write_text("1;2\n3;4\n")
    table = read_csv(tmp_path / "n.csv", delimiter=";", header=None)
    assert table.dtype == np.float32 and table.tolist() == [[1, 2], [3, 4]]
    assert read_csv(tmp_path / "n.csv", delimiter=";", header=0).tolist() == [[3, 4]]
    dataset = CSVDataset(tmp_path / "h.csv")
    assert dataset.data.tolist() == [[1.5, 2], [3.25, 4]] and dataset.targets.tolist() == [0, 1]
    first = CSVDataset(tmp_path / "h.csv", target_column=1, classes=["a", "b", "c", "d", "e"])
    assert first.targets.tolist() == [2, 4] and first.data.tolist() == [[1.5, 0], [3.25, 1]]


def test_csv_bad_cells_and_labels_name_the_file_and_row(tmp_path):
    (tmp_path / "bad.csv").write_text("x,y\n1,2\n3,oops\n")
    with pytest.raises(
        DatasetError,
        match=r"bad.csv: could not convert string 'oops' to float32 at row 1, column 2",
    ):
        read_csv(tmp_path / "bad.csv")
    (tmp_path / "frac.csv").write_text("1,0\n2,1\n3,1.5\n")
    with pytest.raises(
        DatasetError,
        match=r"frac.csv: data row 3: label 1.5 in column -1 is not an integer class "
        r"index",
    ):
        CSVDataset(tmp_path / "frac.csv")
    (tmp_path / "empty.csv").write_text("a,b\n")
    with pytest.raises(DatasetError, match=r"empty.csv: no data rows \(after 1 header line\(s\)\)"):
        read_csv(tmp_path / "empty.csv")
    with pytest.raises(
        ValueError, match=r"header must be 'infer', None or a line index >= 0, got 'yes'"
    ):
        read_csv(tmp_path / "empty.csv", header="yes")


def test_no_reader_warns_on_good_files(tmp_path, rng):
    write_mnist(tmp_path / "m", rng)
    make_image_folder(tmp_path / "i", rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MNIST(tmp_path / "m")
        ImageFolder(tmp_path / "i")
