"""RNN, LSTM, GRU and the cells against torch.nn: every option, forward and backward through time.

Each case builds the torch module, copies its state dict into the glassnet twin, runs
both on the same input (and initial states), then back-propagates the same random
upstream gradients into every output and compares outputs, h_n (c_n), and the
gradients of the input, the initial states and every parameter by name.
"""

from __future__ import annotations

import itertools
import math

import numpy
import pytest
import torch

import glassnet
from glassnet.nn import functional as F
from glassnet.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from glassnet.ops.dropout import _dropout_with_mask
from helpers import TOLERANCES

SEQ, BATCH, INPUT, HIDDEN = 4, 3, 2, 5

KINDS = {  # name: (glassnet class, torch class, extra kwargs)
    "lstm": (LSTM, torch.nn.LSTM, {}),
    "gru": (GRU, torch.nn.GRU, {}),
    "rnn_tanh": (RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
}
CELLS = {
    "lstm": (LSTMCell, torch.nn.LSTMCell, {}),
    "gru": (GRUCell, torch.nn.GRUCell, {}),
    "rnn_tanh": (RNNCell, torch.nn.RNNCell, {"nonlinearity": "tanh"}),
    "rnn_relu": (RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
}


def close(name: str, actual: numpy.ndarray, expected: numpy.ndarray) -> None:
    """helpers' tolerance: rtol, plus atol as a fraction of max |expected|."""
    rtol, atol_scale = TOLERANCES[expected.dtype]
    assert actual.shape == expected.shape, (
        f"{name}: shape {actual.shape}, torch gives {expected.shape}"
    )
    assert actual.dtype == expected.dtype, (
        f"{name}: dtype {actual.dtype}, torch gives {expected.dtype}"
    )
    scale = float(numpy.max(numpy.abs(expected))) if expected.size else 0.0
    numpy.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=atol_scale * max(scale, 1e-30), err_msg=name
    )


def twins(ours_cls, theirs_cls, dtype: str, **kwargs):
    torch.manual_seed(0)
    theirs = theirs_cls(**kwargs, dtype=getattr(torch, dtype))
    ours = ours_cls(**kwargs, dtype=dtype)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def flatten(result) -> list:
    """(output, h_n) or (output, (h_n, c_n)) or (h, c) or h -> a flat list of tensors."""
    if not isinstance(result, tuple):
        return [result]
    flat = []
    for item in result:
        flat.extend(item if isinstance(item, tuple) else [item])
    return flat


def compare_run(ours, theirs, arrays: dict, call, rng) -> None:
    """call(module, tensors) runs the module; arrays: name -> input array (all require grad)."""
    mine = {name: glassnet.tensor(array, requires_grad=True) for name, array in arrays.items()}
    reference = {name: torch.tensor(array, requires_grad=True) for name, array in arrays.items()}
    ours_out, theirs_out = flatten(call(ours, mine)), flatten(call(theirs, reference))
    assert len(ours_out) == len(theirs_out)
    upstream = []
    for index, (a, b) in enumerate(zip(ours_out, theirs_out)):
        close(f"output {index}", a.data, b.detach().numpy())
        upstream.append(rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype))
    torch.autograd.backward(theirs_out, [torch.tensor(g) for g in upstream])
    for a, g in zip(ours_out, upstream):
        a.backward(g, retain_graph=True)
    for name in arrays:
        close(f"grad of {name}", mine[name].grad.data, reference[name].grad.numpy())
    ours_params = dict(ours.named_parameters())
    theirs_params = dict(theirs.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, param in theirs_params.items():
        close(f"grad of {name}", ours_params[name].grad.data, param.grad.numpy())


def layer_arrays(rng, dtype, kind, num_layers, bidirectional, batch_first, with_state, unbatched):
    if unbatched:
        shape = (SEQ, INPUT)
    else:
        shape = (BATCH, SEQ, INPUT) if batch_first else (SEQ, BATCH, INPUT)
    arrays = {"input": rng.standard_normal(shape).astype(dtype)}
    if with_state:
        stacked = num_layers * (2 if bidirectional else 1)
        state = (stacked, HIDDEN) if unbatched else (stacked, BATCH, HIDDEN)
        arrays["h_0"] = rng.standard_normal(state).astype(dtype)
        if kind == "lstm":
            arrays["c_0"] = rng.standard_normal(state).astype(dtype)
    return arrays


def call_layer(module, tensors):
    if "c_0" in tensors:
        return module(tensors["input"], (tensors["h_0"], tensors["c_0"]))
    if "h_0" in tensors:
        return module(tensors["input"], tensors["h_0"])
    return module(tensors["input"])


OPTIONS = list(
    itertools.product(
        [1, 2], [True, False], [False, True], [False, True], [False, True], [False, True]
    )
)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    "num_layers,bias,batch_first,bidirectional,with_state,unbatched", OPTIONS, ids=lambda v: str(v)
)
def test_layer_matches_torch_float64(
    kind, num_layers, bias, batch_first, bidirectional, with_state, unbatched, rng
):
    ours_cls, theirs_cls, extra = KINDS[kind]
    ours, theirs = twins(
        ours_cls,
        theirs_cls,
        "float64",
        input_size=INPUT,
        hidden_size=HIDDEN,
        num_layers=num_layers,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        **extra,
    )
    arrays = layer_arrays(
        rng, "float64", kind, num_layers, bidirectional, batch_first, with_state, unbatched
    )
    compare_run(ours, theirs, arrays, call_layer, rng)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    "num_layers,batch_first,bidirectional,with_state",
    [
        (1, False, False, False),
        (2, True, True, True),
        (2, False, True, False),
        (1, True, False, True),
    ],
)
def test_layer_matches_torch_float32(kind, num_layers, batch_first, bidirectional, with_state, rng):
    ours_cls, theirs_cls, extra = KINDS[kind]
    ours, theirs = twins(
        ours_cls,
        theirs_cls,
        "float32",
        input_size=INPUT,
        hidden_size=HIDDEN,
        num_layers=num_layers,
        batch_first=batch_first,
        bidirectional=bidirectional,
        **extra,
    )
    arrays = layer_arrays(
        rng, "float32", kind, num_layers, bidirectional, batch_first, with_state, False
    )
    compare_run(ours, theirs, arrays, call_layer, rng)


