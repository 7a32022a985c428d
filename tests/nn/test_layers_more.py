"""Issue 18's modules against torch.nn: forward, input and parameter gradients, state dicts,
reprs, default initialisation and constructor signatures."""

from __future__ import annotations

import inspect
import math

import numpy
import pytest
import torch
from layer_twins import assert_layer_parity, assert_same_state, twins
from test_default_init import assert_same_deciles, assert_uniform, fresh, values

import glassnet

nn = glassnet.nn


def case(name, *args, shapes, train=True, **kwargs):
    return pytest.param(name, args, kwargs, shapes, train, id=f"{name}{args}{kwargs or ''}")


LAYERS = [
    case("ConvTranspose2d", 3, 4, 3, shapes=[(2, 3, 5, 4)]),
    case(
        "ConvTranspose2d",
        4,
        6,
        (3, 2),
        stride=2,
        padding=1,
        output_padding=1,
        groups=2,
        shapes=[(2, 4, 4, 5)],
    ),
    case(
        "ConvTranspose2d", 3, 2, 4, stride=2, padding=1, bias=False, dilation=2, shapes=[(3, 5, 5)]
    ),
    case("ConvTranspose1d", 3, 4, 3, stride=2, padding=1, output_padding=1, shapes=[(2, 3, 7)]),
    case("ConvTranspose1d", 4, 4, 2, groups=4, shapes=[(4, 6)]),
    case("Upsample", scale_factor=2, shapes=[(2, 3, 4, 5)]),
    case("Upsample", size=(7, 3), mode="bilinear", shapes=[(2, 3, 4, 5)]),
    case("Upsample", scale_factor=1.5, mode="bilinear", align_corners=True, shapes=[(1, 2, 4, 5)]),
    case("Upsample", scale_factor=3, mode="linear", shapes=[(2, 3, 4)]),
    case("PixelShuffle", 2, shapes=[(2, 8, 3, 3)]),
    case("PixelUnshuffle", 2, shapes=[(2, 2, 4, 6)]),
    case("InstanceNorm1d", 3, shapes=[(2, 3, 7)]),
    case("InstanceNorm1d", 3, affine=True, shapes=[(3, 7)]),
    case("InstanceNorm2d", 3, affine=True, track_running_stats=True, shapes=[(2, 3, 4, 5)]),
    case(
        "InstanceNorm2d",
        3,
        affine=True,
        track_running_stats=True,
        train=False,
        shapes=[(2, 3, 4, 5)],
    ),
    case("ZeroPad2d", 1, shapes=[(2, 3, 4, 5)]),
    case("ZeroPad2d", (1, 2, 0, 3), shapes=[(3, 4, 5)]),
    case("ConstantPad2d", 2, 1.5, shapes=[(2, 3, 4, 5)]),
    case("ReflectionPad2d", (2, 1, 3, 0), shapes=[(2, 3, 4, 5)]),
    case("ReplicationPad2d", 2, shapes=[(2, 3, 4, 5)]),
    case("ReLU6", shapes=[(4, 5)]),
    case("SELU", shapes=[(4, 5)]),
    case("CELU", 0.5, shapes=[(4, 5)]),  # alpha 0.7: see test_functional_more's RTOL
    case("Mish", shapes=[(4, 5)]),
    case("Hardswish", shapes=[(4, 5)]),
    case("GLU", shapes=[(4, 6)]),
    case("GLU", 0, shapes=[(4, 6)]),
    case("LogSigmoid", shapes=[(4, 5)]),
    case("Softmin", 1, shapes=[(4, 5)]),
    case("HuberLoss", delta=0.5, shapes=[(4, 5), (4, 5)]),
    case("MarginRankingLoss", margin=0.2, shapes=[(6,), (6,), (6,)]),
    case("TripletMarginLoss", margin=0.5, p=1.0, shapes=[(4, 5), (4, 5), (4, 5)]),
    case("CosineSimilarity", dim=0, shapes=[(4, 5), (4, 5)]),
    case("PairwiseDistance", keepdim=True, shapes=[(4, 5), (4, 5)]),
]


