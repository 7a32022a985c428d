"""glassnet.summary: parameter counts, MACs, shapes, receptive fields and memory, each checked
against an independent count (numel, hand arithmetic, torch's FlopCounterMode, real forwards)."""

from __future__ import annotations

import re
from collections import OrderedDict
from fractions import Fraction

import numpy
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import glassnet
from glassnet import nn
from glassnet.costs import register_macs
from glassnet.nn.recurrent import LSTM, LSTMCell
from glassnet.shape import walk
from glassnet.summary import Summary, summary
from glassnet.tracing import TraceError

torch.set_num_threads(1)


def table_rows(result: Summary) -> dict[str, list[str]]:
    """The printed table parsed back: layer label (stripped) -> its cells (columns are 2+ spaces apart)."""
    lines = str(result).splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"="}]
    parsed = {}
    for line in lines[rules[1] + 1 : rules[2]]:
        cells = re.split(r"\s{2,}", line.strip())
        parsed[cells[0]] = cells[1:]
    return parsed


def number(cell: str) -> int:
    return int(cell.split()[0].replace(",", ""))


def small_net(lib):
    """Conv, BN, ReLU, pool, a grouped conv, a 1-D view and a linear layer, in glassnet or torch."""
    return lib.nn.Sequential(
        lib.nn.Conv2d(3, 8, 3, padding=1),
        lib.nn.BatchNorm2d(8),
        lib.nn.ReLU(),
        lib.nn.MaxPool2d(2),
        lib.nn.Conv2d(8, 16, 3, stride=2, groups=4, bias=False),
        lib.nn.ReLU(),
        lib.nn.Flatten(),
        lib.nn.Linear(16 * 3 * 3, 10),
    )


# -- parameters and shapes ----------------------------------------------------------------
def test_parameter_counts_equal_numel_per_row_and_in_total():
    model = small_net(glassnet)
    result = summary(model, (3, 16, 16))
    modules = dict(model.named_modules())
    for row in result.rows[1:]:
        assert row.params == sum(p.numel() for p in modules[row.name].parameters()), row.name
    assert (
        result.total_params == sum(p.numel() for p in model.parameters()) == 224 + 16 + 288 + 1450
    )
    assert result.trainable_params == result.total_params and result.non_trainable_params == 0
    printed = table_rows(result)
    assert number(printed["0 (Conv2d)"][1]) == 8 * 3 * 9 + 8
    assert re.search(r"^Total params: 1,978$", str(result), re.MULTILINE)


def test_output_shapes_are_the_real_forward_outputs():
    model = small_net(glassnet)
    seen = {}

    def record(name):
        def hook(module, args, output):
            seen[name] = tuple(output.shape)

        return hook

    handles = [module.register_forward_hook(record(name)) for name, module in model.named_modules()]
    model.eval()
    model(glassnet.randn(4, 3, 16, 16))
    for handle in handles:
        handle.remove()
    result = summary(model, (3, 16, 16), batch_size=4)
    assert {row.name: row.output_shapes[0] for row in result.rows} == seen
    assert table_rows(result)["4 (Conv2d)"][0] == "[4, 16, 3, 3]"


def test_frozen_parameters_are_not_trainable():
    model = small_net(glassnet)
    model[0].requires_grad_(False)
    result = summary(model, (3, 16, 16))
    assert result.non_trainable_params == 224
    assert result.rows[1].receptive_field == (
        3,
        3,
    )  # the graph is still recorded (the input requires grad)


def test_shared_parameters_are_counted_once_and_marked():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 4)
            self.decode = nn.Linear(4, 10)
            self.decode.weight = self.embed.weight  # (10, 4): tied input and output embeddings

        def forward(self, tokens):
            return self.decode(self.embed(tokens))

    model = Tied()
    result = summary(model, (5,), dtype=glassnet.int64, batch_size=2)
    assert result.total_params == 40 + 10 == sum(p.numel() for p in model.parameters())
    printed = table_rows(result)
    assert printed["embed (Embedding)"][1] == "40"
    assert printed["decode (Linear)"][1] == "10 (+40 shared)"
    assert "(+N shared)" in str(result)
    assert result.total_macs == 2 * 5 * 10 * 4  # the tied decoder still multiplies


def test_a_module_called_twice_is_two_rows_with_its_parameters_counted_once():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 6)

        def forward(self, x):
            return self.fc(self.fc(x).relu())

    result = summary(Twice(), (6,), batch_size=3)
    printed = table_rows(result)
    assert printed["fc (Linear)"][1:3] == ["42", "108"]
    assert printed["fc #2 (Linear)"][1:3] == ["0 (+42 shared)", "108"]
    assert result.total_params == 42 and result.total_macs == 216


