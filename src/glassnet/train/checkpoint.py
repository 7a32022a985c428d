"""Training checkpoints: everything a killed run needs to continue bit for bit.

A checkpoint is one safetensors file written by `glassnet.save` (atomically: a crash
mid-write leaves the previous file whole) holding

    model        model.state_dict()               parameters and buffers (BN running stats)
    optimizer    optimizer.state_dict()           moments, step counts, options
    scheduler    scheduler.state_dict() or None
    rng          glassnet's generator (dropout, init), NumPy's and Python's global states
    trainer      epoch, batch within the epoch, global step, stop flag, the epoch's
                 running sums (so the epoch's logged loss is the same after a resume)
    history      the per-epoch logs so far
    callbacks    each callback's state_dict() (early-stopping counter, best value, ...)

Data order needs no state: a DataLoader's shuffle derives from (seed, epoch) only, so
the trainer replays the interrupted epoch's order and skips the batches already done.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy

from glassnet import random as glassnet_random
from glassnet.nn.state_dict import as_array
from glassnet.serialization import load

FORMAT = "glassnet.train.checkpoint"
VERSION = 1
_MISMATCHES_SHOWN = 3


class CheckpointError(ValueError):
    """A checkpoint file does not fit the run that loads it; the message names the file and what differs."""


def capture_rng_state() -> dict[str, Any]:
    """The state of every random stream a training step may draw from."""
    return {
        "glassnet": glassnet_random.default_generator().bit_generator.state,
        "numpy": numpy.random.get_state(),
        "python": random.getstate(),
    }


def restore_rng_state(state: dict[str, Any]) -> None:
    """Put every stream back where `capture_rng_state` found it (glassnet's generator in place,
    so any code holding it sees the restored stream)."""
    glassnet_random.default_generator().bit_generator.state = state["glassnet"]
    name, keys, position, has_gauss, cached = state["numpy"]
    numpy.random.set_state(
        (
            name,
            numpy.asarray(keys, dtype=numpy.uint32),
            int(position),
            int(has_gauss),
            float(cached),
        )
    )
    version, internal, gauss_next = state["python"]
    random.setstate((int(version), tuple(int(value) for value in internal), gauss_next))


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a training checkpoint written by `Trainer.save_checkpoint` / `ModelCheckpoint`.

    A weights-only file (a bare state dict) is refused with a message saying so.
    """
    path = Path(os.fspath(path))
    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        kind = (
            "a model state dict (weights only)"
            if isinstance(checkpoint, dict)
            else type(checkpoint).__name__
        )
        raise CheckpointError(
            f"'{path}' is not a training checkpoint (it holds {kind}); resume needs a file "
            "written by ModelCheckpoint or Trainer.save_checkpoint with the optimizer, RNG and "
            "trainer state"
        )
    if checkpoint.get("version") != VERSION:
        raise CheckpointError(
            f"'{path}' is a training checkpoint of version {checkpoint.get('version')!r}; this "
            f"glassnet reads version {VERSION}"
        )
    return checkpoint


def model_mismatches(model: Any, state: dict[str, Any]) -> list[str]:
    """What keeps `state` from loading into `model`: shape mismatches, then missing and unexpected keys."""
    own = model.state_dict()
    shapes = []
    for key, tensor in own.items():
        if key in state:
            array = as_array(state[key])
            shape = tuple(array.shape) if array is not None else type(state[key]).__name__
            if shape != tuple(tensor.shape):
                shapes.append(
                    f"'{key}' is {shape} in the file but {tuple(tensor.shape)} in the model"
                )
    missing = [key for key in own if key not in state]
    unexpected = [key for key in state if key not in own]
    problems = shapes[:_MISMATCHES_SHOWN]
    if missing:
        problems.append(
            f"missing from the file: {', '.join(repr(key) for key in missing[:_MISMATCHES_SHOWN])}"
            + (
                f" and {len(missing) - _MISMATCHES_SHOWN} more"
                if len(missing) > _MISMATCHES_SHOWN
                else ""
            )
        )
    if unexpected:
        problems.append(
            "not in the model: "
            + ", ".join(repr(key) for key in unexpected[:_MISMATCHES_SHOWN])
            + (
                f" and {len(unexpected) - _MISMATCHES_SHOWN} more"
                if len(unexpected) > _MISMATCHES_SHOWN
                else ""
            )
        )
    if len(shapes) > _MISMATCHES_SHOWN:
        problems.insert(
            _MISMATCHES_SHOWN, f"and {len(shapes) - _MISMATCHES_SHOWN} more shape mismatches"
        )
    return problems


def load_model_state(model: Any, state: dict[str, Any], source: str) -> None:
    """`model.load_state_dict(state)`, with an error naming the first mismatching keys and shapes."""
    problems = model_mismatches(model, state)
    if problems:
        raise CheckpointError(
            f"{source} does not fit {type(model).__name__} (another architecture?): "
            + "; ".join(problems)
        )
    model.load_state_dict(state)


def model_state_of(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The model weights of a training checkpoint or of a bare state dict."""
    if isinstance(checkpoint, dict) and checkpoint.get("format") == FORMAT:
        return checkpoint["model"]
    return checkpoint


def load_weights(model: Any, path: str | os.PathLike[str]) -> None:
    """Load the model weights of a training checkpoint, or a bare state-dict file, into `model`."""
    load_model_state(model, model_state_of(load(path)), f"'{os.fspath(path)}'")