@pytest.mark.parametrize("name, args, kwargs, shapes, train", LAYERS)
def test_layer_matches_torch_float64(name, args, kwargs, shapes, train, rng):
    ours, theirs = twins(name, *args, **kwargs)
    for value in theirs.state_dict().values():  # random weights and running stats, not the defaults
        if value.dtype.is_floating_point:
            value.copy_(torch.from_numpy(numpy.abs(rng.standard_normal(tuple(value.shape))) + 0.1))
    ours.load_state_dict(theirs.state_dict())
    ours.train(train)
    theirs.train(train)
    assert_layer_parity(ours, theirs, [rng.standard_normal(shape) for shape in shapes])
    assert_same_state(ours, theirs)  # the running statistics moved the same way
    assert repr(ours) == repr(theirs)


def test_hardsigmoid_module_matches_torch(rng):
    ours, theirs = twins("Hardsigmoid")
    x = rng.standard_normal((4, 5)) * 2
    numpy.testing.assert_allclose(
        ours(glassnet.tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-12
    )
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("ConvTranspose2d", (4, 6, 3), {"groups": 2, "bias": False}),
        ("ConvTranspose1d", (4, 6, 3), {}),
        ("InstanceNorm2d", (5,), {"affine": True, "track_running_stats": True}),
        ("InstanceNorm1d", (5,), {}),
        (
            "ParameterList",
            ([torch.nn.Parameter(torch.ones(2, 3)), torch.nn.Parameter(torch.zeros(4))],),
            {},
        ),
    ],
    ids=str,
)
def test_state_dict_round_trips_with_torch(name, args, kwargs, rng):
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    for value in theirs.state_dict().values():
        if value.dtype.is_floating_point:
            value.copy_(torch.from_numpy(rng.standard_normal(tuple(value.shape))))
    ours_args = [
        [nn.Parameter(glassnet.zeros(*p.shape)) for p in a] if isinstance(a, list) else a
        for a in args
    ]
    ours = getattr(nn, name)(*ours_args, **kwargs).double()
    ours.load_state_dict(theirs.state_dict())
    assert_same_state(ours, theirs)
    back = getattr(torch.nn, name)(*args, **kwargs).double()
    back.load_state_dict(
        {key: torch.from_numpy(value.data.copy()) for key, value in ours.state_dict().items()}
    )
    assert_same_state(ours, back)


def test_parameter_dict_registers_entries_like_torch():
    ours = nn.ParameterDict({"scale": glassnet.ones(3), "shift": nn.Parameter(glassnet.zeros(2))})
    theirs = torch.nn.ParameterDict(
        {"scale": torch.ones(3), "shift": torch.nn.Parameter(torch.zeros(2))}
    )
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["scale", "shift"]
    assert [p.shape for p in ours.parameters()] == [(3,), (2,)]
    assert isinstance(ours["scale"], nn.Parameter) and "shift" in ours and len(ours) == 2
    del ours["shift"]
    assert list(ours.keys()) == ["scale"]
    with pytest.raises(KeyError, match=r"ParameterDict: no parameter 'bias'; keys are \['scale'\]"):
        ours["bias"]


def test_parameter_list_is_seen_by_parameters_and_optimizers():
    module = nn.Module()
    module.weights = nn.ParameterList([glassnet.ones(2), glassnet.ones(3)])
    assert [name for name, _ in module.named_parameters()] == ["weights.0", "weights.1"]
    optimizer = glassnet.optim.SGD(module.parameters(), lr=0.5)
    (module.weights[0].sum() + module.weights[-1].sum()).backward()
    optimizer.step()
    assert module.weights[1].tolist() == [0.5, 0.5, 0.5]
    with pytest.raises(
        IndexError, match=r"ParameterList: index 2 is out of range for 2 parameters"
    ):
        module.weights[2]


@pytest.mark.parametrize(
    "name, args, kwargs, fan_in",
    [
        ("ConvTranspose2d", (64, 128, 3), {}, 128 * 9),
        ("ConvTranspose1d", (64, 96, 5), {"groups": 4}, 24 * 5),
    ],
    ids=str,
)
def test_conv_transpose_init_is_torchs(name, args, kwargs, fan_in):
    """PyTorch reads fan_in off dim 1 of the (in, out / groups, k) weight: out / groups * k."""
    ours, theirs = fresh(name, *args, **kwargs)
    bound = 1 / math.sqrt(fan_in)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    assert_uniform(values(ours.weight), bound)
    assert_same_deciles(values(ours.weight), values(theirs.weight), density=1 / (2 * bound))
    assert numpy.abs(values(ours.bias)).max() <= bound


