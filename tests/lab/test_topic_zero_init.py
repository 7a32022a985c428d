"""zero_init in smoke mode: its asserted claims with their margins, and the mechanism checked directly."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import assert_judges_every_claim, smoke_result

import glassnet
from glassnet import lab
from glassnet.lab import Verdict
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.data import digits_standardised
from glassnet.lab.topics import zero_init as topic
from glassnet.nn import functional as F

ASSERTED = {
    "not_all_zero": Verdict.HOLDS,
    "single_layer_ok": Verdict.HOLDS,
    "zero_vanishing": Verdict.PARTLY,
}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("zero_init")


@pytest.mark.timeout(120)
def test_smoke_run_judges_every_claim(result):
    assert_judges_every_claim(result, "zero_init", ASSERTED, with_numbers=True)


@pytest.mark.parametrize("claim_id", sorted(ASSERTED))
def test_asserted_claim_verdict(result, claim_id):
    assert result.claim(claim_id).verdict is ASSERTED[claim_id], result.claim(claim_id).numbers


def test_zero_init_loses_by_far_more_than_the_threshold(result):
    judged = result.claim("not_all_zero")
    for (
        activation
    ) in topic.ACTIVATIONS:  # margin: the threshold is 0.20; smoke mode measures about 0.8
        assert judged.number(f"accuracy gap, random - zeros, {activation}") >= topic.GAP_HOLDS + 0.3


def test_softmax_regression_does_not_care_about_zero_init(result):
    judged = result.claim("single_layer_ok")
    assert judged.number("|difference|") <= topic.SINGLE_HOLDS / 2  # margin: half the threshold
    assert judged.number("softmax regression from zeros: test accuracy") >= 0.9


def test_zero_init_gradients_start_at_exactly_zero_and_recover_only_for_sigmoid(result):
    judged = result.claim("zero_vanishing")
    for activation in topic.ACTIVATIONS:
        assert (
            float(judged.number(f"{activation}: hidden |dL/dW|, zeros / random, before step 1"))
            == 0.0
        )
    assert float(judged.number("tanh: the same at the end")) == 0.0
    assert float(judged.number("relu: the same at the end")) == 0.0
    assert (
        float(judged.number("sigmoid: the same at the end")) >= 2 * topic.VANISHED
    )  # margin: 2x the threshold


def test_float64_units_stay_bitwise_equal(result):
    """The exact-arithmetic half of 'symmetry' (the float32 half depends on the BLAS library, so it is not asserted)."""
    judged = result.claim("symmetry")
    assert float(judged.number("float64: largest unit spread after training")) == 0.0
    assert judged.number("float64: largest rank of a hidden layer's activations") <= 1


def test_tables_and_figures(result):
    runs = result.tables[0]
    assert len(runs.rows) == 13 + 7  # float32 configurations + the symmetric ones again in float64
    assert [f.name for f in result.figures] == [
        "loss_curves",
        "symmetry_spread",
        "first_layer_weights",
    ]
    assert all(f.png.startswith(b"\x89PNG\r\n\x1a\n") for f in result.figures)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_equal_units_get_identical_gradients_in_float64(activation):
    """The mechanism itself: with a constant init every hidden unit's gradient row is the same, bit for bit."""
    data = digits_standardised()
    model = T.build_mlp([64, 16, 16, 10], activation, "constant", np.random.default_rng(0)).double()
    loss = F.cross_entropy(
        model(glassnet.tensor(data.x_train[:100].astype(np.float64))),
        glassnet.tensor(data.y_train[:100]),
    )
    loss.backward()
    for layer in T.linears(model)[:-1]:
        grad = np.asarray(layer.weight.grad.data)
        assert np.array_equal(grad, np.broadcast_to(grad[0], grad.shape))


def test_unit_spread_is_zero_only_for_identical_units():
    layer = glassnet.nn.Linear(4, 3)
    T.init_linear_(layer, "constant", np.random.default_rng(0))
    assert T.unit_spread(layer) == 0.0
    layer.weight.data[1, 2] += 1e-6
    assert 0 < T.unit_spread(layer) < 1e-4


def test_unknown_init_scheme_is_refused():
    with pytest.raises(ValueError, match="init scheme must be one of he, xavier, .* got 'ones'"):
        T.init_linear_(glassnet.nn.Linear(2, 2), "ones", np.random.default_rng(0))
