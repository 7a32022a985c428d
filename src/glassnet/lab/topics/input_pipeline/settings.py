"""input_pipeline's settings and thresholds, all fixed before the first run."""

from __future__ import annotations

from glassnet.lab.topics.input_pipeline import work

SETTINGS = {
    "smoke": {"files": 120, "records": 60, "workers": [0, 2], "repeats": 1, "process_check": False},
    "quick": {
        "files": 400,
        "records": 300,
        "workers": [0, 2, 4],
        "repeats": 3,
        "process_check": True,
    },
    "full": {
        "files": 1000,
        "records": 600,
        "workers": [0, 1, 2, 4, 8],
        "repeats": 5,
        "process_check": True,
    },
}
BATCH, PREFETCH, STEP_S = 32, 2, 0.003
STAGE_REPEATS = 3  # each prefix of the chain timed this often, the best kept
THROUGHPUT_BATCH = 50
KINDS = {  # the per-record work, by how it treats the GIL (labels: notes/input_pipeline.toml)
    "io": work.read_and_wait,
    "numpy": work.read_and_sort,
    "python": work.read_and_python,
}
IO_SPEEDUP, NUMPY_SPEEDUP, PYTHON_THREAD_MAX, PROCESS_OVER_THREAD = 1.5, 1.3, 1.15, 1.3
