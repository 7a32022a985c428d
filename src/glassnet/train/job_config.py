"""The options of a run (`glassnet train`'s flags): defaults, checks, and its config.json.

    config = resolve_config({"data": "digits", "model": "cnn"})   # defaults filled in, checked
    config = read_config("runs/digits-cnn")                       # the same, from a run folder

config.json holds {"version": CONFIG_VERSION, "options": the resolved options,
"input_shape": ..., "classes": ...}; reading it resolves the options again, so a file
edited by hand is checked as a command line is.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from glassnet.train.output_encoding import LOSSES
from glassnet.train.subset import check_fraction

CONFIG_VERSION = 1
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
# Per optimizer (plain SGD needs a far larger step than Adam's per-parameter normalised
# one). Measured on digits with the default mlp, 40 epochs: each gives a median test
# accuracy of 98.1% over seeds 0-2 (`bench/train_digits.py -- --optimizer NAME`).
DEFAULT_LR = {
    "sgd": 0.1,
    "momentum": 0.01,
    "adagrad": 0.01,
    "rmsprop": 1e-3,
    "adam": 1e-3,
    "adamw": 1e-3,
}
SEED_MIN, SEED_MAX = -(2**63), 2**64 - 1  # torch.manual_seed's range

# The defaults, chosen by measurement on digits (bench/train_digits.py); None = the model's own.
DEFAULTS: dict[str, Any] = {
    "data": "digits",
    "model": "mlp",
    "hidden": None,
    "activation": "relu",
    "init": None,
    "batchnorm": None,
    "dropout": None,
    "optimizer": "adam",
    "lr": None,
    "weight_decay": 0.0,
    "epochs": 40,
    "batch_size": 64,
    "early_stopping": None,
    "clip_grad_norm": None,
    "seed": 0,
    "loss": "cross_entropy",  # the output encoding: cross_entropy, bce or mse (output_encoding.py)
    "train_fraction": 1.0,  # a stratified, nested share of the training split (subset.py)
}


def resolve_config(options: dict[str, Any]) -> dict[str, Any]:
    """The options with defaults filled in and checked (unknown keys are an error)."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; valid: {', '.join(DEFAULTS)}")
    config = {**DEFAULTS, **{key: value for key, value in options.items() if value is not None}}
    if config["optimizer"] not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {config['optimizer']!r}"
        )
    if config["lr"] is None:
        config["lr"] = DEFAULT_LR[config["optimizer"]]
    for name in ("epochs", "batch_size"):
        if not isinstance(config[name], int) or config[name] < 1:
            raise ValueError(f"{name} must be a positive integer, got {config[name]!r}")
    if not config["lr"] > 0:
        raise ValueError(f"lr must be > 0, got {config['lr']!r}")
    if config["hidden"] is not None:
        hidden = config["hidden"]
        if not isinstance(hidden, (list, tuple)) or not all(
            isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in hidden
        ):
            raise ValueError(f"hidden must be a list of positive integers, got {hidden!r}")
        config["hidden"] = [int(size) for size in hidden]
    seed = config["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
        raise ValueError(
            f"seed must be an integer in -2**63 .. 2**64-1 (torch.manual_seed's range), got {seed!r}"
        )
    if not isinstance(config["data"], str) or not config["data"].strip():
        raise ValueError(
            f"data must be digits, digits32, mnist1d or a path, got {config['data']!r}"
        )
    if config["loss"] not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {config['loss']!r}")
    config["train_fraction"] = check_fraction(config["train_fraction"])
    return config


def generator_seed(seed: int) -> int:
    """torch.manual_seed's rule: a negative seed counts as its two's complement, seed mod 2**64."""
    return seed % 2**64


def default_out(config: dict[str, Any]) -> Path:
    return Path("runs") / f"{Path(config['data']).stem}-{config['model']}-seed{config['seed']}"


def read_config(out: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(os.fspath(out)) / "config.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"'{Path(os.fspath(out))}' is not a run folder: it has no config.json (start a run "
            "with: glassnet train --out DIR)"
        )
    try:
        stored = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"'{path}' is not valid JSON: {error}") from None
    if not isinstance(stored, dict) or not isinstance(stored.get("options"), dict):
        raise ValueError(f"'{path}' should be an object with an 'options' object")
    if stored.get("version") != CONFIG_VERSION:
        raise ValueError(
            f"'{path}' is a run config of version {stored.get('version')!r}; this glassnet reads "
            f"version {CONFIG_VERSION}"
        )
    try:
        return resolve_config(stored["options"])
    except (ValueError, TypeError) as error:
        raise ValueError(f"'{path}': {error}") from None
