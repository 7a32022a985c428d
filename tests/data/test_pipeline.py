"""Pipeline: sources, shuffle determinism, ordered workers, error policies, batching, real PNG files."""

from __future__ import annotations

import mmap
import time
import warnings

import numpy
import pytest
from PIL import Image

from glassnet.data import Pipeline, SkippedRecordsWarning, default_collate

# Process workers unpickle their functions by module name: these live at module level.


def square(x):
    return x * x


def jittered_square(x):
    """Finishes out of order: later records are often faster than earlier ones."""
    time.sleep(0.002 * (int(x) * 7 % 5))
    return int(x) * int(x)


def fail_on_three(x):
    if int(x) == 3:
        raise ValueError(f"record value {int(x)} is bad")
    return int(x)


def read_png(path):
    with Image.open(path) as image:
        return numpy.asarray(image, dtype=numpy.uint8)


def big_row(x):
    return numpy.full(
        (256, 256), int(x), dtype=numpy.float32
    )  # 256 KiB: over the shared-memory threshold


def small_row(x):
    return numpy.full((4,), int(x), dtype=numpy.float32)


class OddError(Exception):
    def __init__(self, code, detail):  # a constructor that cannot take one message
        super().__init__(code, detail)


def raise_odd(x):
    raise OddError(7, "odd")


def memory_owner(array):
    while isinstance(array, numpy.ndarray) and array.base is not None:
        array = array.base
    return array.obj if isinstance(array, memoryview) else array


def write_pngs(folder, count, size=8):
    rng = numpy.random.default_rng(0)
    images = rng.integers(0, 256, size=(count, size, size), dtype=numpy.uint8)
    paths = []
    for index, image in enumerate(images):
        path = folder / f"img_{index:03d}.png"
        Image.fromarray(image).save(path)
        paths.append(str(path))
    return paths, images


# -- sources ------------------------------------------------------------------------------
def test_from_files_accepts_a_list_or_a_sorted_glob(tmp_path):
    for name in ("b.txt", "a.txt", "c.txt"):
        (tmp_path / name).write_text(name)
    expected = [str(tmp_path / name) for name in ("a.txt", "b.txt", "c.txt")]
    assert list(Pipeline.from_files(str(tmp_path / "*.txt"))) == expected
    assert list(Pipeline.from_files([tmp_path / "c.txt", tmp_path / "a.txt"])) == [
        str(tmp_path / "c.txt"),
        str(tmp_path / "a.txt"),
    ]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("d")
    assert len(Pipeline.from_files(str(tmp_path / "**" / "*.txt"))) == 4


def test_from_files_names_a_glob_that_matches_nothing(tmp_path):
    pattern = str(tmp_path / "*.png")
    with pytest.raises(FileNotFoundError, match=r"pattern '.*\*\.png' matches no files"):
        Pipeline.from_files(pattern)
    with pytest.raises(ValueError, match="list of files is empty"):
        Pipeline.from_files([])
    with pytest.raises(TypeError, match="glob pattern or a list of paths, got int"):
        Pipeline.from_files(3)


def test_from_arrays_yields_rows_or_aligned_tuples():
    x = numpy.arange(12).reshape(6, 2)
    y = numpy.arange(6) * 10
    assert [row.tolist() for row in Pipeline.from_arrays(x)] == x.tolist()
    pairs = list(Pipeline.from_arrays(x, y))
    assert [(a.tolist(), int(b)) for a, b in pairs] == [
        (x[i].tolist(), int(y[i])) for i in range(6)
    ]
    with pytest.raises(
        ValueError, match="same size in their first dimension, got array 0: 6, array 1: 5"
    ):
        Pipeline.from_arrays(x, y[:5])
    with pytest.raises(ValueError, match="array 0 is 0-d"):
        Pipeline.from_arrays(numpy.float32(1.0))


