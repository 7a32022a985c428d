"""SVD of fully connected layers: Eckart-Young error, the factored layer's outputs, rank choice."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import nn
from glassnet.compress.prune import CompressionError
from glassnet.compress.svd import choose_rank, factor_linear, svd_compress
from glassnet.models import build_model
from glassnet.tensor import Tensor


def _linear(n, m, seed=0):
    glassnet.manual_seed(seed)
    return nn.Linear(n, m, dtype=glassnet.float64)


@pytest.mark.parametrize("rank", [1, 5, 17])
def test_reconstruction_error_equals_the_discarded_energy(rank):
    layer = _linear(40, 30)
    pair = factor_linear(layer, rank)
    w = layer.weight.data
    w_k = pair[1].weight.data @ pair[0].weight.data
    s = np.linalg.svd(w, compute_uv=False)
    assert np.linalg.matrix_rank(w_k) == rank
    np.testing.assert_allclose(((w - w_k) ** 2).sum(), (s[rank:] ** 2).sum(), rtol=1e-9)


def test_factored_layer_outputs_w_k_x_plus_b(rng):
    layer = _linear(12, 9)
    pair = factor_linear(layer, 4)
    x = rng.standard_normal((5, 12))
    u, s, vt = np.linalg.svd(layer.weight.data)
    w_k = (u[:, :4] * s[:4]) @ vt[:4]
    expected = x @ w_k.T + layer.bias.data
    np.testing.assert_allclose(pair(Tensor(x)).data, expected, rtol=1e-10, atol=1e-12)
    assert pair[0].bias is None and pair[0].weight.shape == (4, 12)
    assert pair[1].weight.shape == (9, 4)


def test_full_rank_reproduces_the_layer(rng):
    layer = _linear(6, 8)
    x = Tensor(rng.standard_normal((3, 6)))
    np.testing.assert_allclose(factor_linear(layer, 6)(x).data, layer(x).data, atol=1e-12)


def test_rank_by_energy_and_by_budget():
    s = np.array([3.0, 2.0, 1.0, 0.5])  # energies 9, 4, 1, 0.25 of 14.25
    assert choose_rank(s, (10, 10), energy=9 / 14.25) == 1
    assert choose_rank(s, (10, 10), energy=0.95) == 3
    assert choose_rank(s, (10, 10), energy=1.0) == 4
    # Linear(10, 10): 110 parameters; k (10 + 10) + 10 <= 0.5 * 110 -> k = 2
    assert choose_rank(s, (10, 10), budget=0.5) == 2
    assert choose_rank(s, (10, 10), rank=9) == 4
    with pytest.raises(CompressionError, match="exactly one"):
        choose_rank(s, (10, 10), rank=2, energy=0.5)
    with pytest.raises(CompressionError, match="energy must be in"):
        choose_rank(s, (10, 10), energy=1.5)


def test_svd_compress_on_the_digits_mlp(rng):
    glassnet.manual_seed(0)
    model = build_model("mlp", (1, 8, 8), 10).eval()
    small, report = svd_compress(model, rank=8)
    x = Tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32))
    assert small(x).shape == model(x).shape
    for row in report:
        if row.factored:
            layer = small.get_submodule(row.name)
            assert isinstance(layer, nn.Sequential) and layer[0].out_features == 8
            assert row.params_after == 8 * (row.in_features + row.out_features) + row.out_features
        else:  # the 10-way output layer: rank 8 saves nothing
            assert isinstance(small.get_submodule(row.name), nn.Linear)
    assert any(row.factored for row in report)
    assert sum(p.data.size for p in small.parameters()) < sum(
        p.data.size for p in model.parameters()
    )
    assert isinstance(model.get_submodule(report[0].name), nn.Linear)  # the original is untouched


def test_unknown_layer_is_named():
    with pytest.raises(CompressionError, match="no Linear named"):
        svd_compress(nn.Sequential(nn.Linear(3, 2)), rank=1, layers=["fc"])
