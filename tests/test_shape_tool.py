"""glassnet.shape: the conv/pool arithmetic must equal what PyTorch's layers actually produce."""

from __future__ import annotations

import numpy
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

import glassnet
import glassnet.nn.functional as G
from glassnet.shape import (
    ShapeError,
    conv_output_size,
    format_walk,
    parse_input_shape,
    parse_stage,
    pool_output_size,
    receptive_field_step,
    same_padding,
    tf_same_output_size,
    walk,
)

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")

KINDS = ["conv2d", "conv1d", "maxpool2d", "avgpool2d", "maxpool1d", "avgpool1d"]


# -- one config -> a spec string for glassnet and a module/function call for torch --------
def _axis(letter: str, values: tuple[int, ...]) -> str:
    return (
        f"{letter}{values[0]}" if len(set(values)) == 1 else f"{letter}{'x'.join(map(str, values))}"
    )


def spec(config: dict) -> str:
    kind, parts = config["kind"], []
    if kind.startswith("conv"):
        parts.append(str(config["out"]))
    parts.append(_axis("k", config["k"]))
    if config["s"] is not None:
        parts.append(_axis("s", config["s"]))
    parts.append("psame" if config["p"] == "same" else _axis("p", config["p"]))
    if not kind.startswith("avgpool"):
        parts.append(_axis("d", config["d"]))
    if kind.startswith("conv"):
        parts += [f"g{config['groups']}"] + ([] if config["bias"] else ["nobias"])
    elif config["ceil"]:
        parts.append("ceil")
    name = {"conv2d": "conv", "maxpool2d": "maxpool", "avgpool2d": "avgpool"}.get(kind, kind)
    return f"{name}:{','.join(parts)}"


def torch_result(input_shape: tuple[int, ...], config: dict) -> tuple[tuple[int, ...], int]:
    """(output shape without the batch dim, parameter count) as torch computes them; raises on bad stages."""
    kind, x = config["kind"], torch.zeros(1, *input_shape)
    stride = config["s"] if config["s"] is not None else None
    if kind.startswith("conv"):
        layer = (torch.nn.Conv2d if kind == "conv2d" else torch.nn.Conv1d)(
            input_shape[0],
            config["out"],
            config["k"],
            stride,
            config["p"],
            config["d"],
            config["groups"],
            config["bias"],
        )
        return tuple(layer(x).shape[1:]), sum(p.numel() for p in layer.parameters())
    if kind.startswith("maxpool"):
        pool = F.max_pool2d if kind == "maxpool2d" else F.max_pool1d
        y = pool(x, config["k"], stride, config["p"], config["d"], config["ceil"])
    else:
        pool = F.avg_pool2d if kind == "avgpool2d" else F.avg_pool1d
        y = pool(x, config["k"], stride, config["p"], config["ceil"])
    return tuple(y.shape[1:]), 0


def check_against_torch(input_shape: tuple[int, ...], config: dict) -> bool:
    """Assert glassnet's walk and torch agree: same shape and params, or both refuse. True if valid."""
    text = spec(config)
    try:
        expected = torch_result(input_shape, config)
    except (RuntimeError, ValueError):
        with pytest.raises(ShapeError) as caught:
            walk(input_shape, [text])
        message = str(caught.value)
        assert message.startswith(f"stage 1 '{text}': ") and "\n" not in message, message
        return False
    (record,) = walk(input_shape, [text])
    assert (record.output_shape, record.params) == expected, f"{input_shape} {text}"
    return True


def random_config(rng: numpy.random.Generator, kind: str) -> tuple[tuple[int, ...], dict]:
    dims = 1 if kind.endswith("1d") else 2

    def per_axis(low: int, high: int) -> tuple[int, ...]:
        value = int(rng.integers(low, high + 1))
        return (
            tuple(int(rng.integers(low, high + 1)) for _ in range(dims))
            if rng.random() < 0.3
            else (value,) * dims
        )

    conv = kind.startswith("conv")
    config = {
        "kind": kind,
        "k": per_axis(1, 5),
        "d": per_axis(1, 3) if not kind.startswith("avgpool") else (1,) * dims,
        "out": int(rng.integers(1, 7)),
        "groups": int(rng.choice([1, 1, 2, 3])),
        "bias": bool(rng.random() < 0.7),
        "ceil": bool(rng.random() < 0.5) and not conv,
    }
    config["s"] = per_axis(1, 3) if conv or rng.random() < 0.7 else None
    if conv and rng.random() < 0.2:
        config["p"] = "same"
    else:
        config["p"] = per_axis(0, 2 if conv else 3)
    channels = int(rng.integers(1, 7))
    sizes = tuple(int(rng.integers(1, 13)) for _ in range(dims))
    return (channels, *sizes), config


