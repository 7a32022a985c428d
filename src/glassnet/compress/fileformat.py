"""The compressed file: one safetensors file of bitstreams and code books, with a JSON header.

    save_compressed(result, "model.gnc.safetensors", source)   # source: the run's config etc.
    model = load("model.gnc.safetensors")                      # a normal glassnet model

Layout: safetensors (8-byte header length, JSON header, raw bytes; no pickle). Its
metadata key "glassnet.compress" holds one JSON document:

    format, version
    model        the run's config (model name and options), input_shape, classes, and
                 whether BatchNorm was folded: enough to rebuild the architecture
    standardize  the run's per-channel input mean and std (what eval applies to its data)
    recipe       what was done (the options that differ from Recipe()'s defaults)
    layers       per Linear/Conv weight: method, shape, bits, Huffman tables, stream
                 lengths and a CRC-32 of its tensors (see encode.py)
    dense        the other state-dict entries (biases...), stored as they are

Loading checks every layer: a changed byte, a truncated stream or a table that cannot
decode raises CompressedFileError naming the file and the layer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from glassnet.atomic import atomic_write_bytes
from glassnet.compress.encode import LayerStats, decode_layer, encode_layer
from glassnet.compress.fold import fold_batchnorm
from glassnet.compress.huffman import HuffmanError
from glassnet.compress.pipeline import Compressed, Recipe
from glassnet.compress.xnor import attach_xnor
from glassnet.nn.module import Module
from glassnet.train.job import make_model

FORMAT = "glassnet-compressed"
VERSION = 1
METADATA_KEY = "glassnet.compress"
# the run config's entries that build the model (make_model), name its data, and say how its outputs
# are read (the run's --loss: the output encoding); training's other options are left out
MODEL_KEYS = ("data", "model", "hidden", "activation", "init", "batchnorm", "dropout", "loss")


class CompressedFileError(ValueError):
    """A compressed file that is missing, damaged or from another model."""


def dense_size(model: Module) -> int:
    """Bytes of a float32 safetensors file of the model's parameters and buffers (the reference)."""
    state = {key: np.asarray(value.data) for key, value in model.state_dict().items()}
    state = {k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in state.items()}
    return len(safetensors.numpy.save({k: np.ascontiguousarray(v) for k, v in state.items()}))


def save_compressed(
    result: Compressed, path: str | os.PathLike[str], source: dict[str, Any]
) -> dict[str, LayerStats]:
    """Write `result` to `path` atomically; returns Han et al.'s accounting per layer.

    source: {"config": run config, "input_shape": [...], "classes": [...],
             "mean": array, "std": array} (mean/std may be None for unstandardised inputs).
    """
    tensors: dict[str, np.ndarray] = {}
    layers, stats = {}, {}
    state = {k: v.data for k, v in result.model.state_dict().items()}
    for name, entry in result.layers.items():
        weight_key = f"{name}.weight"
        more, info, stats[name] = encode_layer(
            entry, state[weight_key], result.recipe.huffman, result.recipe.index_bits, weight_key
        )
        tensors.update(more)
        layers[name] = info
    compressed_keys = {f"{name}.weight" for name in result.layers}
    dense = [key for key in state if key not in compressed_keys]
    for key in dense:
        tensors[f"dense/{key}"] = np.ascontiguousarray(state[key])
    mean, std = source.get("mean"), source.get("std")
    header = {
        "format": FORMAT,
        "version": VERSION,
        "model": {
            "config": {k: v for k, v in source["config"].items() if k in MODEL_KEYS},
            "input_shape": [int(s) for s in source["input_shape"]],
            "classes": list(source["classes"]),
            "folded": result.folded,
        },
        "standardize": None
        if mean is None
        else {
            "shape": list(np.shape(mean)),
            "mean": np.ravel(mean).tolist(),
            "std": np.ravel(std).tolist(),
        },
        "recipe": {  # what differs from Recipe()'s defaults
            k: v for k, v in vars(result.recipe).items() if v != getattr(Recipe(), k)
        },
        "layers": layers,
        "dense": dense,
    }
    blob = safetensors.numpy.save(
        {k: np.ascontiguousarray(v) for k, v in tensors.items()},
        metadata={METADATA_KEY: json.dumps(header, separators=(",", ":"))},
    )
    atomic_write_bytes(path, blob)
    return stats


