"""The on-disk cache for generated datasets: where it lives and how a file gets there safely.

Location: `$GLASSNET_CACHE` if set, else the user cache directory
(`platformdirs.user_cache_dir("glassnet")`, e.g. ~/.cache/glassnet on Linux).

Writes are atomic (`glassnet.atomic`): the arrays go to a temporary file in the same
folder, which is flushed and fsync'ed, then renamed over the target with `os.replace`,
and the folder is fsync'ed so the rename itself survives a crash. A reader therefore
sees either the old file or the complete new one, never a half-written one.
Files are NPZ written without pickle and read back with `allow_pickle=False`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from glassnet.atomic import atomic_write

CACHE_ENV = "GLASSNET_CACHE"


def cache_dir() -> Path:
    """glassnet's cache folder (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only needed when there is no override

    return Path(platformdirs.user_cache_dir("glassnet"))


def save_npz_atomic(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> Path:
    """Write `arrays` to `path` (.npz, creating its folder) atomically; returns the path."""
    path = Path(path)
    for key, value in arrays.items():
        if np.asarray(value).dtype == object:
            raise ValueError(
                f"save_npz_atomic: array {key!r} has dtype object, which NPZ can store only by "
                "pickling; glassnet never pickles"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as handle:
        np.savez(handle, **arrays)
    return path