def test_conv_transpose_output_size_picks_output_padding(rng):
    ours, theirs = twins("ConvTranspose2d", 2, 3, 3, stride=2, padding=1)
    x = rng.standard_normal((1, 2, 4, 4))
    out = ours(glassnet.tensor(x), output_size=(8, 7))
    numpy.testing.assert_allclose(
        out.data, theirs(torch.tensor(x), output_size=(8, 7)).detach().numpy(), rtol=1e-10
    )
    with pytest.raises(
        ValueError, match=r"output_size \(9, 7\) is not reachable .* dim 0 can be 7 to 8"
    ):
        ours(glassnet.tensor(x), output_size=(9, 7))


def test_instance_norm_eval_uses_running_stats_only_when_tracked(rng):
    x = glassnet.tensor(rng.standard_normal((2, 3, 6)) * 5 + 2)
    layer = nn.InstanceNorm1d(3).eval()  # no running stats: eval normalises with the input's own
    out = layer(x).data
    numpy.testing.assert_allclose(out.mean(axis=2), 0, atol=1e-6)
    tracked = nn.InstanceNorm1d(3, track_running_stats=True).eval()
    numpy.testing.assert_allclose(tracked(x).data, x.data / math.sqrt(1 + 1e-5), rtol=1e-6)


NEW_MODULES = [
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Upsample",
    "PixelShuffle",
    "PixelUnshuffle",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "ZeroPad2d",
    "ConstantPad2d",
    "ReflectionPad2d",
    "ReplicationPad2d",
    "ParameterList",
    "ParameterDict",
    "ReLU6",
    "SELU",
    "CELU",
    "Mish",
    "Hardswish",
    "Hardsigmoid",
    "GLU",
    "LogSigmoid",
    "Softmin",
    "HuberLoss",
    "MarginRankingLoss",
    "TripletMarginLoss",
    "CosineSimilarity",
    "PairwiseDistance",
]


@pytest.mark.parametrize("name", NEW_MODULES)
def test_constructor_signature_matches_torch(name):
    ours = inspect.signature(getattr(nn, name).__init__).parameters
    if getattr(torch.nn, name).__init__ is torch.nn.Module.__init__:  # no arguments of its own
        assert getattr(nn, name).__init__ is nn.Module.__init__
        return
    theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
    ours_list = [(p.name, p.kind, p.default) for p in ours.values() if p.name != "self"]
    theirs_list = [(p.name, p.kind, p.default) for p in theirs.values() if p.name != "self"]
    assert ours_list == theirs_list


ERRORS = [
    (
        lambda: nn.ConvTranspose2d(3, 4, 3, groups=2),
        r"ConvTranspose2d: in_channels \(3\) must be divisible by groups \(2\)",
    ),
    (
        lambda: nn.ConvTranspose2d(2, 4, 3)(glassnet.ones(1, 3, 4, 4)),
        r"expected input with 2 channels \(in_channels\), got 3",
    ),
    (lambda: nn.Upsample(), r"Upsample: give exactly one of size and scale_factor"),
    (lambda: nn.Upsample(scale_factor=2, mode="bicubic"), r"Upsample: mode='bicubic' is not valid"),
    (
        lambda: nn.InstanceNorm2d(3)(glassnet.ones(2, 4, 3, 3)),
        r"expected input with 3 channels \(num_features\) in dim 1",
    ),
    (
        lambda: nn.InstanceNorm1d(3)(glassnet.ones(2, 3, 4, 4)),
        r"InstanceNorm1d.*expected 2D \(unbatched\) or 3D input",
    ),
    (lambda: nn.ZeroPad2d((1, 2)), r"ZeroPad2d: padding"),
    (
        lambda: nn.ParameterList([1.0]),
        r"ParameterList: entries must be Parameters or Tensors, got float",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_a_clear_error(index):
    call, pattern = ERRORS[index]
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()
