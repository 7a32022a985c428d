"""Shared fixtures and the hypothesis profiles (CI: no deadline, bounded, derandomised)."""

from __future__ import annotations

import os

import numpy
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=15,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=40)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def rng() -> numpy.random.Generator:
    """A seeded NumPy generator, fresh for each test."""
    return numpy.random.default_rng(1234)
