"""Compression experiments that return plain data (for bench/bench_compress.py and the lab).

    row = chain_row("mlp", {"hidden": [300, 100], "batchnorm": False}, recipe, seeds=range(5))
    row["weights_ratio"]["mean"], row["delta_pt"]["mean"], row["delta_pt"]["std"]
    init_check("mlp", {"hidden": [300, 100], "batchnorm": False}, range(5), "runs")
    sparse_timing()   # SparseLinear vs dense Linear, CPU ms by density and batch

Each seed trains its own run with `glassnet train`'s job (digits by default, the run's
defaults otherwise), compresses its best checkpoint with the recipe, writes the file and
loads it back. The accuracy change is paired: the same run's test accuracy after minus
before, in percentage points. Everything is NumPy (glassnet); PyTorch is not used.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import nn
from glassnet.compress.cluster import INITS, kmeans
from glassnet.compress.finetune import accuracy
from glassnet.compress.pipeline import Recipe
from glassnet.compress.prune import prunable_layers
from glassnet.compress.runs import compress_loaded, open_run
from glassnet.compress.sparse import SparseLinear
from glassnet.random import manual_seed
from glassnet.tensor import Tensor
from glassnet.train.job import resolve_config, train_run


def spread(values: Iterable[float]) -> dict[str, Any]:
    """mean, sample std (ddof 1), min, max and the values themselves."""
    array = np.asarray(list(values), float)
    return {
        "mean": float(array.mean()),
        "std": float(array.std(ddof=1)) if array.size > 1 else 0.0,
        "min": float(array.min()),
        "max": float(array.max()),
        "values": array.round(6).tolist(),
    }


def train_for(
    model: str, options: dict[str, Any], seed: int, folder: Path, data: str = "digits"
) -> Path:
    """Train one run (seed `seed`) into `folder`/name; returns the run folder (reused if it exists)."""
    out = folder / f"{data}-{model}-seed{seed}"
    if not (out / "test_metrics.json").is_file():
        train_run(resolve_config({"data": data, "model": model, "seed": seed, **options}), out)
    return out


def one_seed(run: Path, recipe: Recipe, seed: int, folder: Path) -> dict[str, Any]:
    """Compress one run; the file's numbers and the paired accuracy change."""
    opened = open_run(run)
    started = time.process_time()
    report = compress_loaded(
        opened, replace(recipe, seed=seed), folder / f"{run.name}.gnc.safetensors"
    )
    kept = sum(s.kept for s in report.layers.values()) / sum(
        s.weights for s in report.layers.values()
    )
    return {
        "seed": seed,
        "before": report.before["accuracy"],
        "after": report.after["accuracy"],
        "val_before": report.val_before,
        "val_after": report.val_after,
        "weights_ratio": report.weights_ratio,
        "file_ratio": report.ratio,
        "file_bytes": report.file_bytes,
        "dense_bytes": report.dense_bytes,
        "kept": kept,
        "cpu_seconds": time.process_time() - started,
    }


def chain_row(
    model: str,
    options: dict[str, Any],
    recipe: Recipe,
    seeds: Iterable[int] = range(5),
    data: str = "digits",
    folder: str | Path | None = None,
) -> dict[str, Any]:
    """Train and compress one run per seed; per-seed results and their spread (delta in points).

    Runs are trained into `folder` (and reused from there when already finished); the
    compressed files are written to a temporary folder.
    """
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(folder) if folder is not None else Path(scratch)
        where.mkdir(parents=True, exist_ok=True)
        runs = [
            one_seed(train_for(model, options, s, where, data), recipe, s, Path(scratch))
            for s in seeds
        ]
    row: dict[str, Any] = {"model": model, "data": data, "recipe": vars(recipe), "seeds": runs}
    for key in (
        "weights_ratio",
        "file_ratio",
        "kept",
        "before",
        "after",
        "val_before",
        "val_after",
    ):
        row[key] = spread(r[key] for r in runs)
    row["delta_pt"] = spread(100 * (r["after"] - r["before"]) for r in runs)
    row["val_delta_pt"] = spread(100 * (r["val_after"] - r["val_before"]) for r in runs)
    return row


def sparse_timing(repeats: int = 30) -> list[dict]:
    """CPU ms of SparseLinear vs the dense Linear forward, by weight density and batch size
    (median of `repeats` x 20 calls; run it under one BLAS thread)."""
    rng = np.random.default_rng(0)
    rows = []
    for out_features, in_features in ((300, 64), (1024, 1024)):
        for density in (0.5, 0.2, 0.1, 0.05, 0.01):
            manual_seed(0)
            dense = nn.Linear(in_features, out_features)
            dense.weight.data *= (rng.random(dense.weight.shape) < density).astype(np.float32)
            sparse = SparseLinear.from_linear(dense)
            for batch in (1, 64, 512):
                x = Tensor(rng.standard_normal((batch, in_features)).astype(np.float32))
                times = {}
                for label, layer in (("dense", dense), ("sparse", sparse)):
                    samples = []
                    for _ in range(repeats):
                        started = time.process_time()
                        for _ in range(20):
                            layer(x)
                        samples.append((time.process_time() - started) / 20)
                    times[label] = float(np.median(samples)) * 1e3
                rows.append(
                    {
                        "shape": f"{out_features}x{in_features}",
                        "density": density,
                        "batch": batch,
                        "dense_ms": times["dense"],
                        "sparse_ms": times["sparse"],
                        "ratio": times["sparse"] / times["dense"],
                    }
                )
    return rows


def init_check(
    model: str,
    options: dict[str, Any],
    seeds: Iterable[int],
    folder: str | Path,
    bits: int = 3,
    data: str = "digits",
) -> dict[str, dict]:
    """Han et al.'s initialisation claim: test accuracy (%) after sharing every layer of the
    trained runs with 2^bits clusters, no retraining, per k-means initialisation."""
    scores: dict[str, list[float]] = {init: [] for init in INITS}
    for seed in seeds:
        run = open_run(train_for(model, options, seed, Path(folder), data))
        x, y = run.split("test")
        saved = {n: m.weight.data.copy() for n, m in prunable_layers(run.model).items()}
        for init in scores:
            for name, layer in prunable_layers(run.model).items():
                w = saved[name]
                centroids, labels = kmeans(w.ravel(), 2**bits, init, seed)
                layer.weight.data[...] = centroids[labels].reshape(w.shape)
            scores[init].append(100 * accuracy(run.model, x, y))
        for name, layer in prunable_layers(run.model).items():
            layer.weight.data[...] = saved[name]
    return {init: spread(values) for init, values in scores.items()}