@pytest.mark.parametrize("kind", KINDS)
def test_walk_matches_torch_over_a_random_sweep(kind):
    rng = numpy.random.default_rng(KINDS.index(kind))
    outcomes = [check_against_torch(*random_config(rng, kind)) for _ in range(250)]
    assert 25 < sum(outcomes) < 240  # both valid and refused stages were compared


def glassnet_shape(input_shape: tuple[int, ...], config: dict) -> tuple[int, ...]:
    """The output shape (no batch dim) glassnet's own ops produce; raises ValueError on bad stages."""
    kind, x, stride = config["kind"], glassnet.zeros(1, *input_shape), config["s"]
    if kind.startswith("conv"):
        weight = glassnet.zeros(
            config["out"], max(input_shape[0] // config["groups"], 1), *config["k"]
        )
        conv = G.conv2d if kind == "conv2d" else G.conv1d
        return tuple(
            conv(x, weight, None, stride, config["p"], config["d"], config["groups"]).shape[1:]
        )
    if kind.startswith("maxpool"):
        pool = G.max_pool2d if kind == "maxpool2d" else G.max_pool1d
        return tuple(
            pool(x, config["k"], stride, config["p"], config["d"], config["ceil"]).shape[1:]
        )
    pool = G.avg_pool2d if kind == "avgpool2d" else G.avg_pool1d
    return tuple(pool(x, config["k"], stride, config["p"], config["ceil"]).shape[1:])


@pytest.mark.parametrize("kind", KINDS)
def test_walk_matches_glassnet_ops(kind):
    rng, valid = numpy.random.default_rng(100 + KINDS.index(kind)), 0
    for _ in range(60):
        input_shape, config = random_config(rng, kind)
        try:
            expected = glassnet_shape(input_shape, config)
        except ValueError:
            with pytest.raises(ShapeError):
                walk(input_shape, [spec(config)])
            continue
        assert walk(input_shape, [spec(config)])[0].output_shape == expected, (
            f"{input_shape} {spec(config)}"
        )
        valid += 1
    assert valid >= 10


@given(kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32 - 1))
def test_walk_matches_torch_hypothesis(kind, seed):
    check_against_torch(*random_config(numpy.random.default_rng(seed), kind))


# ceil mode: (size, k, s, p, d, torch's answer); the last-window rule fires in the marked rows.
CEIL_CASES = [
    (4, 2, 3, 1, 1, 2),  # ceil((4+2-2)/3)+1 = 3, but (3-1)*3 = 6 >= 4+1: rule fires
    (8, 2, 3, 1, 1, 3),  # 4 -> rule fires -> 3
    (5, 2, 2, 1, 1, 3),  # ceil((5+2-2)/2)+1 = 4, (4-1)*2 = 6 >= 6: rule fires
    (5, 3, 2, 0, 1, 2),  # no remainder: ceil = floor
    (6, 3, 2, 0, 1, 3),  # ceil adds a partial window: floor gives 2
    (2, 3, 2, 0, 1, 1),  # kernel larger than input, still one window in ceil mode
    (7, 2, 2, 1, 2, 4),  # dilated
]


@pytest.mark.parametrize("size,k,s,p,d,expected", CEIL_CASES)
def test_pool_output_size_ceil_mode_edge_cases(size, k, s, p, d, expected):
    assert pool_output_size(size, k, s, p, d, ceil_mode=True) == expected
    torch_size = F.max_pool1d(torch.zeros(1, 1, size), k, s, p, d, ceil_mode=True).shape[-1]
    assert torch_size == expected


def test_ceil_rule_shows_in_the_formula():
    (record,) = walk((1, 4), ["maxpool1d:k2,s3,p1,ceil"])
    assert record.formulas == (
        "L: ceil((4 + 2*1 - 1*(2-1) - 1)/3) + 1 = 3, but that last window would start in the right "
        "padding ((3-1)*3 = 6 >= 4 + 1), so 2",
    )


