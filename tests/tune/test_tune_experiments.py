"""The measurement functions for the future lab topic on hyper-parameters, on tiny studies."""

from __future__ import annotations

import pytest

from glassnet.tune import experiments

FIXED = {"epochs": 1}


@pytest.mark.timeout(180)
def test_importances_per_seed_sum_to_one(tmp_path):
    found = experiments.importances(
        "digits", ["lr", "units"], tmp_path, trials=3, seeds=2, fixed=FIXED
    )
    assert set(found) == {"lr", "units"} and all(len(v) == 2 for v in found.values())
    for seed in range(2):
        assert sum(found[name][seed] for name in found) == pytest.approx(1.0)


@pytest.mark.timeout(180)
def test_mechanism_search_scores_the_mechanisms_choices(tmp_path):
    found = experiments.mechanism_search("digits", tmp_path, trials=3, fixed=FIXED)
    assert [m["params"] for m in found["mechanism"]] == list(experiments.MECHANISM_CHOICES)
    assert found["trials"] == 3
    assert found["best"]["value"] == max(t["value"] for t in found["top"])
    assert all(
        0 <= m["rank"] < 3 and m["value"] <= found["best"]["value"] for m in found["mechanism"]
    )


@pytest.mark.timeout(180)
def test_simplify_and_transfer_ranks_identical_problems_identically(tmp_path):
    # "simplified" = the full problem: training is deterministic, so the ranks agree exactly
    found = experiments.simplify_and_transfer(
        "digits", ["lr"], {"epochs": 1}, tmp_path, configs=3, fixed=FIXED
    )
    assert found["scores"]["full"] == found["scores"]["simplified"]
    assert found["spearman"] == pytest.approx(1.0) and found["regret"] == 0.0
    assert len({config["lr"] for config in found["configs"]}) == 3


@pytest.mark.timeout(180)
def test_learning_curve_has_a_score_per_fraction_and_seed(tmp_path):
    curve = experiments.learning_curve("digits", [0.1, 1.0], tmp_path, seeds=1, options=FIXED)
    assert list(curve) == [0.1, 1.0]
    assert all(len(values) == 1 and 0.0 < values[0] <= 1.0 for values in curve.values())
    assert curve[1.0][0] > curve[0.1][0]  # 1 epoch on 10% of 1077 samples learns less
