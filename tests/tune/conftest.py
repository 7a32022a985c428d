"""Fixtures for the tuner tests: one BLAS thread, quiet Optuna, a throw-away PostgreSQL cluster.

Without PostgreSQL's binaries the cluster's tests are skipped on a developer's machine,
and FAIL in CI (CI set): `.ci/run` installs them (apt-get install postgresql).
"""

from __future__ import annotations

import os

import optuna
import pytest
from pg_cluster import postgres_bindir, throwaway_cluster
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture(autouse=True, scope="module")
def quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield


@pytest.fixture(scope="module")
def postgres_url():
    """A postgresql:// URL of a fresh, empty cluster, stopped and removed afterwards."""
    bindir = postgres_bindir()
    if bindir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run the PostgreSQL fault test")
        pytest.skip(message)
    with throwaway_cluster(bindir) as url:
        yield url
