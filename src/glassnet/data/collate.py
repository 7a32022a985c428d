"""`default_collate`: a list of samples -> one batch, stacked along a new first axis.

PyTorch's rules, on NumPy arrays: arrays (and glassnet Tensors) are stacked; Python
ints become int64, floats float64 and bools bool arrays; a tuple/list/dict of fields
is collated field by field, keeping its type; strings stay a list. So a batch of
`(x, y)` pairs becomes `(X, Y)` with `X.shape == (batch, *x.shape)`.

Everything stays array-based here; `DataLoader` turns the arrays into Tensors at the
very end (`to_tensors`), so the pipeline never depends on the autograd engine.
"""

from __future__ import annotations

import collections.abc
import numbers
from collections.abc import Sequence
from typing import Any

import numpy

from glassnet import dtypes
from glassnet.tensor import Tensor


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch (see the module docstring for the rules)."""
    if len(batch) == 0:
        raise ValueError("default_collate: got an empty batch")
    return _collate(list(batch), "batch")


def _collate(items: list[Any], where: str) -> Any:
    first = items[0]
    if isinstance(first, Tensor):
        items = [item.data if isinstance(item, Tensor) else item for item in items]
        first = items[0]
    if isinstance(first, numpy.ndarray):
        shapes = {item.shape for item in items if isinstance(item, numpy.ndarray)}
        if len(shapes) > 1 or len(items) != sum(isinstance(item, numpy.ndarray) for item in items):
            described = [getattr(item, "shape", type(item).__name__) for item in items]
            raise ValueError(
                f"default_collate: {where}: cannot stack samples of different shapes or types; "
                f"got {_summarise(described)}"
            )
        return numpy.stack(items)
    if isinstance(first, (bool, numpy.bool_)):
        return numpy.asarray(items, dtype=numpy.bool_)
    if isinstance(first, numpy.generic):
        return numpy.asarray(items)
    if isinstance(first, numbers.Integral):
        return numpy.asarray(items, dtype=numpy.int64)
    if isinstance(first, numbers.Real):
        return numpy.asarray(items, dtype=numpy.float64)
    if isinstance(first, (str, bytes)):
        return list(items)
    if isinstance(first, collections.abc.Mapping):
        keys = list(first)
        for position, item in enumerate(items):
            if not isinstance(item, collections.abc.Mapping) or list(item) != keys:
                raise ValueError(
                    f"default_collate: {where}: sample {position} has keys "
                    f"{list(item) if isinstance(item, collections.abc.Mapping) else type(item).__name__}"
                    f", sample 0 has {keys}"
                )
        collated = {
            key: _collate([item[key] for item in items], f"{where}[{key!r}]") for key in keys
        }
        return collated if type(first) is dict else type(first)(collated)
    if isinstance(first, (tuple, list)):
        size = len(first)
        for position, item in enumerate(items):
            if not isinstance(item, (tuple, list)) or len(item) != size:
                got = len(item) if isinstance(item, (tuple, list)) else type(item).__name__
                raise ValueError(
                    f"default_collate: {where}: sample {position} has {got} fields, "
                    f"sample 0 has {size}; every sample must have the same structure"
                )
        fields = [_collate([item[k] for item in items], f"{where}[{k}]") for k in range(size)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"default_collate: {where}: samples must be arrays, Tensors, numbers, strings, or "
        f"tuples/lists/dicts of them; got {type(first).__name__}"
    )


def _summarise(described: list[Any]) -> str:
    distinct = list(dict.fromkeys(map(str, described)))
    positions = {name: [i for i, d in enumerate(described) if str(d) == name] for name in distinct}
    return ", ".join(f"{name} at {positions[name][:5]}" for name in distinct[:4])


def to_tensors(batch: Any, where: str = "DataLoader") -> Any:
    """Wrap every NumPy array in a collated batch as a glassnet Tensor (no copy)."""
    if isinstance(batch, numpy.ndarray):
        dtypes.as_dtype(
            batch.dtype, where
        )  # rejects dtypes glassnet has no Tensor for, naming them
        return Tensor(batch)
    if isinstance(batch, numpy.generic):
        return Tensor(numpy.asarray(batch))
    if isinstance(batch, tuple):
        converted = [to_tensors(item, where) for item in batch]
        return type(batch)(*converted) if hasattr(batch, "_fields") else tuple(converted)
    if isinstance(batch, list):
        return [to_tensors(item, where) for item in batch]
    if isinstance(batch, dict):
        return {key: to_tensors(value, where) for key, value in batch.items()}
    return batch
