"""The per-record work of the `input_pipeline` topic, at module level so that process workers can import it.

Each function reads one record file (a `.npy` signal named `INDEX_LABEL.npy`) and then does
one kind of preprocessing, chosen for how it treats Python's GIL:

    read_and_wait     waits LATENCY_S as a slow disk or network would: the GIL is released
    read_and_sort     NumPy sorts an 800,000-value array: the sort loop releases the GIL
    read_and_python   a pure-Python loop: the GIL is held throughout

Kept free of glassnet imports beyond NumPy so that a worker process starts quickly.
"""

from __future__ import annotations

import os
import time

import numpy as np

LATENCY_S = 0.002
SORT_REPEAT = (
    20_000  # the 40-sample signal tiled to 800,000 values (~1.5 ms to sort, one core, idle)
)
PYTHON_STEPS = 15_000


Record = tuple[np.ndarray, int, int]  # (signal, label, file index)


def record_name(index: int, label: int) -> str:
    """The file name of record `index`: its index and its label, e.g. 00042_7.npy."""
    return f"{index:05d}_{label}.npy"


def read_record(path: str) -> Record:
    """The 'read' stage: the signal from its .npy file (no pickle), the label and index from its name."""
    signal = np.load(path, allow_pickle=False)
    index, label = os.path.basename(path).split(".")[0].split("_")
    return signal, int(label), int(index)


def standardise_record(record: Record) -> Record:
    """The 'preprocess' stage: each signal to zero mean and unit standard deviation."""
    signal, label, index = record
    return ((signal - signal.mean()) / (signal.std() + 1e-6)).astype(np.float32), label, index


def read_and_wait(path: str) -> Record:
    record = read_record(path)
    time.sleep(LATENCY_S)
    return record


def read_and_sort(path: str) -> Record:
    signal, label, index = read_record(path)
    ranked = np.sort(np.tile(signal, SORT_REPEAT))
    return signal + np.float32(0 * ranked[len(ranked) // 2]), label, index


def read_and_python(path: str) -> Record:
    signal, label, index = read_record(path)
    total = 0.0
    for step in range(PYTHON_STEPS):  # deliberately interpreted: the GIL is held all along
        total += step * 1e-9
    return signal + np.float32(0 * total), label, index
