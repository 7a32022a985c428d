"""What a training checkpoint holds, checked once before anything is restored from it.

A checkpoint read from disk is untrusted: a damaged or edited file must fail with one
line naming the file and the entry, never a KeyError deep inside a `load_state_dict`.
`check_structure` walks `SCHEMA` (entry -> what it should be); `check_fits` then checks
the arrays against the run that resumes: the model's keys, shapes and dtypes, the
optimizer state's dtypes and finiteness, and the trainer's counters against the history.

    resume: 'runs/x/last.safetensors': entry 'trainer.epoch' should be a non-negative integer, got 'abc'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy

from glassnet import random as glassnet_random
from glassnet.nn.state_dict import as_array


class CheckpointError(ValueError):
    """A checkpoint file does not fit the run that loads it; the message names the file and what differs."""


Check = tuple[Callable[[Any], bool], str]  # (accepts the value, what it should be)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, numpy.integer)) and not isinstance(value, (bool, numpy.bool_))


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, (float, numpy.floating))


def _is_array(value: Any) -> bool:
    return as_array(value) is not None and not numpy.isscalar(value)


NON_NEGATIVE_INT: Check = (lambda v: _is_int(v) and v >= 0, "a non-negative integer")
INT_OR_NONE: Check = (lambda v: v is None or _is_int(v), "an integer or None")
BOOL: Check = (lambda v: isinstance(v, bool), "true or false")
STR: Check = (lambda v: isinstance(v, str), "a string")
STR_OR_NONE: Check = (lambda v: v is None or isinstance(v, str), "a string or None")
NUMBER: Check = (_is_number, "a number")
DICT: Check = (lambda v: isinstance(v, dict), "a dict")
DICT_OR_NONE: Check = (lambda v: v is None or isinstance(v, dict), "a dict or None")
LIST: Check = (lambda v: isinstance(v, (list, tuple)), "a list")
ARRAY_OR_NONE: Check = (lambda v: v is None or _is_array(v), "an array or None")
EPOCH_LIST: Check = (
    lambda v: isinstance(v, list) and all(_is_int(e) and e >= 0 for e in v),
    "a list of non-negative integers",
)
COLUMNS: Check = (
    lambda v: (
        isinstance(v, dict)
        and all(
            isinstance(k, str) and isinstance(c, list) and all(map(_is_number, c))
            for k, c in v.items()
        )
    ),
    "a dict of name -> list of numbers",
)

SCHEMA: dict[str, Any] = {
    "classes": {"model": STR, "optimizer": STR, "scheduler": STR_OR_NONE},
    "model": DICT,
    "optimizer": {"state": DICT, "param_groups": LIST},
    "scheduler": DICT_OR_NONE,
    "rng": {"glassnet": DICT},
    "trainer": {
        "epoch": NON_NEGATIVE_INT,
        "batch_in_epoch": NON_NEGATIVE_INT,
        "global_step": NON_NEGATIVE_INT,
        "stop_training": BOOL,
        "stop_reason": STR_OR_NONE,
        "data_seed": INT_OR_NONE,
        "running": {
            "lr": NUMBER,
            "loss_sum": NUMBER,
            "samples": NON_NEGATIVE_INT,
            "outputs": ARRAY_OR_NONE,
            "targets": ARRAY_OR_NONE,
        },
    },
    "history": {"epoch": EPOCH_LIST, "history": COLUMNS},
    "callbacks": DICT,
}


def _shown(value: Any) -> str:
    if _is_array(value):
        array = as_array(value)
        return f"an array {array.dtype} {tuple(array.shape)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _walk(value: Any, spec: Any, entry: str, source: str) -> None:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise CheckpointError(
                f"{source}: entry '{entry}' should be a dict, got {_shown(value)}"
            )
        for key, child in spec.items():
            name = f"{entry}.{key}" if entry else key
            if key not in value:
                raise CheckpointError(f"{source}: entry '{name}' is missing")
            _walk(value[key], child, name, source)
        return
    accepts, what = spec
    if not accepts(value):
        raise CheckpointError(f"{source}: entry '{entry}' should be {what}, got {_shown(value)}")


def check_structure(checkpoint: dict[str, Any], source: str) -> None:
    """Every entry of SCHEMA is present with the right type, and the counters agree."""
    _walk(checkpoint, SCHEMA, "", source)
    trainer, history = checkpoint["trainer"], checkpoint["history"]
    epochs = len(history["epoch"])
    if trainer["epoch"] != epochs:
        raise CheckpointError(
            f"{source}: entry 'trainer.epoch' is {trainer['epoch']}, but 'history.epoch' lists "
            f"{epochs} finished epochs"
        )
    for key, column in history["history"].items():
        if len(column) != epochs:
            raise CheckpointError(
                f"{source}: entry 'history.history.{key}' has {len(column)} values for {epochs} epochs"
            )
    for index, group in enumerate(checkpoint["optimizer"]["param_groups"]):
        if not isinstance(group, dict) or not isinstance(group.get("params"), list):
            raise CheckpointError(
                f"{source}: entry 'optimizer.param_groups.{index}' should be a dict with a "
                f"'params' list, got {_shown(group)}"
            )
    scratch = type(glassnet_random.default_generator().bit_generator)()
    try:
        scratch.state = checkpoint["rng"]["glassnet"]
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise CheckpointError(
            f"{source}: entry 'rng.glassnet' is not a {type(scratch).__name__} state ({error})"
        ) from None


def _check_array(value: Any, entry: str, source: str, dtype: Any = None) -> numpy.ndarray:
    array = as_array(value)
    if array is None or numpy.isscalar(value):
        raise CheckpointError(f"{source}: entry '{entry}' should be an array, got {_shown(value)}")
    if dtype is not None and array.dtype != dtype:
        raise CheckpointError(
            f"{source}: tensor '{entry}' is {array.dtype} in the file but {numpy.dtype(dtype)} "
            "in the run (a checkpoint holds the dtypes it was saved with)"
        )
    if array.dtype.kind in "fc" and not numpy.isfinite(array).all():
        bad = int(numpy.size(array) - numpy.isfinite(array).sum())
        raise CheckpointError(
            f"{source}: tensor '{entry}' holds {bad} NaN or infinite value(s) of {array.size}"
        )
    return array


def _check_group(saved: Any, live: dict[str, Any], index: int, source: str) -> None:
    """A saved param group holds the live group's options, each a number where the live one is."""
    for key, value in live.items():
        entry = f"optimizer.param_groups.{index}.{key}"
        if key == "params":
            continue
        if key not in saved:
            raise CheckpointError(f"{source}: entry '{entry}' is missing")
        kept = saved[key]
        if _is_number(value) and not (_is_number(kept) and math.isfinite(kept)):
            raise CheckpointError(
                f"{source}: entry '{entry}' should be a finite number, got {_shown(kept)}"
            )
        if isinstance(value, (tuple, list)) and not (
            isinstance(kept, (tuple, list))
            and len(kept) == len(value)
            and all(_is_number(k) and math.isfinite(k) for k in kept)
        ):
            raise CheckpointError(
                f"{source}: entry '{entry}' should be {len(value)} finite numbers, got {_shown(kept)}"
            )


