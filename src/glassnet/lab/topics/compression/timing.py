"""The compression topic: one CPU clock for layers and functions.

CPU time (time.process_time) under one BLAS thread, the median of `repeats` calls after a
warm-up call: other work on the machine distorts wall time far more than CPU time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from glassnet.grad_mode import no_grad


def cpu_ms(function: Callable[[], object], repeats: int) -> float:
    """Median CPU milliseconds of one call of `function` (one BLAS thread, no autograd)."""
    samples = []
    with threadpool_limits(1), no_grad():
        function()
        for _ in range(repeats):
            started = time.process_time()
            function()
            samples.append(time.process_time() - started)
    return 1000 * float(np.median(samples))
