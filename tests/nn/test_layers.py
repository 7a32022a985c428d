"""Layers against torch.nn: forward, input and parameter gradients, state dicts, reprs and signatures.

Every case builds the torch layer and the glassnet layer with the same arguments, copies
torch's weights into glassnet with load_state_dict, and compares on the same input.
"""

from __future__ import annotations

import inspect

import numpy
import pytest
import torch
from layer_twins import assert_layer_parity, assert_same_state, twins

import glassnet

nn = glassnet.nn


def case(name, *args, shapes, train=True, **kwargs):
    """A parity case: layer name, constructor arguments, input shapes (("int", high, shape) for indices)."""
    label = f"{name}{args}{kwargs or ''}"
    return pytest.param(name, args, kwargs, shapes, train, id=label)


LAYERS = [
    case("Identity", shapes=[(3, 4)]),
    case("Linear", 4, 3, shapes=[(5, 4)]),
    case("Linear", 4, 3, bias=False, shapes=[(2, 5, 4)]),
    case("Linear", 4, 1, shapes=[(4,)]),
    case("Flatten", shapes=[(2, 3, 4, 5)]),
    case("Flatten", 0, 2, shapes=[(2, 3, 4, 5)]),
    case("Unflatten", 1, (2, 3), shapes=[(4, 6, 5)]),
    case("Unflatten", -1, (5, -1), shapes=[(2, 3, 10)]),
    case("Conv1d", 4, 6, 3, shapes=[(2, 4, 9)]),
    case("Conv1d", 4, 6, 3, stride=2, padding=1, dilation=2, groups=2, shapes=[(2, 4, 11)]),
    case("Conv1d", 4, 2, 4, padding="same", shapes=[(2, 4, 9)]),
    case("Conv1d", 4, 2, 3, padding=2, padding_mode="reflect", shapes=[(4, 9)]),
    case("Conv1d", 4, 2, 3, padding=2, padding_mode="circular", bias=False, shapes=[(2, 4, 9)]),
    case("Conv2d", 3, 4, 3, shapes=[(2, 3, 7, 6)]),
    case(
        "Conv2d",
        4,
        8,
        (3, 2),
        stride=(2, 1),
        padding=(1, 2),
        dilation=(1, 2),
        groups=4,
        shapes=[(2, 4, 9, 8)],
    ),
    case("Conv2d", 3, 4, 4, padding="same", dilation=2, shapes=[(2, 3, 9, 8)]),
    case("Conv2d", 3, 4, 3, padding="valid", bias=False, shapes=[(3, 7, 6)]),
    case("Conv2d", 3, 4, 3, padding=(1, 2), padding_mode="reflect", shapes=[(2, 3, 7, 6)]),
    case("Conv2d", 3, 4, 3, padding=2, padding_mode="replicate", shapes=[(2, 3, 7, 6)]),
    case("Conv2d", 3, 4, (3, 2), padding=(2, 1), padding_mode="circular", shapes=[(2, 3, 7, 6)]),
    case(
        "Conv2d", 3, 6, 3, padding="same", padding_mode="reflect", groups=3, shapes=[(2, 3, 7, 6)]
    ),
    case("MaxPool1d", 3, stride=2, padding=1, shapes=[(2, 3, 10)]),
    case("MaxPool2d", 2, shapes=[(2, 3, 8, 6)]),
    case("MaxPool2d", 3, 2, 1, ceil_mode=True, shapes=[(2, 3, 8, 7)]),
    case(
        "MaxPool2d", (2, 3), stride=1, dilation=(2, 1), return_indices=True, shapes=[(2, 3, 8, 7)]
    ),
    case("AvgPool1d", 3, 2, 1, shapes=[(2, 3, 10)]),
    case("AvgPool2d", 3, 2, 1, count_include_pad=False, shapes=[(2, 3, 8, 7)]),
    case("AvgPool2d", 2, ceil_mode=True, divisor_override=3, shapes=[(2, 3, 7, 7)]),
    case("AdaptiveAvgPool1d", 4, shapes=[(2, 3, 10)]),
    case("AdaptiveAvgPool2d", (3, None), shapes=[(2, 3, 7, 5)]),
    case("AdaptiveAvgPool2d", 1, shapes=[(2, 3, 7, 5)]),
    case("AdaptiveMaxPool1d", 3, shapes=[(2, 3, 10)]),
    case("AdaptiveMaxPool2d", (2, 3), return_indices=True, shapes=[(2, 3, 7, 8)]),
    case("Sigmoid", shapes=[(3, 4)]),
    case("Tanh", shapes=[(3, 4)]),
    case("ReLU", shapes=[(3, 4)]),
    case("LeakyReLU", 0.2, shapes=[(3, 4)]),
    case("ELU", 0.7, shapes=[(3, 4)]),
    case("GELU", shapes=[(3, 4)]),
    case("GELU", approximate="tanh", shapes=[(3, 4)]),
    case("SiLU", shapes=[(3, 4)]),
    case("Softplus", 2.0, 1.5, shapes=[(3, 4)]),
    case("PReLU", shapes=[(3, 4)]),
    case("PReLU", 3, 0.1, shapes=[(2, 3, 4)]),
    case("Hardtanh", -0.5, 0.8, shapes=[(3, 4)]),
    case("Softmax", dim=1, shapes=[(3, 4, 2)]),
    case("LogSoftmax", dim=-1, shapes=[(3, 4)]),
    case("Dropout", 0.0, shapes=[(3, 4)]),
    case("Dropout", 0.5, train=False, shapes=[(3, 4)]),
    case("Dropout1d", 0.5, train=False, shapes=[(2, 3, 4)]),
    case("Dropout2d", 0.0, shapes=[(2, 3, 4, 4)]),
    case("Embedding", 10, 4, shapes=[("int", 10, (3, 5))]),
    case("Embedding", 10, 4, padding_idx=2, shapes=[("int", 10, (3, 5))]),
    case("Embedding", 10, 4, padding_idx=-1, scale_grad_by_freq=True, shapes=[("int", 10, (3, 5))]),
]


