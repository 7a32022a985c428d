"""What the lab's experiments need to know about the machine they run on.

The runner already runs each experiment on one BLAS thread; `one_blas_thread` lets a
topic's helpers do the same when an experiment function is called directly.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator

from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS on one thread.

    The lab's models multiply matrices of a few hundred rows: a second BLAS thread buys
    nothing, and on a busy 2-core machine its spin-waiting made the same small-MLP
    training run take 0.6 s or 26 s of CPU time (measured here at load average ~8-10).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def load_average() -> float:
    """The 1-minute load average (other processes share the cores), nan where unknown."""
    try:
        return float(os.getloadavg()[0])
    except (OSError, AttributeError):
        return math.nan
