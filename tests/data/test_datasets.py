"""The built-in datasets (digits, mnist1d), the NPZ cache and ArrayDataset. No network anywhere:
digits is bundled with scikit-learn, MNIST-1D is generated, and the cache lives in tmp_path."""

from __future__ import annotations

import random
import subprocess
import sys
import warnings

import numpy as np
import pytest

from glassnet.data.datasets import (
    MNIST1D,
    MNIST1D_DEFAULTS,
    ArrayDataset,
    DatasetError,
    Digits,
    cache_dir,
    load_mnist1d,
    save_npz_atomic,
)
from glassnet.data.datasets import cache as cache_module
from glassnet.data.datasets.digits import digits_split_indices
from glassnet.data.datasets.mnist1d import mnist1d_args, mnist1d_cache_path

SMALL = {"num_samples": 200}  # 20 per class, 160 train / 40 test: fast to generate


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Every test's cache lives in its own tmp folder, never in the user's."""
    monkeypatch.setenv("GLASSNET_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


# ---------------------------------------------------------------- digits


def test_digits_split_sizes_disjoint_and_complete():
    from sklearn.datasets import load_digits

    splits = {name: Digits(name) for name in ("train", "val", "test")}
    assert {name: len(d) for name, d in splits.items()} == {"train": 1077, "val": 360, "test": 360}
    indices = digits_split_indices()
    assert np.array_equal(np.sort(np.concatenate(list(indices.values()))), np.arange(1797))
    bunch = load_digits()
    for name, dataset in splits.items():
        np.testing.assert_array_equal(dataset.data[:, 0], bunch.images[indices[name]])
        np.testing.assert_array_equal(dataset.targets, bunch.target[indices[name]])


def test_digits_split_is_stratified():
    from sklearn.datasets import load_digits

    overall = np.bincount(load_digits().target) / 1797
    for name, fraction in (("train", 0.6), ("val", 0.2), ("test", 0.2)):
        counts = Digits(name).class_counts()
        # stratified: each class within one sample of its share of the split
        assert np.abs(counts - overall * fraction * 1797).max() <= 1.5, (name, counts)


def test_digits_is_the_same_split_every_time():
    first, again = Digits("val"), Digits("val")
    np.testing.assert_array_equal(first.data, again.data)
    np.testing.assert_array_equal(first.targets, again.targets)
    assert first.targets[:8].tolist() == Digits("val").targets[:8].tolist()


def test_digits_dtypes_values_and_flatten():
    dataset = Digits("test")
    assert dataset.data.dtype == np.float32 and dataset.data.shape == (360, 1, 8, 8)
    assert (
        dataset.data.min() == 0
        and dataset.data.max() == 16
        and np.all(dataset.data == np.round(dataset.data))
    )
    assert dataset.targets.dtype == np.int64 and dataset.classes == [str(k) for k in range(10)]
    flat = Digits("test", flatten=True)
    assert flat.data.shape == (360, 64)
    np.testing.assert_array_equal(flat.data, dataset.data.reshape(360, 64))
    x, y = Digits(
        "test", transform=lambda image: image / 16, target_transform=lambda label: -label
    )[5]
    np.testing.assert_allclose(x, dataset.data[5] / 16)
    assert y == -int(dataset.targets[5])


def test_digits_bad_split():
    with pytest.raises(
        ValueError, match="Digits: split must be one of 'train', 'val', 'test', got 'valid'"
    ):
        Digits("valid")


# ---------------------------------------------------------------- ArrayDataset


def test_array_dataset_indexing_and_errors():
    dataset = ArrayDataset(np.arange(12.0).reshape(4, 3), [0, 2, 1, 2], classes=["a", "b", "c"])
    x, y = dataset[-1]
    assert x.tolist() == [9.0, 10.0, 11.0] and y == 2 and isinstance(y, int)
    assert dataset.class_to_idx == {"a": 0, "b": 1, "c": 2} and dataset.class_counts().tolist() == [
        1,
        1,
        2,
    ]
    with pytest.raises(IndexError, match="ArrayDataset index 4 is out of range for 4 samples"):
        dataset[4]
    with pytest.raises(TypeError, match="ArrayDataset indices must be integers, got slice"):
        dataset[1:2]
    with pytest.raises(DatasetError, match=r"ArrayDataset: record 1: label 3 is out of range 0..2"):
        ArrayDataset(np.zeros((2, 3)), [0, 3], classes=["a", "b", "c"])


# ---------------------------------------------------------------- mnist1d


def test_mnist1d_defaults_match_the_installed_package():
    from mnist1d.data import get_dataset_args

    package_defaults = get_dataset_args(as_dict=True)
    package_defaults.pop("url")
    assert package_defaults == MNIST1D_DEFAULTS


def test_mnist1d_default_sizes(private_cache):
    train, test = MNIST1D("train"), MNIST1D("test")
    assert (len(train), len(test)) == (4000, 1000)
    assert (
        train.data.shape == (4000, 40)
        and train.data.dtype == np.float32
        and train.targets.dtype == np.int64
    )
    assert train.classes == [str(k) for k in range(10)] and train.t.shape == (40,)
    assert train.class_counts().sum() == 4000 and train.class_counts().min() > 350
    assert len(list((private_cache / "mnist1d").glob("*.npz"))) == 1


def test_mnist1d_equals_the_package_generator_and_is_deterministic(private_cache):
    from mnist1d.data import make_dataset
    from mnist1d.utils import ObjectView

    reference = make_dataset(ObjectView(mnist1d_args(**SMALL)))
    generated = load_mnist1d(cache=False, **SMALL)
    np.testing.assert_allclose(generated["x"], reference["x"].astype(np.float32))
    np.testing.assert_array_equal(generated["y_test"], reference["y_test"])
    np.testing.assert_array_equal(load_mnist1d(cache=False, **SMALL)["x"], generated["x"])
    other_seed = load_mnist1d(cache=False, **SMALL, seed=7)
    assert not np.array_equal(other_seed["x"], generated["x"])


def test_mnist1d_restores_the_global_random_states():
    from mnist1d.data import make_dataset
    from mnist1d.utils import ObjectView

    random.seed(123)
    np.random.seed(456)
    python_state, numpy_state = random.getstate(), np.random.get_state()
    make_dataset(ObjectView(mnist1d_args(**SMALL)))  # the trap: the package reseeds both
    assert random.getstate() != python_state and not np.array_equal(
        np.random.get_state()[1], numpy_state[1]
    )

    random.setstate(python_state)
    np.random.set_state(numpy_state)
    MNIST1D(**SMALL)  # generates (empty cache), and must leave both streams where they were
    assert random.getstate() == python_state
    after = np.random.get_state()
    assert np.array_equal(after[1], numpy_state[1]) and after[2:] == numpy_state[2:]


def test_mnist1d_never_calls_get_dataset_or_the_network(monkeypatch):
    import mnist1d.data
    import requests

    def forbidden(*args, **kwargs):
        raise AssertionError("must not be called")

    monkeypatch.setattr(mnist1d.data, "get_dataset", forbidden)
    monkeypatch.setattr(requests, "get", forbidden)
    assert len(MNIST1D("test", **SMALL)) == 40


def test_mnist1d_cache_is_used_and_keyed_by_arguments_and_version(private_cache, monkeypatch):
    path = mnist1d_cache_path(mnist1d_args(**SMALL))
    assert path.parent == private_cache / "mnist1d" and path.name.startswith("mnist1d-0.0.2.post1-")
    assert path != mnist1d_cache_path(mnist1d_args(**SMALL, seed=1))
    first = load_mnist1d(**SMALL)
    assert path.is_file()
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["t", "x", "x_test", "y", "y_test"]
    import glassnet.data.datasets.mnist1d as module

    monkeypatch.setattr(
        module, "_generate", lambda args: pytest.fail("regenerated despite a valid cache")
    )
    np.testing.assert_array_equal(load_mnist1d(**SMALL)["x"], first["x"])
    monkeypatch.setattr(module.metadata, "version", lambda name: "9.9")
    assert mnist1d_cache_path(mnist1d_args(**SMALL)).name.startswith("mnist1d-9.9-")


@pytest.mark.parametrize("corruption", ["garbage", "truncated", "wrong shapes"])
def test_mnist1d_corrupt_cache_is_regenerated_with_a_warning(private_cache, corruption):
    path = mnist1d_cache_path(mnist1d_args(**SMALL))
    expected = load_mnist1d(**SMALL)
    if corruption == "garbage":
        path.write_bytes(b"this is not a zip file")
    elif corruption == "truncated":
        path.write_bytes(path.read_bytes()[:2000])
    else:
        save_npz_atomic(path, {key: value[:3] for key, value in expected.items()})
    with pytest.warns(
        RuntimeWarning, match=rf"mnist1d: the cache file {path} is unreadable .*; regenerating it"
    ):
        again = load_mnist1d(**SMALL)
    np.testing.assert_array_equal(again["x"], expected["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(
            load_mnist1d(**SMALL)["y"], expected["y"]
        )  # the cache is whole again


def test_mnist1d_bad_arguments():
    with pytest.raises(
        TypeError,
        match=r"mnist1d: unknown generator argument\(s\) num_sample; valid: num_samples, "
        r"train_split",
    ):
        load_mnist1d(num_sample=10)
    with pytest.raises(
        ValueError, match="MNIST1D: split must be one of 'train', 'test', got 'val'"
    ):
        MNIST1D("val")


def test_mnist1d_cache_false_writes_nothing(private_cache):
    MNIST1D(cache=False, **SMALL)
    assert not private_cache.exists()


# ---------------------------------------------------------------- cache


def test_cache_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GLASSNET_CACHE", str(tmp_path / "here"))
    assert cache_dir() == tmp_path / "here"
    monkeypatch.delenv("GLASSNET_CACHE")
    import platformdirs

    assert cache_dir() == platformdirs.user_cache_path("glassnet")


def test_save_npz_atomic_leaves_no_temporary_and_keeps_the_old_file_on_failure(
    tmp_path, monkeypatch
):
    path = save_npz_atomic(tmp_path / "sub" / "a.npz", {"x": np.arange(3)})
    assert [p.name for p in path.parent.iterdir()] == ["a.npz"]

    def broken_savez(handle, **arrays):
        handle.write(b"PK half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_npz_atomic(path, {"x": np.arange(5)})
    monkeypatch.undo()
    assert [p.name for p in path.parent.iterdir()] == ["a.npz"]
    with np.load(path, allow_pickle=False) as archive:
        assert archive["x"].tolist() == [0, 1, 2]
    with pytest.raises(
        ValueError, match="array 'y' has dtype object, which NPZ can store only by pickling"
    ):
        save_npz_atomic(path, {"y": np.array([None], dtype=object)})


# ---------------------------------------------------------------- imports


@pytest.mark.timeout(60)
def test_importing_the_datasets_pulls_in_nothing_heavy():
    code = (
        "import sys, glassnet.data.datasets; "
        "print(sorted(m for m in ('mnist1d', 'requests', 'matplotlib', 'sklearn', 'scipy', 'torch') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
