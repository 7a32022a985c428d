"""The zoo's TransformerClassifier: shapes, attention maps from a real forward pass, training signal."""

from __future__ import annotations

import numpy
import pytest

import glassnet
from glassnet.models import TransformerClassifier, build_model


def test_tokens_shapes_and_logits():
    model = build_model("transformer", (1, 40), 10).eval()
    assert model.tokens == 19  # patches of 4 with stride 2 over 40 steps
    assert model(glassnet.randn(3, 1, 40)).shape == (3, 10)
    assert model(glassnet.randn(3, 40)).shape == (
        3,
        10,
    )  # one-channel sequences without the channel axis
    assert build_model("transformer", (3, 21), 4, hidden=[16], dropout=0.0).embed.out_channels == 16


def test_attention_weights_are_the_layers_softmax_rows():
    model = TransformerClassifier(1, 40, 10, num_layers=3).eval()
    maps = model.attention_weights(glassnet.randn(2, 1, 40))
    assert len(maps) == 3
    for weights in maps:
        assert weights.shape == (2, 19, 19)
        numpy.testing.assert_allclose(weights.data.sum(axis=-1), 1.0, rtol=1e-5)
        assert (weights.data >= 0).all() and not weights.requires_grad


def test_every_parameter_gets_a_gradient():
    model = build_model("transformer", (1, 40), 10, dropout=0.0)
    loss = glassnet.nn.functional.cross_entropy(
        model(glassnet.randn(4, 1, 40)), glassnet.tensor(numpy.arange(4))
    )
    loss.backward()
    missing = [
        name for name, p in model.named_parameters() if p.grad is None or not p.grad.data.any()
    ]
    assert missing == []


def test_refusals_name_the_problem():
    with pytest.raises(
        ValueError, match=r"hidden is the one token width \(d_model\) of every layer"
    ):
        build_model("transformer", (1, 40), 10, hidden=[32, 32])
    with pytest.raises(
        ValueError, match=r"TransformerClassifier: length 3 is shorter than patch_size 4"
    ):
        build_model("transformer", (1, 3), 10)
    with pytest.raises(
        ValueError, match=r"expected \(N, 1, L\) sequences, got input of shape \(2, 3, 40\)"
    ):
        build_model("transformer", (1, 40), 10)(glassnet.randn(2, 3, 40))
