"""resnet: the block's definition, 'solves exploding gradients' and the notes' motive: each rule
both ways on constructed numbers, and the machinery the measurements rest on."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lab_checks import smoke_result

import glassnet
from glassnet import nn
from glassnet.lab import Result, Verdict
from glassnet.lab.topics.resnet import judge_exploding, measure, measure_block, settings
from glassnet.lab.topics.resnet.measure_exploding import early_ratio, geo, without_bn

E, R = settings.EXPLODES, settings.REMOVED


@pytest.mark.parametrize(
    ("plain", "residual", "verdict"),
    [
        ((3 * E, E), (1.0, R), Verdict.HOLDS),  # explodes at init, removed in both phases
        ((1.0, E), (R, 0.5), Verdict.HOLDS),  # explodes only in early training: enough
        ((3 * E, E), (2 * R, 0.5 * E), Verdict.PARTLY),  # reduced in both phases, not removed
        ((3 * E, E), (2 * R, 2 * E), Verdict.DOES_NOT_HOLD),  # worse in early training
        ((0.9 * E, 0.5 * E), (1.0, 1.0), Verdict.DOES_NOT_HOLD),  # nothing explodes: nothing solved
        ((3 * E, E), (math.nan, 1.0), Verdict.DOES_NOT_HOLD),  # a growth not measured
    ],
)
def test_exploding_rule_both_ways(plain, residual, verdict):
    assert judge_exploding.exploding_verdict(plain, residual) is verdict


def test_weakest_of_the_verdicts():
    H, P, N = Verdict.HOLDS, Verdict.PARTLY, Verdict.DOES_NOT_HOLD
    assert judge_exploding.weakest([H, H, H]) is H
    assert judge_exploding.weakest([H, P, H]) is P
    assert judge_exploding.weakest([P, N, H]) is N
    assert judge_exploding.weakest([H, Verdict.NOT_MEASURED]) is Verdict.NOT_MEASURED
    assert judge_exploding.weakest([]) is Verdict.NOT_MEASURED


def motive(parts: dict[str, Verdict]) -> Result:
    result = Result.start("resnet", "smoke", 0)
    for claim_id, verdict in parts.items():
        result.judge(claim_id, verdict, {"constructed": 1}, "constructed")
    judge_exploding.judge_motive(result)
    return result


@pytest.mark.parametrize(
    ("weak", "verdict"),
    [(Verdict.HOLDS, Verdict.HOLDS), (Verdict.PARTLY, Verdict.PARTLY)],
)
def test_motive_is_the_weakest_of_its_three_parts(weak, verdict):
    parts = dict.fromkeys(judge_exploding.STRICT_PARTS, Verdict.HOLDS)
    parts["efficiency"] = weak
    parts["simplifies_backprop"] = Verdict.DOES_NOT_HOLD  # the stricter reading only
    judged = motive(parts).claim("vgg_motivation")
    assert judged.verdict is verdict
    assert judged.number("efficiency") == str(weak)
    assert judged.number("plain_degrades") == "holds"
    assert (
        judged.number("reported: with degradation_from_vanishing and simplifies_backprop too")
        == "does not hold"
    )


def block_numbers(same: float, zeroed: float) -> dict[str, float]:
    return {
        "same": same,
        "zeroed": zeroed,
        "zero_branch": 0.0,
        "changed": 0.0,
        "negative_share": 0.5,
    }


@pytest.mark.parametrize(
    ("same", "zeroed", "verdict"),
    [
        (0.0, 0.0, Verdict.HOLDS),
        (settings.BLOCK_EXACT, settings.BLOCK_EXACT, Verdict.HOLDS),
        (0.3, 0.0, Verdict.DOES_NOT_HOLD),  # e.g. an activation before the sum
        (0.0, 0.5, Verdict.DOES_NOT_HOLD),  # a zeroed branch that does not give relu(x)
    ],
)
def test_block_rule_both_ways(same, zeroed, verdict):
    result = Result.start("resnet", "smoke", 0)
    judge_exploding.judge_block(result, block_numbers(same, zeroed))
    judged = result.claim("block_definition")
    assert judged.verdict is verdict
    assert judged.shown is (Verdict.DEFINITION_CHECKED if verdict is Verdict.HOLDS else verdict)


def test_the_zoo_block_is_relu_of_f_plus_x():
    """The measurement on glassnet's block: exact to float32 rounding (threshold 1e-6, a margin
    of >= 10x), a zeroed branch really is zero, and about half of x is negative, so relu(x)
    differs from x."""
    m = measure_block.measure_block(0)
    assert m["same"] <= settings.BLOCK_EXACT / 10 and m["zeroed"] <= settings.BLOCK_EXACT / 10
    assert m["changed"] <= settings.BLOCK_EXACT / 10 and m["zero_branch"] == 0.0
    assert 0.4 < m["negative_share"] < 0.6


def sum_without_relu(self, x):
    """A wrong block: f(x) + shortcut(x), no ReLU after the sum."""
    shortcut = x if self.downsample is None else self.downsample(x)
    return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))) + shortcut


def test_the_check_would_catch_a_block_without_the_final_relu(monkeypatch):
    monkeypatch.setattr(measure_block.CifarBasicBlock, "forward", sum_without_relu)
    m = measure_block.measure_block(0)
    assert m["same"] > 0.1 and m["zeroed"] > 0.1 and m["changed"] > 0.1


def test_early_ratio_and_geo():
    assert geo([1.0, 100.0]) == pytest.approx(10.0) and math.isnan(geo([]))
    first = [2.0, 8.0, math.inf, 1.0] + [5.0] * 100
    last = [1.0, 2.0, 1.0, 0.0] + [1.0] * 100
    # the inf and the zero step are left out; steps past EARLY_STEPS too
    expected = geo([2.0, 4.0] + [5.0] * (settings.EARLY_STEPS - 4))
    assert early_ratio(first, last) == pytest.approx(expected)


def test_without_bn_replaces_every_batchnorm():
    model = measure.build("resnet", 8, 0, settings.CONFIG["smoke"]["widths"])
    count = sum(p.numel() for p in model.parameters())
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    bare = without_bn(model)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in bare.modules())
    removed = sum(p.numel() for m in norms for p in m.parameters())
    assert sum(p.numel() for p in bare.parameters()) == count - removed > 0
    x = np.random.default_rng(0).normal(size=(2, 1, 8, 8)).astype(np.float32)
    assert bare(glassnet.tensor(x)).shape == (2, 10)


def test_smoke_run_judges_the_three_claims_with_their_numbers():
    result = smoke_result("resnet")
    judged = result.claim("vgg_motivation")
    for part in judge_exploding.MOTIVE_PARTS:
        assert judged.number(part) == str(result.claim(part).verdict)
    assert judged.verdict is judge_exploding.weakest(
        [result.claim(part).verdict for part in judge_exploding.MOTIVE_PARTS]
    )
    exploding = result.claim("solves_exploding")
    low, high = settings.CONFIG["smoke"]["depths"]
    growth = {
        family: [
            float(v)
            for v in exploding.number(
                f"{family}, BN: growth of r {low} -> {high}, init / early"
            ).split(" / ")
        ]
        for family in ("plain", "resnet")
    }
    assert exploding.verdict is judge_exploding.exploding_verdict(growth["plain"], growth["resnet"])
    assert all(v > 0 for values in growth.values() for v in values)
    assert result.claim("block_definition").shown is Verdict.DEFINITION_CHECKED
