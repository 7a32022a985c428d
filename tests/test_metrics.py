"""glassnet.metrics against sklearn.metrics on random label sets, absent classes and 0/0 cases."""

from __future__ import annotations

import warnings

import numpy
import pytest
import sklearn.metrics as sk
import torch

import glassnet
from glassnet import metrics
from glassnet.metrics import UndefinedMetricWarning

ZERO_DIVISIONS = ["warn", 0.0, 1.0, numpy.nan]
AVERAGES = [None, "micro", "macro", "weighted"]


def label_sets(seed: int) -> tuple[numpy.ndarray, numpy.ndarray, int]:
    """Random labels where some classes never occur, some occur only as predictions,
    and some only as truths (the 0/0 cases of precision and recall)."""
    rng = numpy.random.default_rng(seed)
    classes = int(rng.integers(2, 8))
    size = int(rng.choice([1, 3, 20, 200]))
    true_classes = rng.choice(
        classes, size=max(1, classes - int(rng.integers(0, 3))), replace=False
    )
    pred_classes = rng.choice(
        classes, size=max(1, classes - int(rng.integers(0, 3))), replace=False
    )
    y_true = rng.choice(true_classes, size)
    y_pred = numpy.where(rng.random(size) < 0.5, y_true, rng.choice(pred_classes, size))
    return y_true, y_pred, classes