def test_from_dataset_reads_items_lazily():
    calls = []

    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, index):
            calls.append(index)
            return index * index

    pipeline = Pipeline.from_dataset(Squares())
    assert calls == []  # nothing runs before iteration
    assert list(pipeline) == [0, 1, 4, 9, 16]
    with pytest.raises(TypeError, match="map-style dataset with __getitem__ and __len__, got int"):
        Pipeline.from_dataset(5)


# -- shuffle and epochs ----------------------------------------------------------------------
def test_shuffle_is_a_permutation_fixed_by_seed_and_epoch():
    pipeline = Pipeline.from_arrays(numpy.arange(50)).shuffle(1000, seed=3)
    epoch0, epoch1 = [int(v) for v in pipeline], [int(v) for v in pipeline]
    assert sorted(epoch0) == list(range(50)) and sorted(epoch1) == list(range(50))
    assert epoch0 != epoch1 and epoch0 != list(range(50))
    again = Pipeline.from_arrays(numpy.arange(50)).shuffle(1000, seed=3)
    assert [int(v) for v in again] == epoch0  # a fresh pipeline starts at epoch 0
    assert [int(v) for v in again.epoch(0)] == epoch0
    again.set_epoch(1)
    assert [int(v) for v in again] == epoch1
    other_seed = [int(v) for v in Pipeline.from_arrays(numpy.arange(50)).shuffle(1000, seed=4)]
    assert other_seed != epoch0


def test_shuffle_without_seed_follows_manual_seed():
    import glassnet

    glassnet.manual_seed(11)
    first = [int(v) for v in Pipeline.from_arrays(numpy.arange(30)).shuffle(100)]
    glassnet.manual_seed(11)
    assert [int(v) for v in Pipeline.from_arrays(numpy.arange(30)).shuffle(100)] == first


def test_small_buffer_shuffle_only_mixes_within_the_buffer():
    """tf.data semantics: output position j holds a record from the first j + buffer_size."""
    buffer = 8
    out = [int(v) for v in Pipeline.from_arrays(numpy.arange(200)).shuffle(buffer, seed=0)]
    assert sorted(out) == list(range(200))
    assert all(value <= position + buffer - 1 for position, value in enumerate(out))
    assert out != list(range(200))
    # after a map (no longer indices) the stream is shuffled the same way
    mapped = [
        int(v) for v in Pipeline.from_arrays(numpy.arange(200)).map(int).shuffle(buffer, seed=0)
    ]
    assert sorted(mapped) == list(range(200))
    assert all(value <= position + buffer - 1 for position, value in enumerate(mapped))


def test_full_buffer_shuffle_is_uniform():
    """Each of 5 records lands first in ~1/5 of 4,000 epochs (binomial sd ~25)."""
    pipeline = Pipeline.from_arrays(numpy.arange(5)).shuffle(5, seed=0)
    firsts = numpy.bincount(
        [int(next(iter(pipeline.epoch(epoch)))) for epoch in range(4000)], minlength=5
    )
    assert numpy.all(numpy.abs(firsts - 800) < 120), firsts


# -- workers and order ----------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "workers,backend", [(0, "thread"), (1, "thread"), (3, "thread"), (2, "process")]
)
def test_output_order_does_not_depend_on_workers(workers, backend):
    pipeline = (
        Pipeline.from_arrays(numpy.arange(40))
        .shuffle(16, seed=5)
        .map(jittered_square, workers=workers, backend=backend)
        .batch(6)
    )
    reference = (
        Pipeline.from_arrays(numpy.arange(40)).shuffle(16, seed=5).map(jittered_square).batch(6)
    )
    for _ in range(2):  # two epochs: each reshuffled, identically for every worker setup
        assert [b.tolist() for b in pipeline] == [b.tolist() for b in reference]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_batch_workers_collate_in_order(backend):
    shuffled = Pipeline.from_arrays(numpy.arange(30)).shuffle(30, seed=2)
    reference = [b.tolist() for b in shuffled.batch(4, collate=default_collate)]
    assert [
        b.tolist() for b in shuffled.batch(4, collate=default_collate, workers=2, backend=backend)
    ] == reference
    after_map = (
        Pipeline.from_arrays(numpy.arange(30)).map(square).batch(4, workers=2, backend=backend)
    )
    assert [b.tolist() for b in after_map] == [
        [i * i for i in range(k, min(k + 4, 30))] for k in range(0, 30, 4)
    ]