def make_arrays(shapes, rng):
    arrays = []
    for shape in shapes:
        if shape and shape[0] == "int":
            arrays.append(rng.integers(0, shape[1], size=shape[2]))
        else:
            arrays.append(rng.standard_normal(shape))
    return arrays


def randomise_twins(ours, theirs, rng):
    """Random weights (not the default ones) in both, so a wrong default cannot hide a wrong forward."""
    for value in theirs.state_dict().values():
        if value.dtype.is_floating_point:
            value.copy_(torch.from_numpy(rng.standard_normal(tuple(value.shape))))
    ours.load_state_dict(theirs.state_dict())


@pytest.mark.filterwarnings(
    "ignore:Using padding='same' with even kernel"
)  # torch's, about its own speed
@pytest.mark.parametrize("name, args, kwargs, shapes, train", LAYERS)
def test_layer_matches_torch_float64(name, args, kwargs, shapes, train, rng):
    ours, theirs = twins(name, *args, **kwargs)
    if name == "Embedding":
        randomise_twins(ours, theirs, rng)
    ours.train(train)
    theirs.train(train)
    assert_layer_parity(ours, theirs, make_arrays(shapes, rng))


FLOAT32 = [
    case("Linear", 16, 8, shapes=[(4, 16)]),
    case("Conv2d", 3, 8, 3, padding=1, shapes=[(2, 3, 8, 8)]),
    case("Conv1d", 3, 4, 5, stride=2, shapes=[(2, 3, 16)]),
    case("MaxPool2d", 2, shapes=[(2, 3, 8, 8)]),
    case("GELU", shapes=[(4, 5)]),
    case("Embedding", 20, 6, shapes=[("int", 20, (4, 3))]),
]


