"""Dataset, TensorDataset, Subset, random_split, default_collate and DataLoader, against PyTorch's."""

from __future__ import annotations

import collections

import numpy
import pytest
import torch
import torch.utils.data

import glassnet
from glassnet import Tensor
from glassnet.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


class Squares(Dataset):
    """A dataset without gather(): read sample by sample. Module level, so process workers can load it."""

    def __init__(self, size):
        self.size = size

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        return numpy.full(3, index, dtype=numpy.float32), index * index


class BadItem(Squares):
    def __getitem__(self, index):
        if index == 5:
            raise KeyError(f"no sample {index}")
        return super().__getitem__(index)


class NoPerSampleAccess(TensorDataset):
    """Proves the fast path: any per-sample read fails."""

    def __getitem__(self, index):
        raise AssertionError("the loader read a sample one by one")


def arrays(n=37):
    rng = numpy.random.default_rng(0)
    return rng.standard_normal((n, 4)).astype(numpy.float32), rng.integers(0, 10, n)


# -- default_collate ------------------------------------------------------------------------------
def test_default_collate_stacks_like_torch():
    samples = [
        (numpy.full((2, 2), i, dtype=numpy.float32), i, float(i) / 2, True) for i in range(3)
    ]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    assert isinstance(ours, tuple) and len(ours) == 4
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_array_equal(mine, reference.numpy())
        assert mine.dtype == reference.numpy().dtype  # int64, float64, bool, float32 as torch


