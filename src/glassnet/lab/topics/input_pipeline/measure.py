"""input_pipeline's measurements: the chain's checks, its stage times and the workers' throughput.

    measure(mode, seed) -> {"checks": {check id: bool}, "stages": [(stage id, ms, ms)],
                            "prefetch": {False|True: ms}, "rates", "firsts", "serial", "loads",
                            "seconds"}

Timings are wall clock (the pipeline's workers are other threads and processes).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

import numpy as np

from glassnet.data import Pipeline
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.machine import load_average
from glassnet.lab.topics.input_pipeline import work
from glassnet.lab.topics.input_pipeline.settings import (
    BATCH,
    KINDS,
    PREFETCH,
    SETTINGS,
    STAGE_REPEATS,
    STEP_S,
    THROUGHPUT_BATCH,
)


def write_files(folder: str, count: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """`count` MNIST-1D training signals, one .npy file each, named INDEX_LABEL.npy."""
    split = mnist1d_split(None, seed=seed)
    x, y = split.x_train[:count], split.y_train[:count]
    paths = []
    for index in range(count):
        path = os.path.join(folder, work.record_name(index, int(y[index])))
        np.save(path, x[index], allow_pickle=False)
        paths.append(path)
    return paths, x, y


def notes_pipeline(pattern: str, seed: int, workers: int = 0, backend: str = "thread") -> Pipeline:
    """The notes' chain: file list -> shuffled file queue -> read -> preprocess -> batch
    (-> prefetch)."""
    return (
        Pipeline.from_files(pattern)
        .shuffle(10**9, seed=seed)
        .map(work.read_record, workers=workers, backend=backend)
        .map(work.standardise_record)
        .batch(BATCH)
        .prefetch(PREFETCH)
    )


def epoch_indices(pipeline: Pipeline, epoch: int) -> tuple[list[int], list]:
    """The file indices in the order epoch `epoch` delivers them, and its batches."""
    with pipeline.epoch(epoch) as batches:
        collected = list(batches)
    return [int(i) for _, _, indices in collected for i in indices], collected


def values_ok(batches: list, x: np.ndarray, y: np.ndarray) -> bool:
    """Every batch holds the signals standardised directly, and their labels."""
    expected = (x - x.mean(axis=1, keepdims=True)) / (x.std(axis=1, keepdims=True) + 1e-6)
    return all(
        np.allclose(signals, expected[indices], atol=1e-5) and np.array_equal(labels, y[indices])
        for signals, labels, indices in batches
    )


def checks(folder: str, x: np.ndarray, y: np.ndarray, seed: int, s: dict) -> dict[str, bool]:
    """The notes' chain, checked exactly: {check id: passed} (names: notes/input_pipeline.toml)."""
    pattern = os.path.join(folder, "*.npy")
    pipeline = notes_pipeline(pattern, seed)
    order0, batches = epoch_indices(pipeline, 0)
    order1, _ = epoch_indices(pipeline, 1)
    again, _ = epoch_indices(notes_pipeline(pattern, seed), 0)
    threaded, _ = epoch_indices(notes_pipeline(pattern, seed, workers=2), 0)
    n, everything = len(y), list(range(len(y)))
    shapes = [signals.shape for signals, _, _ in batches]
    found = {
        "once": sorted(order0) == everything and sorted(order1) == everything,
        "reshuffled": order0 != order1,
        "same_order": order0 == again,
        "threads_order": threaded == order0,
        "batches": shapes[:-1] == [(BATCH, 40)] * (len(shapes) - 1)
        and shapes[-1] == ((n % BATCH or BATCH), 40),
        "values": values_ok(batches, x, y),
    }
    if s["process_check"]:
        processes, _ = epoch_indices(notes_pipeline(pattern, seed, 2, backend="process"), 0)
        found["processes_order"] = processes == order0
    return found


def prefixes(pattern: str, seed: int) -> dict[str, Callable[[], Pipeline]]:
    """The notes' chain cut after each stage: {stage id: build the pipeline so far}."""

    def files() -> Pipeline:
        return Pipeline.from_files(pattern)

    def queue() -> Pipeline:
        return files().shuffle(10**9, seed=seed)

    def read() -> Pipeline:
        return queue().map(work.read_record)

    def preprocess() -> Pipeline:
        return read().map(work.standardise_record)

    def batch() -> Pipeline:
        return preprocess().batch(BATCH)

    return {"files": files, "queue": queue, "read": read, "preprocess": preprocess, "batch": batch}


