"""style_transfer in smoke mode, and its judges on made-up measurements (their rules both ways).

The smoke run's pictures are 32 px and 6 evaluations each: its verdicts are provisional and
not asserted; the judges are checked on constructed numbers instead.
"""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import assert_judges_every_claim, smoke_result

from glassnet.lab import Result, Verdict
from glassnet.lab.topics.style_transfer import judge
from glassnet.lab.topics.style_transfer.measure import Measured
from glassnet.lab.topics.style_transfer.settings import DEPTH_LAYERS, RATIOS
from glassnet.style.experiments import Reconstruction, SweepPoint

PICTURE = np.zeros((3, 8, 8), np.float32)


@pytest.fixture(scope="module")
def result():
    return smoke_result("style_transfer")


def test_smoke_run_judges_every_claim_with_pictures(result):
    assert_judges_every_claim(result, "style_transfer", asserted={}, with_numbers=True)
    names = [figure.name for figure in result.figures]
    assert names == ["content_by_depth", "style_by_depth", "weight_sweep", "measures"]
    content = result.tables[0]
    assert [row[0] for row in content.rows] == list(DEPTH_LAYERS)
    assert all(-1.0 <= row[1] <= 1.0 for row in content.rows)  # SSIM
    sweep = result.tables[2]
    assert [row[0] for row in sweep.rows] == list(RATIOS)


def measured(ssim=(), lengths=(), content=(), style=()) -> Measured:
    by_content = [
        Reconstruction((f"l{i}",), PICTURE, 1, 0, ssim=s, psnr=30 * s) for i, s in enumerate(ssim)
    ]
    by_style = [
        Reconstruction(tuple(f"l{j}" for j in range(i + 1)), PICTURE, 1, 0, correlation_length=c)
        for i, c in enumerate(lengths)
    ]
    sweep = [SweepPoint(r, PICTURE, c, s) for r, c, s in zip(RATIOS, content, style, strict=False)]
    return Measured(32, 6, by_content, by_style, sweep, PICTURE, PICTURE, 0.0)


def fresh() -> Result:
    return Result.start("style_transfer", "quick", 0)


@pytest.mark.parametrize(
    ("ssim", "verdict"),
    [
        ((1.0, 0.9, 0.6, 0.2, 0.05), Verdict.HOLDS),
        ((1.0, 0.95, 0.9, 0.85, 0.8), Verdict.PARTLY),  # falls, but keeps 80% of the SSIM
        ((0.2, 0.3, 0.5, 0.6, 0.9), Verdict.DOES_NOT_HOLD),
    ],
)
def test_content_layers_rule(ssim, verdict):
    result = fresh()
    judge.judge_content_layers(result, measured(ssim=ssim))
    judged = result.claim("content_layers")
    assert judged.verdict is verdict
    assert judged.number("ssim_ratio") == pytest.approx(ssim[-1] / ssim[0])


@pytest.mark.parametrize(
    ("lengths", "verdict"),
    [
        ((3.0, 3.5, 4.0, 5.0, 6.0), Verdict.PARTLY),  # grows: capped at partly (random weights)
        ((3.0, 3.1, 3.2, 3.3, 3.4), Verdict.DOES_NOT_HOLD),  # grows only 1.13x
        ((6.0, 5.0, 4.0, 3.5, 3.0), Verdict.DOES_NOT_HOLD),
    ],
)
def test_style_layers_rule_never_holds_on_random_features(lengths, verdict):
    result = fresh()
    judge.judge_style_layers(result, measured(lengths=lengths))
    assert result.claim("style_layers").verdict is verdict


@pytest.mark.parametrize(
    ("content", "style", "verdict"),
    [
        ((0.03, 0.14, 0.28, 0.31, 0.32), (0.5, 0.09, 0.03, 0.027, 0.028), Verdict.HOLDS),
        ((0.03, 0.30, 0.31, 0.31, 0.32), (0.5, 0.45, 0.03, 0.027, 0.028), Verdict.PARTLY),
        ((0.03, 0.03, 0.03, 0.04, 0.05), (0.5, 0.4, 0.3, 0.3, 0.3), Verdict.DOES_NOT_HOLD),
    ],
)
def test_style_and_content_rule(content, style, verdict):
    result = fresh()
    judge.judge_style_and_content(result, measured(content=content, style=style))
    judged = result.claim("style_and_content")
    assert judged.verdict is verdict
    assert judged.number("style_fall") == pytest.approx(style[0] / style[-1])


def test_rank_correlation_and_balance():
    assert judge.rho([1.0, 2.0, 3.0]) == pytest.approx(1.0)
    assert judge.rho([3.0, 2.0, 1.0]) == pytest.approx(-1.0)
    assert judge.rho([2.0, 2.0, 2.0]) == 0.0  # no ranking: no trend
    # content (0, 1), style (1, 0): every point has one loss at the top of its range
    assert judge.balance([0.0, 1.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert judge.balance([0.0, 0.2, 1.0], [1.0, 0.1, 0.0]) == pytest.approx(0.2)