@pytest.mark.parametrize(
    "size,k,s,p,d,expected",
    [
        (224, 7, 2, 3, 1, 112),
        (56, 3, 1, 1, 1, 56),
        (32, 3, 1, 2, 2, 32),
        (5, 5, 1, 0, 1, 1),
        (10, 3, 3, 0, 1, 3),
    ],
)
def test_conv_output_size_table(size, k, s, p, d, expected):
    assert conv_output_size(size, k, s, p, d) == expected
    assert (
        F.conv1d(torch.zeros(1, 1, size), torch.zeros(1, 1, k), None, s, p, d).shape[-1] == expected
    )


def test_pool_stride_defaults_to_kernel_size():
    assert pool_output_size(10, 3) == 3 == F.max_pool1d(torch.zeros(1, 1, 10), 3).shape[-1]
    assert walk((2, 10), ["avgpool1d:k3"])[0].output_shape == (2, 3)


@pytest.mark.parametrize("k,d", [(3, 1), (4, 1), (2, 1), (5, 2), (4, 3), (1, 1)])
def test_same_padding_splits_like_torch(k, d, rng):
    left, right = same_padding(k, d)
    assert left + right == d * (k - 1) and right - left in (0, 1)
    x, w = (
        torch.tensor(rng.standard_normal((1, 2, 11))),
        torch.tensor(rng.standard_normal((3, 2, k))),
    )
    expected = F.conv1d(x, w, padding="same", dilation=d)
    torch.testing.assert_close(F.conv1d(F.pad(x, (left, right)), w, dilation=d), expected)


def test_tf_same_output_size():
    assert [tf_same_output_size(n, 2) for n in (223, 224, 225)] == [112, 112, 113]
    assert tf_same_output_size(7, 3) == 3


# -- params, MACs ------------------------------------------------------------------------
CONV_COUNT_CASES = [
    ((3, 224, 224), "conv:64,k7,s2,p3", 9_472, 118_013_952),
    ((64, 56, 56), "conv:128,k3,s1,p1", 73_856, 231_211_008),
    ((32, 16, 16), "conv:64,k3,g4,nobias", 4_608, 4_608 * 14 * 14),
    ((8, 9, 7), "conv:8,k3x1,s2x1,p1x0,g8", 32, 8 * 3 * 5 * 7),
    ((4, 12), "conv1d:6,k5,s2,d2,g2", 66, 6 * 2 * 5 * 2),
]


@pytest.mark.parametrize("input_shape,text,params,macs", CONV_COUNT_CASES)
def test_params_and_macs_of_known_convs(input_shape, text, params, macs):
    (record,) = walk(input_shape, [text])
    assert (record.params, record.macs) == (params, macs)


@pytest.mark.parametrize("input_shape,text,params,macs", CONV_COUNT_CASES)
def test_macs_match_torch_flop_counter(input_shape, text, params, macs):
    stage = parse_stage(text)
    conv = F.conv2d if stage.dims == 2 else F.conv1d
    weight = torch.zeros(stage.out_channels, input_shape[0] // stage.groups, *stage.kernel_size)
    with FlopCounterMode(display=False) as counter:
        conv(
            torch.zeros(1, *input_shape),
            weight,
            None,
            stage.stride,
            stage.padding,
            stage.dilation,
            stage.groups,
        )
    assert counter.get_total_flops() == 2 * macs  # torch counts a multiply-accumulate as 2 FLOPs


def test_pools_have_no_params_or_macs():
    records = walk((3, 8, 8), ["maxpool:k2", "avgpool:k2"])
    assert [(r.params, r.macs) for r in records] == [(0, 0), (0, 0)]


# -- receptive field and jump --------------------------------------------------------------
def test_receptive_field_of_three_stacked_3x3_convs_is_7():
    records = walk((3, 32, 32), ["conv:8,k3,p1"] * 3)
    assert [r.receptive_field for r in records] == [(3, 3), (5, 5), (7, 7)]
    assert records[-1].jump == (1, 1)


def test_receptive_field_of_resnet_stem_is_11_with_jump_4():
    records = walk((3, 224, 224), ["conv:64,k7,s2,p3", "maxpool:k3,s2,p1"])
    assert [(r.receptive_field, r.jump) for r in records] == [((7, 7), (2, 2)), ((11, 11), (4, 4))]
    assert records[1].receptive_field_formulas[0] == "r = 7 + 1*(3-1)*2 = 11, j = 2*2 = 4"


def test_receptive_field_step_with_dilation():
    assert receptive_field_step(1, 1, kernel_size=3, stride=1, dilation=2) == (5, 1)
    assert receptive_field_step(5, 2, kernel_size=3, stride=2, dilation=1) == (9, 4)


def measured_receptive_field(
    geometry: list[tuple[int, int, int, int]], length: int
) -> tuple[int, int]:
    """(receptive field, jump) measured in torch: which inputs a middle output's gradient reaches."""
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d, p in geometry:  # a ones-kernel conv has the same geometry as a pool
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, padding=p, dilation=d)
    middle = y.shape[-1] // 2
    starts, sizes = [], []
    for index in (middle, middle + 1):
        (grad,) = torch.autograd.grad(y[0, 0, index], x, retain_graph=True)
        reached = torch.nonzero(grad[0, 0]).flatten()
        starts.append(int(reached.min()))
        sizes.append(int(reached.max() - reached.min() + 1))
    assert sizes[0] == sizes[1]
    return sizes[0], starts[1] - starts[0]


