"""Style-transfer losses, the Gram op and the FFT convolution: torch parity and gradcheck."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from glassnet import style
from helpers import assert_gradcheck, assert_parity


def torch_gram(features, normalization):
    batch, channels, height, width = features.shape
    flat = features.reshape(batch, channels, height * width)
    matrix = flat @ flat.transpose(1, 2)
    return matrix / (channels * height * width) if normalization == "tutorial" else matrix


def torch_style_loss(features, target, normalization):
    squared = (torch_gram(features, normalization) - target) ** 2
    if normalization == "tutorial":
        return squared.mean()
    channels, positions = features.shape[1], features.shape[2] * features.shape[3]
    return squared.sum() / (4 * channels**2 * positions**2)


def torch_content_loss(features, target, normalization):
    squared = (features - target) ** 2
    return squared.mean() if normalization == "tutorial" else 0.5 * squared.sum()


def torch_total_variation(image, p):
    down = image[:, :, 1:, :] - image[:, :, :-1, :]
    right = image[:, :, :, 1:] - image[:, :, :, :-1]
    if p == 1:
        return down.abs().mean() + right.abs().mean()
    return (down**2).mean() + (right**2).mean()


CASES = {
    "gram-tutorial": lambda lib, f: (
        torch_gram(f, "tutorial") if lib is torch else style.gram_matrix(f, "tutorial")
    ),
    "gram-gatys": lambda lib, f: (
        torch_gram(f, "gatys") if lib is torch else style.gram_matrix(f, "gatys")
    ),
    "style-tutorial": lambda lib, f, t: (
        torch_style_loss(f, t, "tutorial") if lib is torch else style.style_loss(f, t, "tutorial")
    ),
    "style-gatys": lambda lib, f, t: (
        torch_style_loss(f, t * 50, "gatys")
        if lib is torch
        else style.style_loss(f, t * 50, "gatys")
    ),
    "content-tutorial": lambda lib, f, t: (
        torch_content_loss(f, t, "tutorial")
        if lib is torch
        else style.content_loss(f, t, "tutorial")
    ),
    "content-gatys": lambda lib, f, t: (
        torch_content_loss(f, t, "gatys") if lib is torch else style.content_loss(f, t, "gatys")
    ),
    "tv-p2": lambda lib, f: (
        torch_total_variation(f, 2) if lib is torch else style.total_variation_loss(f, 2)
    ),
    "tv-p1": lambda lib, f: (
        torch_total_variation(f, 1) if lib is torch else style.total_variation_loss(f, 1)
    ),
}


def inputs_for(name, rng):
    features = rng.standard_normal((2, 4, 5, 6))
    if name.startswith("style"):
        return [features, rng.standard_normal((2, 4, 4)) * 0.3]
    if name.startswith("content"):
        return [features, rng.standard_normal((2, 4, 5, 6))]
    return [features]


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name, rng):
    assert_parity(CASES[name], inputs_for(name, rng))


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name, rng):
    assert_gradcheck(CASES[name], inputs_for(name, rng))


def test_matches_torch_in_float32(rng):
    assert_parity(CASES["style-tutorial"], inputs_for("style-tutorial", rng), dtype="float32")


def test_the_two_style_normalisations_differ_by_channels_squared_over_four(rng):
    features = glassnet.tensor(rng.standard_normal((1, 6, 4, 5)))
    target = glassnet.tensor(rng.standard_normal((1, 6, 6)))
    tutorial = style.style_loss(features, target / 120.0, "tutorial")
    gatys = style.style_loss(features, target, "gatys")
    assert float(gatys) == pytest.approx(float(tutorial) * 6**2 / 4, rel=1e-12)


def test_style_loss_is_zero_for_the_target_and_ignores_layout(rng):
    """A Gram matrix sums over positions: shuffling the pixels leaves the style loss at 0."""
    features = rng.standard_normal((1, 3, 6, 6))
    target = style.gram_matrix(glassnet.tensor(features))
    shuffled = features.reshape(1, 3, 36)[:, :, rng.permutation(36)].reshape(1, 3, 6, 6)
    assert float(style.style_loss(glassnet.tensor(shuffled), target)) == pytest.approx(0, abs=1e-20)
    assert float(style.content_loss(glassnet.tensor(shuffled), glassnet.tensor(features))) > 0.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: style.gram_matrix(glassnet.zeros(3, 4)),
            r"must be \(N, C, H, W\), got shape \(3, 4\)",
        ),
        (
            lambda: style.gram_matrix(glassnet.zeros(1, 2, 3, 3), "paper"),
            "normalization must be one of",
        ),
        (
            lambda: style.style_loss(glassnet.zeros(1, 2, 3, 3), glassnet.zeros(1, 3, 3)),
            r"Gram matrix \(1, 2, 2\) of features \(1, 2, 3, 3\) and target Gram \(1, 3, 3\) differ",
        ),
        (
            lambda: style.content_loss(glassnet.zeros(1, 2, 3, 3), glassnet.zeros(1, 2, 3, 4)),
            r"features \(1, 2, 3, 3\) and target \(1, 2, 3, 4\) differ",
        ),
        (
            lambda: style.total_variation_loss(glassnet.zeros(1, 2, 3, 3), p=3),
            "p must be 1 or 2, got 3",
        ),
    ],
)
def test_bad_arguments_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


FFT_SHAPES = [
    ((2, 3, 9, 11), (4, 3, 3, 5)),
    ((1, 2, 12, 7), (3, 2, 7, 7)),
    ((1, 1, 5, 5), (2, 1, 5, 5)),
]


@pytest.mark.parametrize(("x_shape", "w_shape"), FFT_SHAPES)
def test_fft_convolution_matches_torch_conv2d(x_shape, w_shape, rng):
    inputs = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    conv = lambda lib, x, w: (
        lib.nn.functional.conv2d(x, w) if lib is torch else style.conv2d_fft(x, w)
    )
    assert_parity(conv, inputs)
    assert_gradcheck(conv, inputs)


def test_fft_convolution_with_a_precomputed_spectrum_in_float32(rng):
    x = rng.standard_normal((1, 3, 40, 33)).astype(numpy.float32)
    w = rng.standard_normal((8, 3, 11, 11)).astype(numpy.float32)
    spectrum = style.weight_spectrum(w, style.fft_shape(40, 33))
    ours = style.conv2d_fft(glassnet.tensor(x), glassnet.tensor(w), spectrum=spectrum)
    reference = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w)).numpy()
    assert ours.dtype == numpy.float32
    numpy.testing.assert_allclose(
        ours.numpy(), reference, rtol=1e-4, atol=1e-4 * abs(reference).max()
    )


def test_fft_convolution_refuses_filters_larger_than_the_input():
    with pytest.raises(ValueError, match="the 7x7 filters are larger than the 5x9 input"):
        style.conv2d_fft(glassnet.zeros(1, 3, 5, 9), glassnet.zeros(2, 3, 7, 7))