# -- MACs -----------------------------------------------------------------------------------
def test_macs_match_hand_arithmetic():
    result = summary(small_net(glassnet), (3, 16, 16), batch_size=2)
    macs = {row.name: row.macs for row in result.rows[1:]}
    assert macs["0"] == 2 * 8 * 16 * 16 * 3 * 9  # out elements * in_channels * k*k
    assert macs["4"] == 2 * 16 * 3 * 3 * (8 // 4) * 9  # groups=4: each output sees 8/4 channels
    assert macs["7"] == 2 * 10 * 144  # rows * out_features * in_features
    assert macs["1"] == macs["2"] == macs["3"] == macs["5"] == macs["6"] == 0
    assert result.total_macs == macs["0"] + macs["4"] + macs["7"]
    assert re.search(r"^Total MACs: 118,656 \(118\.66 k\)$", str(result), re.MULTILINE)


def test_macs_are_half_of_torch_flop_counter_flops_per_layer():
    ours, theirs = small_net(glassnet), small_net(torch).eval()
    result = summary(ours, (3, 16, 16), batch_size=2)
    with FlopCounterMode(display=False) as counter:
        theirs(torch.randn(2, 3, 16, 16))
    flops = {name: sum(counts.values()) for name, counts in counter.get_flop_counts().items()}
    assert counter.get_total_flops() == 2 * result.total_macs
    for row in result.rows[1:]:
        assert flops.get(f"Sequential.{row.name}", 0) == 2 * row.macs, row.name


def test_conv1d_macs_and_torch_flops():
    ours = glassnet.nn.Conv1d(4, 6, 5, stride=2, padding=1)
    result = summary(nn.Sequential(ours), (4, 40), batch_size=3)
    with FlopCounterMode(display=False) as counter:
        torch.nn.Conv1d(4, 6, 5, stride=2, padding=1)(torch.randn(3, 4, 40))
    assert result.total_macs == 3 * 6 * 19 * 4 * 5
    assert counter.get_total_flops() == 2 * result.total_macs


def test_depthwise_separable_ratio_is_one_over_n_plus_one_over_k_squared():
    separable = summary(
        nn.Sequential(nn.Conv2d(32, 32, 3, padding=1, groups=32), nn.Conv2d(32, 64, 1)), (32, 8, 8)
    )
    standard = summary(nn.Sequential(nn.Conv2d(32, 64, 3, padding=1)), (32, 8, 8))
    rows, standard_rows = table_rows(separable), table_rows(standard)
    depthwise, pointwise = number(rows["0 (Conv2d)"][2]), number(rows["1 (Conv2d)"][2])
    full = number(standard_rows["0 (Conv2d)"][2])
    assert (depthwise, pointwise, full) == (32 * 64 * 9, 64 * 64 * 32, 64 * 64 * 32 * 9)
    assert Fraction(depthwise + pointwise, full) == Fraction(1, 64) + Fraction(1, 9)
    note = [line for line in str(separable).splitlines() if "depthwise-separable" in line]
    assert note == [
        (
            "- 0 + 1: depthwise-separable, 18,432 + 131,072 = 149,504 MACs vs 1,179,648 for a standard "
            "Conv2d(32, 64, 3): ratio 0.1267 = 1/64 + 1/9"
        )
    ]


def test_lstm_macs_count_every_gate_of_every_layer_and_direction():
    lstm = LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    result = summary(nn.Sequential(OrderedDict(rnn=lstm)), (7, 4), batch_size=2)
    per_step = 2 * (4 * 6 * 4 + 4 * 6 * 6) + 2 * (
        4 * 6 * 12 + 4 * 6 * 6
    )  # layer 1 reads both directions
    assert result.rows[1].macs == 2 * 7 * per_step
    assert result.rows[1].output_shapes == [(2, 7, 12), (4, 2, 6), (4, 2, 6)]
    assert table_rows(result)["rnn (LSTM)"][0] == "[2, 7, 12] [4, 2, 6] [4, 2, 6]"


def test_lstm_cell_macs():
    result = summary(nn.Sequential(LSTMCell(3, 5)), (3,), batch_size=4)
    assert result.total_macs == 4 * (20 * 3 + 20 * 5)


def test_a_layer_without_a_rule_is_marked_unknown_until_registered():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(glassnet.ones(4, 4))

        def forward(self, x):
            return x @ self.weight

    result = summary(nn.Sequential(nn.Linear(4, 4), Scale()), (4,))
    assert table_rows(result)["1 (Scale)"][2] == "0 + ?"
    assert (
        "MACs of Scale are not counted (no rule; add one with glassnet.costs.register_macs)"
        in str(result)
    )
    register_macs(Scale, lambda module, inputs, outputs: outputs[0].numel() * 4)
    try:
        assert summary(nn.Sequential(nn.Linear(4, 4), Scale()), (4,)).total_macs == 16 + 16
    finally:
        from glassnet.costs import MACS_RULES

        MACS_RULES.pop(Scale)
    with pytest.raises(
        TypeError, match="register_macs: module_type must be a Module subclass, got 3"
    ):
        register_macs(3, len)


# -- depth ----------------------------------------------------------------------------------
def test_depth_folds_deeper_rows_into_their_parent():
    model = nn.Sequential(
        nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()), nn.Flatten(), nn.Linear(4 * 6 * 6, 2)
    )
    deep, shallow = summary(model, (3, 8, 8), depth=3), summary(model, (3, 8, 8), depth=1)
    assert [row.label.strip() for row in deep.rows] == [
        "Sequential",
        "0 (Sequential)",
        "0 (Conv2d)",
        "1 (ReLU)",
        "1 (Flatten)",
        "2 (Linear)",
    ]
    assert [row.label.strip() for row in shallow.rows] == [
        "Sequential",
        "0 (Sequential)",
        "1 (Flatten)",
        "2 (Linear)",
    ]
    assert table_rows(deep)["0 (Sequential)"][1:3] == ["--", "--"]
    assert shallow.rows[1].params == 112 and shallow.rows[1].macs == 4 * 36 * 27
    assert summary(model, (3, 8, 8), depth=0).rows[0].params == model_params(model)
    assert deep.total_macs == shallow.total_macs