def test_receptive_field_and_jump_match_gradient_reach_in_torch(rng):
    for _ in range(12):
        specs, geometry = [], []
        for _ in range(int(rng.integers(1, 5))):
            k, s, d = (int(v) for v in (rng.integers(1, 6), rng.integers(1, 3), rng.integers(1, 3)))
            p = int(rng.integers(0, k // 2 + 1))
            if rng.random() < 0.5:
                specs.append(f"conv1d:1,k{k},s{s},p{p},d{d}")
            else:
                specs.append(f"maxpool1d:k{k},s{s},p{p},d{d}")
            geometry.append((k, s, d, p))
        record = walk((1, 400), specs)[-1]
        assert (record.receptive_field[0], record.jump[0]) == measured_receptive_field(
            geometry, 400
        ), specs


# -- the walk as a whole -------------------------------------------------------------------
def test_readme_example():
    records = walk((3, 224, 224), ["conv:64,k7,s2,p3", "maxpool:k3,s2,p1", "conv:128,k3,s1,p1"])
    assert [r.output_shape for r in records] == [(64, 112, 112), (64, 56, 56), (128, 56, 56)]
    assert records[0].formulas[0] == "H: floor((224 + 2*3 - 1*(7-1) - 1)/2) + 1 = 112"
    assert [r.receptive_field[0] for r in records] == [7, 11, 19]
    lines = format_walk((3, 224, 224), records)
    assert lines[-1] == "output: 128x56x56"
    assert "total: params 83,328, MACs 349,224,960" in lines


def test_walk_of_a_whole_net_matches_torch_sequential():
    specs = [
        "conv:16,k3,psame",
        "conv:32,k3,s2,p1",
        "avgpool:k2,s2",
        "conv:64,k3,d2,p2",
        "maxpool:k3,s2,ceil",
    ]
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding="same"),
        torch.nn.Conv2d(16, 32, 3, 2, 1),
        torch.nn.AvgPool2d(2, 2),
        torch.nn.Conv2d(32, 64, 3, padding=2, dilation=2),
        torch.nn.MaxPool2d(3, 2, ceil_mode=True),
    )
    records = walk((3, 33, 30), specs)
    assert records[-1].output_shape == tuple(net(torch.zeros(1, 3, 33, 30)).shape[1:])
    assert sum(r.params for r in records) == sum(p.numel() for p in net.parameters())


def test_psame_records_asymmetric_padding_and_a_tf_note():
    (record,) = walk((3, 8, 8), ["conv:4,k4x2,psame"])
    assert record.padding == ((1, 2), (0, 1)) and record.output_shape == (4, 8, 8)
    assert record.formulas[0] == "H: floor((8 + 1 + 2 - 1*(4-1) - 1)/1) + 1 = 8"
    assert "out = ceil(in/stride) = ceil(8/1) = 8" in record.notes[0]


def test_floor_note_counts_the_unread_rows():
    (record,) = walk((1, 10, 9), ["conv:1,k3,s4"])
    assert record.output_shape == (1, 2, 2)
    assert record.notes == (
        "the floor leaves the last 3 rows and 2 columns of the padded input unread",
    )


