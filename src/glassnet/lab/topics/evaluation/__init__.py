"""Evaluating a model: train/validation/test discipline, the confusion matrix,
precision/recall/F1, bias/variance.

Three measurements on MNIST-1D, one per line of the notes:

* Splits. A pool of MLPs with random hyper-parameters is trained on the training
  signals. Their training accuracy overstates their test accuracy (what over-fitting
  means); and the validation accuracy of the model *chosen* on validation overstates
  its accuracy on fresh data (the winner of a selection is partly lucky). The second
  is measured by re-splitting the 2,000 held-out signals at random into 'validation'
  and 'test' halves many times, choosing on one half and scoring on the other.
* Accuracy, precision, recall, F1 with `glassnet.metrics` (checked against
  scikit-learn), on the chosen model's test predictions: the 10-class confusion
  matrix, and a one-against-rest task where accuracy and recall each hide a failure
  the other exposes.
* Bias and variance of a classifier under 0-1 loss (Domingos 2000): several copies of
  a model trained on disjoint training sets; the 'main prediction' is their vote.
  Bias = how often the vote is wrong; variance = how often a copy departs from the vote.

Every setting and threshold (`settings.py`) was fixed before the first run. The parts:
`settings` <- `measure` (plain numbers) <- `judge` (one judge per claim) and `figures`;
the prose, table titles and headers are in `notes/evaluation.toml`.
"""

from __future__ import annotations

from glassnet.lab import Result, Text, experiment
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm_percent as pm
from glassnet.lab.topics.evaluation.figures import draw_metrics, draw_selection
from glassnet.lab.topics.evaluation.judge import (
    judge_accuracy_recall,
    judge_splits,
    judge_variance_bias,
    train_gap,
)
from glassnet.lab.topics.evaluation.measure import domingos, measure, selection_optimism, spearman
from glassnet.lab.topics.evaluation.settings import (
    BIG,
    MAJORITY_ACCURACY,
    MINORITY_ACCURACY,
    POSITIVE,
    SETTINGS,
    SMALL,
    SPACE,
    SPEARMAN,
    TRAIN_GAP_POINTS,
)

__all__ = [
    "MAJORITY_ACCURACY",
    "MINORITY_ACCURACY",
    "SETTINGS",
    "SPEARMAN",
    "TRAIN_GAP_POINTS",
    "domingos",
    "measure",
    "run",
    "selection_optimism",
    "spearman",
]


@experiment("evaluation")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        result = Result.start("evaluation", mode, seed)
        data = measure(mode, seed)
        result.setup = setup(result, mode, data["sizes"])
        candidate_table(result, data)
        judge_splits(result, data)
        estimate_table(result, data)
        class_table(result, data)
        binary_table(result, data)
        judge_accuracy_recall(result, data)
        bias_variance_table(result, data)
        judge_variance_bias(result, data)
        draw_metrics(result, data)
        draw_selection(result, data)
        timing_table(result, data["cpu"])
        return result


def setup(result: Result, mode: str, sizes: dict[str, int]) -> Text:
    s = SETTINGS[mode]
    return result.say(
        "setup",
        **sizes,
        candidates=s["candidates"],
        width=SPACE["width"],
        depth=SPACE["depth"],
        lr=SPACE["lr"],
        dropout=SPACE["dropout"],
        steps=s["steps"],
        resplits=s["resplits"],
        positive=POSITIVE,
        copies=s["copies"],
        small=SMALL,
        big=BIG,
        n_copy=s["n_copy"],
        copy_steps=s["copy_steps"],
    )


def columns(result: Result, *keys: str) -> list[Text]:
    """Column headers from the catalog's `col_KEY` texts."""
    return [result.text(f"col_{key}") for key in keys]


def candidate_table(result: Result, data: dict) -> None:
    rows = [
        [
            c["label"],
            round(100 * c["train"], 1),
            round(100 * c["val"], 1),
            round(100 * c["test"], 1),
            index == data["chosen"],
        ]
        for index, c in enumerate(data["pool"])
    ]
    headers = columns(result, "model", "train_pct", "val_pct", "test_pct", "chosen")
    result.add_table(result.text("candidates_title"), headers, rows)


def estimate_table(result: Result, data: dict) -> None:
    optimism = data["optimism"]
    chosen = result.say(
        "optimism_cell",
        optimism=optimism["optimism"],
        low=optimism["low"],
        high=optimism["high"],
    )
    rows = [
        [result.text("row_training"), round(train_gap(data["pool"]), 2)],
        [result.text("row_chosen"), chosen],
        [result.text("row_unselected"), round(optimism["unselected"], 3)],
    ]
    headers = columns(result, "estimate", "overstates")
    result.add_table(result.text("estimates_title"), headers, rows)


def class_table(result: Result, data: dict) -> None:
    rows = [
        [str(c), *(round(m[k], 3) for k in ("precision", "recall", "f1")), m["support"]]
        for c, m in enumerate(data["per_class"])
    ]
    averages = data["averages"]
    for average in ("macro", "weighted"):
        m = averages[average]
        row = [round(m[k], 3) for k in ("precision", "recall", "f1")]
        rows.append([result.text(f"row_{average}"), *row, averages["support"]])
    accuracy = round(averages["accuracy"], 3)
    rows.append([result.text("metric_accuracy"), "-", "-", accuracy, averages["support"]])
    headers = columns(result, "class", "precision", "recall", "f1", "support")
    result.add_table(result.text("per_class_title"), headers, rows)


def binary_table(result: Result, data: dict) -> None:
    binary = data["binary"]
    keys = ("accuracy", "precision", "recall", "f1")
    rows = [
        [result.text(f"classifier_{name}"), *(round(m[k], 3) for k in keys)]
        for name, m in binary["scores"].items()
    ]
    title = result.say("binary_title", positive=POSITIVE, positives=binary["positives"])
    result.add_table(title, columns(result, "classifier", *keys), rows)


def bias_variance_table(result: Result, data: dict) -> None:
    rows = [
        [
            result.say(f"model_{name}", sizes=sizes),
            round(v["error"], 2),
            round(v["bias"], 2),
            round(v["variance"], 2),
            pm(v["train"]),
            pm(v["val"]),
        ]
        for (name, v), sizes in zip(data["decomposition"].items(), (SMALL, BIG))
    ]
    headers = columns(
        result, "model", "error_pct", "bias_pct", "variance_pct", "train_acc", "val_acc"
    )
    result.add_table(
        result.text("bias_variance_title"),
        headers,
        rows,
        note=result.text("bias_variance_note"),
    )


def timing_table(result: Result, cpu: dict) -> None:
    rows = [[result.text(f"part_{part}"), round(seconds, 2)] for part, seconds in cpu.items()]
    result.add_table(result.text("timing_title"), columns(result, "part", "cpu_s"), rows)
