"""lstm in smoke mode: its asserted claim with the stated margin, the figures, and the task's mechanics."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from lab_checks import smoke_result

from glassnet import lab
from glassnet.lab import Verdict
from glassnet.lab.kit import sequences as ts
from glassnet.lab.topics import lstm as topic
from glassnet.nn import LSTM

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("lstm")


@pytest.mark.timeout(60)
def test_smoke_run_completes_and_judges_every_claim(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == ["long_range"]
    assert all(c.verdict is not Verdict.NOT_MEASURED and c.numbers for c in result.claims)


def test_long_range_asserted_with_its_margin(result):
    """Margin: at T=50 the chrono LSTM must reach 0.9 (it reaches ~1.0) and the RNN stay at or below 0.6 (~0.5)."""
    judged = result.claim("long_range")
    assert judged.asserted and judged.margin is not None
    (length,) = topic.CONFIG["smoke"]["lengths"]
    assert judged.number(f"T={length}: lstm_chrono test accuracy") >= topic.LEARNS
    assert judged.number(f"T={length}: rnn test accuracy") <= topic.FAILS
    assert judged.number("lengths where the RNN fails and the chrono LSTM learns") == str(length)
    assert judged.verdict in (Verdict.HOLDS, Verdict.PARTLY)


def test_gradient_table_shows_the_vanishing_signal(result):
    """||dL/dx_0|| / ||dL/dx_49|| at init: ~1e-13 for the RNN, ~1e-2 for the chrono LSTM (margins of decades)."""
    table = result.tables[1]
    row = dict(zip([c.en for c in table.columns], table.rows[0]))
    assert float(row["tanh RNN"]) < 1e-6
    assert float(row["LSTM, chrono init"]) > 1e-3


def test_figures_are_png(result):
    names = [f.name for f in result.figures]
    assert {"accuracy_vs_length", "lstm_gates"} <= set(names)
    if shutil.which("dot"):
        assert "lstm_cell" in names
    else:
        assert "skipped" in result.setup.en
    assert all(f.png.startswith(PNG) for f in result.figures)


def test_sign_memory_batch_puts_the_label_at_the_first_step():
    x, y = ts.sign_memory_batch(np.random.default_rng(0), 8, 5, noise_std=0.5)
    assert x.shape == (8, 5, 2) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(x[:, 0, 0], 2.0 * y - 1.0)
    np.testing.assert_array_equal(x[:, :, 1], np.tile([1, 0, 0, 0, 0], (8, 1)))
    assert set(np.unique(y)) <= {0, 1}


def test_sign_memory_batch_refuses_empty_shapes():
    with pytest.raises(
        ValueError, match=r"sign_memory_batch: batch and length must be >= 1, got batch=4, length=0"
    ):
        ts.sign_memory_batch(np.random.default_rng(0), 4, 0)


def test_chrono_init_spreads_the_forget_biases():
    lstm = LSTM(2, 6)
    ts.chrono_init(lstm, 20, np.random.default_rng(0))
    forget, inputs = lstm.bias_ih_l0.data[6:12], lstm.bias_ih_l0.data[:6]
    assert np.all(forget >= 0) and np.all(forget <= math.log(19))
    np.testing.assert_array_equal(inputs, -forget)
    assert not lstm.bias_hh_l0.data[:12].any()
    with pytest.raises(ValueError, match=r"chrono_init: t_max must be >= 3, got 2"):
        ts.chrono_init(lstm, 2, np.random.default_rng(0))


def test_forget_bias_goes_to_the_forget_rows_only():
    lstm = LSTM(2, 3)
    before = lstm.bias_ih_l0.data.copy()
    ts.set_forget_bias(lstm, 1.0)
    np.testing.assert_array_equal(lstm.bias_ih_l0.data[3:6], 1.0)
    np.testing.assert_array_equal(lstm.bias_hh_l0.data[3:6], 0.0)
    np.testing.assert_array_equal(
        lstm.bias_ih_l0.data[[0, 1, 2, 6, 7, 8, 9, 10, 11]], before[[0, 1, 2, 6, 7, 8, 9, 10, 11]]
    )


def test_steps_to_learn():
    assert topic.steps_to_learn([0.7] * 50) is None
    assert topic.steps_to_learn([0.7] * 5) is None
    # the mean of losses[k:k+20] is 0.7 (10 - k) / 20, below 0.1 from k = 8: after 8 + 20 steps
    assert topic.steps_to_learn([0.7] * 10 + [0.0] * 40) == 28