def test_long_sequence_lstm_matches_torch_float32(rng):
    """40 steps, hidden 32: float32 errors do not pile up through time beyond torch's own."""
    ours, theirs = twins(
        LSTM, torch.nn.LSTM, "float32", input_size=1, hidden_size=32, batch_first=True
    )
    compare_run(
        ours, theirs, {"input": rng.standard_normal((8, 40, 1)).astype("float32")}, call_layer, rng
    )


@pytest.mark.parametrize("kind", sorted(CELLS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "bias,with_state,unbatched", list(itertools.product([True, False], repeat=3))
)
def test_cell_matches_torch(kind, dtype, bias, with_state, unbatched, rng):
    ours_cls, theirs_cls, extra = CELLS[kind]
    ours, theirs = twins(
        ours_cls, theirs_cls, dtype, input_size=INPUT, hidden_size=HIDDEN, bias=bias, **extra
    )
    lead = () if unbatched else (BATCH,)
    arrays = {"input": rng.standard_normal(lead + (INPUT,)).astype(dtype)}
    if with_state:
        arrays["h"] = rng.standard_normal(lead + (HIDDEN,)).astype(dtype)
        if kind == "lstm":
            arrays["c"] = rng.standard_normal(lead + (HIDDEN,)).astype(dtype)

    def call(module, tensors):
        if "c" in tensors:
            return module(tensors["input"], (tensors["h"], tensors["c"]))
        return (
            module(tensors["input"], tensors["h"]) if "h" in tensors else module(tensors["input"])
        )

    compare_run(ours, theirs, arrays, call, rng)


def test_lstm_returns_h_n_layer_major_even_with_batch_first():
    model = LSTM(INPUT, HIDDEN, num_layers=2, batch_first=True, bidirectional=True)
    output, (h_n, c_n) = model(glassnet.randn(BATCH, SEQ, INPUT))
    assert output.shape == (BATCH, SEQ, 2 * HIDDEN)
    assert h_n.shape == c_n.shape == (4, BATCH, HIDDEN)
    # the last layer's forward h_n is the output's last step, its reverse h_n the output's first step
    numpy.testing.assert_array_equal(h_n.data[2], output.data[:, -1, :HIDDEN])
    numpy.testing.assert_array_equal(h_n.data[3], output.data[:, 0, HIDDEN:])


# ---- dropout between layers -------------------------------------------------------------------
def test_dropout_is_off_in_eval_mode(rng):
    ours, theirs = twins(
        LSTM,
        torch.nn.LSTM,
        "float64",
        input_size=INPUT,
        hidden_size=HIDDEN,
        num_layers=2,
        dropout=0.5,
    )
    ours.eval()
    theirs.eval()
    compare_run(ours, theirs, {"input": rng.standard_normal((SEQ, BATCH, INPUT))}, call_layer, rng)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_injected_dropout_mask_between_layers_matches_torch_composition(kind, rng, monkeypatch):
    """Train mode, masks injected: glassnet equals torch's layer 0 -> mask / (1 - p) -> layer 1."""
    p = 0.4
    ours_cls, theirs_cls, _ = KINDS[kind]
    ours, _ = twins(
        ours_cls,
        theirs_cls,
        "float64",
        input_size=INPUT,
        hidden_size=HIDDEN,
        num_layers=3,
        dropout=p,
        bidirectional=True,
    )
    masks = [rng.random((SEQ, BATCH, 2 * HIDDEN)) >= p for _ in range(2)]
    calls = []

    def injected(input, p_arg, training=True, inplace=False):
        assert training and p_arg == p
        calls.append(input.shape)
        return _dropout_with_mask(input, masks[len(calls) - 1], p_arg)

    monkeypatch.setattr(F, "dropout", injected)
    x = rng.standard_normal((SEQ, BATCH, INPUT))
    out, *_ = ours(glassnet.tensor(x))
    assert calls == [(SEQ, BATCH, 2 * HIDDEN)] * 2  # after layers 0 and 1, not after the last

    state = ours.state_dict()
    layer_input = torch.tensor(x)
    for layer in range(3):
        single = theirs_cls(layer_input.shape[-1], HIDDEN, bidirectional=True, dtype=torch.float64)
        single.load_state_dict(
            {
                name.replace(f"_l{layer}", "_l0"): torch.tensor(value.data)
                for name, value in state.items()
                if f"_l{layer}" in name
            }
        )
        layer_input, _ = single(layer_input)
        if layer < 2:
            layer_input = layer_input * torch.tensor(masks[layer]) / (1 - p)
    close("output", out.data, layer_input.detach().numpy())


def test_dropout_uses_glassnet_generator():
    model = GRU(INPUT, HIDDEN, num_layers=2, dropout=0.5)
    x = glassnet.randn(SEQ, BATCH, INPUT)
    glassnet.manual_seed(3)
    first, _ = model(x)
    glassnet.manual_seed(3)
    again, _ = model(x)
    numpy.testing.assert_array_equal(first.data, again.data)
    model.eval()
    plain, _ = model(x)
    assert not numpy.allclose(first.data, plain.data)


def test_dropout_with_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        LSTM(INPUT, HIDDEN, dropout=0.3)


# ---- parameters, init, state dicts ---------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_parameter_names_and_shapes_match_torch(kind):
    ours_cls, theirs_cls, extra = KINDS[kind]
    for bias in (True, False):
        options = dict(
            input_size=3, hidden_size=4, num_layers=2, bias=bias, bidirectional=True, **extra
        )
        ours, theirs = ours_cls(**options), theirs_cls(**options)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
            (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
        ]
        assert repr(ours) == repr(theirs)
        assert [[tuple(w.shape) for w in group] for group in ours.all_weights] == [
            [tuple(w.shape) for w in group] for group in theirs.all_weights
        ]


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_cell_parameters_and_repr_match_torch(kind):
    ours_cls, theirs_cls, extra = CELLS[kind]
    for bias in (True, False):
        ours, theirs = ours_cls(3, 4, bias=bias, **extra), theirs_cls(3, 4, bias=bias, **extra)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
            (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
        ]
        assert repr(ours) == repr(theirs)


def test_default_init_is_uniform_within_one_over_sqrt_hidden():
    glassnet.manual_seed(0)
    hidden = 64
    model = LSTM(10, hidden, num_layers=2)
    values = numpy.concatenate([p.data.ravel() for p in model.parameters()])
    bound = 1 / math.sqrt(hidden)
    assert values.dtype == numpy.float32
    assert numpy.all(numpy.abs(values) <= bound)
    assert numpy.abs(values).max() > 0.98 * bound  # fills the interval, not a narrower one
    assert abs(values.std() - bound / math.sqrt(3)) < 0.02 * bound  # U(-b, b) has std b / sqrt(3)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_state_dict_round_trip_glassnet_to_torch(kind, rng):
    ours_cls, theirs_cls, extra = KINDS[kind]
    options = dict(
        input_size=INPUT,
        hidden_size=HIDDEN,
        num_layers=2,
        bidirectional=True,
        batch_first=True,
        **extra,
    )
    ours = ours_cls(**options, dtype="float64")
    theirs = theirs_cls(**options, dtype=torch.float64)
    theirs.load_state_dict(
        {name: torch.tensor(value.data) for name, value in ours.state_dict().items()}
    )
    x = rng.standard_normal((BATCH, SEQ, INPUT))
    close("output", ours(glassnet.tensor(x))[0].data, theirs(torch.tensor(x))[0].detach().numpy())


def test_float32_stays_float32(rng):
    model = LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True)
    x = glassnet.tensor(
        rng.standard_normal((SEQ, BATCH, INPUT)).astype("float32"), requires_grad=True
    )
    output, (h_n, c_n) = model(x)
    (output.sum() + h_n.sum() + c_n.sum()).backward()
    assert output.dtype == h_n.dtype == c_n.dtype == x.grad.dtype == numpy.float32
    assert all(p.grad.dtype == numpy.float32 for p in model.parameters())