@pytest.mark.parametrize("name, args, kwargs, shapes, train", FLOAT32)
def test_layer_matches_torch_float32(name, args, kwargs, shapes, train, rng):
    ours, theirs = twins(name, *args, dtype="float32", **kwargs)
    assert ours.weight.dtype == glassnet.float32 if hasattr(ours, "weight") else True
    assert_layer_parity(ours, theirs, make_arrays(shapes, rng), dtype="float32")


def test_layer_float32_by_default_and_dtype_argument():
    assert nn.Linear(3, 2).weight.dtype == glassnet.float32
    layer = nn.Conv2d(3, 2, 3, dtype=glassnet.float64)
    assert layer.weight.dtype == glassnet.float64 and layer.bias.dtype == glassnet.float64
    assert nn.BatchNorm2d(3, dtype=torch.float64).running_var.dtype == glassnet.float64
    assert nn.Embedding(4, 2, device="cpu").weight.dtype == glassnet.float32


def test_embedding_max_norm_renormalises_weight_like_torch(rng):
    ours, theirs = twins("Embedding", 10, 4, max_norm=1.0)
    indices = rng.integers(0, 10, size=(3, 4))
    assert_layer_parity(ours, theirs, [indices])
    numpy.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)
    assert numpy.linalg.norm(ours.weight.data[numpy.unique(indices)], axis=1).max() <= 1.0 + 1e-6


def test_embedding_from_pretrained_shares_and_freezes():
    weights = glassnet.tensor(numpy.arange(12.0).reshape(4, 3))
    frozen = nn.Embedding.from_pretrained(weights)
    assert not frozen.weight.requires_grad and frozen.weight.data is weights.data
    out = frozen(glassnet.tensor(numpy.array([3, 0])))
    numpy.testing.assert_array_equal(out.data, [[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]])
    trainable = nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    assert str(trainable) == str(
        torch.nn.Embedding.from_pretrained(torch.zeros(4, 3), padding_idx=1)
    )


def test_dropout_in_training_zeroes_and_rescales():
    glassnet.manual_seed(0)
    layer = nn.Dropout(0.25)
    out = layer(glassnet.ones(400, 50)).data
    assert set(numpy.unique(out)) == {0.0, numpy.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.01
    layer.eval()
    assert numpy.all(layer(glassnet.ones(3, 4)).data == 1.0)
    channels = nn.Dropout2d(0.5)(glassnet.ones(8, 16, 3, 3)).data
    assert numpy.all(
        channels.min(axis=(2, 3)) == channels.max(axis=(2, 3))
    )  # whole maps kept or dropped


# -- state dicts -----------------------------------------------------------------------
STATE_LAYERS = [
    ("Linear", (5, 3), {}),
    ("Linear", (5, 3), {"bias": False}),
    ("Conv1d", (4, 6, 3), {}),
    ("Conv2d", (4, 6, 3), {"groups": 2, "bias": False}),
    ("BatchNorm1d", (5,), {}),
    ("BatchNorm2d", (5,), {"affine": False}),
    ("BatchNorm2d", (5,), {"track_running_stats": False}),
    ("BatchNorm2d", (5,), {"bias": False}),
    ("LayerNorm", ((3, 4),), {}),
    ("LayerNorm", (4,), {"bias": False}),
    ("LayerNorm", (4,), {"elementwise_affine": False}),
    ("GroupNorm", (2, 6), {}),
    ("GroupNorm", (2, 6), {"affine": False}),
    ("PReLU", (3,), {}),
    ("Embedding", (7, 3), {"padding_idx": 0}),
    ("CrossEntropyLoss", (), {}),
    ("ReLU", (), {}),
    ("MaxPool2d", (2,), {}),
    ("Dropout", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", STATE_LAYERS, ids=lambda v: str(v))
def test_state_dict_keys_shapes_and_dtypes_equal_torch(name, args, kwargs, rng):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(reference)
    for key, value in reference.items():
        assert tuple(mine[key].shape) == tuple(value.shape), key
        assert str(mine[key].dtype) == str(value.dtype).removeprefix("torch."), key
    # and back: a glassnet state dict (random values) loads into the torch layer
    for value in mine.values():
        value.data[...] = (
            rng.integers(1, 50, size=value.shape)
            if value.dtype.kind == "i"
            else rng.standard_normal(value.shape)
        )
    theirs.load_state_dict(
        {key: torch.from_numpy(value.numpy()) for key, value in ours.state_dict().items()}
    )
    assert_same_state(ours, theirs)


def test_loss_weight_buffers_are_in_the_state_dict_as_torch():
    weight = numpy.array([1.0, 2.0, 0.5], dtype=numpy.float32)
    ours = nn.CrossEntropyLoss(weight=glassnet.tensor(weight))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight))
    assert_same_state(ours, theirs)
    ours = nn.BCEWithLogitsLoss(pos_weight=glassnet.tensor(weight))
    theirs = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight))
    assert_same_state(ours, theirs)
    assert ours.double().pos_weight.dtype == glassnet.float64


