"""The measurement functions for the future lab topic `style_transfer`: measures and runs."""

from __future__ import annotations

import numpy
import pytest
from scipy.ndimage import gaussian_filter
from skimage.metrics import structural_similarity

import glassnet
from glassnet.style import experiments
from glassnet.style.features import MultiScaleBanks
from glassnet.style.features_vgg import RandomVGG
from glassnet.style.images import load_image


def test_ssim_matches_scikit_image(rng):
    reference = rng.random((3, 40, 36))
    noisy = numpy.clip(reference + 0.1 * rng.standard_normal(reference.shape), 0, 1)
    expected = structural_similarity(
        noisy,
        reference,
        data_range=1.0,
        channel_axis=0,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    assert experiments.ssim(noisy, reference) == pytest.approx(expected, rel=1e-10)
    assert experiments.ssim(reference, reference) == pytest.approx(1.0)


def test_psnr_of_a_known_error():
    reference = numpy.zeros((3, 8, 8))
    assert experiments.psnr(reference + 0.1, reference) == pytest.approx(20.0)
    assert experiments.psnr(reference, reference) == float("inf")


def test_correlation_length_grows_with_the_size_of_structures(rng):
    noise = rng.standard_normal((256, 256))
    lengths = [
        experiments.correlation_length(
            numpy.stack([gaussian_filter(noise, sigma, mode="wrap")] * 3)
        )
        for sigma in (0.01, 2.0, 4.0, 8.0)
    ]
    assert lengths[0] < 1.0
    # a Gaussian-blurred white noise has autocorrelation exp(-r^2 / (4 sigma^2)): 1/e at
    # 2 sigma; one 256x256 sample estimates it to within ~25% (large structures: few samples)
    for sigma, length in zip((2.0, 4.0, 8.0), lengths[1:]):
        assert length == pytest.approx(2 * sigma, rel=0.3)
    assert lengths == sorted(lengths)


@pytest.fixture(scope="module")
def pictures():
    return load_image("sample:china", 48), load_image("sample:flower", 48)


def narrow_vgg(picture):
    """A quarter-width random VGG (the default network is full width, slower)."""
    vgg = RandomVGG(width=0.25)
    vgg.calibrate(glassnet.tensor(picture[None]))
    return vgg


def test_content_by_depth_returns_a_measured_reconstruction_per_layer(pictures):
    content, _ = pictures
    layers = ("relu1_1", "relu3_1")
    results = experiments.content_by_depth(
        content, layers=layers, steps=8, network=narrow_vgg(content)
    )
    assert [r.layers for r in results] == [("relu1_1",), ("relu3_1",)]
    for result in results:
        assert result.image.shape == content.shape
        assert result.loss_end < result.loss_start
        assert -1.0 <= result.ssim <= 1.0 and numpy.isfinite(result.psnr)


def test_style_by_depth_grows_the_layer_sets(pictures):
    _, style = pictures
    results = experiments.style_by_depth(
        style, layers=("relu1_1", "relu2_1"), steps=8, network=narrow_vgg(style)
    )
    assert [r.layers for r in results] == [("relu1_1",), ("relu1_1", "relu2_1")]
    for result in results:
        assert result.loss_end < result.loss_start and result.correlation_length > 0


def test_weight_sweep_trades_content_for_style():
    content, style = load_image("sample:china", 96), load_image("sample:flower", 96)
    banks = MultiScaleBanks(filters=16)
    points = experiments.weight_sweep(content, style, banks, ratios=(0.01, 1000.0), steps=10)
    assert [p.ratio for p in points] == [0.01, 1000.0]
    assert points[0].style_loss > points[1].style_loss
    assert points[0].content_loss < points[1].content_loss


def test_modes_name_small_pictures_for_quick():
    assert experiments.MODES["quick"]["size"] <= 64 < experiments.MODES["full"]["size"]
