"""resnet in smoke mode: every claim judged, the plateau criterion, the exact counts and the identity construction."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import assert_judges_every_claim, smoke_result

import glassnet
from glassnet.lab import Verdict
from glassnet.lab.kit import sequences as ts
from glassnet.lab.topics.resnet import measure, settings
from glassnet.models.resnet_cifar import CifarResNet

PNG = b"\x89PNG\r\n\x1a\n"
WIDTHS = settings.CONFIG["smoke"]["widths"]
ASSERTED = {"shortcut_gradient": Verdict.PARTLY, "efficiency": Verdict.PARTLY}


@pytest.fixture(scope="module")
def result():
    return smoke_result("resnet")


@pytest.mark.timeout(120)
def test_smoke_run_completes_and_judges_every_claim(result):
    assert_judges_every_claim(result, "resnet", ASSERTED, with_numbers=True)


def test_shortcut_gradient_partly_with_its_margin(result):
    """Margin: the ResNet-14 ratio (~0.55) sits well inside [0.1, 10]; the plain-14 one does not vanish (~0.5)."""
    judged = result.claim("shortcut_gradient")
    assert judged.verdict is Verdict.PARTLY
    assert 0.2 <= float(judged.number("resnet 14: RMS dL/dy first / last at init")) <= 5
    assert float(judged.number("plain 14: RMS dL/dy first / last at init")) > 0.2


def test_efficiency_partly_from_exact_counts(result):
    judged = result.claim("efficiency")
    assert judged.verdict is Verdict.PARTLY
    assert judged.number("shortcut adds no parameters and no MACs at any depth") is True
    assert judged.number("MACs per image, depth 14 / depth 8") > 1.5


def test_the_residual_backward_has_more_nodes(result):
    """Each block adds an addition node: exact counts, not timings."""
    judged = result.claim("simplifies_backprop")
    plain, res = map(
        int, judged.number("autograd nodes of one loss, plain 14 / resnet 14").split(" / ")
    )
    assert res > plain and judged.verdict is Verdict.DOES_NOT_HOLD


def test_the_identity_construction_is_exact(result):
    judged = result.claim("deeper_not_worse")
    assert judged.number("construction: largest |logit difference|") == "0"
    assert judged.number("construction: resnet 8 training error") == judged.number(
        "construction: resnet 14 built from it with identity blocks"
    )


def test_every_run_says_how_it_stopped(result):
    table = result.tables[0]
    cap = settings.CONFIG["smoke"]["cap"]
    for row in table.rows:
        assert set(row[5].split(", ")) <= {"plateau", "fitted", "capped", "diverged"}
        assert 0 < float(row[4]) <= cap
    said = {
        str(c.number("what was measured").en)
        for c in result.claims
        if c.claim.id in ("plain_degrades", "solves_degradation", "degradation_training_error")
    }
    capped = any("capped" in row[5] for row in table.rows if row[0] == "plain")
    assert said == {
        "slower convergence at the step cap" if capped else "degradation at the plateau"
    }


def test_plateau_criterion():
    gain, patience = settings.PLATEAU_GAIN, 4
    flat = [1.0] + [1.0 - gain / 2] * patience
    falling = [1.0] + [1.0 - 2 * gain] * patience
    assert measure.plateaued(flat, patience) and not measure.plateaued(falling, patience)
    assert not measure.plateaued(flat[:patience], patience)  # too few evaluations to tell
    assert not measure.plateaued(flat, patience + 1)


def test_embed_with_identities_keeps_the_function_of_any_net():
    shallow = measure.build("resnet", 8, 3, WIDTHS)
    x = np.random.default_rng(0).normal(size=(5, 1, 8, 8)).astype(np.float32)
    deep = ts.embed_with_identities(shallow, CifarResNet(20, 10, "A", in_channels=1, widths=WIDTHS))
    assert sum(p.numel() for p in deep.parameters()) > sum(p.numel() for p in shallow.parameters())
    for train in (False, True):  # eval: running stats; train: batch stats (extra blocks output 0)
        shallow.train(train)
        deep.train(train)
        with glassnet.no_grad():
            np.testing.assert_array_equal(
                deep(glassnet.tensor(x)).data, shallow(glassnet.tensor(x)).data
            )


def test_embed_with_identities_refuses_other_widths():
    shallow = measure.build("resnet", 8, 0, (8, 16, 32))
    with pytest.raises(
        ValueError,
        match=r"embed_with_identities: 'conv1.weight' has shape \(8, 1, 3, 3\) in the "
        r"shallow net but \(4, 1, 3, 3\) in the deep one",
    ):
        ts.embed_with_identities(
            shallow, CifarResNet(14, 10, "A", in_channels=1, widths=(4, 8, 16))
        )


def test_tables_and_figures(result):
    costs, _, exploding = result.tables
    assert [row[:2] for row in exploding.rows] == [[row[0], row[1]] for row in costs.rows]
    assert len(costs.rows) == 2 * len(settings.CONFIG["smoke"]["depths"])
    params = {(row[0], row[1]): row[8] for row in costs.rows}
    assert params[("plain", 8)] == params[("resnet", 8)]
    assert params[("plain", 14)] == params[("resnet", 14)]
    assert [f.name for f in result.figures] == ["degradation", "first_layer_gradient"]
    assert all(f.png.startswith(PNG) for f in result.figures)


def test_evaluate_counts_accuracy_and_restores_training_mode():
    model = measure.build("plain", 8, 0, WIDTHS)
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