# -- repr and signatures ---------------------------------------------------------------
REPRS = [
    ("Identity", (), {}),
    ("Linear", (4, 3), {}),
    ("Linear", (4, 3), {"bias": False}),
    ("Flatten", (), {}),
    ("Flatten", (0, 2), {}),
    ("Unflatten", (1, (2, 3)), {}),
    ("Unflatten", (1, [2, 3]), {}),
    ("Conv1d", (4, 6, 3), {}),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    ("Conv2d", (3, 8, 3), {}),
    (
        "Conv2d",
        (3, 6, (3, 5)),
        {"padding": "same", "groups": 3, "bias": False, "padding_mode": "circular"},
    ),
    ("Conv2d", (3, 8, 3), {"padding": "valid", "stride": (2, 1)}),
    ("Conv2d", (3, 8, [3, 1]), {"padding": [1, 0]}),
    ("MaxPool1d", (3,), {}),
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "padding": 1, "ceil_mode": True}),
    ("AvgPool1d", (3,), {}),
    ("AvgPool2d", (3, 2, 1), {"divisor_override": 2}),
    ("AdaptiveAvgPool1d", (4,), {}),
    ("AdaptiveAvgPool2d", ((None, 3),), {}),
    ("AdaptiveMaxPool1d", (2,), {}),
    ("AdaptiveMaxPool2d", (1,), {"return_indices": True}),
    ("BatchNorm1d", (5,), {}),
    ("BatchNorm2d", (5,), {"eps": 1e-3, "momentum": None, "affine": False}),
    ("BatchNorm2d", (5,), {"track_running_stats": False, "bias": False}),
    ("LayerNorm", (4,), {}),
    ("LayerNorm", ((2, 3),), {"eps": 1e-6, "elementwise_affine": False}),
    ("LayerNorm", ([2, 3],), {"bias": False}),
    ("GroupNorm", (2, 6), {}),
    ("GroupNorm", (3, 6), {"affine": False}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("ReLU", (), {}),
    ("ReLU", (True,), {}),
    ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2, True), {}),
    ("ELU", (), {}),
    ("ELU", (0.5,), {"inplace": True}),
    ("GELU", (), {}),
    ("GELU", ("tanh",), {}),
    ("SiLU", (), {}),
    ("SiLU", (True,), {}),
    ("Softplus", (), {}),
    ("Softplus", (2, 10), {}),
    ("PReLU", (), {}),
    ("PReLU", (7, 0.1), {}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 3, True), {}),
    ("Softmax", (), {}),
    ("Softmax", (1,), {}),
    ("LogSoftmax", (-1,), {}),
    ("Dropout", (), {}),
    ("Dropout", (0.2, True), {}),
    ("Dropout1d", (0.1,), {}),
    ("Dropout2d", (), {}),
    ("Dropout3d", (), {}),
    ("Embedding", (10, 3), {}),
    (
        "Embedding",
        (10, 3),
        {"padding_idx": -2, "max_norm": 1.5, "norm_type": 1.0, "scale_grad_by_freq": True},
    ),
    ("CrossEntropyLoss", (), {"label_smoothing": 0.1}),
    ("NLLLoss", (), {}),
    ("MSELoss", (), {}),
    ("L1Loss", (), {}),
    ("SmoothL1Loss", (), {"beta": 0.5}),
    ("BCELoss", (), {}),
    ("BCEWithLogitsLoss", (), {}),
    ("KLDivLoss", (), {"reduction": "batchmean"}),
]