def quiet(function, *args, **kwargs):
    """Call without the 0/0 warnings (both libraries warn; the test compares values)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def assert_same(ours, theirs) -> None:
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            assert_same(mine, reference)
    elif theirs is None:
        assert ours is None
    else:
        numpy.testing.assert_allclose(
            numpy.asarray(ours, float), numpy.asarray(theirs, float), rtol=1e-12, atol=0
        )


SEEDS = range(24)


# -- accuracy and confusion matrix -----------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_matches_sklearn(seed):
    y_true, y_pred, _ = label_sets(seed)
    weights = numpy.random.default_rng(seed).random(len(y_true))
    for normalize in (True, False):
        assert metrics.accuracy_score(y_true, y_pred, normalize=normalize) == pytest.approx(
            sk.accuracy_score(y_true, y_pred, normalize=normalize), rel=1e-12
        )
        assert metrics.accuracy_score(
            y_true, y_pred, normalize=normalize, sample_weight=weights
        ) == pytest.approx(
            sk.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=weights), rel=1e-12
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_matrix_matches_sklearn(seed):
    y_true, y_pred, classes = label_sets(seed)
    rng = numpy.random.default_rng(seed)
    weights = rng.random(len(y_true))
    ours = metrics.confusion_matrix(y_true, y_pred)
    assert ours.dtype == numpy.int64
    numpy.testing.assert_array_equal(ours, quiet(sk.confusion_matrix, y_true, y_pred))
    everything = list(range(classes))
    numpy.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred, num_classes=classes),
        sk.confusion_matrix(y_true, y_pred, labels=everything),
    )
    # a reordered subset (plus a class that never occurs): samples outside it are dropped
    subset = [int(y_true[0])] + [int(c) for c in rng.permutation(classes + 2)[:3] if c != y_true[0]]
    numpy.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred, labels=subset),
        quiet(sk.confusion_matrix, y_true, y_pred, labels=subset),
    )
    for normalize in ("true", "pred", "all"):
        numpy.testing.assert_allclose(
            metrics.confusion_matrix(
                y_true, y_pred, sample_weight=weights, normalize=normalize, labels=everything
            ),
            sk.confusion_matrix(
                y_true, y_pred, sample_weight=weights, normalize=normalize, labels=everything
            ),
            rtol=1e-12,
        )
    integer_weights = rng.integers(0, 4, len(y_true))
    ours = metrics.confusion_matrix(y_true, y_pred, sample_weight=integer_weights)
    assert ours.dtype == numpy.int64
    numpy.testing.assert_array_equal(
        ours, quiet(sk.confusion_matrix, y_true, y_pred, sample_weight=integer_weights)
    )


def test_confusion_matrix_orientation_rows_are_true_classes():
    matrix = metrics.confusion_matrix([0, 0, 0, 1], [1, 1, 0, 1], num_classes=3)
    numpy.testing.assert_array_equal(matrix, [[1, 2, 0], [0, 1, 0], [0, 0, 0]])


# -- precision, recall, F ---------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS, ids=str)
def test_precision_recall_fscore_support_matches_sklearn(seed, zero_division):
    y_true, y_pred, classes = label_sets(seed)
    label_choices = [None, list(range(classes + 1)), [int(y_pred[0]), classes + 3]]
    for labels in label_choices:
        for average in AVERAGES:
            for beta in (1.0, 0.5, 2.0):
                options = {
                    "labels": labels,
                    "average": average,
                    "beta": beta,
                    "zero_division": zero_division,
                }
                assert_same(
                    quiet(metrics.precision_recall_fscore_support, y_true, y_pred, **options),
                    quiet(sk.precision_recall_fscore_support, y_true, y_pred, **options),
                )


@pytest.mark.parametrize("seed", SEEDS)
def test_score_functions_and_weights_match_sklearn(seed):
    y_true, y_pred, _classes = label_sets(seed)
    weights = numpy.random.default_rng(seed).random(len(y_true))
    for average in AVERAGES:
        for name in ("precision_score", "recall_score", "f1_score"):
            options = {"average": average, "zero_division": 1.0, "sample_weight": weights}
            assert_same(
                getattr(metrics, name)(y_true, y_pred, **options),
                getattr(sk, name)(y_true, y_pred, **options),
            )
        assert_same(
            metrics.fbeta_score(y_true, y_pred, beta=3.0, average=average, zero_division=0.0),
            sk.fbeta_score(y_true, y_pred, beta=3.0, average=average, zero_division=0.0),
        )
        assert_same(
            quiet(
                metrics.precision_recall_fscore_support,
                y_true,
                y_pred,
                average=average,
                sample_weight=weights,
            ),
            quiet(
                sk.precision_recall_fscore_support,
                y_true,
                y_pred,
                average=average,
                sample_weight=weights,
            ),
        )


@pytest.mark.parametrize("seed", range(8))
def test_binary_average_matches_sklearn(seed):
    rng = numpy.random.default_rng(seed)
    y_true = rng.integers(0, 2, 30)
    y_pred = numpy.where(rng.random(30) < 0.7, y_true, 1 - y_true)
    for pos_label in (0, 1):
        for name in ("precision_score", "recall_score", "f1_score"):
            assert_same(
                getattr(metrics, name)(y_true, y_pred, pos_label=pos_label),
                getattr(sk, name)(y_true, y_pred, pos_label=pos_label),
            )
    # only one class present anywhere: the positive class is 0/0 for precision and recall
    assert_same(
        quiet(metrics.precision_recall_fscore_support, [0, 0], [0, 0], average="binary"),
        quiet(sk.precision_recall_fscore_support, [0, 0], [0, 0], average="binary"),
    )


def test_micro_average_equals_accuracy():
    y_true, y_pred, _ = label_sets(5)
    assert metrics.f1_score(y_true, y_pred, average="micro") == pytest.approx(
        metrics.accuracy_score(y_true, y_pred)
    )


def test_zero_division_warns_like_sklearn():
    with pytest.warns(
        UndefinedMetricWarning,
        match="Precision is ill-defined and being set to 0.0 in labels with no predicted samples",
    ):
        value = metrics.precision_score([0, 1, 2], [0, 0, 1], average="macro")
    assert value == pytest.approx(0.5 / 3)
    with pytest.warns(
        UndefinedMetricWarning, match="Recall is ill-defined and being set to 0.0 due to no true"
    ):
        metrics.recall_score([0, 0], [1, 1], average="binary")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.precision_score(
            [0, 1, 2], [0, 0, 1], average="macro", zero_division=1.0
        ) == pytest.approx(1.5 / 3)


def test_weighted_average_with_no_support_falls_back_to_the_mean():
    # labels that never occur in y_true: all weights are 0, so scikit-learn takes a plain mean
    options = {"labels": [1, 2], "average": "weighted", "zero_division": 1.0}
    assert_same(
        metrics.precision_recall_fscore_support([0, 0, 0], [1, 0, 2], **options),
        sk.precision_recall_fscore_support([0, 0, 0], [1, 0, 2], **options),
    )


# -- top-k -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_top_k_accuracy_matches_sklearn_including_ties(seed):
    rng = numpy.random.default_rng(seed)
    classes = int(rng.integers(3, 9))
    samples = 40
    y_true = rng.integers(0, classes, samples)
    # few distinct values: many ties, which both must break toward the higher class index
    scores = rng.integers(0, 4, (samples, classes)).astype(numpy.float64)
    weights = rng.random(samples)
    for k in range(1, classes):
        for normalize in (True, False):
            options = {"k": k, "normalize": normalize, "sample_weight": weights}
            assert metrics.top_k_accuracy_score(y_true, scores, **options) == pytest.approx(
                sk.top_k_accuracy_score(y_true, scores, labels=numpy.arange(classes), **options),
                rel=1e-12,
            )


def test_top_k_counts_hits_by_rank():
    scores = numpy.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.2, 0.3, 0.5]])
    y_true = [2, 0, 0]  # ranks 1, 0, 2
    assert [metrics.top_k_accuracy_score(y_true, scores, k=k) for k in (1, 2, 3)] == pytest.approx(
        [1 / 3, 2 / 3, 1]
    )


# -- inputs ------------------------------------------------------------------------------
def test_tensors_arrays_lists_and_scores_give_the_same_results():
    y_true = [2, 0, 1, 1, 0]
    logits = numpy.array(
        [[0.1, 0.2, 3.0], [2.0, 0.1, 0.0], [0.0, 1.0, 0.5], [1.0, 0.0, 0.5], [0.3, 0.2, 0.1]],
        dtype=numpy.float32,
    )
    expected = sk.accuracy_score(y_true, logits.argmax(1))
    assert expected == 0.8
    for truth in (
        y_true,
        numpy.array(y_true),
        glassnet.tensor(y_true),
        torch.tensor(y_true),
        numpy.array(y_true, dtype=numpy.float32),
    ):
        for prediction in (
            logits,
            glassnet.tensor(logits, requires_grad=True),
            torch.from_numpy(logits),
            logits.argmax(1),
            glassnet.tensor(logits.argmax(1)),
        ):
            assert metrics.accuracy_score(truth, prediction) == expected
            assert metrics.accuracy(truth, prediction) == expected
    numpy.testing.assert_array_equal(
        metrics.confusion_matrix(glassnet.tensor(y_true), glassnet.tensor(logits)),
        sk.confusion_matrix(y_true, logits.argmax(1)),
    )
    assert metrics.f1_score(y_true, glassnet.tensor(logits), average="macro") == pytest.approx(
        sk.f1_score(y_true, logits.argmax(1), average="macro")
    )


@pytest.mark.parametrize("seed", range(6))
def test_classification_report_matches_sklearn(seed):
    y_true, y_pred, classes = label_sets(seed + 100)
    # scikit-learn prints the support as a float ("1.0") when no prediction at all is right, a
    # dtype accident of its code; the text is compared when some prediction is right
    compare_text = bool((y_true == y_pred).any())
    for labels in (None, list(range(classes)), [int(y_true[0])]):
        for digits in (2, 4):
            options = {"labels": labels, "digits": digits, "zero_division": 0.0}
            if compare_text:
                assert metrics.classification_report(
                    y_true, y_pred, **options
                ) == sk.classification_report(y_true, y_pred, **options)
            assert metrics.classification_report(
                y_true, y_pred, output_dict=True, **options
            ) == sk.classification_report(y_true, y_pred, output_dict=True, **options)
    names = [f"class {label}" for label in range(classes)]
    options = {"labels": list(range(classes)), "target_names": names, "zero_division": 1.0}
    assert metrics.classification_report(
        y_true, y_pred, output_dict=True, **options
    ) == sk.classification_report(y_true, y_pred, output_dict=True, **options)
    if compare_text:
        assert metrics.classification_report(y_true, y_pred, **options) == sk.classification_report(
            y_true, y_pred, **options
        )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: metrics.accuracy_score([0, 1, 2], [0, 1]),
            ValueError,
            "y_true has 3 samples but y_pred has 2",
        ),
        (
            lambda: metrics.f1_score([0, 1], [0, 1, 1], average="macro"),
            ValueError,
            "y_true has 2 samples but y_pred has 3",
        ),
        (
            lambda: metrics.top_k_accuracy_score([0, 1], numpy.zeros((3, 4))),
            ValueError,
            "y_true has 2 samples but y_score has 3",
        ),
        (
            lambda: metrics.accuracy_score([0, 1], [0, 1], sample_weight=[1.0]),
            ValueError,
            r"sample_weight has shape \(1,\) but y_true has 2 samples",
        ),
        (
            lambda: metrics.accuracy_score([0, -1, 2], [0, 1, 2]),
            ValueError,
            "y_true holds a negative label -1 at index 1; labels are class indices 0..C-1",
        ),
        (
            lambda: metrics.confusion_matrix([0, 1], [0, -3]),
            ValueError,
            "y_pred holds a negative label -3 at index 1",
        ),
        (
            lambda: metrics.accuracy_score([0, 1], [0.0, 0.7]),
            ValueError,
            r"y_pred holds a non-integer value 0.7 at index 1; pass class indices, or \(N, C\) scores",
        ),
        (
            lambda: metrics.accuracy_score(numpy.eye(3), [0, 1, 2]),
            ValueError,
            r"y_true must be 1-D class indices, got shape \(3, 3\); one-hot or multilabel targets are not supported",
        ),
        (
            lambda: metrics.accuracy_score([0, 1], [[0.2], [0.9]]),
            ValueError,
            (
                r"y_pred has shape \(2, 1\): one score column is not \(N, C\) class scores; for a binary sigmoid output "
                r"pass \(y_pred > 0.5\)"
            ),
        ),
        (
            lambda: metrics.accuracy_score(["a", "b"], [0, 1]),
            TypeError,
            ("y_true must hold integer class indices, got dtype <U1"),
        ),
        (lambda: metrics.accuracy_score([], []), ValueError, "y_true is empty"),
        (
            lambda: metrics.accuracy_score([0, 1], numpy.array([[0.1, numpy.nan], [1.0, 0.0]])),
            ValueError,
            "y_pred holds nan at row 0, column 1",
        ),
        (
            lambda: metrics.top_k_accuracy_score([0, 1], numpy.zeros((2, 3)), k=5),
            ValueError,
            r"k=5 is larger than the number of classes in y_score \(3\)",
        ),
        (
            lambda: metrics.top_k_accuracy_score([0, 1], numpy.zeros((2, 3)), k=0),
            ValueError,
            "k must be a positive integer, got 0",
        ),
        (
            lambda: metrics.top_k_accuracy_score([0, 4], numpy.zeros((2, 3))),
            ValueError,
            r"y_true holds label 4 at index 1, but y_score has only 3 columns \(classes 0..2\)",
        ),
        (
            lambda: metrics.top_k_accuracy_score([0, 1], numpy.zeros(2)),
            ValueError,
            r"y_score must be \(N, C\) scores, got shape \(2,\)",
        ),
        (
            lambda: metrics.confusion_matrix([0, 5], [0, 1], num_classes=3),
            ValueError,
            "y_true holds label 5 at index 1, but num_classes=3",
        ),
        (
            lambda: metrics.confusion_matrix([0, 1], [0, 1], num_classes=2, labels=[0, 1]),
            ValueError,
            "pass labels or num_classes, not both",
        ),
        (
            lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[]),
            ValueError,
            "'labels' should contain at least one label",
        ),
        (
            lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[2, 3]),
            ValueError,
            "At least one label specified must be in y_true",
        ),
        (
            lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[1, 1]),
            ValueError,
            r"labels must be unique, got \[1, 1\]",
        ),
        (
            lambda: metrics.confusion_matrix([0, 1], [0, 1], normalize="rows"),
            ValueError,
            "normalize must be one of None, 'true', 'pred', 'all', got 'rows'",
        ),
        (
            lambda: metrics.precision_score([0, 1, 2], [0, 1, 2]),
            ValueError,
            r"Target is multiclass \(classes \[0, 1, 2\]\) but average='binary'",
        ),
        (
            lambda: metrics.precision_score([0, 1], [0, 1], pos_label=3),
            ValueError,
            r"pos_label=3 is not a valid label. It should be one of \[0, 1\]",
        ),
        (
            lambda: metrics.f1_score([0, 1], [0, 1], average="samples"),
            ValueError,
            r"average must be one of \[None, 'binary', 'micro', 'macro', 'weighted'\], got 'samples'",
        ),
        (
            lambda: metrics.f1_score([0, 1], [0, 1], average="macro", zero_division=0.5),
            ValueError,
            "zero_division must be 'warn', 0, 1 or numpy.nan, got 0.5",
        ),
        (
            lambda: metrics.fbeta_score([0, 1], [0, 1], beta=-1.0, average="macro"),
            ValueError,
            "beta must be >= 0, got -1.0",
        ),
        (
            lambda: metrics.classification_report([0, 1], [0, 1], target_names=["a"]),
            ValueError,
            r"2 classes \(\[0, 1\]\) but 1 target_names",
        ),
    ],
    ids=lambda value: None if callable(value) or isinstance(value, type) else value[:40],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