def test_default_collate_keeps_containers():
    Point = collections.namedtuple("Point", "x y")
    batch = default_collate([{"a": Point(1, 2.0), "name": "u"}, {"a": Point(3, 4.0), "name": "v"}])
    assert (
        isinstance(batch["a"], Point)
        and batch["a"].x.tolist() == [1, 3]
        and batch["a"].y.dtype == numpy.float64
    )
    assert batch["name"] == ["u", "v"]
    assert default_collate([[1, 2], [3, 4]])[1].tolist() == [2, 4]
    stacked = default_collate([glassnet.tensor([1.0, 2.0]), glassnet.tensor([3.0, 4.0])])
    assert isinstance(stacked, numpy.ndarray) and stacked.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_default_collate_names_bad_batches():
    with pytest.raises(
        ValueError,
        match=r"batch\[0\]: cannot stack samples of different shapes.*\(2,\) at \[0\], "
        r"\(3,\) at \[1\]",
    ):
        default_collate([(numpy.zeros(2), 1), (numpy.zeros(3), 2)])
    with pytest.raises(ValueError, match="sample 1 has 1 fields, sample 0 has 2"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(ValueError, match=r"sample 1 has keys \['b'\], sample 0 has \['a'\]"):
        default_collate([{"a": 1}, {"b": 2}])
    with pytest.raises(TypeError, match="got object"):
        default_collate([object(), object()])
    with pytest.raises(ValueError, match="empty batch"):
        default_collate([])


# -- datasets ------------------------------------------------------------------------------------
def test_tensor_dataset_accepts_tensors_and_arrays():
    x, y = arrays(5)
    dataset = TensorDataset(glassnet.tensor(x), y)
    assert len(dataset) == 5
    sample_x, sample_y = dataset[2]
    assert isinstance(sample_x, Tensor) and isinstance(sample_y, Tensor)
    numpy.testing.assert_array_equal(sample_x.data, x[2])
    assert int(sample_y.item()) == int(y[2]) and sample_y.dtype == numpy.int64
    assert all(isinstance(t, Tensor) for t in dataset.tensors)
    assert [g.tolist() for g in dataset.gather(numpy.array([4, 0]))] == [
        x[[4, 0]].tolist(),
        y[[4, 0]].tolist(),
    ]


def test_tensor_dataset_names_mismatched_sizes():
    with pytest.raises(
        ValueError, match="same size in their first dimension, got tensor 0: 5, tensor 1: 4"
    ):
        TensorDataset(numpy.zeros((5, 2)), numpy.zeros(4))
    with pytest.raises(ValueError, match="tensor 1 is 0-d"):
        TensorDataset(numpy.zeros(3), numpy.float32(1))
    with pytest.raises(ValueError, match="needs at least one tensor"):
        TensorDataset()


def test_dataset_base_class_is_abstract():
    with pytest.raises(NotImplementedError, match="Dataset must implement __getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="must implement __len__"):
        len(Dataset())


def test_subset_indexes_through():
    dataset = Subset(Squares(10), [7, 2, 5])
    assert len(dataset) == 3 and dataset[0][1] == 49 and dataset[2][1] == 25
    x, y = arrays(10)
    nested = Subset(Subset(TensorDataset(x, y), [9, 8, 7, 6]), [3, 0])
    assert nested.gather(numpy.array([0, 1]))[1].tolist() == [int(y[6]), int(y[9])]
    with pytest.raises(TypeError, match="wrapped Squares has no gather"):
        Subset(Squares(4), [0]).gather(numpy.array([0]))


@pytest.mark.parametrize(
    "lengths", [[0.5, 0.3, 0.2], [0.34, 0.33, 0.33], [1 / 3] * 3, [0.9, 0.1], [10, 20, 7]]
)
def test_random_split_sizes_match_torch(lengths):
    ours = random_split(Squares(37), lengths, generator=0)
    theirs = torch.utils.data.random_split(
        range(37), lengths, generator=torch.Generator().manual_seed(0)
    )
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    together = sorted(i for subset in ours for i in subset.indices)
    assert together == list(range(37))  # disjoint and covering


def test_random_split_is_seeded_and_checks_its_lengths():
    first = [s.indices for s in random_split(Squares(20), [5, 15], generator=3)]
    assert [
        s.indices for s in random_split(Squares(20), [5, 15], generator=numpy.random.default_rng(3))
    ] == first
    glassnet.manual_seed(1)
    a = [s.indices for s in random_split(Squares(20), [0.5, 0.5])]
    glassnet.manual_seed(1)
    assert [s.indices for s in random_split(Squares(20), [0.5, 0.5])] == a
    with pytest.raises(ValueError, match="lengths sum to 19 but the dataset has 20 samples"):
        random_split(Squares(20), [5, 14])
    with pytest.raises(ValueError, match=r"fraction at index 1 is -0.5, not between 0 and 1"):
        random_split(Squares(20), [0.5, -0.5, 1.0])
    with pytest.warns(UserWarning, match="split at index 1 is empty"):
        random_split(Squares(2), [0.99, 0.01])
    with pytest.raises(
        TypeError, match="generator must be a numpy.random.Generator, an int seed or None"
    ):
        random_split(Squares(2), [1, 1], generator="x")


# -- DataLoader -----------------------------------------------------------------------------------
def test_loader_matches_torch_in_order_and_dtypes():
    x, y = arrays(37)
    ours = list(DataLoader(TensorDataset(x, y), batch_size=8))
    theirs = list(
        torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=8
        )
    )
    assert len(ours) == len(theirs) == 5
    for (xb, yb), (tx, ty) in zip(ours, theirs):
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
        assert xb.dtype == numpy.float32 and yb.dtype == numpy.int64
        numpy.testing.assert_array_equal(xb.data, tx.numpy())
        numpy.testing.assert_array_equal(yb.data, ty.numpy())


def test_loader_per_sample_path_matches_torch():
    ours = list(DataLoader(Squares(10), batch_size=4, drop_last=True))
    theirs = list(torch.utils.data.DataLoader(Squares(10), batch_size=4, drop_last=True))
    assert len(ours) == len(theirs) == 2
    for (xb, yb), (tx, ty) in zip(ours, theirs):
        numpy.testing.assert_array_equal(xb.data, tx.numpy())
        numpy.testing.assert_array_equal(yb.data, ty.numpy())
        assert yb.dtype == numpy.int64 and xb.dtype == numpy.float32


def test_in_memory_datasets_take_the_gather_fast_path():
    x, y = arrays(37)
    loader = DataLoader(NoPerSampleAccess(x, y), batch_size=16, shuffle=True, seed=0)
    seen = numpy.concatenate([yb.data for _, yb in loader])
    assert sorted(seen.tolist()) == sorted(y.tolist())
    subset = Subset(NoPerSampleAccess(x, y), list(range(0, 37, 2)))
    batches = list(DataLoader(subset, batch_size=5))
    numpy.testing.assert_array_equal(numpy.concatenate([xb.data for xb, _ in batches]), x[::2])


def test_shuffle_is_a_new_permutation_each_epoch_fixed_by_seed():
    x, y = arrays(40)
    dataset = TensorDataset(x, numpy.arange(40))
    loader = DataLoader(dataset, batch_size=7, shuffle=True, seed=5)
    epochs = [numpy.concatenate([ib.data for _, ib in loader]).tolist() for _ in range(3)]
    assert all(sorted(e) == list(range(40)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2] and epochs[0] != list(range(40))
    again = DataLoader(dataset, batch_size=7, shuffle=True, seed=5)
    assert numpy.concatenate([ib.data for _, ib in again]).tolist() == epochs[0]
    again.set_epoch(2)
    assert numpy.concatenate([ib.data for _, ib in again]).tolist() == epochs[2]
    assert numpy.concatenate([ib.data for _, ib in again.epoch(1)]).tolist() == epochs[1]
    glassnet.manual_seed(4)
    unseeded = numpy.concatenate(
        [ib.data for _, ib in DataLoader(dataset, batch_size=7, shuffle=True)]
    ).tolist()
    glassnet.manual_seed(4)
    assert (
        numpy.concatenate(
            [ib.data for _, ib in DataLoader(dataset, batch_size=7, shuffle=True)]
        ).tolist()
        == unseeded
    )


def test_len_drop_last_and_unbatched():
    dataset = Squares(10)
    assert (
        len(DataLoader(dataset, batch_size=3)),
        len(DataLoader(dataset, batch_size=3, drop_last=True)),
    ) == (4, 3)
    assert [len(yb) for _, yb in DataLoader(dataset, batch_size=3, drop_last=True)] == [3, 3, 3]
    samples = list(DataLoader(dataset, batch_size=None))
    assert len(samples) == len(DataLoader(dataset, batch_size=None)) == 10
    assert isinstance(samples[3][0], Tensor) and samples[3][0].shape == (3,) and samples[3][1] == 9


def test_custom_collate_fn():
    loader = DataLoader(
        Squares(6), batch_size=4, collate_fn=lambda items: [label for _, label in items]
    )
    assert list(loader) == [[0, 1, 4, 9], [16, 25]]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("context", [None, "forkserver"])
def test_workers_give_the_same_batches(context):
    reference = [
        (xb.data.tolist(), yb.data.tolist())
        for xb, yb in DataLoader(Squares(23), batch_size=4, shuffle=True, seed=9)
    ]
    loader = DataLoader(
        Squares(23),
        batch_size=4,
        shuffle=True,
        seed=9,
        num_workers=2,
        multiprocessing_context=context,
    )
    assert [(xb.data.tolist(), yb.data.tolist()) for xb, yb in loader] == reference


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers,context", [(0, None), (2, None), (2, "forkserver")])
def test_a_failing_sample_is_named(workers, context):
    loader = DataLoader(
        BadItem(12), batch_size=4, num_workers=workers, multiprocessing_context=context
    )
    with pytest.raises(
        KeyError,
        match=r"Pipeline.batch failed on batch 1 \(4 records, the first item 4 of "
        r"BadItem\).*no sample 5",
    ):
        list(loader)


def test_loader_checks_its_arguments():
    with pytest.raises(ValueError, match="batch_size must be a positive integer or None, got 0"):
        DataLoader(Squares(3), batch_size=0)
    with pytest.raises(ValueError, match="num_workers must be a non-negative integer, got -1"):
        DataLoader(Squares(3), num_workers=-1)
    with pytest.raises(
        ValueError, match="multiprocessing_context must be None .* or 'forkserver'.*got 'fork'"
    ):
        DataLoader(Squares(3), num_workers=2, multiprocessing_context="fork")
    with pytest.raises(TypeError, match="map-style dataset with __getitem__ and __len__, got int"):
        DataLoader(3)
    with pytest.raises(TypeError, match="collate_fn must be callable or None, got int"):
        DataLoader(Squares(3), collate_fn=1)


# -- random augmentation is a function of (seed, epoch, record), not of the workers ---------------
class _AugmentedDigits:
    """A map-style dataset whose __getitem__ applies random transforms, torchvision style."""

    def __init__(self, images):
        from glassnet.data import transforms

        self.images = images
        self.transform = transforms.Compose(
            [transforms.RandomCrop(6, padding=1), transforms.GaussianNoise(sigma=0.5)]
        )

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.transform(self.images[index]), index


@pytest.mark.timeout(60)
def test_random_transforms_give_the_same_batches_whatever_the_worker_count():
    from glassnet.data import DataLoader

    images = numpy.random.default_rng(0).random((40, 1, 6, 6)).astype(numpy.float32)
    dataset = _AugmentedDigits(images)

    def epochs(workers):
        loader = DataLoader(dataset, batch_size=8, shuffle=True, num_workers=workers, seed=3)
        return [[x.numpy() for x, _ in loader] for _ in range(2)]

    inline, threaded = epochs(0), epochs(3)
    for first, second in zip(inline, threaded):
        for a, b in zip(first, second):
            numpy.testing.assert_array_equal(a, b)
    assert not numpy.array_equal(inline[0][0], inline[1][0])  # each epoch draws anew


@pytest.mark.timeout(120)
@pytest.mark.parametrize("workers, backend", [(2, "thread"), (2, "process")])
def test_pipeline_map_with_seed_is_deterministic_across_workers(workers, backend):
    from glassnet.data import Pipeline, transforms

    images = numpy.random.default_rng(1).random((24, 3, 8, 8)).astype(numpy.float32)
    augment = transforms.Compose(
        [transforms.RandomHorizontalFlip(), transforms.GaussianNoise(sigma=0.2)]
    )
    inline = list(Pipeline.from_arrays(images).map(augment, seed=7).batch(6))
    parallel = list(
        Pipeline.from_arrays(images).map(augment, workers=workers, backend=backend, seed=7).batch(6)
    )
    for a, b in zip(inline, parallel):
        numpy.testing.assert_array_equal(a, b)
    unseeded = list(Pipeline.from_arrays(images).map(augment).batch(6))
    assert not all(numpy.array_equal(a, b) for a, b in zip(inline, unseeded))


def test_map_seed_must_be_a_non_negative_integer():
    from glassnet.data import Pipeline

    with pytest.raises(
        ValueError, match="Pipeline.map: seed must be a non-negative integer or None, got -1"
    ):
        Pipeline.from_arrays(numpy.zeros(3)).map(abs, seed=-1)
