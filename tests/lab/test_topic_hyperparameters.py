"""hyperparameters in smoke mode, and its judges on made-up measurements (their rules both ways).

Smoke mode trains for two epochs on digits with a handful of trials: its verdicts are
provisional and not asserted; the judges are checked on constructed numbers instead.
"""

from __future__ import annotations

import pytest
from lab_checks import assert_judges_every_claim, smoke_result

from glassnet.lab import Result, Verdict
from glassnet.lab.topics.hyperparameters import judge
from glassnet.lab.topics.hyperparameters.figures import ranking
from glassnet.lab.topics.hyperparameters.measure import Measured, grid
from glassnet.lab.topics.hyperparameters.settings import ITEMS, PARAMS


@pytest.fixture(scope="module")
def result():
    return smoke_result("hyperparameters")


def test_smoke_run_judges_every_claim(result):
    assert_judges_every_claim(result, "hyperparameters", asserted={}, with_numbers=True)
    assert [figure.name for figure in result.figures] == ["importances", "sensitivity"]
    importance = result.tables[0]
    assert sorted(row[1] for row in importance.rows) == sorted(PARAMS)
    assert [row[0] for row in importance.rows] == list(range(1, len(PARAMS) + 1))


def test_every_item_maps_to_a_tuner_parameter_and_its_range():
    assert set(ITEMS.values()) == set(PARAMS) and len(ITEMS) == 11  # 12 items less "by_mechanism"
    assert grid("lr", "quick") == pytest.approx([1e-4, (1e-4 * 0.3) ** 0.5, 0.3])
    assert grid("lr", "smoke") == pytest.approx([1e-4, 0.3])
    assert grid("loss", "quick") == ["cross_entropy", "bce", "mse"]


def measured(spans: dict, noise=(0.90, 0.91), mechanism=None, transfer=None) -> Measured:
    sensitivity = {name: {"a": 0.5, "b": 0.5 + spans.get(name, 0.0) / 100} for name in PARAMS}
    importances = {name: [i / 100, i / 50] for i, name in enumerate(PARAMS)}
    return Measured("digits", 2, list(noise), sensitivity, importances, mechanism, transfer, 0.0)


def test_item_rule_needs_the_bar_and_three_times_the_noise():
    result = Result.start("hyperparameters", "quick", 0)
    # noise spread 1 point: 5 points holds, 2.5 points is above the noise only, 0.5 is not
    judge.judge_items(result, measured({"lr": 5.0, "layers": 2.5, "units": 0.5}))
    assert result.claim("learning_rate").verdict is Verdict.HOLDS
    assert result.claim("layers").verdict is Verdict.PARTLY
    assert result.claim("units").verdict is Verdict.DOES_NOT_HOLD
    assert result.claim("learning_rate").number("span_points") == pytest.approx(5.0)
    assert result.claim("learning_rate").number("noise_points") == pytest.approx(1.0)
    assert result.claim("output_encoding").verdict is result.claim("cost_function").verdict


def mechanism(best: float, chosen: float) -> dict:
    return {
        "best": {"params": {}, "value": best},
        "mechanism": [
            {"params": {}, "value": chosen, "rank": 2},
            {"params": {}, "value": chosen - 0.1, "rank": 5},
        ],
        "top": [],
        "trials": 12,
    }


@pytest.mark.parametrize(
    ("best", "chosen", "verdict"),
    [
        (0.95, 0.945, Verdict.HOLDS),
        (0.95, 0.935, Verdict.PARTLY),
        (0.95, 0.90, Verdict.DOES_NOT_HOLD),
    ],
)
def test_mechanism_rule(best, chosen, verdict):
    result = Result.start("hyperparameters", "quick", 0)
    judge.judge_by_mechanism(result, measured({}, mechanism=mechanism(best, chosen)))
    judged = result.claim("by_mechanism")
    assert judged.verdict is verdict and judged.number("mechanism_rank") == 3


def transfer(rho: float, regret: float, full: float, simplified: float) -> dict:
    return {
        "spearman": rho,
        "regret": regret,
        "cpu_seconds": {"full": full, "simplified": simplified},
        "configs": [{}] * 8,
        "scores": {"full": [], "simplified": []},
    }


@pytest.mark.parametrize(
    ("found", "verdict"),
    [
        (transfer(0.8, 0.005, 10.0, 2.0), Verdict.HOLDS),
        (transfer(0.5, 0.005, 10.0, 2.0), Verdict.PARTLY),
        (transfer(0.9, 0.005, 10.0, 8.0), Verdict.DOES_NOT_HOLD),  # saves no time
        (transfer(float("nan"), 0.0, 10.0, 2.0), Verdict.DOES_NOT_HOLD),  # no ranking at all
    ],
)
def test_broad_strategy_rule(found, verdict):
    result = Result.start("hyperparameters", "quick", 0)
    judge.judge_broad_strategy(result, measured({}, transfer=found))
    assert result.claim("broad_strategy").verdict is verdict


def test_ranking_orders_by_median_importance():
    assert ranking(measured({})) == list(reversed(PARAMS))