def test_no_grad_records_nothing():
    model = GRU(INPUT, HIDDEN)
    with glassnet.no_grad():
        output, h_n = model(glassnet.randn(SEQ, BATCH, INPUT))
    assert output.grad_fn is None and not output.requires_grad and h_n.grad_fn is None


def test_proj_size_is_refused_by_name():
    with pytest.raises(NotImplementedError, match=r"proj_size=3"):
        LSTM(INPUT, HIDDEN, proj_size=3)


# ---- loud on bad input ---------------------------------------------------------------------
def test_wrong_feature_size_names_both_sizes_and_the_layout():
    model = LSTM(10, HIDDEN)
    with pytest.raises(
        ValueError,
        match=r"input_size: expected 10, got 7 .*\(seq, batch, input_size\) "
        r"\(batch_first=False\)",
    ):
        model(glassnet.randn(SEQ, BATCH, 7))


def test_batch_first_layout_is_named_in_the_error():
    model = GRU(10, HIDDEN, batch_first=True)
    with pytest.raises(ValueError, match=r"\(batch, seq, input_size\) \(batch_first=True\)"):
        model(glassnet.randn(BATCH, 10, SEQ))


def test_seq_batch_matrix_without_feature_dim_gets_a_hint():
    model = RNN(1, HIDDEN)
    with pytest.raises(
        ValueError, match=r"expected 1, got 3 .*unbatched sequence .*unsqueeze\(-1\)"
    ):
        model(glassnet.randn(SEQ, BATCH))


