"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against torch.nn: outputs,
attention weights, input and parameter gradients, masks, state dicts both ways, reprs, init."""

from __future__ import annotations

import inspect
import math

import numpy
import pytest
import torch
from layer_twins import assert_same_state
from test_default_init import assert_uniform, values

import glassnet
from helpers import _close

nn = glassnet.nn
R = numpy.random.default_rng(21)


def _build(name, args, kwargs, rng):
    """The torch module with random weights, float64, and glassnet's with the same state dict."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    for value in theirs.state_dict().values():
        value.copy_(torch.from_numpy(rng.standard_normal(tuple(value.shape)) * 0.5))
    ours = getattr(nn, name)(*args, **kwargs).double()
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _masks(lib, masks):
    return {key: lib.tensor(value) for key, value in masks.items()}


def assert_module_parity(ours, theirs, arrays, masks=(), train=False, **options):
    """Same outputs (and weights), input gradients and parameter gradients as torch, float64."""
    ours.train(train)
    theirs.train(train)
    ours_in = [glassnet.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    mine = ours(*ours_in, **_masks(glassnet, dict(masks)), **options)
    reference = theirs(*theirs_in, **_masks(torch, dict(masks)), **options)
    mine = [t for t in (mine if isinstance(mine, tuple) else (mine,)) if t is not None]
    reference = [
        t for t in (reference if isinstance(reference, tuple) else (reference,)) if t is not None
    ]
    assert len(mine) == len(reference)
    upstream = []
    for index, (a, b) in enumerate(zip(mine, reference)):
        _close(f"output {index}", a.data, b.detach().numpy(), 1e-8, 1e-10)
        upstream.append(R.standard_normal(a.shape))
    torch.autograd.backward(reference, [torch.tensor(g) for g in upstream])
    for a, g in zip(mine, upstream):
        a.backward(g, retain_graph=True)
    for index, (a, b) in enumerate(zip(ours_in, theirs_in)):
        _close(f"grad of input {index}", a.grad.data, b.grad.numpy(), 1e-8, 1e-10)
    theirs_params = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        _close(
            f"grad of {name}", parameter.grad.data, theirs_params[name].grad.numpy(), 1e-8, 1e-10
        )
    assert list(dict(ours.named_parameters())) == list(theirs_params)


KEY_PADDING = numpy.array([[False, False, True, False, True, True], [False] * 6])
CAUSAL = numpy.triu(numpy.ones((5, 6), dtype=bool), 1)
MHA = {
    # name: (constructor kwargs, input shapes, masks, forward options)
    "self_attention": ({}, [(5, 2, 8)] * 3, {}, {}),
    "cross_attention": ({}, [(5, 2, 8), (6, 2, 8), (6, 2, 8)], {}, {}),
    "batch_first_per_head_weights": (
        {"batch_first": True},
        [(2, 5, 8), (2, 6, 8), (2, 6, 8)],
        {},
        {"average_attn_weights": False},
    ),
    "kdim_vdim": ({"kdim": 3, "vdim": 5}, [(5, 2, 8), (6, 2, 3), (6, 2, 5)], {}, {}),
    "no_bias_unbatched": ({"bias": False}, [(5, 8), (6, 8), (6, 8)], {}, {}),
    "key_padding_mask": (
        {},
        [(5, 2, 8), (6, 2, 8), (6, 2, 8)],
        {"key_padding_mask": KEY_PADDING},
        {},
    ),
    "bool_attn_mask_and_padding": (
        {"batch_first": True},
        [(2, 5, 8), (2, 6, 8), (2, 6, 8)],
        {"attn_mask": CAUSAL, "key_padding_mask": KEY_PADDING},
        {},
    ),
    "float_attn_mask_per_head": (
        {},
        [(5, 2, 8), (6, 2, 8), (6, 2, 8)],
        {"attn_mask": R.standard_normal((8, 5, 6))},
        {},
    ),
    "no_weights": ({}, [(5, 2, 8)] * 3, {}, {"need_weights": False}),
    "causal_hint": (
        {},
        [(6, 2, 8)] * 3,
        {"attn_mask": numpy.triu(numpy.full((6, 6), -numpy.inf), 1)},
        {"is_causal": True},
    ),
}


@pytest.mark.parametrize("name", MHA)
def test_multihead_attention_matches_torch(name):
    kwargs, shapes, masks, options = MHA[name]
    ours, theirs = _build("MultiheadAttention", (8, 4), kwargs, R)
    assert_module_parity(
        ours, theirs, [R.standard_normal(s) for s in shapes], masks.items(), **options
    )


def test_multihead_attention_dropout_is_off_in_eval_and_on_in_train():
    layer = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = glassnet.randn(4, 3, 8)
    layer.eval()
    first, _ = layer(x, x, x)
    numpy.testing.assert_array_equal(first.data, layer(x, x, x)[0].data)
    layer.train()
    _, weights = layer(x, x, x, average_attn_weights=False)
    assert 0.2 < (weights.data == 0).mean() < 0.8


ENCODER_LAYERS = {
    "post_norm_relu": dict(dim_feedforward=16, dropout=0.0),
    "pre_norm_gelu_batch_first": dict(
        dim_feedforward=12, dropout=0.0, activation="gelu", norm_first=True, batch_first=True
    ),
    "no_bias_eps": dict(dim_feedforward=10, dropout=0.0, bias=False, layer_norm_eps=1e-3),
}


@pytest.mark.parametrize("name", ENCODER_LAYERS)
def test_transformer_encoder_layer_matches_torch(name):
    kwargs = ENCODER_LAYERS[name]
    ours, theirs = _build("TransformerEncoderLayer", (8, 2), kwargs, R)
    shape = (2, 5, 8) if kwargs.get("batch_first") else (5, 2, 8)
    masks = {"src_key_padding_mask": KEY_PADDING[:, :5], "src_mask": CAUSAL[:, :5]}
    assert_module_parity(ours, theirs, [R.standard_normal(shape)], masks.items(), train=True)
    assert_module_parity(ours, theirs, [R.standard_normal(shape)])
    assert repr(ours) == repr(theirs)


def test_transformer_encoder_matches_torch_with_a_final_norm():
    torch_layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=True)
    torch_layer._glassnet_kwargs = dict(
        d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, norm_first=True
    )
    theirs = torch.nn.TransformerEncoder(
        torch_layer, 3, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False
    ).double()
    ours = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=True), 3, norm=nn.LayerNorm(8)
    ).double()
    for value in theirs.state_dict().values():
        value.copy_(torch.from_numpy(R.standard_normal(tuple(value.shape)) * 0.5))
    ours.load_state_dict(theirs.state_dict())
    assert_module_parity(
        ours,
        theirs,
        [R.standard_normal((6, 2, 8))],
        {"mask": numpy.triu(numpy.ones((6, 6), dtype=bool), 1)}.items(),
        train=True,
    )
    back = torch.nn.TransformerEncoder(
        torch_layer, 3, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False
    ).double()
    back.load_state_dict(
        {key: torch.from_numpy(value.data.copy()) for key, value in ours.state_dict().items()}
    )
    assert_same_state(ours, back)


