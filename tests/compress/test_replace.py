"""Efficient-layer swaps keep the input and output shapes; their weight counts follow the formulas."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import nn
from glassnet.compress.prune import CompressionError
from glassnet.compress.replace import bottleneck, depthwise_separable, grouped, replace
from glassnet.models.resnet_cifar import resnet20
from glassnet.models.shufflenet import channel_shuffle
from glassnet.tensor import Tensor


def _conv_weights(block):
    return sum(m.weight.data.size for m in block.modules() if isinstance(m, nn.Conv2d))


@pytest.mark.parametrize(("stride", "padding"), [(1, 1), (2, 1), (2, 0)])
def test_every_block_keeps_the_shapes(rng, stride, padding):
    glassnet.manual_seed(0)
    conv = nn.Conv2d(8, 16, 3, stride=stride, padding=padding)
    x = Tensor(rng.standard_normal((2, 8, 11, 9)).astype(np.float32))
    for block in (
        bottleneck(conv),
        depthwise_separable(conv),
        grouped(conv, 4),
        grouped(conv, 2, False),
    ):
        assert block(x).shape == conv(x).shape


def test_weight_counts_follow_the_formulas():
    conv = nn.Conv2d(32, 64, 3, bias=False)
    standard = 9 * 32 * 64
    # depthwise separable: (1/N + 1/k^2) of the standard conv, N = out_channels
    assert _conv_weights(depthwise_separable(conv)) / standard == pytest.approx(1 / 64 + 1 / 9)
    assert _conv_weights(grouped(conv, 4)) * 4 == standard
    assert _conv_weights(bottleneck(conv, 4)) == 32 * 16 + 9 * 16 * 16 + 16 * 64


def test_shuffle_follows_the_grouped_conv(rng):
    glassnet.manual_seed(0)
    block = grouped(nn.Conv2d(6, 6, 3, padding=1), 3)
    x = Tensor(rng.standard_normal((1, 6, 5, 5)).astype(np.float32))
    np.testing.assert_array_equal(block(x).data, channel_shuffle(block[0](x), 3).data)


def test_replace_in_resnet20(rng):
    glassnet.manual_seed(0)
    model = resnet20(in_channels=1).eval()
    x = Tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))
    for kind in ("bottleneck", "separable", "grouped"):
        new, swapped = replace(model, kind)
        assert new(x).shape == (2, 10)
        assert len(swapped) == (
            18 if kind == "grouped" else 19
        )  # the 1-channel stem cannot be grouped
    new, swapped = replace(model, "separable", names=["layer2.0.conv1"])
    assert swapped == ["layer2.0.conv1"] and isinstance(new.layer2[0].conv1, nn.Sequential)
    assert isinstance(model.layer2[0].conv1, nn.Conv2d)


def test_bad_input_is_named():
    with pytest.raises(CompressionError, match="kind must be one of"):
        replace(resnet20(), "ghost")
    with pytest.raises(CompressionError, match=r"must divide both in_channels \(1\)"):
        replace(resnet20(in_channels=1), "grouped", names=["conv1"])
    with pytest.raises(CompressionError, match="are not k x k convs"):
        replace(resnet20(), "grouped", names=["fc"])
