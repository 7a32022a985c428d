"""fitting_remedies in smoke mode (its robust claims), and the training helpers the fitting topics share."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.kit import data as kd
from glassnet.lab.kit import evaluate as ke
from glassnet.lab.kit import fit as kf
from glassnet.lab.kit import fitting as tf
from glassnet.lab.kit import stats as ks
from glassnet.lab.report import formatting as rf
from glassnet.lab.topics import fitting_remedies as topic

PNG = b"\x89PNG\r\n\x1a\n"
# The robust claims, asserted with seed 0: under-fitting remedies whose effects are several
# times their thresholds (5 points of training accuracy, 1 of validation accuracy).
ROBUST = {
    "more_features": Verdict.HOLDS,
    "less_regularisation": Verdict.HOLDS,
    "boosting": Verdict.HOLDS,
}
MARGIN_FACTOR = 2.0  # the smoke numbers clear each threshold at least twice over


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("fitting_remedies")


@pytest.mark.timeout(
    180
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_run_judges_every_claim_of_the_topic(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in notes_topic("fitting_remedies").claims
    ]
    for judged in result.claims:
        assert judged.verdict is not Verdict.NOT_MEASURED, judged.claim.id
        assert judged.numbers and judged.rule.en
    assert {c.claim.id for c in result.claims if c.robust} == set(ROBUST)


@pytest.mark.parametrize("claim_id", sorted(ROBUST))
def test_robust_underfitting_remedies_hold_with_margin(result, claim_id):
    judged = result.claim(claim_id)
    assert judged.verdict is ROBUST[claim_id], judged.numbers
    assert judged.margin is not None
    assert judged.number("train gain (points)") >= MARGIN_FACTOR * tf.TRAIN_POINTS
    assert judged.number("val gain (points)") >= MARGIN_FACTOR * tf.VAL_POINTS


def test_overfitting_claims_are_judged_on_both_data_sets(result):
    for claim_id in (
        "simplify_model",
        "augmentation",
        "ensemble",
        "early_stopping",
        "fewer_features",
    ):
        names = {key if isinstance(key, str) else key.en for key in result.claim(claim_id).numbers}
        assert {"MNIST-1D: gap narrowed by", "digits: gap narrowed by"} <= names, claim_id
    # the base model really over-fits in both studies: 100% training accuracy, far above validation
    for table in result.tables[:2]:
        base = table.rows[0]
        assert base[2].startswith("100.0") and float(base[4].split(" ± ")[0]) > 5


def test_tables_and_figures(result):
    titles = [t.title.en for t in result.tables]
    assert any("MNIST-1D" in t for t in titles) and any("digits" in t for t in titles)
    assert any(t.startswith("Under-fitting") for t in titles)
    assert [f.name for f in result.figures] == ["remedies", "early_stopping"]
    assert all(f.png.startswith(PNG) for f in result.figures)


# -- the shared helpers ---------------------------------------------------------------------
class _Curve:
    def __init__(self, val_loss):
        self.val_loss = val_loss


@pytest.mark.parametrize(
    ("losses", "patience", "expected"),
    [
        ([5, 4, 3, 2, 1], 2, (4, 4)),  # never stops: the last epoch is the best
        (
            [5, 3, 4, 4, 4, 4],
            3,
            (1, 4),
        ),  # the third epoch without improvement stops; epoch 1 is restored
        ([5, 3, 4, 2, 9, 9], 2, (3, 5)),  # an improvement resets the count
    ],
)
def test_early_stopping_replay_matches_keras(losses, patience, expected):
    assert topic.stop_epoch(_Curve(losses), patience) == expected


@pytest.mark.parametrize(
    ("gap", "val", "expected"),
    [
        (5.0, 1.0, "holds"),
        (40.0, -1.9, "partly"),
        (40.0, -2.0, "does not hold"),
        (0.0, 1.0, "partly"),
        (4.9, 0.9, "does not hold"),
        (-3.0, -3.0, "does not hold"),
    ],
)
def test_overfit_rule(gap, val, expected):
    assert tf.overfit_verdict(gap, val) == expected


@pytest.mark.parametrize(
    ("train", "val", "expected"),
    [(5.0, 1.0, "holds"), (50.0, -10.0, "partly"), (4.9, 30.0, "does not hold")],
)
def test_underfit_rule(train, val, expected):
    assert tf.underfit_verdict(train, val) == expected


def test_shift_and_noise_moves_each_signal_by_a_whole_number_of_samples():
    x = np.tile(np.arange(1, 11, dtype=np.float32), (50, 1))
    shifted = tf.shift_and_noise(3, 0.0)(x, np.random.default_rng(0))
    assert shifted.dtype == np.float32 and shifted.shape == x.shape
    offsets = set()
    for row in shifted:
        inside = row[row > 0]
        offsets.add(int(np.flatnonzero(row == inside[0])[0]) - int(inside[0]) + 1)
        assert np.array_equal(
            np.diff(inside), np.ones(len(inside) - 1)
        )  # contiguous, zero-filled edges
    assert offsets == {-3, -2, -1, 0, 1, 2, 3}


def test_shift_2d_moves_a_pixel_by_at_most_one_step():
    x = np.zeros((40, 64), dtype=np.float32)
    x[:, 3 * 8 + 3] = 1.0
    moved = tf.shift_2d_and_noise(8, 1, 0.0)(x, np.random.default_rng(1)).reshape(40, 8, 8)
    for image in moved:
        ((row, col),) = np.argwhere(image == 1.0)
        assert abs(row - 3) <= 1 and abs(col - 3) <= 1 and image.sum() == 1.0


def test_pairwise_features_and_standardise():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    features = tf.pairwise_features(x)
    assert features.shape == (2, 3 + 6)
    assert np.array_equal(features[1], [3, 4, 5, 9, 12, 15, 16, 20, 25])
    train, other = tf.standardise(np.array([[1.0, 2.0], [3.0, 2.0]]), np.array([[5.0, 7.0]]))
    assert np.allclose(train, [[-1, 0], [1, 0]]) and np.allclose(
        other, [[3, 5]]
    )  # a constant column is only centred


def test_fit_memorises_a_tiny_training_set():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 5)).astype(np.float32), np.arange(20) % 4
    model = kf.seeded(0, kf.mlp, [5, 32, 4])
    curve = kf.fit(model, x, y, kf.Recipe(epochs=200, batch_size=10, lr=1e-2), seed=0, val=(x, y))
    assert curve.steps == 400 and curve.epoch[-1] == 200
    assert curve.train_acc[-1] == 1.0 and curve.val_acc[-1] == 1.0
    assert curve.train_loss[-1] < curve.train_loss[0] / 10


def test_seeded_builds_the_same_weights():
    first, second = (kf.seeded(3, kf.mlp, [4, 8, 2]) for _ in range(2))
    for a, b in zip(first.parameters(), second.parameters()):
        assert np.array_equal(a.data, b.data)


def test_recipe_and_split_refuse_bad_arguments():
    with pytest.raises(
        ValueError, match="exactly one of epochs or steps, got epochs=None, steps=None"
    ):
        kf.Recipe()
    with pytest.raises(ValueError, match="exactly one of epochs or steps, got epochs=3, steps=4"):
        kf.Recipe(epochs=3, steps=4)
    with pytest.raises(
        ValueError, match="optimizer must be 'adam', 'sgd' or 'momentum', got 'lbfgs'"
    ):
        kf.Recipe(epochs=1, optimizer="lbfgs")
    with pytest.raises(
        ValueError, match="n_train=3500 \\+ n_val=1000 exceeds the 4000 training rows"
    ):
        kd.mnist1d(3500)


def test_numbers_helpers():
    assert rf.pm_percent([0.5, 0.7]) == "60.0 ± 14.1"
    assert ks.mean_std([2.0], ddof=1) == (2.0, 0.0)
    logits = np.array([[2.0, 0.0], [0.0, 3.0]])
    assert ke.accuracy(logits, np.array([0, 0])) == 0.5
    assert ke.cross_entropy(logits, np.array([0, 1])) == pytest.approx(
        np.mean([np.log1p(np.exp(-2.0)), np.log1p(np.exp(-3.0))])
    )
    assert np.allclose(ke.softmax(logits).sum(axis=1), 1.0)
