"""Making tensors: `tensor`, `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`, `*_like`.

Dtype rules are PyTorch's: Python floats give float32, Python ints int64, NumPy
arrays keep their dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

from glassnet import dtypes
from glassnet.backend import xp
from glassnet.tensor import Tensor, to_array


def _size(size: tuple[Any, ...], where: str) -> tuple[int, ...]:
    """Accept f(2, 3) and f((2, 3)) as PyTorch does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for item in size:
        if not isinstance(item, (int, numpy.integer)) or item < 0:
            raise ValueError(f"{where}: size must be non-negative integers, got {size}")
    return tuple(int(item) for item in size)


def _dtype(dtype: Any, default: numpy.dtype, where: str) -> numpy.dtype:
    return default if dtype is None else dtypes.as_dtype(dtype, where)


def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (list, scalar, NumPy array or Tensor)."""
    array = to_array(data, dtype, "tensor")
    return Tensor(xp.array(array, copy=True, order="C"), requires_grad=requires_grad)


def as_tensor(data: Any, *, dtype: Any = None) -> Tensor:
    """Like `tensor`, but shares memory with a NumPy array or Tensor when it can."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return data
    return Tensor(to_array(data, dtype, "as_tensor"))


def from_numpy(ndarray: numpy.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, numpy.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    return Tensor(to_array(ndarray, None, "from_numpy"))


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with any object of the DLPack protocol (a torch tensor, a
    NumPy array, a glassnet Tensor), as `torch.from_dlpack`. CPU memory only (NumPy reads it)."""
    if not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(
            f"from_dlpack: expected an object with __dlpack__ (a torch tensor, a NumPy array), "
            f"got {type(ext_tensor).__name__}"
        )
    return Tensor(to_array(numpy.from_dlpack(ext_tensor), None, "from_dlpack"))


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = _size(size, "zeros")
    return Tensor(
        xp.zeros(shape, _dtype(dtype, dtypes.float32, "zeros")), requires_grad=requires_grad
    )


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = _size(size, "ones")
    return Tensor(
        xp.ones(shape, _dtype(dtype, dtypes.float32, "ones")), requires_grad=requires_grad
    )


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = _size(size, "empty")
    return Tensor(
        xp.empty(shape, _dtype(dtype, dtypes.float32, "empty")), requires_grad=requires_grad
    )


def full(
    size: Sequence[int], fill_value: Any, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of `size` filled with `fill_value`; the dtype follows the value when not given."""
    shape = _size((size,), "full")
    wanted = _dtype(dtype, dtypes.scalar_dtype(fill_value), "full")
    return Tensor(xp.full(shape, fill_value, wanted), requires_grad=requires_grad)


def arange(
    start: float = 0,
    end: float | None = None,
    step: float = 1,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from `start` to `end` (exclusive); int64 when all arguments are ints."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    all_int = all(isinstance(v, (int, numpy.integer)) for v in (start, end, step))
    wanted = _dtype(dtype, dtypes.int64 if all_int else dtypes.float32, "arange")
    return Tensor(xp.arange(start, end, step).astype(wanted), requires_grad=requires_grad)


def linspace(
    start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    wanted = _dtype(dtype, dtypes.float32, "linspace")
    return Tensor(xp.linspace(start, end, steps).astype(wanted), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    wanted = _dtype(dtype, dtypes.float32, "eye")
    return Tensor(xp.eye(n, m, dtype=wanted), requires_grad=requires_grad)


def zeros_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return empty(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def full_like(
    input: Tensor, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)
