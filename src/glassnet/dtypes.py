"""Dtypes and PyTorch's type-promotion rules.

glassnet dtypes are NumPy dtypes (`glassnet.float32 is numpy.dtype('float32')`).
Promotion follows `torch.result_type`, which differs from NumPy 2 in one way that
matters for training: a Python (or NumPy) scalar never widens a tensor of the same
category, so `float32_tensor * 0.5` stays float32, and zero-dimensional tensors
rank below tensors with dimensions.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy

DType = numpy.dtype  # the type of a glassnet dtype

float32 = numpy.dtype("float32")
float64 = numpy.dtype("float64")
int8 = numpy.dtype("int8")
int16 = numpy.dtype("int16")
int32 = numpy.dtype("int32")
int64 = numpy.dtype("int64")
uint8 = numpy.dtype("uint8")
bool_ = numpy.dtype("bool")

SUPPORTED = (float32, float64, int8, int16, int32, int64, uint8, bool_)
FLOATING = (float32, float64)

_TORCH_NAMES = {
    "torch." + name: numpy.dtype(name)
    for name in ("float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
}
_TORCH_NAMES.update(
    {
        "torch.float": float32,
        "torch.double": float64,
        "torch.long": int64,
        "torch.int": int32,
        "torch.short": int16,
    }
)

_BOOL, _INT, _FLOAT = 0, 1, 2


def get_default_dtype() -> numpy.dtype:
    """The dtype of Python floats turned into tensors (float32, as in PyTorch)."""
    return float32


def as_dtype(dtype: Any, where: str = "dtype") -> numpy.dtype:
    """Turn a glassnet/NumPy dtype, a dtype name or a torch dtype into a supported dtype."""
    if isinstance(dtype, numpy.dtype):
        result = dtype
    elif str(dtype) in _TORCH_NAMES:
        result = _TORCH_NAMES[str(dtype)]
    else:
        try:
            result = numpy.dtype(dtype)
        except TypeError:
            raise TypeError(f"{where}: {dtype!r} is not a dtype") from None
    if result not in SUPPORTED:
        names = ", ".join(str(d) for d in SUPPORTED)
        raise TypeError(f"{where}: dtype {result} is not supported (supported: {names})")
    return result


def is_floating(dtype: numpy.dtype) -> bool:
    return dtype.kind == "f"


def category(dtype: numpy.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    return _BOOL if dtype.kind == "b" else _FLOAT if dtype.kind == "f" else _INT


def scalar_dtype(value: Any) -> numpy.dtype:
    """The dtype a Python/NumPy scalar takes on its own: bool, int64 or the default float."""
    if isinstance(value, (bool, numpy.bool_)):
        return bool_
    if isinstance(value, (int, numpy.integer)):
        return int64
    if isinstance(value, (float, numpy.floating)):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar {value!r} of type {type(value).__name__}")


def _promote_group(dtypes: list[numpy.dtype]) -> numpy.dtype:
    """Promote dtypes of the highest category among them (int + float -> the float)."""
    top = max(category(d) for d in dtypes)
    return reduce(numpy.promote_types, [d for d in dtypes if category(d) == top])


def result_type(tensor1: Any, tensor2: Any) -> numpy.dtype:
    """The dtype `tensor1 op tensor2` gives (tensors or scalars): `torch.result_type`."""
    return common_dtype(tensor1, tensor2)


def common_dtype(*operands: Any) -> numpy.dtype:
    """The dtype of an elementwise op over tensors and scalars, as `torch.result_type` picks it.

    Three priority groups: tensors with dimensions, zero-dimensional tensors, scalars.
    A lower group changes the result only when its category (bool < int < float)
    is higher than every group above it.
    """
    groups: list[list[numpy.dtype]] = [[], [], []]
    for operand in operands:
        if hasattr(operand, "data") and hasattr(operand, "requires_grad"):
            groups[0 if operand.data.ndim else 1].append(operand.data.dtype)
        elif isinstance(operand, numpy.ndarray):
            groups[0 if operand.ndim else 1].append(operand.dtype)
        else:
            groups[2].append(scalar_dtype(operand))
    result: numpy.dtype | None = None
    for dtypes in groups:
        if not dtypes:
            continue
        candidate = _promote_group(dtypes)
        if result is None or category(candidate) > category(result):
            result = candidate
    if result is None:
        raise TypeError("common_dtype needs at least one operand")
    return result
