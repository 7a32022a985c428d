"""evaluation in smoke mode (its asserted claim: accuracy and recall each expose what the other hides), and its
pure helpers: the selection-optimism re-splits and the Domingos bias/variance decomposition."""

from __future__ import annotations

import numpy as np
import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.kit.data import Split
from glassnet.lab.topics import evaluation as topic

PNG = b"\x89PNG\r\n\x1a\n"
ASSERTED = {"accuracy_recall": Verdict.HOLDS}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("evaluation")


@pytest.mark.timeout(
    180
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_run_judges_every_claim(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [c.id for c in notes_topic("evaluation").claims]
    assert all(c.verdict is not Verdict.NOT_MEASURED and c.numbers for c in result.claims)
    assert {c.claim.id for c in result.claims if c.asserted} == set(ASSERTED)


def test_accuracy_and_recall_each_expose_a_failure_with_margin(result):
    judged = result.claim("accuracy_recall")
    assert judged.verdict is ASSERTED["accuracy_recall"], judged.numbers
    assert judged.margin is not None
    assert judged.number("largest |glassnet - scikit-learn| over all metrics") <= 1e-12
    # about 10% of the test signals are 3s: 0.89 against the 0.85 threshold, 0.11 against 0.2
    assert judged.number("'always no': accuracy") >= topic.MAJORITY_ACCURACY + 0.03
    assert judged.number("'always no': recall") == 0.0
    assert judged.number("'always yes': recall") == 1.0
    assert judged.number("'always yes': accuracy") <= topic.MINORITY_ACCURACY - 0.05
    assert judged.number("recall never rises with the threshold") is True
    assert judged.number("Spearman(threshold, precision)") >= topic.SPEARMAN + 0.3


def test_the_training_accuracy_overstates_the_test_accuracy(result):
    """Not an asserted claim (the selection-optimism half is small and noisy), but its first half is large."""
    judged = result.claim("splits")
    assert (
        judged.number("training accuracy minus test accuracy, mean (points)")
        >= topic.TRAIN_GAP_POINTS
    )


def test_tables_and_figures(result):
    per_class = next(t for t in result.tables if "per-class" in t.title.en)
    assert [row[0] for row in per_class.rows[:10]] == [str(c) for c in range(10)]
    assert sum(row[4] for row in per_class.rows[:10]) == 1000
    assert [f.name for f in result.figures] == [
        "confusion_and_threshold",
        "selection_and_bias_variance",
    ]
    assert all(f.png.startswith(PNG) for f in result.figures)


def test_domingos_decomposition_on_hand_made_votes():
    y = np.array([0, 1, 2, 3])
    same = np.array([[0, 1, 2, 0]] * 3)  # identical copies: no variance, bias = error
    assert topic.domingos(same, y, classes=4) == {"bias": 25.0, "variance": 0.0, "error": 25.0}
    votes = np.array(
        [[0, 1, 2, 3], [0, 1, 2, 3], [1, 1, 0, 0]]
    )  # the third copy departs on 3 of 4 samples
    assert topic.domingos(votes, y, classes=4) == {"bias": 0.0, "variance": 25.0, "error": 25.0}


def _split(val_y: np.ndarray, test_y: np.ndarray) -> Split:
    empty = np.zeros((0, 1), np.float32)
    return Split(empty, np.zeros(0, np.int64), empty, val_y, empty, test_y)


def test_selection_optimism_is_zero_without_a_choice_and_positive_with_one():
    rng = np.random.default_rng(0)
    y_val, y_test = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    y = np.concatenate([y_val, y_test])

    def candidate(accuracy: float, seed: int) -> dict:
        hits = np.random.default_rng(seed).random(400) < accuracy
        logits = np.eye(2)[np.where(hits, y, 1 - y)]
        return {"val_logits": logits[:200], "test_logits": logits[200:]}

    lone = topic.selection_optimism([candidate(0.7, 1)], _split(y_val, y_test), 400, seed=0)
    assert lone["picks"].tolist() == [400]
    assert abs(lone["optimism"] - lone["unselected"]) < 1e-9 and abs(lone["optimism"]) < 0.5
    # twenty equally good candidates: the winner on one half is, on average, lucky
    crowd = topic.selection_optimism(
        [candidate(0.7, s) for s in range(20)], _split(y_val, y_test), 400, seed=0
    )
    assert crowd["optimism"] > 2.0 and abs(crowd["unselected"]) < 0.5


def test_spearman_ranks():
    assert topic.spearman(np.arange(5.0), np.array([1.0, 3.0, 2.0, 8.0, 9.0])) == pytest.approx(0.9)
    assert topic.spearman(np.arange(4.0), -np.arange(4.0)) == pytest.approx(-1.0)
