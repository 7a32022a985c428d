"""The lab's kit: one clock, one split, one training loop with hooks, its samplers."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import glassnet
from glassnet import nn, optim
from glassnet.lab.kit import curve, loop
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split, carve
from glassnet.lab.kit.evaluate import accuracy, cross_entropy, predict_logits
from glassnet.lab.kit.stats import mean_std
from glassnet.lab.report.formatting import pm, pm_finite


def test_the_clock_reads_cpu_and_wall_and_freezes_when_its_block_ends():
    with Clock() as clock:
        sum(i * i for i in range(200_000))
    frozen = (clock.cpu, clock.wall)
    time.sleep(0.01)
    assert (clock.cpu, clock.wall) == frozen and frozen[0] > 0 and frozen[1] > 0
    running = Clock()
    first = running.wall
    time.sleep(0.01)
    assert running.wall > first and "s wall" in running.note()


def test_carve_puts_validation_first_or_last_and_refuses_too_many():
    rows, val = carve(10, 3, 4)
    assert val.tolist() == [0, 1, 2] and rows.tolist() == [3, 4, 5, 6]
    rows, val = carve(10, 3, None, val_at="end")
    assert val.tolist() == [7, 8, 9] and rows.tolist() == list(range(7))
    shuffled, _ = carve(10, 3, None, seed=0)
    again, _ = carve(10, 3, None, seed=0)
    assert shuffled.tolist() == again.tolist() and sorted(shuffled.tolist() + _.tolist()) == list(
        range(10)
    )
    with pytest.raises(ValueError, match="n_train=8 \\+ n_val=3 exceeds the 10 training rows"):
        carve(10, 3, 8)
    with pytest.raises(ValueError, match="n_train must be >= 1"):
        carve(10, 3, 0)


def test_samplers_match_their_hand_written_loops():
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    drawn = [next(b) for b in [loop.epoch_batches(10, 4, rng_a)] for _ in range(5)]
    expected = []
    while len(expected) < 5:
        order = rng_b.permutation(10)
        expected += [order[s : s + 4] for s in range(0, 10 - 4 + 1, 4)]
    assert all(np.array_equal(a, b) for a, b in zip(drawn, expected[:5]))
    keep_last = loop.epoch_batches(10, 4, None, drop_last=False)
    assert [len(next(keep_last)) for _ in range(3)] == [4, 4, 2]
    sequential = loop.sequential_batches(10, 4)
    assert [next(sequential).tolist() for _ in range(3)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    stream = loop.stream_batches(10, 4, np.random.default_rng(2))
    seen = np.concatenate([next(stream) for _ in range(5)])
    assert sorted(seen.tolist()) == sorted(list(range(10)) * 2)


def tiny_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    glassnet.manual_seed(0)
    return x, y, nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))


def test_the_loop_calls_its_hooks_in_order_and_stops_on_request():
    x, y, model = tiny_problem()
    calls = []

    def before(step, trace):
        calls.append(("before", step, all(p.grad is not None for p in model.parameters())))

    def after(step, trace):
        calls.append(("after", step))
        return loop.STOP if step == 3 else None

    batches = loop.rows(x, y, loop.epoch_batches(32, 8, np.random.default_rng(0)))
    trace = loop.train_loop(
        model,
        optim.SGD(model.parameters(), lr=0.1),
        batches,
        10,
        before_update=before,
        after_update=after,
    )
    assert trace.steps == 3 and len(trace.losses) == 3 and trace.diverged_at is None
    assert calls == [
        ("before", 1, True),
        ("after", 1),
        ("before", 2, True),
        ("after", 2),
        ("before", 3, True),
        ("after", 3),
    ]


def test_the_loop_stops_at_a_diverged_loss_before_updating():
    x, y, model = tiny_problem()
    before = [p.data.copy() for p in model.parameters()]
    batches = loop.rows(x, y, loop.epoch_batches(32, 8, np.random.default_rng(0)))
    trace = loop.train_loop(
        model, optim.SGD(model.parameters(), lr=0.1), batches, 5, diverged=lambda loss: True
    )
    assert trace.diverged_at == 1 and trace.steps == 0
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))


def test_the_curve_recipe_learns_a_separable_problem_and_stops_at_its_target():
    x, y, model = tiny_problem()
    data = Split(x, y, x, y, x, y)
    trained = curve.train(
        model,
        optim.SGD(model.parameters(), lr=0.5),
        data,
        steps=200,
        batch_size=8,
        seed=0,
        eval_every=5,
        stop_at=0.95,
    )
    assert trained.final_acc >= 0.95 and trained.eval_steps[-1] < 200
    assert trained.steps_to(0.95) == trained.eval_steps[-1]


def test_evaluation_and_summaries():
    logits = np.array([[2.0, 0.0], [0.0, 3.0]])
    assert accuracy(logits, np.array([0, 0])) == 0.5
    assert cross_entropy(logits, np.array([0, 1])) == pytest.approx(
        np.mean([np.log1p(np.exp(-2.0)), np.log1p(np.exp(-3.0))])
    )
    assert cross_entropy(np.array([[np.inf, 0.0]]), np.array([0])) == math.inf
    x, _, model = tiny_problem()
    assert predict_logits(model, x, chunk=7).shape == (32, 2) and model.training
    assert mean_std([1.0, 3.0]) == (2.0, 1.0) and mean_std([1.0, 3.0], ddof=1)[1] == pytest.approx(
        2**0.5
    )
    assert mean_std([1.0, math.nan], finite_only=True) == (1.0, 0.0)
    assert pm([0.5]) == "0.500" and pm([1.0, 3.0], digits=1) == "2.0 ± 1.0"
    assert pm_finite([1.0, 3.0, math.nan]) == "2.000 ± 1.000 (n=3)"