def test_parse_stage_and_input():
    stage = parse_stage(" conv:64,k3x5,s2,p1x2,d1x2,g2,nobias ")
    assert (
        stage.kind,
        stage.dims,
        stage.out_channels,
        stage.kernel_size,
        stage.stride,
        stage.padding,
        stage.dilation,
        stage.groups,
        stage.bias,
    ) == ("conv", 2, 64, (3, 5), (2, 2), (1, 2), (1, 2), 2, False)
    assert (
        parse_stage("maxpool1d:k3,ceil").stride == (3,)
        and parse_stage("maxpool1d:k3,ceil").ceil_mode
    )
    assert parse_stage("conv:8,k3,pvalid").padding == (0, 0)
    assert parse_input_shape("3x224x224") == (3, 224, 224) and parse_input_shape("3x100") == (
        3,
        100,
    )


# -- errors: one line, the stage and the numbers -------------------------------------------
ERRORS = [
    (
        (3, 2, 2),
        ["conv:4,k3"],
        r"^stage 1 'conv:4,k3': H: the dilated kernel spans 1\*\(3-1\)\+1 = 3, more than "
        r"the padded input 2 \+ 2\*0 = 2: the output size would be 0$",
    ),
    (
        (1, 9, 2),
        ["maxpool:k1", "maxpool:k3,s1,p1,d3"],
        r"^stage 2 'maxpool:k3,s1,p1,d3': W: .* spans 3\*\(3-1\)\+1 = 7"
        r", more than the padded input 2 \+ 2\*1 = 4: .* would be -2$",
    ),
    ((1, 2), ["maxpool1d:k5,s2,ceil"], r"^stage 1 'maxpool1d:k5,s2,ceil': L: .* would be 0$"),
    (
        (3, 32, 32),
        ["conv:8,k3,s2,psame"],
        r"^stage 1 'conv:8,k3,s2,psame': psame needs stride 1 .* got stride "
        r"2x2; TensorFlow's SAME would give ceil\(in/stride\) = 16x16$",
    ),
    (
        (3, 32, 32),
        ["conv:8,k3,g2"],
        r"^stage 1 'conv:8,k3,g2': input channels 3 are not divisible by groups 2$",
    ),
    (
        (4, 8, 8),
        ["conv:6,k3,g4"],
        r"^stage 1 'conv:6,k3,g4': output channels 6 are not divisible by groups 4$",
    ),
    (
        (3, 32, 32),
        ["maxpool:k3,p2"],
        r"^stage 1 'maxpool:k3,p2': H: padding 2 is more than half the kernel: "
        r"pools need p <= k//2 = 3//2 = 1$",
    ),
    (
        (3, 32, 32),
        ["conv:8,x3"],
        r"^stage 1 'conv:8,x3': unknown option 'x3': conv takes OUT,k,s,p,psame",
    ),
    (
        (3, 32),
        ["conv:8,k3"],
        r"^stage 1 'conv:8,k3': conv needs a CxHxW input, but its input is 3x32$",
    ),
    (
        (3, 4, 4),
        ["conv1d:8,k3x3"],
        r"^stage 1 'conv1d:8,k3x3': 'k3x3' gives 2 values but the stage has 1 spatial",
    ),
    (
        (3, 4, 4),
        ["avgpool:k2,d2"],
        r"^stage 1 'avgpool:k2,d2': unknown option 'd2': avgpool takes k,s,p,ceil$",
    ),
    ((3, 4, 4), ["conv:8"], r"^stage 1 'conv:8': missing a kernel size kK$"),
]


@pytest.mark.parametrize("input_shape,stages,message", ERRORS)
def test_walk_errors_name_the_stage_and_the_numbers(input_shape, stages, message):
    with pytest.raises(ShapeError, match=message) as caught:
        walk(input_shape, stages)
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda: conv_output_size(3, 5),
            r"the dilated kernel spans 1\*\(5-1\)\+1 = 5, more than the padded input 3",
        ),
        (lambda: conv_output_size(3, 3, stride=0), r"stride must be >= 1, got 0"),
        (lambda: pool_output_size(8, 2, padding=2), r"padding 2 is more than half the kernel"),
        (
            lambda: parse_input_shape("1x3x224x224"),
            r"input '1x3x224x224': give CxHxW \(2-D\) or CxL",
        ),
        (lambda: parse_input_shape("3x0x4"), r"input '3x0x4': every size must be >= 1"),
        (lambda: parse_stage("pool:k2"), r"unknown stage kind 'pool'"),
    ],
)
def test_arithmetic_errors(call, message):
    with pytest.raises(ShapeError, match=message):
        call()