def model_params(model):
    return sum(p.numel() for p in model.parameters())


# -- receptive field --------------------------------------------------------------------
def test_receptive_field_and_jump_follow_the_shape_tool():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 7, stride=2, padding=3),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(3, 2, 1),
        nn.Conv2d(8, 8, 3, padding=2, dilation=2),
        nn.AvgPool2d(2),
    )
    result = summary(model, (3, 64, 64))
    expected = walk(
        (3, 64, 64), ["conv:8,k7,s2,p3", "maxpool:k3,s2,p1", "conv:8,k3,p2,d2", "avgpool:k2"]
    )
    fields = [
        (row.receptive_field, row.jump)
        for row in result.rows
        if row.class_name in ("Conv2d", "MaxPool2d", "AvgPool2d")
    ]
    assert fields == [(r.receptive_field, r.jump) for r in expected]
    assert fields[-1] == ((31, 31), (8, 8))  # 7; 7+2*2 = 11; 11+2*2*4 = 27; 27+1*4 = 31
    assert table_rows(result)["2 (ReLU)"][-2:] == [
        "7",
        "2",
    ]  # elementwise layers keep their input's field


def test_receptive_field_through_a_residual_block_and_a_strided_shortcut():
    class Block(
        nn.Module
    ):  # ResNet's option A: subsample the shortcut, pad the new channels with zeros
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(4, 8, 3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(8, 8, 3, padding=1)

        def forward(self, x):
            shortcut = glassnet.nn.functional.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 2, 2))
            return (self.conv2(self.conv1(x).relu()) + shortcut).relu()

    result = summary(nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), Block()), (3, 16, 16))
    rows = {row.name: (row.receptive_field, row.jump) for row in result.rows}
    assert rows["1.conv1"] == ((5, 5), (2, 2)) and rows["1.conv2"] == ((9, 9), (2, 2))
    assert rows["1"] == ((9, 9), (2, 2))  # the add keeps the larger field; both branches jump 2


def test_receptive_field_of_a_1d_stack_and_none_after_flatten():
    model = nn.Sequential(
        nn.Conv1d(1, 4, 5),
        nn.MaxPool1d(2),
        nn.Conv1d(4, 4, 3, stride=2),
        nn.Flatten(),
        nn.Linear(4 * 8, 2),
    )
    result = summary(model, (1, 40))
    assert [(row.receptive_field, row.jump) for row in result.rows[1:]] == [
        ((5,), (1,)),
        ((6,), (2,)),
        ((10,), (4,)),
        (None, None),
        (None, None),
    ]


def test_no_rf_columns_for_a_model_without_spatial_input():
    text = str(summary(nn.Sequential(nn.Linear(8, 4), nn.ReLU()), (8,)))
    assert "RF" not in text.splitlines()[1] and "Param #" in text.splitlines()[1]


# -- memory ---------------------------------------------------------------------------------
def test_memory_lines_count_inputs_outputs_parameters_and_buffers():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten())
    result = summary(model, (3, 8, 8), batch_size=2)
    assert result.input_bytes == 2 * 3 * 8 * 8 * 4
    assert (
        result.activation_bytes == 4 * (2 * 4 * 8 * 8) * 4
    )  # conv, bn, relu, flatten outputs, float32
    assert result.param_bytes == (112 + 8) * 4
    assert result.buffer_bytes == 4 * 4 * 2 + 8  # running mean and var, the int64 batch counter
    text = str(result)
    assert "Input memory: 1,536 bytes (1.50 KiB)" in text
    assert "Forward pass outputs (activations): 8,192 bytes (8.00 KiB)" in text
    assert "Parameter memory: 480 bytes" in text


