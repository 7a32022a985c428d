"""The array backend: every array operation in glassnet goes through a namespace `xp`.

On the CPU `xp` is NumPy. A GPU backend (CuPy, which mirrors NumPy's API) slots in
here later without touching the ops: an op asks `namespace(array)` which module
owns its arrays and calls that module only.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy

Array = Any  # numpy.ndarray today; cupy.ndarray once the GPU backend lands

xp: ModuleType = numpy  # the default namespace, used when no array says otherwise


def namespace(*arrays: Any) -> ModuleType:
    """Return the array module (numpy or cupy) that owns the given arrays."""
    for array in arrays:
        module = type(array).__module__
        if module.startswith("cupy"):
            import cupy  # only reached when the caller already holds CuPy arrays

            return cupy
    return numpy


def to_numpy(array: Array) -> numpy.ndarray:
    """Copy an array of any backend to host memory as a NumPy array."""
    if isinstance(array, numpy.ndarray):
        return array
    get = getattr(array, "get", None)
    return get() if get is not None else numpy.asarray(array)
