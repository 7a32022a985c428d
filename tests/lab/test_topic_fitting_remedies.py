"""fitting_remedies in smoke mode (machinery, not verdicts), its rules on made-up scores, and the
training helpers the fitting topics share."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import smoke_result

from glassnet import lab, nn
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.kit import data as kd
from glassnet.lab.kit import evaluate as ke
from glassnet.lab.kit import fit as kf
from glassnet.lab.kit import fitting as tf
from glassnet.lab.kit import stats as ks
from glassnet.lab.report import formatting as rf
from glassnet.lab.topics import fitting_remedies as topic
from glassnet.lab.topics.fitting_remedies.judge import judge_overfit
from glassnet.lab.topics.fitting_remedies.measure import EarlyStopping, Study

PNG = b"\x89PNG\r\n\x1a\n"
OVER = (
    "simplify_model",
    "regularisation",
    "augmentation",
    "ensemble",
    "early_stopping",
    "fewer_features",
)


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("fitting_remedies")


@pytest.mark.timeout(
    300
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_run_judges_every_claim_or_says_why_not(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in notes_topic("fitting_remedies").claims
    ]
    for judged in result.claims:
        assert judged.rule.en and judged.note is not None, judged.claim.id
        assert judged.note.en.startswith("Reading judged:"), judged.claim.id
        if judged.verdict is Verdict.NOT_MEASURED:  # only for a base that lacks the problem
            assert "does not over-fit" in judged.note.en or "does not under-fit" in judged.note.en
        else:
            assert judged.numbers, judged.claim.id
    assert not any(c.asserted for c in result.claims)


def test_each_remedy_is_judged_on_test_at_a_strength_chosen_on_validation(result):
    for claim_id in OVER:
        judged = result.claim(claim_id)
        if judged.verdict is Verdict.NOT_MEASURED:
            continue
        names = {key if isinstance(key, str) else key.en for key in judged.numbers}
        assert any(name.endswith("chosen") for name in names), claim_id
        assert any("test" in name for name in names), claim_id
    # the base's over-fitting check is stated with its gap, in the table note or the claims
    assert "overfit_check" in result.said and result.said["overfit_check"]["needed"] == 10.0


def test_tables_and_figures(result):
    titles = [t.title.en for t in result.tables]
    assert any("MNIST-1D" in t for t in titles) and any("digits" in t for t in titles)
    assert any(t.startswith("Under-fitting") for t in titles)
    over = result.tables[0]
    assert over.rows[0][0].en == "base"
    chosen = [row for row in over.rows if row[-1] == "yes"]
    # one chosen strength per swept remedy: smaller, L2, dropout, augmentation, ensemble, features
    assert len(chosen) == 6
    assert [f.name for f in result.figures] == ["remedies", "early_stopping"]
    assert all(f.png.startswith(PNG) for f in result.figures)


# -- the rules, on made-up scores ---------------------------------------------------------
def scores(train, val, test, loss=None) -> tf.Scores:
    return tf.Scores(list(train), list(val), list(test), None if loss is None else list(loss))


BASE = scores([1.0, 1.0], [0.40, 0.42], [0.40, 0.42])


@pytest.mark.parametrize(
    ("remedy", "expected"),
    [
        (scores([0.9, 0.9], [0.5, 0.5], [0.42, 0.44]), "holds"),  # +2 test, gap -12
        (scores([0.9, 0.9], [0.5, 0.5], [0.37, 0.47]), "partly"),  # +1 mean, one seed down
        (scores([1.0, 1.0], [0.5, 0.5], [0.42, 0.44]), "partly"),  # +2 test, gap -2
        (scores([0.5, 0.5], [0.4, 0.4], [0.40, 0.42]), "partly"),  # gap -50, test unchanged
        (scores([0.5, 0.5], [0.4, 0.4], [0.37, 0.39]), "does not hold"),  # gap -47, test -3
        (scores([1.0, 1.0], [0.4, 0.4], [0.40, 0.42]), "does not hold"),
    ],
)
def test_overfit_rule_is_seed_by_seed(remedy, expected):
    assert tf.overfit_verdict(BASE, remedy)[0] == expected


@pytest.mark.parametrize(
    ("remedy", "expected"),
    [
        (scores([0.5, 0.5], [0.4, 0.4], [0.36, 0.36]), "holds"),
        (scores([0.5, 0.5], [0.4, 0.4], [0.30, 0.42]), "partly"),  # one seed's test down
        (scores([0.44, 0.44], [0.4, 0.4], [0.50, 0.50]), "does not hold"),  # train +4 only
    ],
)
def test_underfit_rule(remedy, expected):
    base = scores([0.4, 0.4], [0.33, 0.33], [0.34, 0.34])
    assert tf.underfit_verdict(base, remedy)[0] == expected


def test_preconditions_and_the_choice_on_validation():
    assert tf.overfits(scores([1.0], [0.9], [0.9]))  # a gap of exactly 10 points
    assert not tf.overfits(scores([1.0], [0.91], [0.5]))
    assert tf.underfits(scores([0.79], [0.75], [0.7])) and not tf.underfits(
        scores([0.8], [0.8], [0.8])
    )
    assert not tf.underfits(scores([0.6], [0.4], [0.4]))  # it over-fits instead
    sweep = {"gentle": scores([1], [0.5], [0.1]), "strong": scores([1], [0.5], [0.9])}
    assert tf.choose_on_val(sweep) == "gentle"  # a tie goes to the gentlest
    sweep["strongest"] = scores([1], [0.6], [0.0])
    assert tf.choose_on_val(sweep) == "strongest"  # chosen on validation, whatever test says


def test_a_base_that_does_not_over_fit_leaves_the_claims_not_measured():
    fair = scores([0.95, 0.95], [0.9, 0.9], [0.9, 0.9])
    study = Study("toy", None, {}, 1, base=fair, sweeps={"features": {"all": fair}})
    out = lab.Result.start("fitting_remedies", "smoke", 0)
    judge_overfit(out, [study])
    assert [c.claim.id for c in out.claims] == ["regularisation", *OVER[:1], *OVER[2:]]
    for judged in out.claims:
        assert judged.verdict is Verdict.NOT_MEASURED
        assert list(judged.numbers.values()) == [5.0]  # the base's gap, stated
        assert (
            "the base's train - validation gap is 5.0 points, so it does not over-fit"
            in judged.note.en
        )


# -- early stopping and the shared helpers -------------------------------------------------
class _Curve:
    def __init__(self, val_loss):
        self.val_loss = val_loss


@pytest.mark.parametrize(
    ("losses", "patience", "expected", "stops"),
    [
        ([5, 4, 3, 2, 1], 2, (4, 4), False),  # never stops: the last epoch is the best
        ([5, 3, 4, 4, 4, 4], 3, (1, 4), True),  # the third epoch without improvement stops at 1
        ([5, 3, 4, 2, 9, 9], 2, (3, 5), True),  # an improvement resets the count
    ],
)
def test_early_stopping_replay_and_tracker_match_keras(losses, patience, expected, stops):
    assert topic.stop_epoch(_Curve(losses), patience) == expected
    model, tracker, seen = nn.Linear(2, 1), EarlyStopping(patience), []
    for index, loss in enumerate(losses):
        model.weight.data[...] = index  # the weights of epoch `index`
        seen.append(loss)
        tracker(model, _Curve(list(seen)))
    assert tracker.best_index == expected[0]
    assert np.all(tracker.weights[0] == expected[0])  # the restored weights are that epoch's
    assert tracker.stopped is stops


def test_fit_calls_on_eval_after_each_evaluated_epoch():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 5)).astype(np.float32), np.arange(20) % 4
    calls = []
    kf.fit(
        kf.seeded(0, kf.mlp, [5, 8, 4]),
        x,
        y,
        kf.Recipe(epochs=6, batch_size=10, eval_every=2),
        seed=0,
        val=(x, y),
        on_eval=lambda model, curve: calls.append(curve.epoch[-1]),
    )
    assert calls == [2, 4, 6]


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