def test_wrong_rank_says_which_ranks_are_accepted():
    with pytest.raises(
        ValueError, match=r"expected input to be 2-D or 3-D.*got 4-D input of shape \(2, 4, 3, 2\)"
    ):
        LSTM(INPUT, HIDDEN)(glassnet.randn(2, SEQ, BATCH, INPUT))


def test_wrong_initial_state_shape_names_expected_and_got():
    model = LSTM(INPUT, HIDDEN, num_layers=2)
    h_0 = glassnet.zeros(2, BATCH + 1, HIDDEN)
    with pytest.raises(
        ValueError,
        match=r"Expected h_0 size \(2, 3, 5\), got \(2, 4, 5\).*batch size 3 from "
        r"input dim 1",
    ):
        model(glassnet.randn(SEQ, BATCH, INPUT), (h_0, glassnet.zeros(2, BATCH, HIDDEN)))


def test_initial_state_swapped_layout_is_explained():
    """Input given as (batch, seq, feature) to a batch_first=False RNN with a state shaped for the batch."""
    model = RNN(INPUT, HIDDEN)
    with pytest.raises(
        ValueError,
        match=r"Expected h_0 size \(1, 4, 5\), got \(1, 3, 5\).*batch_first=False "
        r"reads the batch size 4 from input dim 1",
    ):
        model(glassnet.randn(BATCH, SEQ, INPUT), glassnet.zeros(1, BATCH, HIDDEN))


