"""conv_arithmetic in smoke mode: its asserted claims, and its formulas checked against PyTorch's layers."""

from __future__ import annotations

import itertools

import pytest
import torch
from lab_checks import smoke_result

from glassnet import lab, shape
from glassnet.lab import Verdict
from glassnet.lab.topics import conv_arithmetic as topic

# Every asserted claim, the verdict asserted, and the stated margin: these are exact integer
# rules, so the margin is zero disagreements; the numbers below say so explicitly.
ASSERTED = {
    "floor_formula": Verdict.HOLDS,
    "dilation": Verdict.HOLDS,
    "pool_floor": Verdict.HOLDS,
    "ceil_mode": Verdict.HOLDS,
    "tf_same": Verdict.HOLDS,
}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("conv_arithmetic")


def test_smoke_run_completes_without_error(result):
    assert result.error is None and result.mode == "smoke"
    assert {c.claim.id: c.asserted for c in result.claims} == {claim: True for claim in ASSERTED}
    assert all(c.margin is not None for c in result.claims)


@pytest.mark.parametrize("claim_id", sorted(ASSERTED))
def test_asserted_claim_holds_with_zero_disagreements(result, claim_id):
    judged = result.claim(claim_id)
    assert judged.verdict is ASSERTED[claim_id], judged.numbers
    count = judged.number(
        "configurations" if claim_id != "dilation" else "configurations (D >= 2 on both axes)"
    )
    assert count >= topic.COUNTS["smoke"]
    agree = {
        "floor_formula": "agree",
        "pool_floor": "agree",
        "dilation": "dilated formula agrees",
        "ceil_mode": "ceil rule agrees",
        "tf_same": "TF SAME: out = ceil(W/S)",
    }[claim_id]
    assert judged.number(agree) == count  # margin: not one disagreement


def test_the_claims_were_tested_where_they_bite(result):
    """The exceptions each claim names really occurred in the sample, so 'holds' means something."""
    assert result.claim("floor_formula").number("refused by the layer (formula < 1)") >= 1
    assert result.claim("dilation").number("plain formula wrong") >= 1
    ceil = result.claim("ceil_mode")
    assert ceil.number("plain ceil (no exception) wrong") >= 1
    assert ceil.number("floor formula differs from the layer") >= 1
    same = result.claim("tf_same")
    assert (
        same.number("padding='same' refused there")
        == same.number("configurations with stride > 1")
        >= 1
    )


def test_tables_and_figure(result):
    families = result.tables[0]
    assert len(families.rows) == 8 and all(row[2] >= topic.COUNTS["smoke"] for row in families.rows)
    worked = {row[0]: row[-1] for row in result.tables[1].rows}
    assert worked == {
        "AlexNet conv1": 55,
        "ResNet stem conv": 112,
        "LeNet-5 conv1": 28,
        "VGG 3x3 conv": 224,
    }
    assert [f.name for f in result.figures] == ["output_vs_input"]


def test_the_formulas_agree_with_glassnet_shape():
    for w, k, s, p, d in itertools.product(
        range(1, 12), range(1, 5), range(1, 4), range(3), range(1, 3)
    ):
        expected = topic.dilated_formula(w, k, s, p, d)
        if expected >= 1:
            assert shape.conv_output_size(w, k, s, p, d) == expected
        if p <= k // 2 and topic.ceil_mode_formula(w, k, s, p, d) >= 1:
            assert shape.pool_output_size(w, k, s, p, d, ceil_mode=True) == topic.ceil_mode_formula(
                w, k, s, p, d
            )
        if d == 1:
            assert topic.notes_formula(w, k, s, p) == expected


def test_the_formulas_agree_with_torch_on_the_edge_cases():
    """PyTorch as the oracle: ceil mode's exception, TF SAME padding and dilation on small inputs."""
    edges = topic.ceil_edge_cases()
    assert len(edges) >= 20
    for w, k, s, p in edges:
        x = torch.zeros(1, 1, w, w)
        assert torch.nn.MaxPool2d(k, s, p, ceil_mode=True)(x).shape[-1] == topic.ceil_mode_formula(
            w, k, s, p, 1
        )
        assert torch.nn.AvgPool2d(k, s, p, ceil_mode=True)(x).shape[-1] == topic.ceil_mode_formula(
            w, k, s, p, 1
        )
        assert topic.naive_ceil_formula(w, k, s, p, 1) == topic.ceil_mode_formula(w, k, s, p, 1) + 1
    for w, k, s, d in itertools.product(range(1, 10), range(1, 4), range(1, 4), range(1, 3)):
        left, right = topic.tf_same_padding(w, k, s, d)
        padded = torch.nn.functional.pad(torch.zeros(1, 1, w), (left, right))
        assert torch.nn.Conv1d(1, 1, k, s, dilation=d)(padded).shape[-1] == -(-w // s)