def test_float64_inputs_double_the_input_memory():
    model = nn.Sequential(nn.Linear(8, 2)).to(glassnet.float64)
    assert summary(model, (8,), dtype=glassnet.float64).input_bytes == 64


# -- the model is left as it was --------------------------------------------------------------
def test_summary_leaves_modes_buffers_and_hooks_untouched():
    model = small_net(glassnet)
    model.train()
    before = {name: value.data.copy() for name, value in model.state_dict().items()}
    summary(
        model, (3, 16, 16), mode="train"
    )  # a training-mode pass would move BatchNorm's statistics
    assert all(module.training for module in model.modules())
    for name, value in model.state_dict().items():
        numpy.testing.assert_array_equal(value.data, before[name], err_msg=name)
    assert all(
        not module._forward_hooks and not module._forward_pre_hooks for module in model.modules()
    )


def test_an_input_made_by_earlier_ops_still_starts_the_receptive_field():
    raw = glassnet.randn(1, 3, 8, 8, requires_grad=True)
    result = summary(nn.Sequential(nn.Conv2d(3, 4, 3)), input_data=raw * 2)
    assert (result.rows[1].receptive_field, result.rows[1].jump) == ((3, 3), (1, 1))


def test_input_data_gives_the_same_table_as_input_size():
    model = small_net(glassnet)
    by_size = summary(model, (3, 16, 16), batch_size=2)
    by_data = summary(model, input_data=glassnet.randn(2, 3, 16, 16))
    assert str(by_size) == str(by_data)


# -- bad input ------------------------------------------------------------------------------
def test_wrong_input_names_the_first_layer_that_refuses_it():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Sequential(nn.Conv2d(4, 8, 3)))
    with pytest.raises(
        TraceError,
        match=r"summary of Sequential: forward pass failed in layer '2\.0' "
        r"\(Conv2d\(4, 8, kernel_size=\(3, 3\).*\), called with input shape\(s\) "
        r"\(1, 8, 14, 14\): .*expected input with 4 channels",
    ):
        summary(model, (3, 16, 16))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "give exactly one of input_size"),
        (
            {"input_size": (3, 8, 8), "input_data": glassnet.zeros(1, 3, 8, 8)},
            "give exactly one of input_size",
        ),
        (
            {"input_size": 3},
            r"input_size must be a shape such as \(3, 32, 32\) or a list of shapes, got 3",
        ),
        ({"input_size": (3, 0, 8)}, r"input shape 0 must be positive ints without the batch dim"),
        ({"input_size": (3, 8, 8), "batch_size": 0}, "batch_size must be a positive int, got 0"),
        ({"input_size": (3, 8, 8), "depth": -1}, "depth must be an int >= 0, got -1"),
        (
            {"input_size": (3, 8, 8), "mode": "test"},
            "mode must be one of 'eval', 'train', 'same', got 'test'",
        ),
    ],
)
def test_bad_arguments_are_refused_with_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summary(nn.Sequential(nn.Conv2d(3, 4, 3)), **kwargs)


def test_model_must_be_a_module():
    with pytest.raises(TypeError, match="summary: model must be a glassnet.nn.Module, got Conv2d"):
        summary(torch.nn.Conv2d(3, 4, 3), (3, 8, 8))


def test_batch_dim_takes_torchinfo_input_sizes_that_hold_the_batch():
    model = small_net(glassnet)
    ours = summary(model, (3, 16, 16), batch_size=4)
    torchinfo_style = summary(model, (4, 3, 16, 16), batch_dim=0)
    assert torchinfo_style.input_shapes == [(4, 3, 16, 16)] == ours.input_shapes
    assert [row.output_shapes for row in torchinfo_style.rows] == [
        row.output_shapes for row in ours.rows
    ]
    assert (torchinfo_style.total_params, torchinfo_style.total_macs) == (
        ours.total_params,
        ours.total_macs,
    )
    with pytest.raises(ValueError, match=r"batch_dim=0, input_size holds the batch size; got "):
        summary(model, (4, 3, 16, 16), batch_dim=0, batch_size=4)
    with pytest.raises(ValueError, match=r"input_size \(4,\) has no dimension 1 to be the batch"):
        summary(model, (4,), batch_dim=1)


def test_batch_dim_1_puts_the_batch_second_for_sequence_first_inputs():
    lstm = nn.LSTM(5, 7)  # batch_first=False: inputs (L, N, H)
    result = summary(lstm, (6, 3, 5), batch_dim=1)
    assert result.input_shapes == [(6, 3, 5)]
    assert result.rows[0].output_shapes[0] == (6, 3, 7)
