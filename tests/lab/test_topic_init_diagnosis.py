"""init_diagnosis in smoke mode: its asserted claims with their margins, and the KS distance it relies on."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import assert_judges_every_claim, smoke_result

from glassnet import lab
from glassnet.lab import Verdict
from glassnet.lab.topics.init_diagnosis import settings
from glassnet.lab.topics.init_diagnosis.measure import ks_to_uniform, two_sample_ks

# No verdict is asserted. stable_distribution: tanh + Xavier's std spread over 8 layers
# (2.15-2.42 over seeds 0-3) sits too close to its 2x threshold. mean0_var002 left the list
# when its deciding reading became the weights' N(0, 0.02^2) (issue 13). look_at_activations
# left it in issue 13: 10 of 12 right where 'partly' needs 9, a margin of one configuration;
# its rule is checked on its own numbers instead.
ASSERTED: dict = {}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("init_diagnosis")


@pytest.mark.timeout(120)
def test_smoke_run_judges_every_claim(result):
    assert_judges_every_claim(result, "init_diagnosis", ASSERTED, with_numbers=True)


def test_look_at_activations_follows_its_rule_on_its_numbers(result):
    judged = result.claim("look_at_activations")
    right, total = (
        int(v)
        for v in judged.number(
            "configurations where the activation alarms at init predict the outcome"
        ).split(" of ")
    )
    expected = (
        Verdict.HOLDS
        if right == total
        else Verdict.PARTLY
        if right / total >= settings.AGREE_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    assert judged.verdict is expected and not judged.asserted
    assert (judged.number("missed") == "-") is (right == total)


def test_the_diagnosis_is_mostly_right_and_blind_to_the_all_zero_tanh_net(result):
    judged = result.claim("look_at_activations")
    right, total = (
        int(v)
        for v in judged.number(
            "configurations where the activation alarms at init predict the outcome"
        ).split(" of ")
    )
    assert total == 12 and right >= 10  # margin: 'partly' needs 9
    assert "tanh zeros" in judged.number("missed")


def test_activation_statistics_of_the_good_inits(result):
    judged = result.claim("mean0_var002")
    assert judged.number("activations: conditions met (reported)") == "tanh mean 0"
    assert (
        judged.number("tanh: largest |mean| over the layers") <= settings.MEAN_ZERO / 2
    )  # margin: half the threshold
    assert (
        judged.number("relu: largest |mean| over the layers") >= 4 * settings.MEAN_ZERO
    )  # ReLU's mean is never 0
    low = float(judged.number("tanh: variance range over the layers").split(" - ")[0])
    assert low >= 1.25 * settings.VAR_HIGH  # even tanh's smallest variance is well above 0.04


def test_every_alarm_names_a_layer_and_the_bad_inits_are_flagged(result):
    rows = {(row[0], row[1]): row for row in result.tables[0].rows}
    for key in (
        ("tanh", "small"),
        ("tanh", "large"),
        ("relu", "small"),
        ("relu", "snippet"),
        ("relu", "zeros"),
    ):
        assert rows[key][4] != "-" and rows[key][5].startswith(("layer", "activation std")), rows[
            key
        ]
    assert rows[("tanh", "xavier")][4] == "-" and rows[("tanh", "zeros")][4] == "-"


def test_figures(result):
    assert [f.name for f in result.figures] == [
        "histograms_tanh_xavier",
        "histograms_tanh_large",
        "std_by_layer",
    ]
    assert all(f.png.startswith(b"\x89PNG\r\n\x1a\n") for f in result.figures)


def test_weights_from_n0_002_starve_an_8_layer_net_of_64_units(result):
    # Var(W) fan_in = 0.02^2 x 64 = 0.026: the signal shrinks ~6x per layer, so both nets raise an
    # alarm at init and stay at chance (0.10) in smoke mode, far below the 0.8 that counts as training
    judged = result.claim("mean0_var002")
    for act in ("tanh", "relu"):
        assert judged.number(f"{act}, N(0, 0.02^2) weights: activation alarms") != "-"
        accuracy = float(
            judged.number(f"{act}, N(0, 0.02^2) weights: test accuracy (best lr)").split()[0]
        )
        assert accuracy <= settings.TRAINS / 2
    assert judged.verdict is Verdict.DOES_NOT_HOLD


def test_layers_alike_is_a_two_sample_ks_distance():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(5000), rng.standard_normal(5000)
    assert two_sample_ks(a, b) < 0.05
    assert two_sample_ks(a, 2 * b) > 0.15  # the same shape on a wider interval is not alike
    assert two_sample_ks(a, a + 10) == 1.0


def test_ks_to_uniform_separates_uniform_normal_and_relu_like_samples():
    rng = np.random.default_rng(0)
    assert ks_to_uniform(rng.uniform(-1, 1, 20000)) < 0.02
    assert 0.05 < ks_to_uniform(rng.standard_normal(20000)) < 0.25
    assert ks_to_uniform(np.maximum(rng.standard_normal(20000), 0)) >= 0.45
    assert ks_to_uniform(np.zeros(100)) == 1.0
