"""The fused recurrent Functions (ops/recurrent.py): finite-difference gradcheck of BPTT.

Small sizes (seq 4, batch 2, hidden 3) in float64, every input checked at once:
the sequence, the initial state(s), both weights and both biases, forward and
reverse direction, with and without initial states and biases. The module tests
(tests/nn/test_recurrent.py) check the same Functions against PyTorch.
"""

from __future__ import annotations

import itertools

import numpy
import pytest

import glassnet
from glassnet.ops.recurrent import gru_layer, lstm_layer, rnn_layer
from helpers import assert_gradcheck

SEQ, BATCH, INPUT, HIDDEN = 4, 2, 2, 3
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def arrays(rng, kind: str, with_state: bool, bias: bool, features: int = INPUT) -> list:
    rows = GATES[kind] * HIDDEN
    x = rng.standard_normal((SEQ, BATCH, features))
    states = [
        rng.standard_normal((BATCH, HIDDEN)) if with_state else None
        for _ in range(2 if kind == "lstm" else 1)
    ]
    weights = [
        rng.standard_normal((rows, features)) * 0.7,
        rng.standard_normal((rows, HIDDEN)) * 0.7,
    ]
    biases = [rng.standard_normal(rows) * 0.5 if bias else None for _ in range(2)]
    return [x, *states, *weights, *biases]


def layer(kind: str, reverse: bool):
    if kind == "lstm":
        return lambda lib, *t: lstm_layer(*t, reverse=reverse)
    if kind == "gru":
        return lambda lib, *t: gru_layer(*t, reverse=reverse)
    return lambda lib, *t: rnn_layer(*t, reverse=reverse, nonlinearity=kind[4:])


@pytest.mark.parametrize("kind", sorted(GATES))
@pytest.mark.parametrize(
    "reverse,with_state,bias", list(itertools.product([False, True], repeat=3))
)
def test_fused_layer_gradcheck(kind, reverse, with_state, bias, rng):
    assert_gradcheck(layer(kind, reverse), arrays(rng, kind, with_state, bias))


@pytest.mark.parametrize("kind", sorted(GATES))
def test_one_input_feature_gradcheck(kind, rng):
    """I = 1: the input projection is a broadcast multiply instead of a K = 1 GEMM."""
    assert_gradcheck(layer(kind, False), arrays(rng, kind, True, True, features=1))


@pytest.mark.parametrize("kind", sorted(GATES))
def test_single_step_gradcheck(kind, rng):
    """T = 1 (what the cells run): the first step is also the last one."""
    inputs = arrays(rng, kind, True, True)
    inputs[0] = inputs[0][:1]
    assert_gradcheck(layer(kind, False), inputs)


@pytest.mark.parametrize("kind", sorted(GATES))
def test_reverse_equals_forward_on_the_flipped_sequence(kind, rng):
    inputs = [glassnet.tensor(a) if a is not None else None for a in arrays(rng, kind, True, True)]
    backwards = layer(kind, True)(glassnet, *inputs)
    flipped = layer(kind, False)(
        glassnet, glassnet.tensor(inputs[0].data[::-1].copy()), *inputs[1:]
    )
    numpy.testing.assert_allclose(backwards[0].data, flipped[0].data[::-1], rtol=1e-12, atol=1e-14)
    for mine, theirs in zip(backwards[1:], flipped[1:]):
        numpy.testing.assert_allclose(mine.data, theirs.data, rtol=1e-12, atol=1e-14)


def test_saved_arrays_survive_a_retained_backward(rng):
    """Backward reads but never overwrites what forward saved: two backward calls agree."""
    x, h0, c0, *params = [
        glassnet.tensor(a, requires_grad=True) for a in arrays(rng, "lstm", True, True)
    ]
    out, h_n, c_n = lstm_layer(x, h0, c0, *params)
    upstream = numpy.ones(out.shape)
    out.backward(upstream, retain_graph=True)
    first = params[1].grad.data.copy()
    params[1].grad = None
    out.backward(upstream)
    numpy.testing.assert_array_equal(params[1].grad.data, first)


def test_unknown_nonlinearity_is_refused(rng):
    inputs = [
        glassnet.tensor(a) if a is not None else None for a in arrays(rng, "rnn_tanh", True, True)
    ]
    with pytest.raises(ValueError, match=r"unknown nonlinearity 'gelu'; expected 'tanh' or 'relu'"):
        rnn_layer(*inputs, nonlinearity="gelu")


@pytest.mark.parametrize("kind", sorted(GATES))
def test_time_loops_run_the_blas_on_one_thread_and_restore_it(kind, rng, monkeypatch):
    """The per-step GEMMs run on one BLAS thread; the BLAS's own setting is back afterwards."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from glassnet.ops.recurrent import common, elman, gru, lstm

    def blas_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    seen = []

    def recording_steps(length, reverse):
        seen.append(blas_threads())
        return common.time_steps(length, reverse)

    for module in (elman, gru, lstm):
        monkeypatch.setattr(module, "time_steps", recording_steps)
    tensors = [
        None if a is None else glassnet.tensor(a, requires_grad=True)
        for a in arrays(rng, kind, True, True)
    ]
    with threadpool_limits(2, user_api="blas"):
        outputs = layer(kind, False)(glassnet, *tensors)
        sum(out.sum() for out in outputs).backward()
        after = blas_threads()
    assert seen and all(threads == {1} for threads in seen)  # forward and backward loops
    assert len(seen) == 2
    assert after == {2}
