"""BWN: alpha = mean|W| per output channel is the least-squares scale; 1 bit per weight; clipped STE."""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet import nn
from glassnet.compress.binarize import BinaryProxy, BinaryWeight, binarize, binary_weight


def test_alpha_is_the_least_squares_scale_per_channel(rng):
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    alpha, positive = binarize(w)
    signs = np.where(positive, 1.0, -1.0).reshape(4, -1)
    flat = w.reshape(4, -1)
    least_squares = (flat * signs).sum(axis=1) / (signs * signs).sum(axis=1)  # argmin_a ||w - a B||
    np.testing.assert_allclose(alpha, least_squares, rtol=1e-6)
    np.testing.assert_allclose(alpha, np.abs(flat).mean(axis=1), rtol=1e-6)


def test_packed_signs_round_trip_at_one_bit_per_weight(rng):
    w = rng.standard_normal((5, 13)).astype(np.float32)
    stored = BinaryWeight.of(w)
    assert stored.bits.dtype == np.uint8 and stored.bits.size == -(-65 // 8)
    alpha, positive = binarize(w)
    np.testing.assert_array_equal(stored.dense(), binary_weight(alpha, positive))


def test_ste_passes_gradients_only_where_the_real_weight_is_within_one(rng):
    glassnet.manual_seed(0)
    layer = nn.Linear(6, 4)
    layer.weight.data[...] = rng.uniform(-2, 2, (4, 6)).astype(np.float32)
    proxy = BinaryProxy(layer)
    proxy.project()
    assert np.all(
        np.abs(layer.weight.data) == np.abs(layer.weight.data[:, :1])
    )  # one magnitude per row
    layer(glassnet.tensor(rng.standard_normal((3, 6)).astype(np.float32))).sum().backward()
    proxy.backprop()
    inside = np.abs(proxy.parameter.data) <= 1
    np.testing.assert_array_equal(proxy.parameter.grad.data, layer.weight.grad.data * inside)
    assert 0 < inside.mean() < 1
