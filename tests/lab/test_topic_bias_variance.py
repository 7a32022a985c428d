"""bias_variance in smoke mode (machinery, not verdicts), and its judges' helpers on made-up scores."""

from __future__ import annotations

import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.kit.fitting import Scores
from glassnet.lab.topics import bias_variance as topic
from glassnet.lab.topics.bias_variance.judge import best_lrs, by_count, lower_error

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("bias_variance")


@pytest.mark.timeout(
    300
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_run_judges_every_guideline(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in notes_topic("bias_variance").claims
    ]
    for judged in result.claims:
        if judged.verdict is Verdict.ADVICE:  # never judged
            continue
        assert judged.note is not None and judged.rule.en, judged.claim.id
        if judged.verdict is Verdict.NOT_MEASURED:  # only where the base does not over-fit
            assert "does not over-fit" in judged.note.en
        else:
            assert judged.numbers, judged.claim.id
    assert not any(c.asserted for c in result.claims)


def test_the_optimisers_are_compared_at_their_best_learning_rates(result):
    judged = result.claim("bias_better_optimizer")
    names = [key.en for key in judged.numbers]
    assert [name.split(" (best lr")[0] for name in names] == [
        f"train error %, {k}" for k in ("SGD", "momentum 0.9", "Adam")
    ]
    table = next(t for t in result.tables if t.title.en.startswith("Optimisers"))
    assert len(table.rows) == 9 and sum(row[-1] == "yes" for row in table.rows) == 3


def test_learning_curve_table_and_figure(result):
    curve = result.tables[0]
    assert [row[0] for row in curve.rows] == topic.SETTINGS["smoke"]["sizes"]
    assert len(curve.columns) == 5
    assert [f.name for f in result.figures] == ["learning_curves"]
    assert result.figures[0].png.startswith(PNG)


def test_the_search_chooses_one_configuration_per_seed(result):
    search = next(t for t in result.tables if t.title.en.startswith("Hyper-parameter search"))
    s = topic.SETTINGS["smoke"]
    assert len(search.rows) == s["seeds"] * (s["search"] + 1)
    for seed in range(s["seeds"]):
        rows = [row for row in search.rows if row[0] == seed]
        assert rows[0][1].startswith("default") and rows[0][-1] == ""
        assert sum(row[-1] == "yes" for row in rows) == 1


def test_training_budget_is_at_least_the_minimum_steps_and_epochs():
    s = {"min_steps": 300, "epochs": 10}
    assert (
        topic.steps(100, s) == 300 and topic.steps(3000, s) == 600 and topic.steps(1501, s) == 310
    )


def test_judges_helpers_compare_seed_by_seed():
    base = Scores([0.5, 0.6], [0.5, 0.5], [0.40, 0.40])
    assert lower_error(base, Scores([0.6, 0.7], [0.5, 0.5], [0.4, 0.4])) == pytest.approx(
        (10.0, True)
    )
    gain, every = lower_error(base, Scores([0.7, 0.55], [0.5, 0.5], [0.4, 0.4]))
    assert gain == pytest.approx(7.5) and not every  # one seed is worse: not a gain in every seed
    assert by_count([True, True]) is Verdict.HOLDS and by_count([False, True]) is Verdict.PARTLY
    assert by_count([False, False]) is Verdict.DOES_NOT_HOLD
    grid = {
        0.1: Scores([0.5], [0], [0]),
        0.3: Scores([0.9], [0], [0]),
        1.0: Scores([0.2], [0], [0]),
    }
    assert best_lrs({"SGD": grid}) == {"SGD": 0.3}
