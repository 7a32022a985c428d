"""The three feature extractors: random banks, random VGG, VGG-19 from a safetensors file."""

from __future__ import annotations

import numpy
import pytest
import safetensors.torch
import torch
from torch import nn

import glassnet
from glassnet.style.extractors import make_features
from glassnet.style.features import MultiScaleBanks, random_filters
from glassnet.style.features_vgg import (
    VGG19_CONVS,
    RandomVGG,
    WeightsError,
    load_vgg19,
    torchvision_indices,
)


def torch_vgg19_features(pool=nn.MaxPool2d) -> nn.Sequential:
    """torchvision's `vgg19().features` layout, built in plain torch (random weights)."""
    layers, block_seen = [], 1
    for block, _, channels_in, channels_out in VGG19_CONVS:
        if block != block_seen:
            layers.append(pool(2, 2))
            block_seen = block
        layers += [nn.Conv2d(channels_in, channels_out, 3, padding=1), nn.ReLU(inplace=True)]
    layers.append(pool(2, 2))
    return nn.Sequential(*layers)


@pytest.fixture(scope="module")
def vgg19_file(tmp_path_factory):
    torch.manual_seed(0)
    model = nn.Module()
    model.features = torch_vgg19_features()
    path = tmp_path_factory.mktemp("weights") / "vgg19.safetensors"
    safetensors.torch.save_file(
        {k: v for k, v in model.state_dict().items() if k.startswith("features.")}, str(path)
    )
    return path, model.features


def test_torchvision_indices_are_vgg19s():
    indices = torchvision_indices()
    assert len(indices) == 16
    assert indices["relu1_1"] == 0 and indices["relu2_1"] == 5 and indices["relu3_1"] == 10
    assert indices["relu4_1"] == 19 and indices["relu4_2"] == 21 and indices["relu5_1"] == 28


def test_vgg19_from_a_file_matches_torch(vgg19_file):
    """Same weights, same picture: our relu layers equal torch's (avg pooling in both)."""
    path, features = vgg19_file
    ours = load_vgg19(path)
    reference = torch_vgg19_features(pool=nn.AvgPool2d)
    reference.load_state_dict(features.state_dict())
    image = numpy.random.default_rng(0).random((1, 3, 48, 40)).astype(numpy.float32)
    maps = ours(glassnet.tensor(image))
    x = (
        torch.tensor(image) - torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    ) / torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    indices = torchvision_indices()
    with torch.no_grad():
        for position, layer in enumerate(reference):
            x = layer(x)
            for name, index in indices.items():
                if position == index + 1 and name in maps:
                    expected = x.numpy()
                    numpy.testing.assert_allclose(
                        maps[name].numpy(), expected, rtol=1e-4, atol=1e-4 * abs(expected).max()
                    )
    assert set(maps) == set(ours.style_layers + ours.content_layers)


def test_vgg19_files_that_are_not_vgg19_are_refused(tmp_path):
    missing = tmp_path / "nothing.safetensors"
    with pytest.raises(WeightsError, match="nothing.safetensors: no such weights file"):
        load_vgg19(missing)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\x07\x00\x00\x00\x00\x00\x00\x00not json at all")
    with pytest.raises(
        WeightsError, match="garbage.safetensors: cannot read it as a safetensors file"
    ):
        load_vgg19(garbage)
    small = tmp_path / "small.safetensors"
    safetensors.torch.save_file(
        {"features.0.weight": torch.zeros(8, 3, 3, 3), "features.0.bias": torch.zeros(8)},
        str(small),
    )
    with pytest.raises(
        WeightsError,
        match=r"small.safetensors: not VGG-19's features layout: features.0.weight has shape \(8, 3, 3, 3\)",
    ):
        load_vgg19(small)
    other = tmp_path / "other.safetensors"
    safetensors.torch.save_file({"fc.weight": torch.zeros(2, 2)}, str(other))
    with pytest.raises(WeightsError, match=r"no 'features.0.weight'/'features.0.bias' \(relu1_1\)"):
        load_vgg19(other)


def test_random_filters_are_zero_mean_and_unit_norm():
    filters = random_filters(16, 3, 7, numpy.random.default_rng(0)).astype(numpy.float64)
    numpy.testing.assert_allclose(filters.mean(axis=(1, 2, 3)), 0, atol=1e-7)
    numpy.testing.assert_allclose((filters**2).sum(axis=(1, 2, 3)), 1, rtol=1e-5)


def test_multiscale_banks_match_torch_conv_relu():
    banks = MultiScaleBanks(sizes=(3, 5, 11), filters=4, downsample_from=11, content_size=5)
    image = numpy.random.default_rng(1).random((1, 3, 40, 36)).astype(numpy.float32)
    maps = banks(glassnet.tensor(image))
    x = torch.tensor(image)
    pooled = torch.nn.functional.avg_pool2d(x, 2)
    for size, source in ((3, x), (5, x), (11, pooled)):
        expected = torch.relu(torch.nn.functional.conv2d(source, torch.tensor(banks.weights[size])))
        numpy.testing.assert_allclose(maps[f"bank{size}"].numpy(), expected.numpy(), atol=1e-5)
    assert banks.style_layers == ("bank3", "bank5", "bank11")
    assert banks.content_layers == ("bank5",)


def test_random_vgg_calibration_makes_each_layer_average_one():
    vgg = RandomVGG(seed=0)
    image = glassnet.tensor(
        numpy.random.default_rng(2).random((1, 3, 64, 48)).astype(numpy.float32)
    )
    before = vgg(image)
    vgg.calibrate(image)
    maps = vgg(image)
    for name in vgg.style_layers:
        assert float(maps[name].numpy().astype(numpy.float64).mean()) == pytest.approx(
            1.0, rel=1e-3
        )
        # one number per layer: the pattern across filters is He-initialisation's
        ratio = maps[name].numpy() / numpy.maximum(before[name].numpy(), 1e-30)
        alive = before[name].numpy() > 1e-3 * before[name].numpy().max()
        assert numpy.ptp(ratio[alive]) < 1e-3 * ratio[alive].mean()
    assert maps["relu1_1"].shape[1] == 16 and maps["relu5_1"].shape[1] == 128


def test_make_features_names(vgg19_file):
    assert make_features("multiscale").name == "multiscale"
    assert make_features("vgg-random").name == "vgg-random"
    assert make_features(f"vgg19:{vgg19_file[0]}").name.startswith("vgg19:")
    with pytest.raises(ValueError, match="--features 'vgg16': unknown feature extractor"):
        make_features("vgg16")


def test_extractors_refuse_a_batch_or_a_grey_picture():
    with pytest.raises(
        ValueError, match=r"the picture must be \(1, 3, H, W\), got shape \(2, 3, 8, 8\)"
    ):
        MultiScaleBanks(sizes=(3,), filters=2, content_size=3)(glassnet.zeros(2, 3, 8, 8))
