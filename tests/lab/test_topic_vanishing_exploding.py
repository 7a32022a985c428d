"""vanishing_exploding in smoke mode: its asserted claims, and the local-factor formula checked by autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict
from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.topics import vanishing_exploding as topic

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("vanishing_exploding")


def test_smoke_run_completes_and_judges_every_claim(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in index_topic("vanishing_exploding").claims
    ]
    assert all(c.verdict is not Verdict.NOT_MEASURED for c in result.claims)
    assert all(c.margin is not None for c in result.claims if c.asserted)


def test_too_many_layers_is_half_right(result):
    """Depth multiplies the factor, but a matched ReLU or tanh stack stays within 10x: partly.
    Margin: sigmoid grows by ~9 decades from depth 2 to 16 (2 needed); ReLU+He by under 1."""
    judged = result.claim("too_many_layers")
    assert judged.asserted and judged.verdict is Verdict.PARTLY
    assert judged.number("growth, sigmoid, Xavier (decades)") >= 2 * topic.GROWS_DECADES
    assert abs(judged.number("growth, relu, He (decades)")) < topic.FINE_DECADES
    assert "relu, He" in judged.number("configurations still within 10x at depth 16")


def test_product_of_factors_predicts_every_network(result):
    """Margin: every network beyond 10x is predicted within tolerance (90% needed), median error < 0.3 decades."""
    judged = result.claim("product_of_factors")
    assert judged.asserted and judged.verdict is Verdict.HOLDS
    assert judged.number("networks whose signal ratio is beyond 10x") >= 10
    assert judged.number("share") == 1.0
    assert judged.number("median |predicted - measured| (decades)") < 0.3


def test_large_init_explodes_in_the_signal_not_in_relus_weight_ratio(result):
    """Margin: ReLU's weight-gradient ratio stays below 10x (it is ~0.3), its backward signal grows > 1e8."""
    judged = result.claim("large_init_explodes")
    assert judged.asserted and judged.verdict is Verdict.PARTLY
    assert judged.number("relu, N(0,1): log10 weight-grad first/last") < topic.EXPLODES_DECADES - 1
    assert judged.number("relu, N(0,1): log10 signal first/last") > 8
    assert judged.number("sigmoid, N(0,1): log10 signal first/last") < 0


def test_weights_stay_put_when_gradients_vanish(result):
    """Margin: the vanishing net's first-layer norm ratio is 1 (10x needed); the exploding one overflows."""
    judged = result.claim("weights_abnormal")
    assert judged.asserted and judged.verdict is Verdict.PARTLY
    assert judged.number("vanishing (sigmoid, Xavier): ||W_1|| after / before") == pytest.approx(
        1.0, abs=1e-3
    )
    exploded = judged.number("exploding (ReLU, N(0,1)): ||W_1|| after / before")
    assert not math.isfinite(exploded) or exploded >= topic.ABNORMAL


def test_tables_and_figures(result):
    assert [f.name for f in result.figures] == [
        "gradient_by_depth",
        "factor_product",
        "diagnose_sigmoid",
    ]
    assert all(f.png.startswith(PNG) and len(f.png) > 5000 for f in result.figures)
    by_depth = result.tables[0]
    assert len(by_depth.rows) == 6 and len(by_depth.columns) == 1 + len(topic.DEPTHS["smoke"])


@pytest.mark.parametrize("activation", topic.ACTIVATIONS)
def test_derivative_matches_torch_autograd(activation):
    z = np.linspace(-6, 6, 41).astype(np.float64) + 1e-3  # avoid ReLU's kink at exactly 0
    t = torch.tensor(z, requires_grad=True)
    getattr(torch, activation)(t).sum().backward()
    np.testing.assert_allclose(
        topic.derivative(activation, z), t.grad.numpy(), rtol=1e-12, atol=1e-15
    )


def test_local_factors_use_the_next_layers_weights():
    """One hidden layer: the predicted ratio is RMS(phi'(z_1)) * sqrt(n_2 mean(W_2^2)) by construction."""
    model = topic.build(1, "tanh", "matched", seed=3)
    x = np.random.default_rng(0).standard_normal((64, 40)).astype(np.float32)
    y = np.arange(64) % 10
    profile = topic.profile(model, "tanh", x, y)
    w2 = model[3].weight.data.astype(np.float64)
    assert len(profile.factors) == 1
    assert profile.weight_gain[0] == pytest.approx(math.sqrt(w2.shape[0] * np.mean(w2**2)))
    assert profile.predicted == pytest.approx(
        math.log10(profile.phi_rms[0] * profile.weight_gain[0])
    )