def check_model_arrays(
    state: dict[str, Any], model: Any, source: str, prefix: str = "model."
) -> None:
    """Weights of a run's own file: each in the model's dtype (no silent cast) and finite."""
    own = model.state_dict()
    for key, value in state.items():
        if key in own:
            _check_array(value, f"{prefix}{key}", source, as_array(own[key]).dtype)


def check_fits(checkpoint: dict[str, Any], trainer: Any, source: str) -> None:
    """The checkpoint fits `trainer`'s run: the same optimizer and scheduler classes, the same
    shuffle seed, a batch position inside an epoch, model dtypes as the model's, and
    optimizer state finite and in its parameter's dtype. (Keys and shapes: `load_model_state`.)"""
    _check_run(checkpoint, trainer, source)
    check_model_arrays(checkpoint["model"], trainer.model, f"resume: {source}")
    source = f"resume: {source}"
    optimizer = trainer.optimizer
    saved = checkpoint["optimizer"]
    for index, (saved_group, live) in enumerate(zip(saved["param_groups"], optimizer.param_groups)):
        _check_group(saved_group, live, index, source)
    _check_state_keys_agree(saved, source)
    params = list({id(p): p for group in optimizer.param_groups for p in group["params"]}.values())
    _check_state_values(saved["state"], params, source)


