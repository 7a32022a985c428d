"""Compressing a trained run folder, and evaluating a model or a compressed file on a run's data.

    report = compress_run("runs/digits-mlp", DEEP_COMPRESSION, "mlp.gnc.safetensors")
    report.before["accuracy"], report.after["accuracy"], report.ratio

The run's best checkpoint is compressed; retraining uses its training split; accuracy
before and after is measured on its own test split, standardised with its own statistics,
with the metrics `glassnet eval` reports (`glassnet.train.job.split_metrics`). The "after"
numbers are those of the model loaded back from the written file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.compress.encode import LayerStats
from glassnet.compress.fileformat import dense_size, load, read, save_compressed
from glassnet.compress.finetune import accuracy
from glassnet.compress.fold import fold_batchnorm
from glassnet.compress.pipeline import Progress, Recipe, compress_model
from glassnet.compress.prune import plot_sensitivity, sensitivity
from glassnet.data.datasets.base import DatasetError
from glassnet.grad_mode import no_grad
from glassnet.nn.module import Module
from glassnet.serialization import load as load_file
from glassnet.tensor import Tensor
from glassnet.train.checkpoint import load_weights
from glassnet.train.job import make_model, read_config, split_metrics
from glassnet.train.job_data import JobData, load_job_data, standardize
from glassnet.train.output_encoding import make_loss

SPLITS = ("train", "val", "test")


@dataclass
class RunData:
    """A run's config, model (best checkpoint) and standardised splits."""

    config: dict[str, Any]
    model: Module
    data: JobData
    mean: np.ndarray
    std: np.ndarray
    x: dict[str, np.ndarray] = field(default_factory=dict)

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.x[name], getattr(self.data, name).y

    def source(self) -> dict[str, Any]:
        """What the compressed file records to rebuild the model and standardise its inputs."""
        return {
            "config": self.config,
            "input_shape": list(self.data.input_shape),
            "classes": list(self.data.classes),
            "mean": self.mean,
            "std": self.std,
        }


def open_run(run: str | os.PathLike[str], checkpoint: str = "best") -> RunData:
    """The run in folder `run` with its `checkpoint` loaded (errors name the folder and file)."""
    run = Path(os.fspath(run))
    config = read_config(run)
    data = load_job_data(config["data"])
    stats = load_file(run / "standardize.safetensors", as_numpy=True)
    model = make_model(config, data.input_shape, len(data.classes))
    path = run / f"{checkpoint}.safetensors"
    if not path.is_file():
        raise FileNotFoundError(f"'{run}' has no {path.name} (has the run finished an epoch?)")
    load_weights(model, path)
    model.eval()
    x = {name: standardize(getattr(data, name).x, stats["mean"], stats["std"]) for name in SPLITS}
    return RunData(config, model, data, stats["mean"], stats["std"], x)


def outputs_of(model: Module, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """The model's outputs for every row of x, in eval mode, without a graph."""
    model.eval()
    with no_grad():
        return np.concatenate(
            [model(Tensor(x[i : i + batch_size])).data for i in range(0, len(x), batch_size)]
        )


def evaluate_model(
    model: Module, x: np.ndarray, y: np.ndarray, num_classes: int, loss: str = "cross_entropy"
) -> dict[str, float]:
    """`glassnet eval`'s metrics of `model` on (x, y), the loss being the run's own `--loss`."""
    return split_metrics(outputs_of(model, x), y, num_classes, make_loss(loss))


def evaluate_file(
    path: str | os.PathLike[str], split: str = "test"
) -> tuple[dict[str, Any], dict[str, float]]:
    """(header, metrics) of a compressed file on `split` of the data its header names."""
    header, _ = read(path)
    info = header["model"]
    data = load_job_data(info["config"]["data"])
    x = getattr(data, split).x
    if tuple(x.shape[1:]) != tuple(info["input_shape"]):
        raise DatasetError(
            f"{path}: the model takes samples of shape {info['input_shape']}, the data has {x.shape[1:]}"
        )
    stats = header["standardize"]
    if stats is not None:
        shape = stats["shape"]
        mean = np.asarray(stats["mean"], np.float32).reshape(shape)
        x = standardize(x, mean, np.asarray(stats["std"], np.float32).reshape(shape))
    loss = info["config"].get("loss", "cross_entropy")  # files older than --loss: cross-entropy
    return header, evaluate_model(load(path), x, getattr(data, split).y, len(info["classes"]), loss)


@dataclass
class CompressReport:
    out: Path
    layers: dict[str, LayerStats]
    before: dict[str, float]
    after: dict[str, float]
    dense_bytes: int
    file_bytes: int
    val_before: float = float("nan")
    val_after: float = float("nan")

    @property
    def ratio(self) -> float:
        """Whole file on disk: dense float32 file bytes / compressed file bytes."""
        return self.dense_bytes / self.file_bytes

    @property
    def weights_ratio(self) -> float:
        """Han et al.'s accounting: 32-bit weights / (value + index + code book bits), weights only."""
        dense = sum(32 * s.weights for s in self.layers.values())
        stored = sum(s.value_bits + s.index_bits + s.extra_bits for s in self.layers.values())
        return dense / stored


def compress_loaded(
    run: RunData, recipe: Recipe, out: str | os.PathLike[str], progress: Progress | None = None
) -> CompressReport:
    """Compress an opened run, write `out`, and measure the file's model on test (and val)."""
    num_classes, loss = len(run.data.classes), run.config["loss"]
    recipe = replace(recipe, loss=loss)  # retrain with the loss the run was trained with
    before = evaluate_model(run.model, *run.split("test"), num_classes, loss)
    val_before = accuracy(run.model, *run.split("val"))
    result = compress_model(run.model, run.data.input_shape, run.split("train"), recipe, progress)
    stats = save_compressed(result, out, run.source())
    reloaded = load(out)
    after = evaluate_model(reloaded, *run.split("test"), num_classes, loss)
    return CompressReport(
        Path(os.fspath(out)),
        stats,
        before,
        after,
        dense_size(run.model),
        Path(os.fspath(out)).stat().st_size,
        val_before,
        accuracy(reloaded, *run.split("val")),
    )


def compress_run(
    run: str | os.PathLike[str],
    recipe: Recipe,
    out: str | os.PathLike[str],
    progress: Progress | None = None,
) -> CompressReport:
    """Compress the best checkpoint of the run in folder `run` into the file `out`."""
    return compress_loaded(open_run(run), recipe, out, progress)


def run_sensitivity(
    run: RunData,
    path: str | os.PathLike[str],
    kept: tuple[float, ...] = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05),
) -> dict[str, list[tuple[float, float]]]:
    """Han et al.'s sensitivity analysis on the run's validation split (BatchNorm folded), plotted to `path`."""
    model = fold_batchnorm(run.model, run.data.input_shape)
    x, y = run.split("val")
    curves = sensitivity(model, lambda m: accuracy(m, x, y), kept)
    plot_sensitivity(curves, path)
    return curves