@pytest.mark.parametrize("name, args, kwargs", REPRS, ids=lambda v: str(v))
def test_repr_equals_torch(name, args, kwargs):
    assert str(getattr(nn, name)(*args, **kwargs)) == str(getattr(torch.nn, name)(*args, **kwargs))


def test_repr_of_a_model_equals_torch():
    def model(lib):
        return lib.nn.Sequential(
            lib.nn.Conv2d(1, 4, 3, padding=1),
            lib.nn.BatchNorm2d(4),
            lib.nn.ReLU(),
            lib.nn.MaxPool2d(2),
            lib.nn.Flatten(),
            lib.nn.Dropout(0.2),
            lib.nn.Linear(64, 10),
            lib.nn.LogSoftmax(dim=1),
        )

    assert str(model(glassnet)) == str(model(torch))


CLASSES = [name for name, *_ in REPRS]


@pytest.mark.parametrize("name", sorted(set(CLASSES)))
def test_constructor_signature_equals_torch(name):
    """Argument names, order, kinds and defaults are torch 2.13's (Sigmoid/Tanh: torch's catch-all)."""
    ours = list(inspect.signature(getattr(nn, name).__init__).parameters.values())
    theirs = list(inspect.signature(getattr(torch.nn, name).__init__).parameters.values())
    if name in (
        "Sigmoid",
        "Tanh",
    ):  # torch inherits Module.__init__(*args, **kwargs), which accepts nothing
        assert [p.name for p in ours] == ["self"]
        return
    assert [(p.name, p.kind, p.default) for p in ours] == [
        (p.name, p.kind, p.default) for p in theirs
    ]


def test_attributes_are_torch_names_and_values():
    for name, args, kwargs in REPRS:
        ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
        public = [key for key in vars(theirs) if not key.startswith("_") and key != "training"]
        for key in public:
            assert getattr(ours, key) == getattr(theirs, key), f"{name}.{key}"
    conv = nn.Conv2d(3, 4, (3, 5), padding="same", dilation=2, padding_mode="reflect")
    torch_conv = torch.nn.Conv2d(3, 4, (3, 5), padding="same", dilation=2, padding_mode="reflect")
    assert conv._reversed_padding_repeated_twice == list(
        torch_conv._reversed_padding_repeated_twice
    )