@pytest.mark.timeout(60)
def test_process_results_of_64_kib_or_more_arrive_through_shared_memory():
    pipeline = Pipeline.from_arrays(numpy.arange(6)).map(big_row, workers=2, backend="process")
    rows = list(pipeline)
    assert [float(row[0, 0]) for row in rows] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(row.shape == (256, 256) and row.dtype == numpy.float32 for row in rows)
    assert all(isinstance(memory_owner(row), mmap.mmap) for row in rows)  # mapped, not unpickled
    rows[0][0, 0] = 9.0  # the mapping is private to the consumer and writable
    small = list(Pipeline.from_arrays(numpy.arange(3)).map(small_row, workers=2, backend="process"))
    assert [row.tolist() for row in small] == [[0.0] * 4, [1.0] * 4, [2.0] * 4]
    assert not any(isinstance(memory_owner(row), mmap.mmap) for row in small)


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers,backend", [(0, "thread"), (2, "thread"), (2, "process")])
def test_map_error_names_the_record_and_keeps_the_type(workers, backend):
    pipeline = Pipeline.from_arrays(numpy.arange(8)).map(
        fail_on_three, workers=workers, backend=backend
    )
    expected = r"Pipeline.map\(fail_on_three\) failed on row 3.*record value 3 is bad"
    with pytest.raises(ValueError, match=expected) as info:
        list(pipeline)
    if backend == "process":
        message = str(info.value)
        assert "Original traceback (in the worker)" in message and "in fail_on_three" in message
        assert "worker process" in message
    else:
        assert isinstance(info.value.__cause__, ValueError)  # the original, with its traceback
        assert info.value.__cause__.__traceback__.tb_next is not None


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers,backend", [(0, "thread"), (2, "process")])
def test_an_exception_type_that_cannot_be_rebuilt_becomes_runtime_error(workers, backend):
    with pytest.raises(RuntimeError, match=r"failed on row 0.*OddError: \(7, 'odd'\)"):
        list(Pipeline.from_arrays(numpy.arange(2)).map(raise_odd, workers=workers, backend=backend))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers,backend", [(0, "thread"), (3, "thread"), (2, "process")])
def test_skip_drops_failing_records_and_warns_once(workers, backend):
    pipeline = Pipeline.from_arrays(numpy.array([3, 1, 3, 2, 3])).map(
        fail_on_three, workers=workers, backend=backend, on_error="skip"
    )
    with pytest.warns(SkippedRecordsWarning) as record:
        values = list(pipeline)
    assert values == [1, 2]
    messages = [str(w.message) for w in record if issubclass(w.category, SkippedRecordsWarning)]
    assert len(messages) == 1
    assert "skipped 3 of 5 records" in messages[0]
    assert "the first: row 0: ValueError: record value 3 is bad" in messages[0]
    with pytest.raises(TypeError, match=r"len\(\) of this Pipeline is unknown"):
        len(pipeline)


def test_skip_without_failures_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(Pipeline.from_arrays(numpy.arange(3)).map(int, on_error="skip")) == [0, 1, 2]


