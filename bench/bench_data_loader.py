"""Samples per second of glassnet's input pipeline: the in-memory loader and a PNG-file pipeline.

1. `DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)` on digits (1797x64
   float32 + int64 labels) and MNIST-1D (4000x40): the gather fast path. The issue asks
   for at least 50,000 samples/s, so that the loader is never what a training step waits on.
   For contrast, the same digits through the per-sample path (`dataset[i]` + collate).
2. `Pipeline.from_files("*.png").shuffle(...).map(read_png, workers=N, backend=B).batch(128)`
   over 8x8 PNG files written to a temporary folder (the digits themselves when
   `glassnet.data.datasets` is available), N in 0, 1, 2, 4, threads and processes.
   A process epoch includes starting its workers (the pool lives for one epoch).

Each number is the median over `--repeat` timed runs after one warm-up run. The datasets
come from `glassnet.data.datasets` when it imports, else synthetic arrays of the same
shapes. Run: `python bench/bench_data_loader.py [--repeat 5] [--files 1000]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy
from PIL import Image

import glassnet
from glassnet.data import DataLoader, Pipeline, TensorDataset
from machine import cpu_model

BATCH = 128
MIN_RUN_S = 0.2  # a timed run repeats epochs until it lasts at least this long


def read_png(path: str) -> numpy.ndarray:
    """The 'read' stage: decode one PNG with Pillow (module level: process workers import it)."""
    with Image.open(path) as image:
        return numpy.asarray(image, dtype=numpy.uint8)


def read_pngs(paths: list[str]) -> numpy.ndarray:
    """A collate that reads its batch: PyTorch's layout, one task per batch instead of per file."""
    return numpy.stack([read_png(path) for path in paths])


def identity(value: Any) -> Any:
    return value


def load_arrays() -> tuple[str, dict[str, tuple[numpy.ndarray, numpy.ndarray]], Any]:
    """(where the data came from, {name: (x, y)}, a per-sample digits dataset or None)."""
    try:
        from glassnet.data.datasets import MNIST1D, Digits
    except ImportError:
        rng = numpy.random.default_rng(0)
        arrays = {
            "digits": (rng.random((1797, 64), dtype=numpy.float32), rng.integers(0, 10, 1797)),
            "mnist1d": (
                rng.standard_normal((4000, 40), dtype=numpy.float32),
                rng.integers(0, 10, 4000),
            ),
        }
        return "synthetic arrays of the digits/mnist1d shapes", arrays, None
    splits = [Digits(split, flatten=True) for split in ("train", "val", "test")]
    digits = (
        numpy.concatenate([s.data for s in splits]),
        numpy.concatenate([s.targets for s in splits]),
    )
    mnist1d = MNIST1D("train")
    arrays = {"digits": digits, "mnist1d": (mnist1d.data, mnist1d.targets)}
    return "glassnet.data.datasets (Digits, all splits; MNIST1D train)", arrays, splits[0]


def samples_per_second(run_epoch: Callable[[], int], repeat: int) -> float:
    run_epoch()  # warm-up: imports, caches, the fork server
    rates = []
    for _ in range(repeat):
        samples, start = 0, time.perf_counter()
        while True:
            samples += run_epoch()
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_RUN_S:
                break
        rates.append(samples / elapsed)
    return statistics.median(rates)


def count(batches: Any) -> int:
    total = 0
    for batch in batches:
        labels = batch[1] if isinstance(batch, (tuple, list)) else batch
        total += len(labels) if hasattr(labels, "__len__") else 1
    return total


def write_pngs(folder: str, images: numpy.ndarray) -> str:
    for index, image in enumerate(images):
        Image.fromarray(image).save(os.path.join(folder, f"{index:05d}.png"))
    return os.path.join(folder, "*.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per case (median reported)"
    )
    parser.add_argument(
        "--files", type=int, default=1000, help="PNG files in the file-pipeline cases"
    )
    args = parser.parse_args()
    glassnet.utils.tune_malloc()  # as the glassnet command does
    glassnet.manual_seed(0)
    origin, arrays, per_sample_digits = load_arrays()
    rows = []
    for name, (x, y) in arrays.items():
        loader = DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True, seed=0)
        rate = samples_per_second(lambda loader=loader: count(loader), args.repeat)
        rows.append(
            (
                f"DataLoader, {name} {x.shape[0]}x{x.shape[1]} (TensorDataset: gather)",
                "-",
                "-",
                rate,
            )
        )
    if per_sample_digits is not None:
        loader = DataLoader(per_sample_digits, batch_size=BATCH, shuffle=True, seed=0)
        rate = samples_per_second(lambda loader=loader: count(loader), args.repeat)
        rows.append(
            (
                f"DataLoader, digits train {len(per_sample_digits)} (per sample: dataset[i] + collate)",
                "0",
                "-",
                rate,
            )
        )

    x = arrays["digits"][0]
    scale = 255.0 / max(float(x.max()), 1.0)
    images = numpy.resize(
        (x * scale).round().astype(numpy.uint8).reshape(-1, 8, 8), (args.files, 8, 8)
    )
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-") as folder:
        pattern = write_pngs(folder, images)
        cases = [(0, "thread")] + [(w, b) for b in ("thread", "process") for w in (1, 2, 4)]
        for workers, backend in cases:
            pipeline = (
                Pipeline.from_files(pattern)
                .shuffle(args.files, seed=0)
                .map(read_png, workers=workers, backend=backend)
                .batch(BATCH)
            )
            rate = samples_per_second(lambda pipeline=pipeline: count(pipeline), args.repeat)
            rows.append(
                (
                    f"Pipeline, {args.files} 8x8 PNGs: .map(read_png, workers).batch({BATCH})",
                    str(workers),
                    backend if workers else "-",
                    rate,
                )
            )
        for workers, backend in [(w, b) for b in ("thread", "process") for w in (1, 2, 4)]:
            pipeline = (
                Pipeline.from_files(pattern)
                .shuffle(args.files, seed=0)
                .batch(BATCH, collate=read_pngs, workers=workers, backend=backend)
            )
            rate = samples_per_second(lambda pipeline=pipeline: count(pipeline), args.repeat)
            rows.append(
                (
                    f"Pipeline, {args.files} 8x8 PNGs: .batch({BATCH}, collate=read_pngs, workers)",
                    str(workers),
                    backend,
                    rate,
                )
            )
    starts = {}
    for workers in (1, 2, 4):
        tiny = Pipeline.from_arrays(numpy.arange(1)).map(
            identity, workers=workers, backend="process"
        )
        starts[workers] = 1e3 / samples_per_second(lambda tiny=tiny: count(tiny), args.repeat)

    print(
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, Pillow {Image.__version__}"
    )
    print(
        f"Data: {origin}; batch {BATCH}, shuffled; median of {args.repeat} runs of >= {MIN_RUN_S} s\n"
    )
    print(
        "Process pool start + stop per epoch: "
        + ", ".join(f"{workers} workers {ms:.0f} ms" for workers, ms in starts.items())
        + "\n"
    )
    print("| case | workers | backend | samples/s |")
    print("|---|---:|---|---:|")
    for case, workers, backend, rate in rows:
        print(f"| {case} | {workers} | {backend} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
