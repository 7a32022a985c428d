"""The model and the batch that `glassnet diagnose MODEL_OR_RUN` looks at: `load_subject`.

MODEL_OR_RUN is either
    a zoo model name (mlp, cnn, ...: `glassnet.models.available_models()`), built exactly as
        `glassnet train --seed S` would start it (same seed, same init), for samples of the
        chosen --data; its inputs are standardised per channel with the training split's
        statistics, as training does; or
    a run folder written by `glassnet train` (it holds config.json): its model is rebuilt
        from the config, the --checkpoint (best by default) is loaded, and its data and
        standardisation are the run's own; the update ratio uses the run's lr unless --lr.
The batch is `batch_size` samples of the training split, drawn with `seed`. The subject's
`out` is where its results go by default: RUN/diagnose for a run folder,
runs/diagnose-MODEL-DATA for a zoo model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from glassnet.models import available_models, build_model
from glassnet.nn.module import Module
from glassnet.random import manual_seed
from glassnet.serialization import load
from glassnet.train.checkpoint import load_weights
from glassnet.train.job import make_model, read_config
from glassnet.train.job_data import fit_standardizer, load_job_data, standardize

DEFAULT_BATCH_SIZE = 256
ZOO_OPTIONS = ("activation", "init", "hidden", "batchnorm")


@dataclass
class Subject:
    """The model to diagnose, one batch for it, and where its results go by default."""

    model: Module
    inputs: numpy.ndarray
    targets: numpy.ndarray
    description: str
    lr: float | None
    out: Path


def _batch(
    x: numpy.ndarray, y: numpy.ndarray, batch_size: int, seed: int
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """`batch_size` training samples in an order fixed by `seed` (all of them if there are fewer)."""
    chosen = numpy.random.default_rng(seed).permutation(len(y))[:batch_size]
    return x[chosen], y[chosen]


def _zoo_subject(
    name: str, data: str, batch_size: int, seed: int, options: dict[str, Any]
) -> Subject:

    job_data = load_job_data(data)
    mean, std = fit_standardizer(job_data.train.x)
    inputs, targets = _batch(
        standardize(job_data.train.x, mean, std), job_data.train.y, batch_size, seed
    )
    manual_seed(seed)  # the same initial weights as `glassnet train --seed SEED`
    model = build_model(name, job_data.input_shape, len(job_data.classes), **options)
    chosen = ", ".join(f"{key}={value}" for key, value in options.items() if value is not None)
    description = (
        f"zoo model '{name}'{f' ({chosen})' if chosen else ''} at initialisation (seed {seed}) on "
        f"{data} {'x'.join(map(str, job_data.input_shape))}"
    )
    return Subject(
        model,
        inputs,
        targets,
        description,
        None,
        Path("runs") / f"diagnose-{name}-{Path(data).stem}",
    )


def _run_subject(
    folder: Path, data: str | None, batch_size: int, seed: int, checkpoint: str
) -> Subject:

    config = read_config(folder)
    if data is not None and data != config["data"]:
        raise ValueError(
            f"--data {data}: the run in '{folder}' was trained on {config['data']!r}; leave --data out "
            "to use it"
        )
    weights = folder / f"{checkpoint}.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(
            f"'{folder}' has no {weights.name} (the run wrote no checkpoint yet?); "
            f"try --checkpoint {'last' if checkpoint == 'best' else 'best'}"
        )
    stats_path = folder / "standardize.safetensors"
    if not stats_path.is_file():
        raise FileNotFoundError(
            f"'{folder}' has no standardize.safetensors: it is not a complete glassnet run folder"
        )
    job_data = load_job_data(config["data"])
    stats = load(stats_path, as_numpy=True)
    inputs, targets = _batch(
        standardize(job_data.train.x, stats["mean"], stats["std"]),
        job_data.train.y,
        batch_size,
        seed,
    )
    model = make_model(config, job_data.input_shape, len(job_data.classes))
    load_weights(model, weights)
    description = f"run '{folder}' ({config['model']} on {config['data']}, {weights.name})"
    return Subject(model, inputs, targets, description, float(config["lr"]), folder / "diagnose")


def load_subject(
    target: str,
    data: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed: int = 0,
    checkpoint: str = "best",
    **options: Any,
) -> Subject:
    """The model and batch for MODEL_OR_RUN (see the module docstring); options go to a zoo model."""

    folder = Path(os.fspath(target))
    given = {key: value for key, value in options.items() if value is not None}
    unknown = sorted(set(given) - set(ZOO_OPTIONS))
    if unknown:
        raise TypeError(
            f"load_subject: unknown option(s) {', '.join(unknown)}; valid: {', '.join(ZOO_OPTIONS)}"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"--batch-size must be a positive integer, got {batch_size!r}")
    if (folder / "config.json").is_file():
        if given:
            flags = ", ".join("--" + key for key in sorted(given))
            raise ValueError(
                f"{flags}: a run folder's model is fixed by its config.json; these options are for zoo "
                "models only"
            )
        return _run_subject(folder, data, batch_size, seed, checkpoint)
    if target in available_models():
        return _zoo_subject(target, data or "digits", batch_size, seed, given)
    if folder.exists():
        raise FileNotFoundError(
            f"'{folder}' is not a run folder (it has no config.json; runs are written by "
            "glassnet train --out DIR)"
        )
    raise ValueError(
        f"unknown model or run {target!r}: give a zoo model ({', '.join(available_models())}) or a "
        "run folder written by glassnet train"
    )


__all__ = ["DEFAULT_BATCH_SIZE", "ZOO_OPTIONS", "Subject", "load_subject"]
