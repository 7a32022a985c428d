"""Argument handling shared by the layer constructors: sizes, dtypes and loud checks.

`ntuple` is PyTorch's `_single` / `_pair` (an int is repeated, a sequence is kept as a
tuple). The checks raise ValueError naming the layer, the argument and its value when
the layer is built, so a bad layer fails where it is written, not at its first forward.
`describe(module)` is the "Conv2d(3, 16, kernel_size=(3, 3), ...)" text that forward
errors start with, so a shape error in a deep model says which layer refused.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy

from glassnet import dtypes

if TYPE_CHECKING:
    from glassnet.nn.module import Module


def factory_dtype(where: str, device: Any, dtype: Any) -> numpy.dtype:
    """The dtype for a layer's new parameters (float32 by default); only the CPU exists."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(
            f"{where}: device {str(device)!r} is not available; glassnet runs on the CPU (NumPy)"
        )
    if dtype is None:
        return dtypes.get_default_dtype()
    result = dtypes.as_dtype(dtype, where)
    if result.kind != "f":
        raise TypeError(f"{where}: parameters must have a floating point dtype, got dtype={result}")
    return result


def is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_int(where: str, name: str, value: Any, minimum: int) -> int:
    """`value` as an int, or a ValueError naming the argument when it is not an int >= minimum."""
    if not is_int(value) or value < minimum:
        wanted = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{where}: {name} must be {wanted}, got {name}={value!r}")
    return int(value)


def check_number(where: str, name: str, value: Any, minimum: float | None = None) -> float:
    """A real number (not a bool), at least `minimum` when given."""
    if (
        not isinstance(value, Real)
        or isinstance(value, bool)
        or (minimum is not None and value < minimum)
    ):
        wanted = "a number" if minimum is None else f"a number >= {minimum}"
        raise ValueError(f"{where}: {name} must be {wanted}, got {name}={value!r}")
    return float(value)


def check_sizes(where: str, name: str, value: Any, count: int, minimum: int) -> None:
    """An int or a sequence of `count` ints, each >= minimum (kernel sizes, strides, paddings)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) not in (1, count) or not all(is_int(v) and v >= minimum for v in values):
        kind = "positive ints" if minimum == 1 else f"ints >= {minimum}"
        shape = "an int" if count == 1 else f"an int or a tuple of {count} ints"
        raise ValueError(f"{where}: {name} must be {shape} ({kind}), got {name}={value!r}")


def ntuple(value: Any, count: int) -> tuple[Any, ...]:
    """PyTorch's _single/_pair: a sequence as a tuple, anything else repeated `count` times."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * count


def check_choice(where: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(
            f"{where}: {name}={value!r} is not valid; expected one of "
            + ", ".join(repr(choice) for choice in choices)
        )
    return value


def describe(module: Module) -> str:
    """The module's one-line repr, e.g. "Linear(in_features=4, out_features=2, bias=True)"."""
    return f"{module._get_name()}({module.extra_repr()})"


def shape_of(value: Any) -> Any:
    return tuple(value.shape) if hasattr(value, "shape") else type(value).__name__