def test_bad_arguments_are_named():
    pipeline = Pipeline.from_arrays(numpy.arange(4))
    with pytest.raises(ValueError, match="buffer_size must be a positive integer, got 0"):
        pipeline.shuffle(0)
    with pytest.raises(ValueError, match="seed must be a non-negative integer or None, got -1"):
        pipeline.shuffle(4, seed=-1)
    with pytest.raises(ValueError, match="workers must be a non-negative integer, got -1"):
        pipeline.map(int, workers=-1)
    with pytest.raises(
        ValueError, match=r"backend must be one of \('thread', 'process'\), got 'fork'"
    ):
        pipeline.map(int, workers=2, backend="fork")
    with pytest.raises(
        ValueError, match=r"on_error must be one of \('raise', 'skip'\), got 'ignore'"
    ):
        pipeline.map(int, on_error="ignore")
    with pytest.raises(TypeError, match="fn must be callable, got int"):
        pipeline.map(3)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        pipeline.batch(0)
    with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
        pipeline.prefetch(0)
    with pytest.raises(ValueError, match="epoch must be a non-negative integer, got -2"):
        pipeline.set_epoch(-2)


def test_process_backend_needs_a_picklable_function():
    with pytest.raises(
        TypeError, match=r"cannot be pickled.*define it at module level.*backend='thread'"
    ):
        Pipeline.from_arrays(numpy.arange(4)).map(lambda x: x, workers=2, backend="process")
    with pytest.raises(TypeError, match=r"Pipeline.batch: backend='process'.*cannot be pickled"):
        Pipeline.from_arrays(numpy.arange(4)).batch(
            2, collate=lambda items: items, workers=1, backend="process"
        )


def make_closure(x):
    return lambda: x


@pytest.mark.timeout(60)
def test_process_pickling_problems_are_named():
    with pytest.raises(
        TypeError,
        match=r"failed on row 0 in worker process \d .*its result \(function\) cannot "
        r"be pickled to send it back",
    ):
        list(Pipeline.from_arrays(numpy.arange(3)).map(make_closure, workers=1, backend="process"))
    with pytest.raises(
        TypeError,
        match=r"Pipeline.map\(square\): cannot send row 0 to a worker process: its "
        r"value \(function\) cannot be pickled",
    ):
        list(
            Pipeline.from_arrays(numpy.arange(3))
            .map(make_closure)
            .map(square, workers=1, backend="process")
        )

    class LocalDataset:
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return index

    with pytest.raises(TypeError, match=r"cannot start worker processes: .*pickling.*LocalDataset"):
        list(Pipeline.from_dataset(LocalDataset()).map(square, workers=1, backend="process"))


@pytest.mark.timeout(60)
def test_a_worker_that_cannot_import_the_function_says_so():
    def only_here(x):  # importable in this process under the name below, absent in a fresh import
        return x

    only_here.__qualname__ = only_here.__name__ = "only_in_the_consumer"
    globals()["only_in_the_consumer"] = only_here
    try:
        with pytest.raises(
            RuntimeError,
            match=r"worker process \d \(pid \d+\) could not load the function.*"
            r"AttributeError.*only_in_the_consumer.*define them at module level",
        ):
            list(Pipeline.from_arrays(numpy.arange(3)).map(only_here, workers=1, backend="process"))
    finally:
        del globals()["only_in_the_consumer"]


