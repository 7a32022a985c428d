"""MNIST-1D (Greydanus 2020): 1-D signals of length 40, one of 10 digit-like templates each,
padded, translated, sheared, scaled and noised. Small enough for a CPU, hard enough that
a linear model (~32%) and an MLP (~68%) lose clearly to a CNN (~94%).

Generated here offline and deterministically with the `mnist1d` package's `make_dataset`,
never its `get_dataset` (that one downloads and caches with pickle). The package has
three traps, each handled:
  * importing it pulls in requests and matplotlib -> imported lazily, only to generate;
  * `make_dataset` reseeds the GLOBAL `random` and `np.random` -> both states are saved
    before the call and restored after it, so the caller's random streams are untouched;
  * its own cache is a pickle -> ours is an NPZ under `cache_dir()/mnist1d`, written
    atomically, named by a hash of the generator arguments and the package version.
    A cache file that fails to load or validate is regenerated with a warning.

Defaults give 5,000 samples split 80/20: 4,000 train / 1,000 test, float32 (N, 40),
standardised by the package to mean 0 and std 1 over the whole set.
"""

from __future__ import annotations

import hashlib
import json
import random
import warnings
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from glassnet.data.datasets.base import ArrayDataset
from glassnet.data.datasets.cache import cache_dir, save_npz_atomic

# mnist1d.data.get_dataset_args() of the pinned version 0.0.2.post1, minus its download url
# (a test checks this copy against the installed package).
MNIST1D_DEFAULTS: dict[str, Any] = {
    "num_samples": 5000,
    "train_split": 0.8,
    "template_len": 12,
    "padding": [36, 60],
    "scale_coeff": 0.4,
    "max_translation": 48,
    "corr_noise_scale": 0.25,
    "iid_noise_scale": 2e-2,
    "shear_scale": 0.75,
    "shuffle_seq": False,
    "final_seq_length": 40,
    "seed": 42,
}
MNIST1D_SPLITS = ("train", "test")
_KEYS = ("x", "y", "x_test", "y_test", "t")


def mnist1d_args(**overrides: Any) -> dict[str, Any]:
    """The generator arguments: the package defaults with `overrides` applied (names checked)."""
    unknown = sorted(set(overrides) - set(MNIST1D_DEFAULTS))
    if unknown:
        raise TypeError(
            f"mnist1d: unknown generator argument(s) {', '.join(unknown)}; valid: "
            f"{', '.join(MNIST1D_DEFAULTS)}"
        )
    args = {**MNIST1D_DEFAULTS, **overrides}
    args["padding"] = [int(p) for p in args["padding"]]  # JSON-stable for the cache key
    return args


def mnist1d_cache_path(args: dict[str, Any]) -> Path:
    """Cache file for these arguments and the installed package version."""
    version = metadata.version("mnist1d")
    key = hashlib.sha256(
        json.dumps({"args": args, "version": version}, sort_keys=True).encode()
    ).hexdigest()
    return cache_dir() / "mnist1d" / f"mnist1d-{version}-{key[:16]}.npz"


def _generate(args: dict[str, Any]) -> dict[str, np.ndarray]:
    """Run mnist1d's make_dataset with the global RNG states saved and restored around it."""
    from mnist1d.data import (
        make_dataset,  # lazy: pulls in requests, matplotlib and scipy
    )
    from mnist1d.utils import ObjectView

    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        made = make_dataset(ObjectView(dict(args)))
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
    return {
        "x": made["x"].astype(np.float32),
        "y": made["y"].astype(np.int64),
        "x_test": made["x_test"].astype(np.float32),
        "y_test": made["y_test"].astype(np.int64),
        "t": np.asarray(made["t"], dtype=np.float32),
    }


def _expected_sizes(args: dict[str, Any]) -> tuple[int, int]:
    total = (args["num_samples"] // 10) * 10  # make_dataset draws num_samples // 10 per class
    train = int(total * args["train_split"])
    return train, total - train


def _load_cached(path: Path, args: dict[str, Any]) -> dict[str, np.ndarray]:
    """Read and validate a cache file; raises ValueError (or an I/O error) if it is unusable."""
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in _KEYS if key not in archive.files]
        if missing:
            raise ValueError(f"missing arrays {missing}")
        arrays = {key: archive[key] for key in _KEYS}
    train, test = _expected_sizes(args)
    length = args["final_seq_length"]
    if (
        arrays["x"].shape != (train, length)
        or arrays["x_test"].shape != (test, length)
        or arrays["y"].shape != (train,)
        or arrays["y_test"].shape != (test,)
    ):
        raise ValueError(
            f"shapes {[arrays[key].shape for key in _KEYS]} do not match the arguments"
        )
    return arrays


def load_mnist1d(cache: bool = True, **overrides: Any) -> dict[str, np.ndarray]:
    """MNIST-1D arrays {"x", "y", "x_test", "y_test", "t"}: generated once, then read from the cache.

    `overrides` are mnist1d's generator arguments (see MNIST1D_DEFAULTS), e.g. num_samples=1000, seed=0.
    """
    args = mnist1d_args(**overrides)
    if not cache:
        return _generate(args)
    path = mnist1d_cache_path(args)
    if path.exists():
        try:
            return _load_cached(path, args)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            warnings.warn(
                f"mnist1d: the cache file {path} is unreadable ({error}); regenerating it",
                RuntimeWarning,
                stacklevel=2,
            )
    arrays = _generate(args)
    save_npz_atomic(path, arrays)
    return arrays


class MNIST1D(ArrayDataset):
    """One split of MNIST-1D: `data` float32 (N, 40), `targets` int64 0..9, `classes` "0".."9".

    Use `data[:, None, :]` (or a transform) for Conv1d's (N, 1, 40). `t` holds the signals'
    time axis (for plots).

    Args:
        split: "train" (4,000 by default) or "test" (1,000).
        transform, target_transform: applied by `__getitem__`.
        cache: read/write the NPZ cache (False: always generate, touch no file).
        **generator_args: mnist1d's arguments (num_samples, train_split, seed, ...).
    """

    def __init__(
        self,
        split: str = "train",
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        *,
        cache: bool = True,
        **generator_args: Any,
    ) -> None:
        if split not in MNIST1D_SPLITS:
            raise ValueError(
                f"MNIST1D: split must be one of {', '.join(map(repr, MNIST1D_SPLITS))}, got {split!r}"
            )
        arrays = load_mnist1d(cache=cache, **generator_args)
        suffix = "" if split == "train" else "_test"
        super().__init__(
            arrays["x" + suffix],
            arrays["y" + suffix],
            [str(k) for k in range(10)],
            transform,
            target_transform,
            source=f"mnist1d[{split}]",
        )
        self.split = split
        self.t = arrays["t"]
