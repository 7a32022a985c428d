"""input_pipeline in smoke mode: the notes' chain passes every check (asserted); throughput is reported, never
asserted; and the per-record work functions."""

from __future__ import annotations

import os

import numpy as np
import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.topics import input_pipeline as topic
from glassnet.lab.topics.input_pipeline import work

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("input_pipeline")


@pytest.mark.timeout(
    180
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_run_judges_both_claims(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in notes_topic("input_pipeline").claims
    ]
    assert all(c.verdict is not Verdict.NOT_MEASURED and c.numbers for c in result.claims)
    assert {c.claim.id for c in result.claims if c.asserted} == {"pipeline_steps"}
    assert not result.claim("parallel_workers").asserted  # a timing claim: reported, never asserted


def test_the_notes_chain_passes_every_exact_check(result):
    judged = result.claim("pipeline_steps")
    assert judged.verdict is Verdict.HOLDS, judged.numbers
    assert judged.margin is not None
    assert (
        judged.number("checks passed") == judged.number("checks") == 6
        and judged.number("failed") == "-"
    )
    checks = result.tables[0]
    assert all(passed is True for _, passed in checks.rows)


def test_throughput_table_covers_every_configuration(result):
    table = next(t for t in result.tables if t.title.en.startswith("Throughput"))
    workers = topic.SETTINGS["smoke"]["workers"]
    per_kind = 1 + 2 * (len(workers) - 1)  # serial, then threads and processes per worker count
    assert len(table.rows) == len(topic.KINDS) * per_kind
    assert all(row[3] > 0 for row in table.rows)  # records per second measured (not compared)
    assert [f.name for f in result.figures] == ["throughput"] and result.figures[0].png.startswith(
        PNG
    )


def test_read_record_round_trips_a_signal(tmp_path):
    signal = np.linspace(-1, 1, 40, dtype=np.float32)
    path = tmp_path / work.record_name(42, 7)
    np.save(path, signal, allow_pickle=False)
    assert path.name == "00042_7.npy"
    read, label, index = work.read_record(os.fspath(path))
    assert np.array_equal(read, signal) and (label, index) == (7, 42)
    standardised, _, _ = work.standardise_record((read, label, index))
    assert abs(float(standardised.mean())) < 1e-6 and abs(float(standardised.std()) - 1) < 1e-4
    for kind in topic.KINDS.values():  # the work changes nothing but the time it takes
        out, out_label, out_index = kind(os.fspath(path))
        assert np.array_equal(out, signal) and (out_label, out_index) == (7, 42)


@pytest.mark.timeout(60)
def test_notes_pipeline_batches_files_in_a_seeded_order(tmp_path):
    _, _, y = topic.write_files(os.fspath(tmp_path), 70, seed=0)
    pipeline = topic.notes_pipeline(os.fspath(tmp_path / "*.npy"), seed=5)
    order, batches = topic.epoch_indices(pipeline, 3)
    assert sorted(order) == list(range(70)) and [len(b[0]) for b in batches] == [32, 32, 6]
    assert (
        topic.epoch_indices(topic.notes_pipeline(os.fspath(tmp_path / "*.npy"), seed=5), 3)[0]
        == order
    )
    assert np.array_equal(np.concatenate([labels for _, labels, _ in batches]), y[order])