# -- batch, prefetch, len --------------------------------------------------------------------
def test_batch_sizes_drop_last_and_len():
    pipeline = Pipeline.from_arrays(numpy.arange(10))
    assert [b.tolist() for b in pipeline.batch(4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b.tolist() for b in pipeline.batch(4, drop_last=True)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert (len(pipeline), len(pipeline.batch(4)), len(pipeline.batch(4, drop_last=True))) == (
        10,
        3,
        2,
    )
    assert len(pipeline.map(square).batch(3).prefetch(2)) == 4


def test_batch_collates_tuples_and_dicts_and_takes_a_collate():
    x = numpy.arange(12, dtype=numpy.float32).reshape(6, 2)
    y = numpy.arange(6)
    first = next(iter(Pipeline.from_arrays(x, y).batch(4)))
    assert (
        isinstance(first, tuple) and first[0].shape == (4, 2) and first[1].tolist() == [0, 1, 2, 3]
    )
    dicts = Pipeline.from_arrays(x, y).map(lambda r: {"x": r[0], "y": int(r[1])}).batch(3)
    batch = next(iter(dicts))
    assert batch["x"].tolist() == x[:3].tolist() and batch["y"].dtype == numpy.int64
    summed = Pipeline.from_arrays(y).batch(3, collate=lambda items: sum(int(i) for i in items))
    assert list(summed) == [3, 12]


def test_batch_after_a_map_and_map_after_a_batch():
    pipeline = Pipeline.from_arrays(numpy.arange(7)).map(square).batch(3).map(lambda b: b.sum())
    assert [int(v) for v in pipeline] == [0 + 1 + 4, 9 + 16 + 25, 36]


def test_batch_error_names_the_batch():
    ragged = (
        Pipeline.from_arrays(numpy.arange(4)).map(lambda i: numpy.zeros(int(i) % 2 + 1)).batch(2)
    )
    with pytest.raises(
        ValueError,
        match=r"Pipeline.batch failed on batch 0 \(2 records, the first row 0\).*"
        r"different shapes",
    ):
        list(ragged)


@pytest.mark.timeout(60)
def test_prefetch_gives_the_same_records_and_forwards_errors():
    base = (
        Pipeline.from_arrays(numpy.arange(30)).shuffle(30, seed=1).map(square, workers=2).batch(4)
    )
    assert [b.tolist() for b in base.prefetch(3)] == [b.tolist() for b in base]
    failing = Pipeline.from_arrays(numpy.arange(8)).map(fail_on_three, workers=2).prefetch(2)
    with pytest.raises(ValueError, match="failed on row 3"):
        list(failing)
    reads = (
        Pipeline.from_arrays(numpy.arange(5)).shuffle(5, seed=0).prefetch(2)
    )  # no map: read in the thread
    assert sorted(int(v) for v in reads) == [0, 1, 2, 3, 4]


def test_repr_shows_the_stages():
    pipeline = (
        Pipeline.from_arrays(numpy.zeros((5, 2)))
        .shuffle(5, seed=1)
        .map(square, workers=2)
        .batch(2)
        .prefetch(1)
    )
    assert repr(pipeline) == (
        "Pipeline(from_arrays((5, 2)) -> shuffle(5, seed=1) -> map(square, workers=2, "
        "backend='thread', on_error='raise') -> batch(2, drop_last=False, workers=0) "
        "-> prefetch(1))"
    )


# -- real image files --------------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers,backend", [(0, "thread"), (2, "thread"), (2, "process")])
def test_png_folder_through_the_whole_pipeline(tmp_path, workers, backend):
    paths, images = write_pngs(tmp_path, 20)
    pipeline = (
        Pipeline.from_files(str(tmp_path / "*.png"))
        .shuffle(20, seed=2)
        .map(read_png, workers=workers, backend=backend)
        .batch(8)
        .prefetch(2)
    )
    batches = list(pipeline)
    assert [b.shape for b in batches] == [(8, 8, 8), (8, 8, 8), (4, 8, 8)]
    got = numpy.concatenate(batches)
    order = [
        int(index)
        for index in Pipeline.from_files(str(tmp_path / "*.png"))
        .shuffle(20, seed=2)
        .map(lambda p: p[-7:-4])
    ]
    numpy.testing.assert_array_equal(got, images[order])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers,backend", [(0, "thread"), (2, "process")])
def test_an_image_that_fails_to_decode_is_named_or_skipped(tmp_path, workers, backend):
    paths, _ = write_pngs(tmp_path, 6)
    with open(paths[4], "wb") as broken:
        broken.write(b"\x89PNG\r\n\x1a\n not really a png")
    pipeline = Pipeline.from_files(paths)
    with pytest.raises(Exception, match=r"failed on file '.*img_004\.png'.*UnidentifiedImageError"):
        list(pipeline.map(read_png, workers=workers, backend=backend))
    with pytest.warns(
        SkippedRecordsWarning, match=r"skipped 1 of 6 records.*the first: file '.*img_004\.png'"
    ):
        images = list(pipeline.map(read_png, workers=workers, backend=backend, on_error="skip"))
    assert len(images) == 5