def read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(header, tensors) of a compressed file; a CompressedFileError for anything else."""
    path = Path(os.fspath(path))
    if not path.is_file():
        raise CompressedFileError(f"'{path}': no such compressed file")
    try:
        with safetensors.safe_open(str(path), framework="numpy") as handle:
            metadata = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except (safetensors.SafetensorError, OSError, ValueError) as problem:
        raise CompressedFileError(
            f"'{path}' is not a readable safetensors file: {_cut_tensors(path) or problem}"
        ) from None
    if METADATA_KEY not in metadata:
        raise CompressedFileError(
            f"'{path}' is a safetensors file but not a glassnet compressed model"
        )
    try:
        header = json.loads(metadata[METADATA_KEY])
    except json.JSONDecodeError as problem:
        raise CompressedFileError(f"'{path}': its header is not valid JSON: {problem}") from None
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise CompressedFileError(
            f"'{path}': format {header.get('format')!r} version {header.get('version')!r}; "
            f"this glassnet reads {FORMAT!r} version {VERSION}"
        )
    return header, tensors


def _cut_tensors(path: Path) -> str | None:
    """For a truncated file: which layers' tensors lie past its end (None if the header is unreadable)."""
    raw = path.read_bytes()
    try:
        length = int.from_bytes(raw[:8], "little")
        entries = json.loads(raw[8 : 8 + length])
    except (ValueError, UnicodeDecodeError):
        return None
    available = len(raw) - 8 - length
    cut = sorted(
        name
        for name, entry in entries.items()
        if name != "__metadata__" and entry["data_offsets"][1] > available
    )
    if not cut:
        return None
    layers = sorted({name.removeprefix("dense/").split(".weight")[0] for name in cut})
    return (
        f"truncated: {available} bytes of tensor data where the header needs "
        f"{max(e['data_offsets'][1] for n, e in entries.items() if n != '__metadata__')}; "
        f"cut: layer(s) {', '.join(layers)} ({', '.join(cut[:4])}{', ...' if len(cut) > 4 else ''})"
    )


def build_architecture(header: dict[str, Any]) -> Module:
    """The model the header describes, in eval mode, BatchNorm folded as when it was compressed."""
    info = header["model"]
    shape = tuple(info["input_shape"])
    model = make_model(info["config"], shape, len(info["classes"])).eval()
    return fold_batchnorm(model, shape) if info["folded"] else model


def load(path: str | os.PathLike[str]) -> Module:
    """Rebuild the compressed model in `path` as a normal (dense) glassnet model, in eval mode."""
    header, tensors = read(path)
    model = build_architecture(header)
    state = {}
    for name, info in header["layers"].items():
        try:
            state[f"{name}.weight"] = decode_layer(tensors, info, f"{name}.weight")
        except (HuffmanError, ValueError, KeyError) as problem:
            raise CompressedFileError(f"'{path}': layer {name}: {problem}") from None
    for key in header["dense"]:
        if f"dense/{key}" not in tensors:
            raise CompressedFileError(f"'{path}': tensor dense/{key} is missing")
        state[key] = tensors[f"dense/{key}"]
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    got = {k: tuple(np.shape(v)) for k, v in state.items()}
    if expected != got:
        wrong = sorted(k for k in set(expected) | set(got) if expected.get(k) != got.get(k))[:3]
        raise CompressedFileError(
            f"'{path}': its tensors do not fit model {header['model']['config']['model']!r}: "
            + ", ".join(f"{k} stored {got.get(k)} vs model {expected.get(k)}" for k in wrong)
        )
    model.load_state_dict(state)
    layers = dict(model.named_modules())
    for name, info in header["layers"].items():
        if info["method"] == "xnor":
            attach_xnor(layers[name])
    return model
