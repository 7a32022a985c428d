"""Training checkpoints: everything a killed run needs to continue bit for bit.

A checkpoint is one safetensors file written by `glassnet.save` (atomically: a crash
mid-write leaves the previous file whole) holding

    model        model.state_dict()               parameters and buffers (BN running stats)
    optimizer    optimizer.state_dict()           moments, step counts, options
    scheduler    scheduler.state_dict() or None
    rng          glassnet's generator (dropout, init, shuffle seeds drawn from it)
    trainer      epoch, batch within the epoch, global step, stop flag, the epoch's
                 running sums (so the epoch's logged loss is the same after a resume)
    history      the per-epoch logs so far
    callbacks    each callback's state_dict() (early-stopping counter, best value, ...)

Data order needs no state: a DataLoader's shuffle derives from (seed, epoch) only, so
the trainer replays the interrupted epoch's order and skips the batches already done.

NumPy's and Python's global random states are not stored: nothing in glassnet draws from
them (every random op uses glassnet's generator or a stream derived from (seed, epoch)),
so they cannot change a resumed run; stored, they would make two identical runs write
different bytes (the states are whatever the process did before), and restoring them
would overwrite a user's own streams. Code of your own that must resume exactly draws
from `glassnet.random` or `sample_generator`, not from `numpy.random`'s global state.

Reading is checked once (`checkpoint_schema`): a damaged or edited file fails with one
line naming the file and the entry, before anything is restored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from glassnet import random as glassnet_random
from glassnet.nn.state_dict import as_array
from glassnet.serialization import load
from glassnet.train.checkpoint_schema import CheckpointError, check_model_arrays, check_structure

FORMAT = "glassnet.train.checkpoint"
VERSION = 1
_MISMATCHES_SHOWN = 3


def capture_rng_state() -> dict[str, Any]:
    """The state of glassnet's generator, the one random stream a training step draws from."""
    return {"glassnet": glassnet_random.default_generator().bit_generator.state}


def restore_rng_state(state: dict[str, Any]) -> None:
    """Put glassnet's generator back where `capture_rng_state` found it (in place, so any code
    holding it sees the restored stream). Older checkpoints' "numpy"/"python" entries are ignored."""
    glassnet_random.default_generator().bit_generator.state = state["glassnet"]


def read_checkpoint(path: str | os.PathLike[str], where: str = "resume") -> dict[str, Any]:
    """Load a training checkpoint written by `Trainer.save_checkpoint` / `ModelCheckpoint`, and
    check its structure (see `checkpoint_schema`); errors start with `where` and name the file.

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
    check_structure(checkpoint, f"{where}: '{path}'")
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
        return checkpoint.get("model")
    return checkpoint


def load_weights(model: Any, path: str | os.PathLike[str], exact: bool = False) -> None:
    """Load the model weights of a training checkpoint, or a bare state-dict file, into `model`.

    exact=True (a run's own files): every weight must have the model's dtype and be
    finite, instead of being cast as `load_state_dict` casts.
    """
    state = model_state_of(load(path))
    if not isinstance(state, dict):
        raise CheckpointError(
            f"'{os.fspath(path)}' holds a {type(state).__name__}, not model weights (a dict)"
        )
    if exact:
        check_model_arrays(state, model, f"'{os.fspath(path)}'", prefix="")
    load_model_state(model, state, f"'{os.fspath(path)}'")
