"""Fixtures for the trainer tests: a small problem, and one BLAS thread for speed.

Tiny matrix products with several OpenBLAS threads on a loaded 2-core machine spend
milliseconds handing work between threads; one thread keeps these tests fast (the
results are the same either way).
"""

from __future__ import annotations

import pytest
from train_helpers import make_problem

from glassnet.data import DataLoader, TensorDataset


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the test extra has it; without it the tests are only slower
        yield
        return
    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture
def problem() -> dict[str, DataLoader]:
    x, y = make_problem()
    val_x, val_y = make_problem(40, seed=1)
    return {
        "train": DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=3),
        "val": DataLoader(TensorDataset(val_x, val_y), batch_size=16),
    }
