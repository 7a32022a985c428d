"""Low-rank convolutions: Tucker-2 and the separable form keep shapes; full ranks reproduce the conv."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import nn
from glassnet.compress.lowrank import (
    lowrank_compress,
    separable,
    separable_params,
    tucker2,
    tucker_params,
    tucker_ranks,
)
from glassnet.compress.prune import CompressionError
from glassnet.models.resnet_cifar import resnet20
from glassnet.tensor import Tensor

GEOMETRIES = [
    {"stride": 1, "padding": 1},
    {"stride": 2, "padding": 0},
    {"stride": (1, 2), "padding": (2, 1), "dilation": (2, 1)},
]


def _conv(geometry, bias=True):
    glassnet.manual_seed(0)
    return nn.Conv2d(6, 5, 3, bias=bias, dtype=glassnet.float64, **geometry)


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_full_ranks_reproduce_the_conv(rng, geometry):
    conv = _conv(geometry)
    x = Tensor(rng.standard_normal((2, 6, 9, 10)))
    expected = conv(x).data
    np.testing.assert_allclose(tucker2(conv, 5, 6)(x).data, expected, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(separable(conv, 15)(x).data, expected, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_low_ranks_keep_the_shapes_and_the_parameter_counts(rng, geometry):
    conv = _conv(geometry, bias=False)
    x = Tensor(rng.standard_normal((2, 6, 9, 10)))
    tucker, sep = tucker2(conv, 2, 3), separable(conv, 4)
    assert tucker(x).shape == sep(x).shape == conv(x).shape
    assert [layer.weight.shape for layer in tucker] == [(3, 6, 1, 1), (2, 3, 3, 3), (5, 2, 1, 1)]
    assert [layer.weight.shape for layer in sep] == [(4, 6, 3, 1), (5, 4, 1, 3)]
    assert (
        sum(p.data.size for p in tucker.parameters()) == tucker_params(conv, 2, 3) == 18 + 54 + 10
    )
    assert sum(p.data.size for p in sep.parameters()) == separable_params(conv, 4) == 4 * (18 + 15)


def test_lower_rank_means_larger_error_and_tucker_beats_a_random_projection(rng):
    conv = _conv(GEOMETRIES[0])
    x = Tensor(rng.standard_normal((2, 6, 8, 8)))
    exact = conv(x).data
    errors = [np.linalg.norm(tucker2(conv, r, r)(x).data - exact) for r in (1, 3, 5)]
    assert errors[0] > errors[1] > errors[2]


def test_lowrank_compress_a_resnet(rng):
    glassnet.manual_seed(0)
    model = resnet20(in_channels=1).eval()
    x = Tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))
    for method in ("tucker", "separable"):
        small, replaced = lowrank_compress(model, 0.4, method)
        assert len(replaced) == 19  # every 3x3 conv, the 1 -> 16 stem too
        assert small(x).shape == (2, 10)
        params = sum(p.data.size for p in small.parameters())
        assert params < 0.45 * sum(p.data.size for p in model.parameters())
    # 64 -> 64, 3x3: 36,864 weights, a quarter is 9,216; r = 25 needs 2 * 64 * 25 + 25 * 25 * 9 = 8,825
    # and r = 26 needs 9,412
    assert tucker_ranks(model.layer3[0].conv2, 0.25) == (25, 25)


def test_bad_input_is_named():
    conv = nn.Conv2d(4, 4, 3, groups=2)
    with pytest.raises(CompressionError, match="groups=1"):
        tucker2(conv, 2, 2)
    with pytest.raises(CompressionError, match="method must be tucker or separable"):
        lowrank_compress(nn.Sequential(conv), 0.5, "cp")
    with pytest.raises(CompressionError, match=r"budget must be in \(0, 1\]"):
        tucker_ranks(nn.Conv2d(4, 4, 3), 2.0)
