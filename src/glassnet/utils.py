"""Process-wide settings that an entry point may opt into; importing glassnet sets none of them.

`tune_malloc()` keeps freed array memory in the process. A training step allocates and
frees the same few hundred MB every step (activations, im2col columns, gradients). With
glibc's defaults, blocks above the dynamic mmap threshold (128 KiB, growing to the size
of the largest freed block) come from fresh `mmap`s, and free memory at the top of the
heap above the trim threshold goes back to the kernel, so every step page-faults its
memory in again (and NumPy asks for huge pages on large arrays, so each fault also
zeroes 2 MiB). With the mmap threshold at 32 MiB (glibc's maximum) and the trim
threshold at 1 GiB a ResNet-20 step stops faulting (numbers in bench/RESULTS.md).

The cost: up to 1 GiB of freed memory stays mapped to the process between steps (as
PyTorch's caching allocators do), and the setting holds for the whole process, which is
why only entry points apply it: the `glassnet` command, the bench scripts and `Trainer`.
`GLASSNET_MALLOC_TUNING=0` in the environment turns it off. Only glibc has `mallopt`;
elsewhere (musl, macOS, Windows) nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: the largest glibc accepts
TRIM_THRESHOLD = 1 << 30
MALLOC_TUNING_ENV = "GLASSNET_MALLOC_TUNING"
_OFF = ("0", "false", "no", "off")

_applied = False  # whether the thresholds were set in this process


def malloc_tuned() -> bool:
    """Whether `tune_malloc` has set glibc's thresholds in this process."""
    return _applied


def tune_malloc() -> bool:
    """Raise glibc's mmap and trim thresholds for this process (once); True if they are in effect.

    Does nothing, and returns False, when GLASSNET_MALLOC_TUNING is 0/false/no/off or the C
    library is not glibc.
    """
    global _applied
    if _applied:
        return True
    if os.environ.get(MALLOC_TUNING_ENV, "1").strip().lower() in _OFF:
        return False
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    _applied = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _applied


__all__ = ["malloc_tuned", "tune_malloc"]
