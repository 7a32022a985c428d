"""The main job: `glassnet train` and `glassnet eval` as library functions.

    run = train_run(resolve_config({"data": "digits", "model": "mlp"}), "runs/digits-mlp")
    run.metrics   # {'accuracy': 0.97.., 'precision': .., 'recall': .., 'f1': .., 'loss': ..}

A run folder holds everything needed to continue it or evaluate it again:

    config.json              every option, resolved (defaults filled in)
    standardize.safetensors  the per-channel input mean/std fitted on the training split
    history.csv              one row per epoch (numbered from 1): lr, loss, accuracy, val_loss, ...
    last.safetensors         full checkpoint after the latest epoch (resume point)
    best.safetensors         full checkpoint of the epoch with the lowest val_loss
    curves.png               loss and accuracy per epoch, train and val
    test_metrics.json        the final test metrics (of the best checkpoint) and its best_epoch

Epochs are numbered from 1 everywhere a run shows them (history.csv, test_metrics.json's
best_epoch, the printed lines, curves.png), as Keras prints them.

The test metrics are those of the best checkpoint by validation loss: the test split
is touched once, at the end, and never used to choose anything.

The options themselves (defaults, checks, reading config.json) are in job_config.py, the
data and its standardisation in job_data.py.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import metrics as glassnet_metrics
from glassnet import nn, optim
from glassnet.atomic import atomic_write, sweep_temporaries
from glassnet.data import DataLoader, TensorDataset
from glassnet.models import build_model
from glassnet.nn.normalization import has_batchnorm
from glassnet.random import manual_seed
from glassnet.serialization import load, save
from glassnet.tensor import Tensor
from glassnet.train.callbacks import (
    CSVLogger,
    EarlyStopping,
    ModelCheckpoint,
    NaNGuard,
    ProgressBar,
)
from glassnet.train.checkpoint import load_weights, read_checkpoint
from glassnet.train.job_config import (
    CONFIG_VERSION,
    DEFAULT_LR,
    DEFAULTS,
    OPTIMIZERS,
    default_out,
    generator_seed,
    read_config,
    resolve_config,
)
from glassnet.train.job_data import JobData, fit_standardizer, load_job_data, standardize
from glassnet.train.output_encoding import make_loss
from glassnet.train.subset import train_subset
from glassnet.train.trainer import Trainer

__all__ = [  # the options (job_config.py) are imported from here too, as before they moved
    "CONFIG_VERSION",
    "DEFAULTS",
    "DEFAULT_LR",
    "OPTIMIZERS",
    "RunResult",
    "check_model_size",
    "default_out",
    "evaluate_run",
    "generator_seed",
    "make_model",
    "make_optimizer",
    "read_config",
    "resolve_config",
    "split_metrics",
    "train_run",
]

MOMENTUM = 0.9
EVAL_BATCH_SIZE = 512
STATS_FILE = "standardize.safetensors"
DIVERGENCE_FACTOR = 1e4  # a batch loss 10,000x the first one: the run diverged (NaNGuard)


@dataclass
class RunResult:
    out: Path
    metrics: dict[str, float]
    checkpoint: str
    epochs_done: int
    best_epoch: int | None  # 1-based, as printed and in history.csv
    seconds: float = 0.0
    first_epoch: int = 1  # 1-based: the first epoch this call trained (> 1 when resumed)
    stop_reason: str | None = None
    config: dict[str, Any] = field(default_factory=dict)


def check_model_size(config: dict[str, Any], input_shape: tuple[int, ...], classes: int) -> None:
    """Refuse --hidden widths whose weights alone would not fit in memory, before allocating them.

    The estimate: Linear layers joining the input features, the hidden widths and the
    classes, as float32, times 4 (weights, gradients, two Adam moments). It is about the
    MLP's size; other models differ by a small factor, which only matters for widths
    within that factor of the machine's memory.
    """
    if config["hidden"] is None:
        return
    sizes = [int(np.prod(input_shape)), *config["hidden"], classes]
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    needed = 4 * 4 * weights
    memory = (
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else None
    )
    if memory and needed > memory:
        raise ValueError(
            f"--hidden {','.join(map(str, config['hidden']))}: the model would hold at least "
            f"{weights:.3g} weights, {needed / 1e9:.3g} GB to train as float32, and this machine "
            f"has {memory / 1e9:.3g} GB of memory; choose smaller widths"
        )


def make_optimizer(name: str, params: Any, lr: float, weight_decay: float) -> optim.Optimizer:
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=MOMENTUM, weight_decay=weight_decay)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


def make_model(config: dict[str, Any], input_shape: tuple[int, ...], num_classes: int) -> nn.Module:
    return build_model(
        config["model"],
        input_shape,
        num_classes,
        hidden=config["hidden"],
        activation=config["activation"],
        init=config["init"],
        batchnorm=config["batchnorm"],
        dropout=config["dropout"],
    )


def _loader(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool, seed: int, drop_last: bool = False
) -> DataLoader:
    return DataLoader(
        TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=generator_seed(seed),
        drop_last=drop_last,
    )


class _Job:
    """A run folder's data, model and trainer, built the same way for a fresh run, a resume and eval."""

    def __init__(
        self,
        config: dict[str, Any],
        out: Path,
        fresh: bool,
        progress: ProgressBar | None = None,
        extra_callbacks: tuple[Any, ...] = (),
    ) -> None:
        self.config, self.out = config, out
        self.data: JobData = train_subset(load_job_data(config["data"]), config["train_fraction"])
        if fresh:
            mean, std = fit_standardizer(self.data.train.x)
        else:
            mean, std = _read_stats(out / STATS_FILE)
        self.stats = {"mean": mean, "std": std}  # written by the caller once the job is built
        manual_seed(generator_seed(config["seed"]))  # the initial weights depend on the seed only
        check_model_size(config, self.data.input_shape, len(self.data.classes))
        try:
            self.model = make_model(config, self.data.input_shape, len(self.data.classes))
        except MemoryError:
            raise ValueError(
                f"model {config['model']!r} with these options does not fit in memory "
                f"(input {self.data.input_shape}, {len(self.data.classes)} classes); choose "
                "smaller --hidden widths"
            ) from None
        self.x = {
            name: standardize(getattr(self.data, name).x, mean, std)
            for name in ("train", "val", "test")
        }
        optimizer = make_optimizer(
            config["optimizer"], self.model.parameters(), config["lr"], config["weight_decay"]
        )
        callbacks: list[Any] = [NaNGuard(divergence_factor=DIVERGENCE_FACTOR)]
        if config["early_stopping"] is not None:
            callbacks.append(
                EarlyStopping(
                    "val_loss", patience=config["early_stopping"], restore_best_weights=True
                )
            )
        callbacks += [
            CSVLogger(out / "history.csv"),
            ModelCheckpoint(out, monitor="val_loss", every_n_epochs=0),
        ]
        if progress is not None:
            callbacks.append(progress)
        callbacks += list(extra_callbacks)
        self.trainer = Trainer(
            self.model,
            optimizer,
            make_loss(config["loss"]),
            metrics=["accuracy"],
            callbacks=callbacks,
            clip_grad_norm=config["clip_grad_norm"],
            seed=generator_seed(config["seed"]),
        )

    def loader(self, split: str, train: bool = False) -> DataLoader:
        """The split's batches; in training, a last batch of ONE sample is dropped when the model
        has BatchNorm (one sample has no batch statistics: torch raises, as glassnet's op does)."""
        y = getattr(self.data, split).y
        batch_size = self.config["batch_size"] if train else EVAL_BATCH_SIZE
        lone = train and len(y) % batch_size == 1 and has_batchnorm(self.model)
        return _loader(self.x[split], y, batch_size, train, self.config["seed"], drop_last=lone)

    def test_metrics(self, split: str = "test") -> dict[str, float]:
        outputs = self.trainer.predict(self.loader(split)).data
        return split_metrics(
            outputs, getattr(self.data, split).y, len(self.data.classes), self.trainer.loss_fn
        )


