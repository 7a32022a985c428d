"""bias_variance in smoke mode: every guideline judged, the robust ones asserted with their margins."""

from __future__ import annotations

import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.topics import bias_variance as topic

PNG = b"\x89PNG\r\n\x1a\n"
ROBUST = {"bias_better_optimizer": Verdict.HOLDS, "variance_more_data": Verdict.HOLDS}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("bias_variance")


@pytest.mark.timeout(
    180
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_run_judges_every_guideline(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in notes_topic("bias_variance").claims
    ]
    judged = [c for c in result.claims if c.verdict is not Verdict.ADVICE]  # never judged
    assert all(c.verdict is not Verdict.NOT_MEASURED and c.numbers for c in judged)
    assert {c.claim.id for c in result.claims if c.robust} == set(ROBUST)
    assert all(c.margin is not None for c in result.claims if c.robust)


def test_better_optimisers_cut_the_training_error_by_twice_the_threshold(result):
    judged = result.claim("bias_better_optimizer")
    assert judged.verdict is ROBUST["bias_better_optimizer"], judged.numbers
    sgd = judged.number("train error %, SGD lr 0.01")
    for name in ("train error %, momentum 0.9, lr 0.01", "train error %, Adam lr 1e-3"):
        assert sgd - judged.number(name) >= 2 * topic.OPTIMISER_POINTS, name


def test_more_data_closes_the_gap_with_margin(result):
    judged = result.claim("variance_more_data")
    assert judged.verdict is ROBUST["variance_more_data"], judged.numbers
    sizes = topic.SETTINGS["smoke"]["sizes"]
    small = judged.number(f"gap (points) at {sizes[0]} signals")
    large = judged.number(f"gap (points) at {sizes[-1]} signals")
    assert large <= topic.GAP_RATIO / 1.5 * small  # margin: the ratio is at most a third
    assert judged.number("validation gain (points)") >= 2 * topic.MORE_DATA_VAL_POINTS


def test_learning_curve_table_and_figure(result):
    curve = result.tables[0]
    assert [row[0] for row in curve.rows] == topic.SETTINGS["smoke"]["sizes"]
    assert len(curve.columns) == 7
    assert [f.name for f in result.figures] == ["learning_curves"]
    assert result.figures[0].png.startswith(PNG)


def test_the_search_scores_only_the_default_and_the_chosen_configuration_on_test(result):
    search = next(t for t in result.tables if t.title.en.startswith("Hyper-parameter search"))
    assert len(search.rows) == topic.SETTINGS["smoke"]["search"] + 1
    scored = [row for row in search.rows if row[3] != "-"]
    assert (
        len(scored) == 2
        and scored[0][0].startswith("default")
        and any(r[0].startswith("chosen") for r in scored)
    )


def test_training_budget_is_at_least_the_minimum_steps_and_epochs():
    s = {"min_steps": 300, "epochs": 10}
    assert (
        topic.steps(100, s) == 300 and topic.steps(3000, s) == 600 and topic.steps(1501, s) == 310
    )
