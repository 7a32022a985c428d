"""dropout and channel-wise dropout: statistics, parity given a mask, gradients, seeding."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from glassnet.ops.dropout import Dropout, _dropout_with_mask
from helpers import assert_gradcheck, assert_parity

MASKED = [  # (input shape, mask shape, p): element masks and channel masks (broadcast)
    ((5, 6), (5, 6), 0.5),
    ((3, 4, 5), (3, 4, 5), 0.2),
    ((2, 3, 4, 4), (2, 3, 1, 1), 0.7),
    ((2, 3, 5), (2, 3, 1), 0.4),
]


def _with_mask(mask, p):
    """glassnet through the injected-mask path; torch's reference is x * mask / (1 - p)."""

    def fn(lib, x):
        if lib is glassnet:
            return _dropout_with_mask(x, mask, p)
        return x * torch.tensor(mask) / (1 - p)

    return fn


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape, mask_shape, p", MASKED, ids=str)
def test_dropout_matches_torch_given_the_mask(shape, mask_shape, p, dtype, rng):
    mask = rng.random(mask_shape) >= p
    assert_parity(_with_mask(mask, p), [rng.standard_normal(shape)], dtype=dtype)


@pytest.mark.parametrize("shape, mask_shape, p", MASKED[:1] + MASKED[3:], ids=str)
def test_dropout_gradcheck_with_injected_mask(shape, mask_shape, p, rng):
    mask = rng.random(mask_shape) >= p
    assert_gradcheck(
        lambda lib, x: Dropout.apply(x, mask=mask, scale=1 / (1 - p)), [rng.standard_normal(shape)]
    )


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    glassnet.manual_seed(0)
    out = F.dropout(glassnet.ones(1000, 1000), p=p).data
    assert out.dtype == numpy.float32
    dropped = out == 0
    assert abs(dropped.mean() - p) < 0.005  # the std of the share is < 0.0005
    assert abs(out.mean() - 1.0) < 0.01  # inverted scaling keeps the mean
    numpy.testing.assert_allclose(out[~dropped], 1 / (1 - p), rtol=1e-6)


def test_dropout_gradient_is_mask_times_scale(rng):
    x = glassnet.tensor(rng.uniform(1.0, 2.0, (40, 50)), requires_grad=True)
    out = F.dropout(x, p=0.3)
    upstream = rng.standard_normal((40, 50))
    out.backward(upstream)
    kept = out.data != 0
    assert 0.6 < kept.mean() < 0.8
    numpy.testing.assert_allclose(x.grad.data, upstream * kept / 0.7, rtol=1e-12)
    numpy.testing.assert_allclose(out.data, x.data * kept / 0.7, rtol=1e-12)


def test_dropout_is_reproducible_with_manual_seed(rng):
    x = glassnet.tensor(rng.standard_normal((20, 30)))
    glassnet.manual_seed(42)
    first = F.dropout(x, 0.5).data
    glassnet.manual_seed(42)
    second = F.dropout(x, 0.5).data
    third = F.dropout(x, 0.5).data
    numpy.testing.assert_array_equal(first, second)
    assert numpy.any(first != third)


def test_dropout_returns_input_when_p_is_zero_or_not_training(rng):
    x = glassnet.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert F.dropout(x, p=0.0) is x
    assert F.dropout(x, p=0.9, training=False) is x
    assert F.dropout2d(glassnet.randn(2, 3, 4, 4), p=0.5, training=False).shape == (2, 3, 4, 4)


def test_dropout_p_one_gives_zeros_and_zero_gradient(rng):
    x = glassnet.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    out = F.dropout(x, p=1.0)
    numpy.testing.assert_array_equal(out.data, numpy.zeros((3, 4)))
    out.backward(numpy.ones((3, 4)))
    numpy.testing.assert_array_equal(x.grad.data, numpy.zeros((3, 4)))


@pytest.mark.parametrize("p", [-0.1, 1.5])
@pytest.mark.parametrize("op", ["dropout", "dropout1d", "dropout2d", "dropout3d"])
def test_dropout_rejects_p_outside_zero_one(op, p):
    with pytest.raises(
        ValueError, match=rf"{op}: dropout probability p has to be between 0 and 1, but got p={p}"
    ):
        getattr(F, op)(glassnet.randn(2, 3, 4, 4), p=p)


def test_dropout_inplace(rng):
    x = glassnet.tensor(rng.uniform(1.0, 2.0, (30, 40)))
    before = x.data.copy()
    out = F.dropout(x, p=0.5, inplace=True)
    assert out is x
    kept = x.data != 0
    assert 0.3 < kept.mean() < 0.7
    numpy.testing.assert_allclose(x.data[kept], 2 * before[kept])


def test_dropout_inplace_on_graph_tensors(rng):
    leaf = glassnet.tensor(rng.uniform(1.0, 2.0, (4, 5)), requires_grad=True)
    with pytest.raises(
        RuntimeError, match="dropout: inplace=True on a leaf tensor that requires grad"
    ):
        F.dropout(leaf, inplace=True)
    hidden = leaf * 3.0
    out = F.dropout(hidden, p=0.5, inplace=True)  # non-leaf: a new tensor, still differentiable
    out.backward(numpy.ones((4, 5)))
    numpy.testing.assert_allclose(leaf.grad.data, 6.0 * (out.data != 0))


@pytest.mark.parametrize(
    "op, shape, channel_axes",
    [
        ("dropout1d", (50, 40, 6), 2),
        ("dropout1d", (400, 6), 1),
        ("dropout2d", (50, 40, 3, 4), 2),
        ("dropout3d", (40, 50, 2, 2, 3), 2),
        ("dropout3d", (400, 2, 2, 3), 1),
    ],
    ids=str,
)
def test_channel_dropout_drops_whole_channels(op, shape, channel_axes):
    glassnet.manual_seed(1)
    out = getattr(F, op)(glassnet.ones(*shape), p=0.3).data
    channels = out.reshape(shape[:channel_axes] + (-1,))
    numpy.testing.assert_array_equal(
        channels, channels[..., :1] * numpy.ones_like(channels)
    )  # one draw per channel
    assert abs((channels[..., 0] == 0).mean() - 0.3) < 0.04  # 2,000 draws: std 0.01
    numpy.testing.assert_allclose(numpy.unique(channels), [0.0, 1 / 0.7], rtol=1e-6)


def test_dropout2d_on_3d_input_is_channelwise_1d_with_a_warning():
    glassnet.manual_seed(2)
    with pytest.warns(UserWarning, match=r"dropout2d: Received a 3D input .* \(N, C, L\)"):
        out = F.dropout2d(glassnet.ones(20, 30, 5), p=0.5).data
    numpy.testing.assert_array_equal(out, out[:, :, :1] * numpy.ones((1, 1, 5)))
    assert 0 < (out == 0).mean() < 1


def test_dropout1d_rejects_other_ranks():
    with pytest.raises(
        ValueError, match=r"dropout1d: Expected 2D or 3D input .* got shape \(2, 3, 4, 5\)"
    ):
        F.dropout1d(glassnet.randn(2, 3, 4, 5))