def best_epoch_seconds(build: Callable[[], Pipeline]) -> float:
    times = []
    for _ in range(STAGE_REPEATS):
        start = time.perf_counter()
        for _ in build():
            pass
        times.append(time.perf_counter() - start)
    return min(times)


def stage_times(folder: str, seed: int) -> list[tuple[str, float, float]]:
    """(stage id, cumulative ms, this stage's ms) for each prefix of the chain, best of repeats."""
    rows, previous = [], 0.0
    for stage, build in prefixes(os.path.join(folder, "*.npy"), seed).items():
        total = best_epoch_seconds(build)
        rows.append((stage, round(1000 * total, 1), round(1000 * (total - previous), 1)))
        previous = total
    return rows


def prefetch_times(folder: str, seed: int) -> dict[bool, float]:
    """{prefetch: ms for an epoch} feeding a consumer that trains STEP_S per batch."""
    pattern = os.path.join(folder, "*.npy")
    out = {}
    for prefetch in (False, True):
        pipeline = notes_pipeline(pattern, seed) if prefetch else prefixes(pattern, seed)["batch"]()
        start = time.perf_counter()
        for _ in pipeline:
            time.sleep(STEP_S)  # the training step (sleep: it leaves the GIL to the pipeline)
        out[prefetch] = round(1000 * (time.perf_counter() - start), 1)
    return out


def configurations(s: dict) -> list[tuple[str, str, int]]:
    """(kind, backend, workers) of the throughput runs; 0 workers means in the consumer."""
    return [
        (kind, backend, workers)
        for kind in KINDS
        for workers in s["workers"]
        for backend in (("thread",) if workers == 0 else ("thread", "process"))
    ]


def one_epoch(files: list[str], config: tuple[str, str, int]) -> tuple[float, float]:
    """(records per second, seconds to the first batch) of one epoch through `config`."""
    kind, backend, workers = config
    pipeline = (
        Pipeline.from_files(files)
        .map(KINDS[kind], workers=workers, backend=backend)
        .batch(THROUGHPUT_BATCH)
    )
    start, count, first = time.perf_counter(), 0, None
    for _, labels, _ in pipeline:
        first = time.perf_counter() - start if first is None else first
        count += len(labels)
    return count / (time.perf_counter() - start), first


def throughput(paths: list[str], s: dict) -> tuple[dict, dict]:
    """({(kind, backend, workers): records per second}, {...: seconds to the first batch}), each
    the best of interleaved repeats: the run least disturbed by other processes (timeit's way)."""
    files = paths[: s["records"]]
    configs = configurations(s)
    rates: dict = {config: [] for config in configs}
    firsts: dict = {config: [] for config in configs}
    for _ in Pipeline.from_files(files[:4]).map(work.read_record, workers=2, backend="process"):
        pass  # untimed: starts the forkserver once, a cost paid once per program, not per epoch
    for _ in range(s["repeats"]):  # interleaved: a burst of load hits every configuration alike
        for config in configs:
            rate, first = one_epoch(files, config)
            rates[config].append(rate)
            firsts[config].append(first)
    return (
        {config: max(values) for config, values in rates.items()},
        {config: min(values) for config, values in firsts.items()},
    )


def measure(mode: str, seed: int) -> dict:
    """Write the files, check the chain, time its stages and the workers' throughput."""
    s = SETTINGS[mode]
    with tempfile.TemporaryDirectory(prefix="glassnet-lab-pipeline-") as folder, Clock() as clock:
        paths, x, y = write_files(folder, s["files"], seed)
        found = checks(folder, x, y, seed, s)
        stages = stage_times(folder, seed)
        prefetch = prefetch_times(folder, seed)
        load_before = load_average()
        rates, firsts = throughput(paths, s)
        load_after = load_average()
    return {
        "checks": found,
        "stages": stages,
        "prefetch": prefetch,
        "rates": rates,
        "firsts": firsts,
        "serial": {kind: rates[(kind, "thread", 0)] for kind in KINDS},
        "loads": (load_before, load_after),
        "seconds": (clock.wall, clock.cpu),
    }