def test_unbatched_input_needs_unbatched_state():
    with pytest.raises(
        ValueError, match=r"unbatched 2-D input .* h_0 should be 2-D \(1, 5\), but got 3-D"
    ):
        GRU(INPUT, HIDDEN)(glassnet.randn(SEQ, INPUT), glassnet.zeros(1, 1, HIDDEN))


def test_lstm_state_must_be_a_pair():
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\)"):
        LSTM(INPUT, HIDDEN)(glassnet.randn(SEQ, BATCH, INPUT), glassnet.zeros(1, BATCH, HIDDEN))
    with pytest.raises(TypeError, match=r"hx must be one Tensor h_0"):
        GRU(INPUT, HIDDEN)(
            glassnet.randn(SEQ, BATCH, INPUT), (glassnet.zeros(1, BATCH, HIDDEN),) * 2
        )


def test_dtype_mismatch_is_named():
    with pytest.raises(
        TypeError, match=r"input must have the type float32 of the weights, got float64"
    ):
        LSTM(INPUT, HIDDEN)(glassnet.randn(SEQ, BATCH, INPUT, dtype=glassnet.float64))


@pytest.mark.parametrize(
    "argument,value,match",
    [
        ("dropout", 1.5, r"dropout should be a number in range \[0, 1\].*dropout=1.5"),
        ("num_layers", 0, r"num_layers must be a positive int, got num_layers=0"),
        ("hidden_size", -1, r"hidden_size must be a positive int, got hidden_size=-1"),
    ],
)
def test_bad_constructor_arguments(argument, value, match):
    with pytest.raises(ValueError, match=match):
        GRU(**{"input_size": INPUT, "hidden_size": HIDDEN, argument: value})


def test_bad_nonlinearity():
    with pytest.raises(
        ValueError, match=r"nonlinearity='sigmoid' is not valid; expected one of 'tanh', 'relu'"
    ):
        RNN(INPUT, HIDDEN, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"RNNCell: nonlinearity='gelu'"):
        RNNCell(INPUT, HIDDEN, nonlinearity="gelu")


def test_cell_errors_name_sizes():
    cell = LSTMCell(INPUT, HIDDEN)
    with pytest.raises(ValueError, match=r"expected 2, got 4"):
        cell(glassnet.randn(BATCH, 4))
    with pytest.raises(
        ValueError,
        match=r"Expected h size \(3, 5\) \(batch, hidden_size\) for input of shape "
        r"\(3, 2\), got \(2, 5\)",
    ):
        cell(
            glassnet.randn(BATCH, INPUT), (glassnet.zeros(2, HIDDEN), glassnet.zeros(BATCH, HIDDEN))
        )
    with pytest.raises(ValueError, match=r"expected input to be 1-D or 2-D.*got 3-D"):
        GRUCell(INPUT, HIDDEN)(glassnet.randn(1, BATCH, INPUT))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h, c\)"):
        cell(glassnet.randn(BATCH, INPUT), glassnet.zeros(BATCH, HIDDEN))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_reused_scratch_buffers_leave_earlier_results_intact(kind, rng):
    """Steps reuse the pooled gate buffers: each step still matches torch, earlier outputs stay as they were."""
    ours_cls, theirs_cls, extra = KINDS[kind]
    # one direction: the output is the last layer's own state buffer (bidirectional outputs are a fresh cat)
    ours, theirs = twins(
        ours_cls, theirs_cls, "float64", input_size=INPUT, hidden_size=HIDDEN, num_layers=2, **extra
    )
    kept = []
    for step in range(3):
        x = rng.standard_normal((SEQ, BATCH, INPUT))
        with glassnet.no_grad():  # an inference call in between must not disturb the pool either
            ours(glassnet.tensor(x))
        mine, reference = ours(glassnet.tensor(x))[0], theirs(torch.tensor(x))[0]
        mine.sum().backward()
        reference.sum().backward()
        kept.append((mine, reference.detach().numpy()))
        for name, param in theirs.named_parameters():
            close(
                f"step {step} grad of {name}",
                ours.get_parameter(name).grad.data,
                param.grad.numpy(),
            )
    for step, (mine, expected) in enumerate(kept):
        close(f"output of step {step}", mine.data, expected)
