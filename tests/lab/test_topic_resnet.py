"""resnet in smoke mode: its robust claims with their margins, the figures, and the identity construction."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import smoke_result

import glassnet
from glassnet.lab import Verdict
from glassnet.lab.kit import sequences as ts
from glassnet.lab.topics import resnet as topic
from glassnet.models.resnet_cifar import CifarResNet

PNG = b"\x89PNG\r\n\x1a\n"
CLAIMS = [
    "shortcut_gradient",
    "deeper_not_worse",
    "plain_degrades",
    "solves_degradation",
    "degradation_training_error",
    "efficiency",
]


@pytest.fixture(scope="module")
def result():
    return smoke_result("resnet")


@pytest.mark.timeout(120)
def test_smoke_run_completes_and_judges_every_claim(result):
    assert result.error is None and result.mode == "smoke"
    judged = [c for c in result.claims if c.verdict is not Verdict.NOT_JUDGED]  # index: pending
    assert sorted(c.claim.id for c in judged) == sorted(CLAIMS)
    assert all(c.verdict is not Verdict.NOT_MEASURED and c.numbers for c in judged)
    assert {c.claim.id for c in result.claims if c.robust} == {
        "shortcut_gradient",
        "plain_degrades",
        "efficiency",
    }


def test_shortcut_gradient_partly_with_its_margin(result):
    """Margins: the ResNet-32 ratio (~1.5) sits well inside [0.1, 10]; the plain-32 one (~10) is 100x the 0.1 bar."""
    judged = result.claim("shortcut_gradient")
    assert judged.verdict is Verdict.PARTLY
    assert 0.1 <= float(judged.number("resnet 32: RMS dL/dy first / last at init")) <= 10
    assert (
        float(judged.number("plain 32: RMS dL/dy first / last at init")) > 1
    )  # it grows: not vanishing


def test_plain_net_degrades_with_its_margin(result):
    """Margin: plain-32's training error rises ~0.66 over plain-8's after 100 steps; the bar is 0.05."""
    judged = result.claim("plain_degrades")
    assert judged.verdict is Verdict.HOLDS
    assert judged.number("rise of the plain training error") >= 10 * topic.DEGRADES


def test_efficiency_partly_from_exact_counts(result):
    judged = result.claim("efficiency")
    assert judged.verdict is Verdict.PARTLY
    assert judged.number("shortcut adds no parameters and no MACs at any depth") is True
    assert judged.number("MACs per image, depth 32 / depth 8") > 4


def test_the_identity_construction_is_exact(result):
    judged = result.claim("deeper_not_worse")
    assert judged.number("construction: largest |logit difference|") == "0"
    assert judged.number("construction: resnet 8 training error") == judged.number(
        "construction: resnet 32 built from it with identity blocks"
    )


def test_embed_with_identities_keeps_the_function_of_any_net():
    glassnet.manual_seed(3)
    shallow = topic.build("resnet", 8, 3)
    x = np.random.default_rng(0).normal(size=(5, 1, 8, 8)).astype(np.float32)
    deep = ts.embed_with_identities(
        shallow, CifarResNet(20, 10, "A", in_channels=1, widths=topic.WIDTHS)
    )
    assert sum(p.numel() for p in deep.parameters()) > sum(p.numel() for p in shallow.parameters())
    for train in (
        False,
        True,
    ):  # eval: running stats; train: batch stats (the extra blocks still output 0)
        shallow.train(train)
        deep.train(train)
        with glassnet.no_grad():
            np.testing.assert_array_equal(
                deep(glassnet.tensor(x)).data, shallow(glassnet.tensor(x)).data
            )


def test_embed_with_identities_refuses_other_widths():
    shallow = topic.build("resnet", 8, 0)
    with pytest.raises(
        ValueError,
        match=r"embed_with_identities: 'conv1.weight' has shape \(8, 1, 3, 3\) in the "
        r"shallow net but \(4, 1, 3, 3\) in the deep one",
    ):
        ts.embed_with_identities(
            shallow, CifarResNet(14, 10, "A", in_channels=1, widths=(4, 8, 16))
        )


def test_tables_and_figures(result):
    costs, _ = result.tables
    assert len(costs.rows) == 2 * len(topic.CONFIG["smoke"]["depths"])
    params = {(row[0], row[1]): row[6] for row in costs.rows}
    assert (
        params[("plain", 8)] == params[("resnet", 8)]
        and params[("plain", 32)] == params[("resnet", 32)]
    )
    assert [f.name for f in result.figures] == ["degradation", "first_layer_gradient"]
    assert all(f.png.startswith(PNG) for f in result.figures)


def test_evaluate_counts_accuracy_and_restores_training_mode():
    model = topic.build("plain", 8, 0)
    x, y = np.zeros((4, 1, 8, 8), np.float32), np.array([0, 1, 2, 3])
    x[1:] = np.random.default_rng(1).normal(size=(3, 1, 8, 8))
    model.eval()
    with glassnet.no_grad():
        logits = model(glassnet.tensor(x)).data.astype(np.float64)
    expected_loss = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(4), y])
    model.train()
    accuracy, loss = ts.evaluate(model, x, y, batch=3)  # two batches: 3 + 1
    assert model.training
    assert accuracy == np.mean(logits.argmax(1) == y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
