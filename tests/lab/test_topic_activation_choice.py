"""activation_choice in smoke mode: both claims judged, avoid_sigmoid asserted with its margin, the sweep's helpers."""

from __future__ import annotations

import math

import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict
from glassnet.lab.kit import activations as T
from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.topics import activation_choice as topic

# relu_small_lr is left out: one seed on a five-point grid decides it on ties between ReLU's and
# tanh's best learning rates (smoke seeds 0-4 all give 'partly', but a tie is no margin).
ASSERTED = {"avoid_sigmoid": Verdict.HOLDS}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("activation_choice")


@pytest.mark.timeout(120)
def test_smoke_run_judges_every_claim(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in index_topic("activation_choice").claims
    ]
    assert all(
        c.verdict is not Verdict.NOT_MEASURED and c.numbers and c.rule.zh for c in result.claims
    )
    assert {c.claim.id for c in result.claims if c.asserted} == set(ASSERTED)
    assert all(c.margin is not None for c in result.claims if c.asserted)


def test_sigmoid_loses_in_both_networks_by_a_wide_margin(result):
    judged = result.claim("avoid_sigmoid")
    assert judged.verdict is Verdict.HOLDS, judged.numbers
    assert judged.number("shallow: gap") > 0.08  # threshold 0.02; measured 0.13
    assert (
        judged.number("deep: gap") > 0.15
    )  # measured 0.29: six sigmoid layers do not train at any lr
    assert judged.number("deep: best other, Leaky ReLU (lr 0.1)") > 0.3


def test_relu_small_lr_reports_its_checks(result):
    judged = result.claim("relu_small_lr")
    assert judged.verdict in (Verdict.HOLDS, Verdict.PARTLY, Verdict.DOES_NOT_HOLD)
    for net in ("shallow", "deep"):
        assert {judged.number(f"{net}: check A").en, judged.number(f"{net}: check B").en} <= {
            "pass",
            "fail",
        }
        assert judged.number(f"{net}: best lr, ReLU") in topic.PLANS["smoke"].lrs
    # a too-large lr kills ReLU units: half of the shallow net's units at lr 1 (measured 0.49)
    assert judged.number("shallow: ReLU dead units at lr 1") > 0.3


def test_tables_and_figure(result):
    shallow, deep, dead = result.tables
    lrs = topic.PLANS["smoke"].lrs
    assert [len(table.rows) for table in (shallow, deep)] == [5, 5]
    assert all(len(row) == 1 + len(lrs) + 4 for row in shallow.rows)
    assert [row[0] for row in shallow.rows] == [T.LABELS[name] for name in T.ACTIVATIONS]
    assert dead.rows[0][1] == 0.0  # lr 0.01: no dead ReLU unit in the shallow net
    assert [f.name for f in result.figures] == ["lr_sweep"]
    assert result.figures[0].png.startswith(b"\x89PNG\r\n\x1a\n")


def _sweep(values: dict[float, float]) -> topic.Sweep:
    """A fake one-activation-per-lr sweep: every activation gets the same validation accuracies."""

    def run(val: float) -> T.Run:
        return T.Run("relu", 0.1, 0, val_acc=[val], test_acc=val, steps=10, cpu_seconds=0.01)

    cells = {
        (name, lr): topic.Cell([run(val)], [0.0])
        for name in T.ACTIVATIONS
        for lr, val in values.items()
    }
    return topic.Sweep("shallow", tuple(values), cells)


def test_sweep_best_and_usable_learning_rates():
    sweep = _sweep({0.01: 0.50, 0.1: 0.60, 1.0: 0.56, 3.0: 0.10})
    assert sweep.best_lr("relu") == 0.1 and sweep.best_val("relu") == 0.60
    assert sweep.usable("relu") == [0.1, 1.0]  # within 5 points of the best
    tie = _sweep({0.01: 0.6, 0.1: 0.6})
    assert tie.best_lr("tanh") == 0.01  # a tie goes to the smaller lr
    assert sweep.ms_per_step("elu") == pytest.approx(1.0)


def test_diverged_run_counts_as_chance():
    cell = topic.Cell([T.Run("relu", 1.0, 0, val_acc=[], diverged=True)], [math.nan])
    assert cell.val == T.CHANCE and cell.diverged == 1
