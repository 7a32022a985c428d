"""batchnorm's one-line definition ('a standardisation into a fixed range'): the rule both ways
on constructed numbers, and the measurement it reads on glassnet's BatchNorm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lab_checks import smoke_result

from glassnet import nn
from glassnet.lab import Result, Verdict
from glassnet.lab.kit.curve import probe_split
from glassnet.lab.topics.batchnorm import settings, standardise


def numbers(max_mean: float = 1e-7, max_std: float = 1e-6) -> dict:
    """measure_standardise's shape, with the deciding moments chosen."""
    one = {"max_mean": max_mean, "max_std": max_std, "max_abs": 30.0, "outside_one": 0.2}
    return {
        "mnist1d": {**one, "bound": math.sqrt(511), "m": 512},
        "heavy": {**one, "bound": math.sqrt(4095), "m": 4096},
        "heavy_input_max": 1e4,
    }


@pytest.mark.parametrize(
    ("max_mean", "max_std", "verdict"),
    [
        (1e-7, 1e-6, Verdict.HOLDS),
        (settings.STANDARD_MEAN, settings.STANDARD_STD, Verdict.HOLDS),  # at the thresholds
        (2 * settings.STANDARD_MEAN, 1e-6, Verdict.DOES_NOT_HOLD),  # location not fixed
        (1e-7, 2 * settings.STANDARD_STD, Verdict.DOES_NOT_HOLD),  # scale not fixed
    ],
)
def test_what_it_is_rule_both_ways(max_mean, max_std, verdict):
    result = Result.start("batchnorm", "smoke", 0)
    standardise.judge_what_it_is(result, numbers(max_mean, max_std))
    judged = result.claim("what_it_is")
    assert judged.verdict is verdict
    assert judged.shown is (Verdict.DEFINITION_CHECKED if verdict is Verdict.HOLDS else verdict)


def test_standardised_but_not_bounded():
    """The measurement: mean ~0 and std ~1 per channel on both inputs (a margin of >= 100x on
    both thresholds), while the heavy-tailed channel reaches far outside any fixed interval
    and stays inside Samuelson's bound sqrt(m - 1)."""
    m = standardise.measure_standardise(probe_split(), 0)
    for part in ("mnist1d", "heavy"):
        assert m[part]["max_mean"] < settings.STANDARD_MEAN / 100
        assert m[part]["max_std"] < settings.STANDARD_STD / 100
        assert 1 < m[part]["max_abs"] <= m[part]["bound"]
    assert m["heavy"]["m"] == np.prod(settings.HEAVY_SHAPE) // settings.HEAVY_SHAPE[1]
    assert m["heavy"]["max_abs"] > 5  # heavy tails: far outside [-1, 1], not clipped to a range


def test_samuelson_bound_is_reached_by_one_outlier():
    """x_hat of a channel with one outlier among equal values is exactly sqrt(m - 1)."""
    x = np.zeros((1, 1, 10, 10), np.float32)
    x[0, 0, 0, 0] = 1.0
    out = standardise.standardised(nn.BatchNorm2d(1, affine=False, eps=0.0), x, (0, 2, 3))
    assert out["bound"] == pytest.approx(math.sqrt(99))
    assert out["max_abs"] == pytest.approx(out["bound"], rel=1e-5)


def test_smoke_run_judges_what_it_is_with_its_numbers():
    judged = smoke_result("batchnorm").claim("what_it_is")
    assert judged.verdict is not Verdict.NOT_JUDGED and not judged.asserted
    largest = judged.number("reported: largest |x_hat|, MNIST-1D features / heavy-tailed images")
    assert all(float(v) > 1 for v in largest.split(" / "))
