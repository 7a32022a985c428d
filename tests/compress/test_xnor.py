"""XNOR-Net: sign with the clipped straight-through estimator (as PyTorch's idiom), and the scale K."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.compress.xnor import SignSTE, attach_xnor, input_scale


def test_sign_ste_matches_the_torch_straight_through_idiom(rng):
    x = rng.uniform(-2, 2, (5, 7))
    x[0, 0] = 0.0  # 0 -> -1: a ReLU's zero output stays distinguishable from an active unit
    upstream = rng.standard_normal((5, 7))
    ours = glassnet.tensor(x, requires_grad=True)
    out = SignSTE.apply(ours)
    out.backward(glassnet.tensor(upstream))
    reference = torch.tensor(x, requires_grad=True)
    clipped = reference.clamp(-1, 1)
    sign = torch.where(reference > 0, 1.0, -1.0).double()
    (clipped + (sign - clipped).detach()).backward(torch.tensor(upstream))
    np.testing.assert_array_equal(out.data, sign.numpy())
    np.testing.assert_allclose(ours.grad.data, reference.grad.numpy(), rtol=1e-12)


def test_conv_scale_is_the_box_filtered_channel_mean_of_abs_input(rng):
    glassnet.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    a = torch.tensor(np.abs(x).mean(axis=1, keepdims=True))
    expected = torch.nn.functional.avg_pool2d(a, 3, stride=2, padding=1, count_include_pad=True)
    np.testing.assert_allclose(input_scale(x, conv), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_an_xnor_layer_computes_sign_input_times_weight_scaled_by_k(kind, rng):
    glassnet.manual_seed(0)
    layer = nn.Linear(6, 3) if kind == "linear" else nn.Conv2d(2, 3, 3, padding=1)
    x = rng.standard_normal((4, 6) if kind == "linear" else (4, 2, 5, 5)).astype(np.float32)
    plain = layer(glassnet.tensor(np.where(x > 0, 1.0, -1.0).astype(np.float32))).data
    attach_xnor(layer)
    k = input_scale(x, layer)
    bias = layer.bias.data.reshape(1, -1, *([1] * (plain.ndim - 2)))
    np.testing.assert_allclose(
        layer(glassnet.tensor(x)).data, (plain - bias) * k + bias, rtol=1e-5, atol=1e-6
    )