def test_encoder_copies_start_from_the_same_weights_as_torch_does():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)
    first, second = (layer.linear1.weight.data for layer in encoder.layers)
    numpy.testing.assert_array_equal(first, second)
    assert first is not second


def test_multihead_attention_state_dict_round_trips_and_init_is_torchs():
    glassnet.manual_seed(0)
    ours = nn.MultiheadAttention(64, 4)
    theirs = torch.nn.MultiheadAttention(64, 4)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert_uniform(values(ours.in_proj_weight), math.sqrt(6 / (64 + 3 * 64)))  # xavier on (3E, E)
    assert not ours.in_proj_bias.data.any() and not ours.out_proj.bias.data.any()
    assert_uniform(values(ours.out_proj.weight), 1 / math.sqrt(64))  # Linear's default
    theirs.load_state_dict(
        {key: torch.from_numpy(value.data.copy()) for key, value in ours.state_dict().items()}
    )
    assert_same_state(ours, theirs)


ERRORS = [
    (
        lambda: nn.MultiheadAttention(10, 3),
        r"embed_dim \(10\) must be divisible by num_heads \(3\)",
    ),
    (
        lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True),
        r"add_bias_kv and add_zero_attn are not supported",
    ),
    (
        lambda: nn.MultiheadAttention(8, 2)(
            glassnet.ones(3, 2, 6), glassnet.ones(3, 2, 8), glassnet.ones(3, 2, 8)
        ),
        r"query must be \(L, N, 8\)",
    ),
    (
        lambda: nn.MultiheadAttention(8, 2)(
            glassnet.ones(3, 2, 8), glassnet.ones(4, 2, 8), glassnet.ones(3, 2, 8)
        ),
        r"key/value in length",
    ),
    (
        lambda: nn.MultiheadAttention(8, 2)(
            *[glassnet.ones(3, 2, 8)] * 3, key_padding_mask=glassnet.ones(2, 4) > 0
        ),
        r"key_padding_mask must be \(2, 3\)",
    ),
    (
        lambda: nn.MultiheadAttention(8, 2)(
            *[glassnet.ones(3, 2, 8)] * 3, attn_mask=glassnet.ones(3, 4) > 0
        ),
        r"attn_mask must be \(3, 3\) or \(4, 3, 3\)",
    ),
    (
        lambda: nn.MultiheadAttention(8, 2)(*[glassnet.ones(3, 2, 8)] * 3, is_causal=True),
        r"is_causal=True is a hint that needs attn_mask",
    ),
    (
        lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"),
        r"activation='tanh' is not valid",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_a_clear_error(index):
    call, pattern = ERRORS[index]
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()


@pytest.mark.parametrize(
    "name", ["MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder"]
)
def test_constructor_and_forward_signatures_match_torch(name):
    """Same argument names, kinds and defaults; the default activation is each library's own relu."""
    for method in ("__init__", "forward"):
        ours = inspect.signature(getattr(getattr(nn, name), method)).parameters.values()
        theirs = inspect.signature(getattr(getattr(torch.nn, name), method)).parameters.values()
        assert [(p.name, p.kind) for p in ours] == [(p.name, p.kind) for p in theirs]
        for mine, reference in zip(ours, theirs):
            if mine.name == "activation":
                assert (
                    mine.default is nn.functional.relu
                    and reference.default is torch.nn.functional.relu
                )
            else:
                assert mine.default == reference.default, (method, mine.name)
