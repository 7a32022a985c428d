"""Random tensors from one generator: `manual_seed(s)` makes every draw reproducible.

The stream is NumPy's PCG64, not PyTorch's Mersenne Twister, so the same seed gives
different numbers than torch; tests compare distributions, never draws.
"""

from __future__ import annotations

from typing import Any

import numpy

from glassnet import dtypes
from glassnet.creation import _dtype, _size
from glassnet.tensor import Tensor

_generator = numpy.random.default_rng(0)


def manual_seed(seed: int) -> numpy.random.Generator:
    """Reset glassnet's generator; returns it (PyTorch returns its generator too)."""
    global _generator
    _generator = numpy.random.default_rng(int(seed))
    return _generator


def default_generator() -> numpy.random.Generator:
    """The generator every random op draws from (dropout, init, shuffling)."""
    return _generator


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    wanted = _dtype(dtype, dtypes.float32, "rand")
    return Tensor(_generator.random(_size(size, "rand"), dtype=wanted), requires_grad=requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    wanted = _dtype(dtype, dtypes.float32, "randn")
    return Tensor(
        _generator.standard_normal(_size(size, "randn"), dtype=wanted), requires_grad=requires_grad
    )


def randint(
    low: int = 0,
    high: int | None = None,
    size: tuple[int, ...] = (),
    *,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform on [low, high); `randint(high, size)` as in PyTorch."""
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, tuple(high)
    if high is None:
        low, high = 0, low
    wanted = _dtype(dtype, dtypes.int64, "randint")
    return Tensor(
        _generator.integers(low, high, size=_size((size,), "randint")).astype(wanted), requires_grad
    )


def randperm(n: int, *, dtype: Any = dtypes.int64, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    return Tensor(
        _generator.permutation(n).astype(_dtype(dtype, dtypes.int64, "randperm")), requires_grad
    )


def rand_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int, high: int | None = None, *, dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)