# -- errors ----------------------------------------------------------------------------
ERRORS = [
    (
        lambda: nn.Linear(-1, 3),
        ValueError,
        r"Linear: in_features must be an int >= 0, got in_features=-1",
    ),
    (
        lambda: nn.Linear(3, 2.5),
        ValueError,
        r"Linear: out_features must be an int >= 0, got out_features=2.5",
    ),
    (
        lambda: nn.Linear(3, 2, device="cuda"),
        RuntimeError,
        r"Linear: device 'cuda' is not available",
    ),
    (
        lambda: nn.Linear(3, 2, dtype=glassnet.int64),
        TypeError,
        r"Linear: .*floating point dtype, got dtype=int64",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3, groups=2),
        ValueError,
        r"Conv2d: in_channels \(3\) must be divisible by groups \(2\)",
    ),
    (
        lambda: nn.Conv2d(4, 3, 3, groups=2),
        ValueError,
        r"Conv2d: out_channels \(3\) must be divisible by groups \(2\)",
    ),
    (
        lambda: nn.Conv2d(4, 4, 3, groups=0),
        ValueError,
        r"Conv2d: groups must be a positive int, got groups=0",
    ),
    (
        lambda: nn.Conv2d(3, 4, 0),
        ValueError,
        r"Conv2d: kernel_size must be an int or a tuple of 2 ints .*"
        r"got kernel_size=0",
    ),
    (
        lambda: nn.Conv1d(3, 4, 3, stride=(1, 2)),
        ValueError,
        r"Conv1d: stride must be an int .*got stride=\(1, 2\)",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3, padding=-1),
        ValueError,
        r"Conv2d: padding must be .*got padding=-1",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3, padding="full"),
        ValueError,
        r"Conv2d: padding='full' is not valid; "
        r"expected one of 'same', 'valid'",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"),
        ValueError,
        r"Conv2d: padding='same' is not supported for strided convolutions \(stride=\(2, 2\)\)",
    ),
    (
        lambda: nn.Conv2d(3, 4, 3, padding_mode="zero"),
        ValueError,
        r"Conv2d: padding_mode='zero' is not valid; "
        r"expected one of 'zeros', 'reflect'",
    ),
    (lambda: nn.MaxPool2d(0), ValueError, r"MaxPool2d: kernel_size must be .*got kernel_size=0"),
    (lambda: nn.AvgPool1d(2, stride=0), ValueError, r"AvgPool1d: stride must be .*got stride=0"),
    (
        lambda: nn.AdaptiveAvgPool2d((0, 2)),
        ValueError,
        r"AdaptiveAvgPool2d: output_size must be .*"
        r"got output_size=\(0, 2\)",
    ),
    (
        lambda: nn.Dropout(1.5),
        ValueError,
        r"Dropout: dropout probability p has to be between 0 and 1, but got p=1.5",
    ),
    (lambda: nn.Dropout2d("a"), ValueError, r"Dropout2d: p must be a number, got p='a'"),
    (
        lambda: nn.Embedding(5, 2, padding_idx=5),
        ValueError,
        r"Embedding: padding_idx must be within num_embeddings "
        r"\(in \[-5, 5\)\), got padding_idx=5",
    ),
    (lambda: nn.Embedding(5, 2, sparse=True), NotImplementedError, r"Embedding: sparse=True"),
    (
        lambda: nn.Embedding(5, 2, _weight=glassnet.zeros(4, 2)),
        ValueError,
        r"Embedding: _weight has shape \(4, 2\), which does not match \(num_embeddings, embedding_dim\) = \(5, 2\)",
    ),
    (
        lambda: nn.Embedding.from_pretrained(glassnet.zeros(4)),
        ValueError,
        r"Embedding.from_pretrained: embeddings must be 2-D .*got shape \(4,\)",
    ),
    (
        lambda: nn.Hardtanh(1.0, 0.0),
        ValueError,
        r"Hardtanh: max_val \(0.0\) must be greater than min_val \(1.0\)",
    ),
    (
        lambda: nn.GELU("fast"),
        ValueError,
        r"GELU: approximate='fast' is not valid; expected one of 'none', 'tanh'",
    ),
    (lambda: nn.Softplus(beta=0), ValueError, r"Softplus: beta must be non-zero"),
    (
        lambda: nn.PReLU(0),
        ValueError,
        r"PReLU: num_parameters must be a positive int, got num_parameters=0",
    ),
    (lambda: nn.Softmax(dim="1"), ValueError, r"Softmax: dim must be an int or None, got dim='1'"),
    (
        lambda: nn.Unflatten(1, 6),
        TypeError,
        r"Unflatten: unflattened_size must be a tuple of ints, but found type int",
    ),
    (lambda: nn.Flatten(1.0), ValueError, r"Flatten: start_dim and end_dim must be ints"),
]


