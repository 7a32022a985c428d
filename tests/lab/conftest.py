"""Fixtures of the lab tests: one smoke report per language, and fake experiments in the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from glassnet import lab
from glassnet.lab import jobs, registry


@pytest.fixture(scope="session")
def smoke_report(tmp_path_factory: pytest.TempPathFactory) -> lab.Report:
    """conv_arithmetic in smoke mode, English, written once for the whole session."""
    return lab.run(
        ["conv_arithmetic"],
        mode="smoke",
        seed=0,
        out=tmp_path_factory.mktemp("lab") / "report",
        progress=False,
    )


@pytest.fixture(scope="session")
def smoke_report_zh(tmp_path_factory: pytest.TempPathFactory) -> lab.Report:
    return lab.run(
        ["conv_arithmetic"],
        mode="smoke",
        seed=0,
        lang="zh",
        out=tmp_path_factory.mktemp("lab") / "report",
        progress=False,
    )


@pytest.fixture
def fake_experiment(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable], None]:
    """Register `function(mode, seed)` as the experiment of an index topic for one test only.

    A spawned worker process would not see it, so the CLI's default is one job meanwhile.
    """

    def install(topic_id: str, function: Callable) -> None:
        monkeypatch.setattr(jobs, "default_jobs", lambda: 1)
        monkeypatch.setitem(
            registry._discover(), topic_id, registry.Experiment(topic_id, function, "tests.fake")
        )

    return install


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
