"""The fault suite's fixtures: the fork server started once, before any snapshot of processes."""

from __future__ import annotations

import numpy
import pytest

from glassnet.data import Pipeline


@pytest.fixture(scope="module")
def fork_server():
    """Start the fork server (and its resource tracker): they live as long as the interpreter.

    The function is a builtin: one defined in a conftest would be looked up by workers in
    whichever `conftest` module they import first.
    """
    pipeline = Pipeline.from_arrays(numpy.arange(2)).map(int, workers=1, backend="process")
    assert list(pipeline) == [0, 1]