@pytest.mark.parametrize(
    "make, error, message", ERRORS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bad_constructor_arguments_name_the_argument_and_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


FORWARD_ERRORS = [
    (
        nn.Conv2d(3, 4, 3),
        (2, 5, 8, 8),
        ValueError,
        r"Conv2d\(3, 4, kernel_size=\(3, 3\), stride=\(1, 1\)\): expected input with 3 channels \(in_channels\) "
        r"in dim 1, got 5 channels \(input shape \(2, 5, 8, 8\), weight shape \(4, 3, 3, 3\)\)",
    ),
    (
        nn.Conv2d(3, 4, 3),
        (3, 8),
        ValueError,
        r"Conv2d\(3, 4, .*\): expected 3-D or 4-D input \(N, C, H, W\) or \(C, H, W\), got input of shape \(3, 8\)",
    ),
    (
        nn.Conv1d(2, 4, 3),
        (4, 8),
        ValueError,
        r"Conv1d\(2, 4, .*\): expected input with 2 channels \(in_channels\) in dim 0, got 4 channels",
    ),
    (
        nn.Conv2d(3, 4, 5),
        (1, 3, 3, 3),
        ValueError,
        r"conv2d: the \(dilated\) kernel \(5, 5\) is larger than the "
        r"padded input \(3, 3\)",
    ),
    (
        nn.Linear(4, 2),
        (3, 5),
        ValueError,
        r"Linear\(in_features=4, out_features=2, bias=True\): expected input of shape \(\*, 4\) \(last dim = "
        r"in_features\), got input of shape \(3, 5\)",
    ),
    (
        nn.PReLU(3),
        (2, 4, 5),
        ValueError,
        r"PReLU\(num_parameters=3\): one slope per channel needs 3 channels in "
        r"dim 1, got input of shape \(2, 4, 5\)",
    ),
    (
        nn.Unflatten(1, (2, 4)),
        (3, 6),
        ValueError,
        r"Unflatten\(dim=1, unflattened_size=\(2, 4\)\): cannot split size "
        r"6 of dim 1 into \(2, 4\) \(input shape \(3, 6\)\)",
    ),
    (nn.MaxPool2d(2, padding=2), (1, 1, 6, 6), ValueError, r"max_pool2d: .*pad"),
]


@pytest.mark.parametrize("layer, shape, error, message", FORWARD_ERRORS, ids=lambda v: str(v)[:40])
def test_forward_errors_name_the_layer_and_the_shapes(layer, shape, error, message):
    with pytest.raises(error, match=message):
        layer(glassnet.randn(*shape))


def test_embedding_forward_errors_name_the_layer():
    layer = nn.Embedding(5, 2)
    with pytest.raises(
        ValueError,
        match=r"Embedding\(5, 2\): index 7 is out of range; indices must be in "
        r"\[0, 4\] \(input shape \(2,\)\)",
    ):
        layer(glassnet.tensor(numpy.array([1, 7])))
    with pytest.raises(
        TypeError, match=r"Embedding\(5, 2\): input must hold integer indices, got dtype float32"
    ):
        layer(glassnet.zeros(3))


@pytest.mark.parametrize("shape, dims", [((4, 6), (1, -1)), ((4, 6), (-1, 1)), ((5,), (0, 0))])
def test_flatten_with_one_dim_to_merge_returns_the_input_itself_as_torch(shape, dims):
    x = glassnet.randn(*shape)
    assert nn.Flatten(*dims)(x) is x
    assert torch.nn.Flatten(*dims)(torch.randn(*shape)).shape == shape


def test_flatten_still_checks_dims_when_there_is_nothing_to_merge():
    with pytest.raises(ValueError, match="end_dim"):
        nn.Flatten(1, 5)(glassnet.randn(4, 6))


def test_linear_with_another_dtype_than_its_weight_takes_f_linear_promotion(rng):
    """The per-call path of nn.Linear skips F.linear only when nothing needs promoting."""
    layer = nn.Linear(3, 2)
    x = rng.standard_normal((4, 3))
    out = layer(glassnet.tensor(x))  # float64 input, float32 weight: computed in float64
    weight, bias = layer.weight.data.astype(numpy.float64), layer.bias.data.astype(numpy.float64)
    assert out.dtype == numpy.float64
    numpy.testing.assert_allclose(out.data, x @ weight.T + bias, rtol=1e-12)
