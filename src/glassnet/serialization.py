"""`save(obj, f)` / `load(f)`: state dicts and checkpoints as one safetensors file, never pickle.

A file is a plain safetensors file (https://github.com/huggingface/safetensors): an
8-byte little-endian header length, a JSON header, then raw tensor bytes. Loading
one cannot run code, unlike `torch.save`'s pickles.

- **Arrays** (glassnet Tensors, NumPy arrays, torch tensors) are stored as safetensors
  tensors, named by their path in `obj`: the keys of nested dicts and the indices of
  lists/tuples joined by "/" ("model/0.weight", "optimizer/state/0/momentum_buffer").
  A flat state dict therefore keeps its keys exactly, so a file saved from a glassnet
  `state_dict()` loads with `safetensors.torch.load_file` straight into
  `torch_module.load_state_dict(...)`, and a file from `safetensors.torch.save_file`
  loads here. (When two paths would give the same name, e.g. keys 1 and "1", the
  later one gets "#2" appended; the structure below records the exact name.)
- **Everything else** goes into the header's metadata (a str -> str map) under the key
  "glassnet", as one JSON document `{"format": "glassnet", "version": 1,
  "structure": ...}`. JSON is extended with single-key objects so that nothing changes
  type on the way back:

      {"dict": [[key, value], ...]}     any dict; keys (str or int) keep their type
      {"tuple": [...]}                  a tuple (a JSON array is a list)
      {"tensor": name}                  a glassnet Tensor (+ "requires_grad": true)
      {"ndarray": name}                 a NumPy array
      {"numpy": "float32", "value": v}  a NumPy scalar, with its dtype
      {"float": "nan" | "inf" | "-inf"} a non-finite float (JSON has none)

  Python ints are unbounded in JSON, so NumPy's 128-bit PCG64 state survives exactly.

Writes are atomic (`glassnet.atomic`): a crash mid-write leaves the previous file.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy
import safetensors
import safetensors.numpy

from glassnet.atomic import atomic_path
from glassnet.backend import to_numpy
from glassnet.safetensors_file import MAX_JSON_DEPTH, check_file, json_depth, parse_json, read_file
from glassnet.tensor import Tensor

FORMAT = "glassnet"
VERSION = 1
METADATA_KEY = "glassnet"
__all__ = ["FORMAT", "MAX_JSON_DEPTH", "METADATA_KEY", "VERSION", "json_depth", "load", "save"]
_STORABLE_KINDS = "biuf"  # bool, signed, unsigned, float: what safetensors can hold


# -- save ------------------------------------------------------------------------------
class _Encoder:
    """Walks `obj` once, collecting arrays under path names and the JSON for the rest."""

    def __init__(self) -> None:
        self.tensors: dict[str, numpy.ndarray] = {}
        self._open: set[int] = set()  # containers on the current path, to catch cycles

    def name(self, path: str) -> str:
        name, count = path, 1
        while name in self.tensors:
            count += 1
            name = f"{path}#{count}"
        return name

    def store(self, array: Any, path: str, where: str) -> str:
        array = to_numpy(array)
        if array.dtype.kind not in _STORABLE_KINDS or array.dtype.itemsize > 8:
            raise TypeError(
                f"save: cannot store {where}: dtype {array.dtype} (safetensors holds bool, "
                "int8..int64, uint8..uint64 and float16..float64)"
            )
        if not array.flags.c_contiguous:  # safetensors writes the raw buffer as is
            array = array.copy(order="C")
        name = self.name(path if path else "tensor")
        self.tensors[name] = array
        return name

    def encode(self, value: Any, path: str) -> Any:
        where = f"'{path}'" if path else "the object"
        if isinstance(value, numpy.str_):
            return str(value)
        if isinstance(value, numpy.generic):  # before float: numpy.float64 subclasses float
            return self.encode_numpy_scalar(value, where)
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)  # int subclasses (IntEnum) become plain ints
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"float": _nonfinite(value)}
        if isinstance(value, Tensor):
            entry: dict[str, Any] = {"tensor": self.store(value.data, path, where)}
            if value.requires_grad:
                entry["requires_grad"] = True
            return entry
        if isinstance(value, numpy.ndarray):
            return {"ndarray": self.store(value, path, where)}
        if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
            return {"tensor": self.store(value.detach().cpu().numpy(), path, where)}
        if isinstance(value, (dict, list, tuple)):
            return self.encode_container(value, path, where)
        if callable(getattr(value, "state_dict", None)):
            raise TypeError(
                f"save: {where} is a {type(value).__name__}; storing it whole would need pickle. "
                "Save its .state_dict() instead"
            )
        raise TypeError(
            f"save: cannot store {where} of type {type(value).__name__}; a glassnet file holds "
            "tensors, arrays, numbers, strings, None, and dicts/lists/tuples of them"
        )

    def encode_numpy_scalar(self, value: numpy.generic, where: str) -> dict[str, Any]:
        if value.dtype.kind not in _STORABLE_KINDS or value.dtype.itemsize > 8:
            raise TypeError(f"save: cannot store {where}: NumPy scalar of dtype {value.dtype}")
        python_value = value.item()  # exact: float16/32 widen to float64 without rounding
        if isinstance(python_value, float) and not math.isfinite(python_value):
            python_value = {"float": _nonfinite(python_value)}
        return {"numpy": value.dtype.name, "value": python_value}

    def encode_container(self, value: dict | list | tuple, path: str, where: str) -> Any:
        if id(value) in self._open:
            raise ValueError(f"save: {where} contains itself; a file cannot hold a cycle")
        self._open.add(id(value))
        prefix = f"{path}/" if path else ""
        if isinstance(value, dict):
            pairs = []
            for key, item in value.items():
                if isinstance(key, numpy.integer) or (
                    isinstance(key, int) and not isinstance(key, bool)
                ):
                    key = int(key)  # numpy ints and IntEnums are stored as plain ints
                if not isinstance(key, (str, int)):
                    raise TypeError(
                        f"save: {where} has a key {key!r} of type {type(key).__name__}; "
                        "dict keys must be str or int"
                    )
                pairs.append([key, self.encode(item, f"{prefix}{key}")])
            result: Any = {"dict": pairs}
        else:
            items = [self.encode(item, f"{prefix}{index}") for index, item in enumerate(value)]
            result = {"tuple": items} if isinstance(value, tuple) else items
        self._open.discard(id(value))
        return result


def _nonfinite(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def save(obj: Any, f: str | os.PathLike[str]) -> None:
    """Write `obj` (a state dict, or a checkpoint of nested dicts/lists/tuples holding
    tensors, arrays, numbers, strings and None) to the safetensors file `f`, atomically.

    Tensor names are the paths in `obj` joined by "/" (see the module docstring).
    """
    encoder = _Encoder()
    structure = encoder.encode(obj, "")
    document = json.dumps(
        {"format": FORMAT, "version": VERSION, "structure": structure},
        allow_nan=False,
        separators=(",", ":"),
    )
    with atomic_path(f, "save") as temporary:
        safetensors.numpy.save_file(encoder.tensors, temporary, metadata={METADATA_KEY: document})


# -- load ------------------------------------------------------------------------------
class _Decoder:
    """Rebuilds the object from the JSON structure, taking each array out of `tensors`."""

    def __init__(self, path: Path, tensors: dict[str, numpy.ndarray], as_numpy: bool) -> None:
        self.path, self.tensors, self.as_numpy = path, tensors, as_numpy
        self.used: set[str] = set()

    def damaged(self, why: str) -> ValueError:
        return ValueError(f"load: '{self.path}' has a damaged glassnet structure: {why}")

    def array(self, name: Any) -> numpy.ndarray:
        if not isinstance(name, str) or name not in self.tensors:
            raise self.damaged(f"it refers to tensor {name!r}, which the file does not hold")
        self.used.add(name)
        return self.tensors[name]

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict):
            raise self.damaged(f"unexpected JSON value {node!r}")
        if "dict" in node and len(node) == 1:
            pairs = node["dict"]
            well_formed = isinstance(pairs, list) and all(
                isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
                for pair in pairs
            )
            if not well_formed:
                raise self.damaged(
                    "a dict is not a list of [key, value] pairs with str or int keys"
                )
            return {key: self.decode(value) for key, value in pairs}
        if "tuple" in node and len(node) == 1 and isinstance(node["tuple"], list):
            return tuple(self.decode(item) for item in node["tuple"])
        if "tensor" in node and set(node) <= {"tensor", "requires_grad"}:
            array = self.array(node["tensor"])
            return (
                array
                if self.as_numpy
                else Tensor(array, requires_grad=bool(node.get("requires_grad")))
            )
        if "ndarray" in node and len(node) == 1:
            return self.array(node["ndarray"])
        if "float" in node and len(node) == 1 and node["float"] in ("nan", "inf", "-inf"):
            return float(node["float"])
        if set(node) == {"numpy", "value"}:
            value = self.decode(node["value"])
            try:
                return numpy.dtype(node["numpy"]).type(value)
            except (TypeError, ValueError, OverflowError) as error:
                raise self.damaged(f"bad NumPy scalar {node!r}: {error}") from None
        raise self.damaged(f"unknown entry {json.dumps(node)[:200]}")


def load(
    f: str | os.PathLike[str],
    map_location: str | None = None,
    *,
    weights_only: bool | None = None,
    as_numpy: bool = False,
) -> Any:
    """Read a file written by `save` (or any safetensors file) back into Python objects.

    Tensors come back as glassnet Tensors and NumPy arrays as NumPy arrays, as saved;
    `as_numpy=True` returns every array as a NumPy array. A safetensors file from
    another tool (e.g. `safetensors.torch.save_file(model.state_dict(), f)`) loads as a
    dict {name: Tensor}. `map_location` ("cpu") and `weights_only` exist so that
    `torch.load` calls port unchanged: a glassnet file holds only data, so loading it is
    always as safe as torch's `weights_only=True`.
    """
    if map_location not in (None, "cpu"):
        raise ValueError(
            f"load: map_location={map_location!r} is not supported; glassnet loads onto the CPU "
            "(use None or 'cpu')"
        )
    path = Path(os.fspath(f))
    if not path.exists():
        raise FileNotFoundError(f"load: no such file '{path}'")
    if path.is_dir():
        raise IsADirectoryError(f"load: '{path}' is a folder, not a safetensors file")
    check_file(path)
    tensors, metadata = read_file(path)
    if METADATA_KEY not in metadata:  # a safetensors file written by another tool
        return {name: (array if as_numpy else Tensor(array)) for name, array in tensors.items()}
    document = parse_json(metadata[METADATA_KEY], path, f"the '{METADATA_KEY}' metadata")
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or "structure" not in document
    ):
        raise ValueError(
            f"load: '{path}': the '{METADATA_KEY}' metadata is not a glassnet structure"
        )
    version = document.get("version")
    if version != VERSION:
        raise ValueError(
            f"load: '{path}' uses glassnet file format version {version!r}; this glassnet reads "
            f"version {VERSION}"
        )
    decoder = _Decoder(path, tensors, as_numpy)
    result = decoder.decode(document["structure"])
    extra = sorted(set(tensors) - decoder.used)
    if extra:
        raise decoder.damaged(f"tensors {extra[:5]} are in the file but not in its structure")
    return result