def _check_run(checkpoint: dict[str, Any], trainer: Any, source: str) -> None:
    """Same optimizer/scheduler classes, same shuffle seed, a batch position inside an epoch."""
    for role, saved in checkpoint["classes"].items():
        current = getattr(trainer, role)
        name = type(current).__name__ if current is not None else None
        if role != "model" and saved != name:
            raise CheckpointError(
                f"{source} was written with {role} {saved}, but this run has {name}"
            )
    position = checkpoint["trainer"]
    saved_seed = position["data_seed"]
    if saved_seed is not None and trainer.data_seed is not None and saved_seed != trainer.data_seed:
        raise CheckpointError(
            f"{source}: the run it comes from shuffled train with seed {saved_seed}, this "
            f"train loader has seed {trainer.data_seed}; the resumed epochs would see other "
            "batches (build the loader with the original seed)"
        )
    steps = trainer.steps_per_epoch
    if steps is not None and position["batch_in_epoch"] > steps:
        raise CheckpointError(
            f"resume: {source}: entry 'trainer.batch_in_epoch' is {position['batch_in_epoch']}, "
            f"but an epoch of train has {steps} batches"
        )


def _check_state_keys_agree(optimizer_state: dict[str, Any], source: str) -> None:
    """Within a parameter group every parameter's state has the same keys (groups may differ).

    A group's options are shared, so the update rule keeps the same entries for each of
    its parameters; a mismatch means the file was edited or mixed from two runs.
    """
    states = optimizer_state["state"]
    for group in optimizer_state["param_groups"]:
        names = {
            key: sorted(map(str, states[key]))
            for key in group["params"]
            if isinstance(states.get(key) if _is_int(key) else None, dict)
        }
        if len({tuple(keys) for keys in names.values()}) > 1:
            (first, first_keys), *_ = names.items()
            odd = next(key for key, keys in names.items() if keys != first_keys)
            raise CheckpointError(
                f"{source}: entry 'optimizer.state.{odd}' holds {names[odd]}, but "
                f"'optimizer.state.{first}' of the same parameter group holds {first_keys}"
            )


def _check_state_values(states: dict[Any, Any], params: list[Any], source: str) -> None:
    """Each state entry belongs to a parameter; numbers are finite, arrays finite and, where
    shaped like their parameter, of its dtype."""
    for key, values in states.items():
        entry = f"optimizer.state.{key}"
        if not _is_int(key) or not 0 <= key < len(params) or not isinstance(values, dict):
            raise CheckpointError(
                f"{source}: entry '{entry}' should be a dict for one of the {len(params)} "
                f"parameters, got {_shown(values)}"
            )
        param = as_array(params[key].data)
        for name, value in values.items():
            if _is_number(value):
                if not math.isfinite(value):
                    raise CheckpointError(f"{source}: entry '{entry}.{name}' is {value}")
                continue
            array = as_array(value)
            if array is None:
                continue  # options an optimizer keeps per parameter (none of glassnet's)
            same_shape = array.shape == param.shape and array.ndim > 0
            _check_array(value, f"{entry}.{name}", source, param.dtype if same_shape else None)
