"""interpolate, pixel_shuffle/unshuffle, unfold/fold: torch parity (forward and gradients), gradcheck, errors."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity

X4 = numpy.random.default_rng(5).standard_normal((2, 3, 5, 6))
X3 = numpy.random.default_rng(6).standard_normal((2, 3, 7))
CASES = {
    # name: (fn(lib, x), input)
    "nearest_scale2": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), X4),
    "nearest_size": (lambda lib, x: lib.nn.functional.interpolate(x, size=(7, 4)), X4),
    "nearest_scale_1.5": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=1.5), X4),
    "nearest_1d_size": (lambda lib, x: lib.nn.functional.interpolate(x, size=11), X3),
    "nearest_downsample": (lambda lib, x: lib.nn.functional.interpolate(x, size=(2, 4)), X4),
    "bilinear_scale2": (
        lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"),
        X4,
    ),
    "bilinear_size": (
        lambda lib, x: lib.nn.functional.interpolate(x, size=(9, 4), mode="bilinear"),
        X4,
    ),
    "bilinear_align_corners": (
        lambda lib, x: lib.nn.functional.interpolate(
            x, size=(9, 11), mode="bilinear", align_corners=True
        ),
        X4,
    ),
    "bilinear_scale_0.6": (
        lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=0.6, mode="bilinear"),
        X4,
    ),
    "bilinear_recompute": (
        lambda lib, x: lib.nn.functional.interpolate(
            x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True
        ),
        X4,
    ),
    "bilinear_to_one_align_corners": (
        lambda lib, x: lib.nn.functional.interpolate(
            x, size=(1, 3), mode="bilinear", align_corners=True
        ),
        X4,
    ),
    "linear_1d": (
        lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=3, mode="linear"),
        X3,
    ),
    "linear_1d_align_corners": (
        lambda lib, x: lib.nn.functional.interpolate(x, size=5, mode="linear", align_corners=True),
        X3,
    ),
    "pixel_shuffle": (
        lambda lib, x: lib.nn.functional.pixel_shuffle(x, 2),
        numpy.arange(2 * 8 * 3 * 2.0).reshape(2, 8, 3, 2),
    ),
    "pixel_shuffle_unbatched": (
        lambda lib, x: lib.nn.functional.pixel_shuffle(x, 3),
        X4[0, :, :3, :3].reshape(9, 1, 3),
    ),
    "pixel_unshuffle": (lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 2), X4[:, :, :4, :6]),
    "unfold": (lambda lib, x: lib.nn.functional.unfold(x, 3), X4),
    "unfold_stride_padding_dilation": (
        lambda lib, x: lib.nn.functional.unfold(
            x, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)
        ),
        X4,
    ),
    "unfold_unbatched": (lambda lib, x: lib.nn.functional.unfold(x, 2, stride=2), X4[0]),
    "fold": (
        lambda lib, x: lib.nn.functional.fold(x, (4, 5), 2),
        numpy.random.default_rng(7).standard_normal((2, 12, 12)),
    ),
    "fold_overlap_stride_padding": (
        lambda lib, x: lib.nn.functional.fold(
            x, (5, 6), (3, 2), padding=1, stride=(2, 1), dilation=1
        ),
        numpy.random.default_rng(8).standard_normal((1, 18, 3 * 7)),
    ),
    "fold_of_unfold_counts_overlaps": (
        lambda lib, x: lib.nn.functional.fold(
            lib.nn.functional.unfold(x, 3, padding=1), (5, 6), 3, padding=1
        ),
        X4,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, x = CASES[name]
    assert_parity(fn, [x])


@pytest.mark.parametrize("name", CASES)
def test_matches_torch_float32(name):
    fn, x = CASES[name]
    assert_parity(fn, [x], dtype="float32")


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    fn, x = CASES[name]
    assert_gradcheck(fn, [x])


def test_pixel_unshuffle_inverts_pixel_shuffle():
    x = glassnet.tensor(X4[:, :, :4, :4].reshape(2, 12, 2, 2))
    numpy.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).data, x.data)


def test_nearest_upsampling_repeats_each_value():
    x = glassnet.tensor(numpy.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert F.interpolate(x, scale_factor=2).tolist()[0][0] == [
        [1.0, 1.0, 2.0, 2.0],
        [1.0, 1.0, 2.0, 2.0],
        [3.0, 3.0, 4.0, 4.0],
        [3.0, 3.0, 4.0, 4.0],
    ]


ERRORS = [
    (
        lambda: F.interpolate(glassnet.ones(1, 1, 4, 4), size=3, scale_factor=2),
        r"interpolate: give exactly one of size and scale_factor",
    ),
    (
        lambda: F.interpolate(glassnet.ones(1, 1, 4, 4), size=3, mode="bicubic"),
        r"interpolate: mode='bicubic' is not supported",
    ),
    (
        lambda: F.interpolate(glassnet.ones(1, 1, 4), size=3, mode="bilinear"),
        r"interpolate: mode='bilinear' needs 4-D input",
    ),
    (
        lambda: F.interpolate(glassnet.ones(1, 1, 4, 4), size=(3, 3, 3)),
        r"interpolate: input of shape \(1, 1, 4, 4\) has 2 spatial dims",
    ),
    (
        lambda: F.interpolate(glassnet.ones(1, 1, 4, 4), size=3, align_corners=True),
        r"align_corners only applies to the linear modes",
    ),
    (
        lambda: F.pixel_shuffle(glassnet.ones(1, 6, 2, 2), 2),
        r"pixel_shuffle: input must be .* divisible by upscale_factor\^2 = 4, got shape \(1, 6, 2, 2\)",
    ),
    (
        lambda: F.pixel_unshuffle(glassnet.ones(1, 1, 3, 4), 2),
        r"pixel_unshuffle: .* divisible by downscale_factor = 2",
    ),
    (
        lambda: F.unfold(glassnet.ones(1, 1, 2, 2), 3),
        r"unfold: the \(dilated\) kernel does not fit the padded image \(2, 2\)",
    ),
    (
        lambda: F.fold(glassnet.ones(1, 4, 5), (3, 3), 2),
        r"fold: input shape \(1, 4, 5\) does not match kernel_size \(2, 2\).*must be 4",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, pattern = ERRORS[index]
    with pytest.raises(ValueError, match=pattern):
        call()


def test_torch_rejects_align_corners_for_nearest_too():
    with pytest.raises(ValueError):
        torch.nn.functional.interpolate(torch.ones(1, 1, 4, 4), size=3, align_corners=True)
