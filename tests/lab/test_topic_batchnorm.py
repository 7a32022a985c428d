"""batchnorm in smoke mode: its asserted claims, the four steps against torch, and the variants' building blocks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from lab_checks import assert_judges_every_claim, smoke_result

import glassnet
from glassnet import lab, nn
from glassnet.lab import Verdict
from glassnet.lab.kit.curve import probe_split
from glassnet.lab.topics.batchnorm import expressiveness, judge_shift, measure, models, settings

PNG = b"\x89PNG\r\n\x1a\n"
# every_batch left the list in issue 13: its training half (frozen statistics need >= 1.25x
# the steps) gave 'does not hold' for one of smoke seeds 0-2; its rule is checked on its numbers.
ASSERTED = {
    "four_steps": Verdict.HOLDS,
    "zero_one_distribution": Verdict.HOLDS,
    "faster_learning": Verdict.HOLDS,
    "less_coupling": Verdict.PARTLY,
}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("batchnorm")


def test_smoke_run_completes_and_judges_every_claim(result):
    assert_judges_every_claim(result, "batchnorm", ASSERTED)


@pytest.mark.parametrize("claim_id", sorted(ASSERTED))
def test_asserted_verdicts(result, claim_id):
    judged = result.claim(claim_id)
    assert judged.verdict is ASSERTED[claim_id], (judged.numbers, judged.margin)


def test_four_steps_margin(result):
    """Margin: the hand computation agrees to ~5e-7, the tolerance is 6e-5."""
    judged = result.claim("four_steps")
    assert (
        judged.number("max |by hand - BatchNorm1d| (train mode)") < judged.number("tolerance") / 10
    )
    assert judged.number("running stats = 0.9 old + 0.1 batch (unbiased var)") is True


def test_zero_one_keeps_the_shape(result):
    judged = result.claim("zero_one_distribution")
    assert (
        judged.number("max |mean| after normalising") < 1e-5
        and judged.number("max |variance - 1|") < 1e-3
    )
    before, after = (
        judged.number("median skewness of ReLU features before BN"),
        judged.number("... after BN"),
    )
    assert before > 1 and after == pytest.approx(before, abs=0.01)


def test_training_claims_margins(result):
    """Margins: BN is >= 3x faster (1.5x needed); batch statistics at inference cost > 20 points (1 needed);
    BN cuts the layer-input drift to < 0.3x (0.5x needed) and the noisy variant misses the target."""
    assert (
        float(result.claim("faster_learning").number("speed-up in steps"))
        >= 2 * settings.FASTER_HOLDS
    )
    every = result.claim("every_batch")
    assert (
        every.number("... batch statistics, one class per batch")
        < every.number("test accuracy, eval mode (running averages)") - 0.2
    )
    shift = result.claim("internal_covariate_shift")
    none, bn = (float(v) for v in shift.number("drift, no BN / BN").split(" / "))
    mild, strong = (float(v) for v in shift.number("drift, BN + mild / strong noise").split(" / "))
    assert bn < 0.3 * none and strong > none and mild < strong
    coupling = result.claim("less_coupling")
    none, bn = (
        float(v)
        for v in coupling.number("W_2 doubled: distribution change, no BN / BN").split(" / ")
    )
    assert bn < 1e-3 * none  # BN is invariant to the scale of the weights before it
    none, bn = (
        float(v)
        for v in coupling.number("W_2 + 10% noise: per-sample change, no BN / BN").split(" / ")
    )
    assert bn > 1.5 * settings.COUPLING_REDUCED * none  # why not 'holds': ~1.05x, 0.5x needed


def steps_and_unreached(label: str) -> tuple[float, int]:
    """'412' or '600 (1 of 1 unreached)' (Runs.label) -> (412.0, 0) or (600.0, 1)."""
    steps, _, rest = label.partition(" (")
    return float(steps), int(rest.split()[0]) if rest else 0


def test_every_batch_follows_its_rule_on_its_numbers(result):
    judged = result.claim("every_batch")
    hidden = steps_and_unreached(judged.number("training, per-batch statistics: steps to target"))
    frozen = steps_and_unreached(
        judged.number(f"training, statistics frozen after step {settings.FREEZE_AFTER}: steps")
    )
    frozen_worse = frozen[0] >= settings.HURTS_STEPS * hidden[0] or frozen[1] > hidden[1]
    eval_accuracy = judged.number("test accuracy, eval mode (running averages)")
    worst = max(
        abs(judged.number(f"... batch statistics, {name}") - eval_accuracy)
        for name in ("batches of 500", "batches of 4", "one class per batch")
    )
    expected = (
        Verdict.DOES_NOT_HOLD
        if not frozen_worse
        else Verdict.HOLDS
        if worst < settings.BATCH_STATS_DIFF
        else Verdict.PARTLY
    )
    assert judged.verdict is expected and not judged.asserted


def test_figures_are_png(result):
    assert [f.name for f in result.figures] == ["four_steps", "training"]
    assert all(f.png.startswith(PNG) and len(f.png) > 5000 for f in result.figures)


def test_batchnorm1d_matches_torch_in_both_modes():
    """The layer the four steps are checked against, against PyTorch: train output, running stats, eval output."""
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32) * 3 + 1
    ours, theirs = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    np.testing.assert_allclose(
        ours(glassnet.from_numpy(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), atol=1e-5
    )
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5)
    ours.eval(), theirs.eval()
    with glassnet.no_grad():
        np.testing.assert_allclose(
            ours(glassnet.from_numpy(x)).data,
            theirs(torch.from_numpy(x)).detach().numpy(),
            atol=1e-5,
        )


def test_variants_are_built_as_named():
    kinds = {name: [type(m).__name__ for m in models.build(name, 0)] for name in settings.VARIANTS}
    assert "BatchNorm1d" not in kinds["none"]
    assert (
        kinds["hidden"][:3] == ["Linear", "BatchNorm1d", "ReLU"] and kinds["hidden"][-1] == "Linear"
    )
    assert kinds["input"][0] == "BatchNorm1d" and kinds["output"][-1] == "BatchNorm1d"
    assert kinds["noisy"][:4] == ["Linear", "BatchNorm1d", "ShiftNoise", "ReLU"]
    mild, strong = (
        models.modules_of(models.build(v, 0), models.ShiftNoise)[0] for v in ("noisy_mild", "noisy")
    )
    assert (mild.a, mild.b) == (strong.a / 2, strong.b / 2)
    assert all(
        m.weight is None for m in models.build("no_affine", 0) if isinstance(m, nn.BatchNorm1d)
    )


def test_shift_noise_is_identity_in_eval_and_redrawn_in_training():
    noise = models.ShiftNoise(3, np.random.default_rng(0))
    x = glassnet.ones(2, 3)
    first = noise(x).data.copy()
    assert np.allclose(first[0], first[1])  # one shift per unit, shared by the batch
    noise.redraw()
    assert not np.allclose(noise(x).data, first)
    noise.eval()
    assert np.array_equal(noise(x).data, x.data)


def test_shift_measures_moments_only():
    rng = np.random.default_rng(0)
    before = rng.standard_normal((500, 8))
    assert models.shift(before, before[::-1]) == pytest.approx(
        0.0, abs=1e-12
    )  # same values, other order
    assert models.shift(before, before + 1.0) == pytest.approx(1.0 / before.std(axis=0).mean())


def test_the_judged_noise_is_the_mildest_that_reaches_the_plain_drift():
    assert judge_shift.noise_level({"none": 0.5, "noisy_mild": 0.6, "noisy": 1.2}) == "noisy_mild"
    assert judge_shift.noise_level({"none": 0.7, "noisy_mild": 0.6, "noisy": 1.2}) == "noisy"


def test_landscape_probe_restores_the_model():
    data = probe_split(n_train=256)
    model = models.build("hidden", 0)
    state = {k: v.data.copy() for k, v in model.state_dict().items()}
    loss_range, change, beta = measure.landscape(model, data.x_train[:64], data.y_train[:64], 0.1)
    assert loss_range > 0 and change > 0 and beta > 0
    assert all(np.array_equal(state[k], v.data) for k, v in model.state_dict().items())


def test_bn_without_affine_cannot_be_the_identity_and_keeps_the_shape():
    """Margins: with gamma, beta the identity is exact to ~1e-8 (1e-3 needed); without, the error is ~0.9."""
    fit = expressiveness.identity_fit(expressiveness.features(probe_split(n_train=600)))
    assert fit["affine_error"] < 1e-6 and fit["plain_error"] > 0.5
    assert fit["plain_max_mean"] < 1e-5 < 1 < fit["target_min_mean"]
    assert (
        fit["skew_after"] == pytest.approx(fit["skew_before"], rel=1e-4) and fit["skew_after"] > 1
    )


def test_epsilon_guards_the_division_by_zero():
    numbers = expressiveness.epsilon_numbers(probe_split(n_train=600))
    assert numbers["nonfinite_without"] > 0 and numbers["finite_with"]
    assert numbers["change"] < 1e-4
