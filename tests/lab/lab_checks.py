"""The check every topic's smoke test starts with: it ran, and judged every claim of its topic."""

from __future__ import annotations

import functools

from glassnet import lab
from glassnet.lab import Verdict
from glassnet.lab.notes_index import topic as index_topic


def assert_judges_every_claim(
    result: lab.Result, topic_id: str, asserted: dict[str, Verdict], with_numbers: bool = False
) -> None:
    """No error; the index's claims in order, each measured (with numbers if asked) except those
    the index leaves pending or marks advice; the asserted ones (judge(asserted=True)) exactly
    those of `asserted`, each with a stated margin."""
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [c.id for c in index_topic(topic_id).claims]
    judged = [c for c in result.claims if c.verdict not in (Verdict.NOT_JUDGED, Verdict.ADVICE)]
    assert all(
        c.verdict is not Verdict.NOT_MEASURED and (c.numbers or not with_numbers) for c in judged
    )
    assert {c.claim.id for c in result.claims if c.asserted} == set(asserted)
    assert all(c.margin is not None for c in result.claims if c.asserted)


@functools.cache
def smoke_result(topic_id: str) -> lab.Result:
    """The smoke run of `topic_id` with seed 0, run once per test session (topic and catalog tests share it)."""
    return lab.run_experiment(topic_id, "smoke", 0)