def split_metrics(
    outputs: np.ndarray, y: np.ndarray, num_classes: int, loss_fn: Any = None
) -> dict[str, float]:
    """What `glassnet eval` reports for a split: accuracy, macro precision/recall/F1, loss, samples.

    `loss_fn` is the run's own loss (its --loss); cross-entropy when not given.
    """
    labels = list(range(num_classes))
    common = {"labels": labels, "average": "macro", "zero_division": 0}
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    loss = float(loss_fn(Tensor(outputs), Tensor(y)).item())
    return {
        "accuracy": glassnet_metrics.accuracy_score(y, outputs),
        "precision": glassnet_metrics.precision_score(y, outputs, **common),
        "recall": glassnet_metrics.recall_score(y, outputs, **common),
        "f1": glassnet_metrics.f1_score(y, outputs, **common),
        "loss": loss,
        "samples": len(y),
    }


def _read_stats(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The standardisation statistics of a run: float32 'mean' and 'std' of one shape, std > 0."""
    stats = load(path, as_numpy=True)
    if not isinstance(stats, dict) or not {"mean", "std"} <= set(stats):
        raise ValueError(f"'{path}' should hold arrays 'mean' and 'std'")
    mean, std = stats["mean"], stats["std"]
    for name, array in (("mean", mean), ("std", std)):
        if not isinstance(array, np.ndarray) or array.dtype != np.float32 or array.ndim < 1:
            raise ValueError(f"'{path}': entry '{name}' should be a float32 array")
        if not np.isfinite(array).all():
            raise ValueError(f"'{path}': tensor '{name}' holds NaN or infinite values")
    if mean.shape != std.shape or not (std > 0).all():
        raise ValueError(f"'{path}': 'std' should be positive and shaped as 'mean' {mean.shape}")
    return mean, std


def _write_json(path: Path, value: Any) -> None:
    with atomic_write(path, "w") as file:
        json.dump(value, file, indent=2)
        file.write("\n")


def train_run(
    config: dict[str, Any],
    out: str | os.PathLike[str],
    resume: bool = False,
    progress: ProgressBar | None = None,
    callbacks: tuple[Any, ...] = (),
) -> RunResult:
    """Train (or continue, with resume=True) the run in folder `out`; evaluate its best checkpoint on test.

    `callbacks` are added to the run's own (glassnet.tune reports each epoch to Optuna with one).
    """
    out = Path(os.fspath(out))
    last = out / "last.safetensors"
    if not resume and (out / "config.json").exists():
        raise FileExistsError(
            f"'{out}' already holds a run (config.json); continue it with --resume {out}, or "
            "choose another --out"
        )
    resume_from = (
        last if resume and last.is_file() else None
    )  # killed before its first epoch ended: restart
    if resume and out.is_dir():
        sweep_temporaries(out)  # a killed run's half-written files (its targets are whole)
    # Everything is built and checked before the first file is written: a refused run leaves no files.
    job = _Job(config, out, fresh=resume_from is None, progress=progress, extra_callbacks=callbacks)
    out.mkdir(parents=True, exist_ok=True)
    if resume_from is None:
        save(job.stats, out / STATS_FILE)
    _write_json(
        out / "config.json",
        {
            "version": CONFIG_VERSION,
            "options": config,
            "input_shape": list(job.data.input_shape),
            "classes": job.data.classes,
        },
    )
    started = time.perf_counter()
    job.trainer.fit(
        job.loader("train", train=True),
        job.loader("val"),
        epochs=config["epochs"],
        resume_from=resume_from,
    )
    seconds = time.perf_counter() - started
    from glassnet.train.report import plot_curves  # lazy: matplotlib takes ~0.5 s to import

    plot_curves(job.trainer.history, out / "curves.png")
    result = _evaluate(job, "best", "test")
    result.seconds, result.stop_reason = seconds, job.trainer.stop_reason
    result.first_epoch = job.trainer.initial_epoch + 1
    _write_json(
        out / "test_metrics.json",
        {
            "checkpoint": result.checkpoint,
            "best_epoch": result.best_epoch,
            "metrics": result.metrics,
        },
    )
    return result


def _evaluate(job: _Job, which: str, split: str) -> RunResult:
    path = job.out / f"{which}.safetensors"
    if not path.is_file():
        raise FileNotFoundError(f"'{job.out}' has no {path.name}")
    load_weights(job.model, path, exact=True)
    best_epoch = None
    history = job.trainer.history
    val_loss = np.asarray(history.history.get("val_loss", []))
    if val_loss.size and not np.isnan(val_loss).all():
        best_epoch = history.epoch[int(np.nanargmin(val_loss))] + 1
    return RunResult(
        job.out, job.test_metrics(split), path.name, len(history), best_epoch, config=job.config
    )


def evaluate_run(
    out: str | os.PathLike[str], checkpoint: str = "best", split: str = "test"
) -> RunResult:
    """Rebuild the run in `out` from its config, load `checkpoint` (best or last) and evaluate `split`."""
    out = Path(os.fspath(out))
    config = read_config(out)
    job = _Job(config, out, fresh=False)
    last = out / "last.safetensors"
    if last.is_file():
        job.trainer.history.load_state_dict(read_checkpoint(last, "eval")["history"])
    return _evaluate(job, checkpoint, split)
