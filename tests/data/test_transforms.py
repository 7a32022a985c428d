"""Transforms: values against explicit NumPy, torch's resampling and Pillow; batch == per-sample; errors."""

from __future__ import annotations

import threading

import numpy
import pytest
import torch
from PIL import Image

import glassnet
from glassnet.data.transforms import (
    Compose,
    Cutout,
    GaussianNoise,
    Normalize,
    RandomCrop,
    RandomHorizontalFlip,
    RandomResizedCrop,
    RandomRotation,
    ToTensor,
    sample_generator,
    use_generator,
)
from glassnet.data.transforms.base import InterpolationMode
from glassnet.data.transforms.resized_crop import resize_boxes


def generators(seed: int, n: int) -> list[numpy.random.Generator]:
    return [numpy.random.default_rng([seed, i]) for i in range(n)]


def whole_box(n: int, height: int, width: int) -> dict[str, numpy.ndarray]:
    return {
        "top": numpy.zeros(n, int),
        "left": numpy.zeros(n, int),
        "height": numpy.full(n, height),
        "width": numpy.full(n, width),
    }


RANDOM_TRANSFORMS = [
    RandomCrop(6, padding=2),
    RandomCrop((5, 7), padding=(1, 2, 3, 0), padding_mode="reflect"),
    RandomHorizontalFlip(),
    RandomRotation(40),
    RandomRotation((-30, 60), interpolation="bilinear", fill=(0.1, 0.2, 0.3)),
    RandomResizedCrop(5),
    RandomResizedCrop((9, 4), interpolation="nearest"),
    GaussianNoise(),
    Cutout(n_holes=3, length=3),
]


# ---------------------------------------------------------------- ToTensor, Normalize


def test_to_tensor_scales_uint8_hwc_to_float_chw():
    pic = numpy.array([[[0, 255, 51], [102, 1, 254]]], dtype=numpy.uint8)  # (H=1, W=2, C=3)
    out = ToTensor()(pic)
    assert out.dtype == numpy.float32 and out.shape == (3, 1, 2)
    expected = numpy.array(
        [[[0.0, 0.4]], [[1.0, 1 / 255]], [[0.2, 254 / 255]]], dtype=numpy.float32
    )
    numpy.testing.assert_allclose(out, expected, rtol=1e-7)


def test_to_tensor_matches_torch_division(rng):
    pic = rng.integers(0, 256, (5, 4, 3), dtype=numpy.uint8)
    expected = torch.from_numpy(pic).permute(2, 0, 1).float().div(255).numpy()
    numpy.testing.assert_array_equal(ToTensor()(pic), expected)
    numpy.testing.assert_array_equal(ToTensor()(Image.fromarray(pic)), expected)


def test_to_tensor_grayscale_float_and_batch(rng):
    gray = rng.integers(0, 256, (4, 6), dtype=numpy.uint8)
    numpy.testing.assert_array_equal(ToTensor()(gray), (gray.astype(numpy.float32) / 255)[None])
    floats = rng.random((4, 6, 2)) * 7  # a float image keeps its values and dtype
    out = ToTensor()(floats)
    assert out.dtype == numpy.float64
    numpy.testing.assert_array_equal(out, floats.transpose(2, 0, 1))
    pics = rng.integers(0, 256, (3, 4, 6, 3), dtype=numpy.uint8)
    numpy.testing.assert_array_equal(
        ToTensor().batch(pics), numpy.stack([ToTensor()(p) for p in pics])
    )


@pytest.mark.parametrize(
    "pic, error, match",
    [
        (glassnet.zeros(3, 4, 4), TypeError, "glassnet Tensor, which is \\(C, H, W\\) already"),
        (
            numpy.zeros((2, 4, 4, 3), numpy.uint8),
            ValueError,
            r"expected \(H, W, C\) or \(H, W\); got shape \(2, 4, 4, 3\)",
        ),
        (
            numpy.zeros((3, 32, 32), numpy.float32),
            ValueError,
            r"shape \(3, 32, 32\), which looks like \(C, H, W\)",
        ),
        ([[1, 2]], TypeError, "got list"),
    ],
)
def test_to_tensor_rejects_bad_input(pic, error, match):
    with pytest.raises(error, match=match):
        ToTensor()(pic)


def test_normalize_hand_values():
    image = numpy.stack([numpy.full((2, 2), 0.5), numpy.full((2, 2), 1.0)]).astype(numpy.float32)
    out = Normalize(mean=(0.5, 0.5), std=(0.25, 0.1))(image)
    numpy.testing.assert_allclose(out[0], 0.0)
    numpy.testing.assert_allclose(out[1], 5.0, rtol=1e-6)
    assert out.dtype == numpy.float32
    assert image[1, 0, 0] == 1.0  # not in place


def test_normalize_inplace_tensor_and_batch(rng):
    batch = rng.random((4, 3, 5, 5)).astype(numpy.float32)
    mean, std = [0.4, 0.5, 0.6], [0.2, 0.3, 0.4]
    expected = (batch - numpy.array(mean, numpy.float32)[:, None, None]) / numpy.array(
        std, numpy.float32
    )[:, None, None]
    numpy.testing.assert_allclose(Normalize(mean, std).batch(batch), expected, rtol=1e-6)
    tensor_out = Normalize(mean, std)(glassnet.tensor(batch[0]))
    assert isinstance(tensor_out, glassnet.Tensor)
    numpy.testing.assert_allclose(tensor_out.data, expected[0], rtol=1e-6)
    copy = batch.copy()
    assert Normalize(mean, std, inplace=True)(copy) is copy
    numpy.testing.assert_allclose(copy, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "image, kwargs, error, match",
    [
        (numpy.zeros((4, 4, 3), numpy.uint8), {}, TypeError, "float image .* got dtype uint8"),
        (
            numpy.zeros((4, 4), numpy.float32),
            {},
            ValueError,
            r"\(\.\.\., C, H, W\); got shape \(4, 4\)",
        ),
        (
            numpy.zeros((3, 4, 4), numpy.float32),
            {"mean": (0.1, 0.2)},
            ValueError,
            r"mean has 2 values but the image of shape \(3, 4, 4\) has 3 channels",
        ),
    ],
)
def test_normalize_rejects_bad_input(image, kwargs, error, match):
    with pytest.raises(error, match=match):
        Normalize(**{"mean": 0.5, "std": 0.5, **kwargs})(image)


def test_normalize_rejects_zero_std():
    with pytest.raises(ValueError, match=r"std has a zero.*\(0.5, 0.0\)"):
        Normalize((0.1, 0.2), (0.5, 0.0))


# ---------------------------------------------------------------- flip, crop


def test_flip_with_p_one_mirrors_every_layout(rng):
    chw = rng.random((3, 4, 5)).astype(numpy.float32)
    numpy.testing.assert_array_equal(RandomHorizontalFlip(p=1.0)(chw), chw[:, :, ::-1])
    hwc = rng.integers(0, 256, (4, 5, 3), dtype=numpy.uint8)
    out = RandomHorizontalFlip(p=1.0)(hwc)
    assert out.dtype == numpy.uint8
    numpy.testing.assert_array_equal(out, hwc[:, ::-1, :])
    tensor_out = RandomHorizontalFlip(p=1.0)(glassnet.tensor(chw))
    assert isinstance(tensor_out, glassnet.Tensor)
    numpy.testing.assert_array_equal(tensor_out.data, chw[:, :, ::-1])
    numpy.testing.assert_array_equal(RandomHorizontalFlip(p=0.0)(chw), chw)


def test_flip_share_is_p(rng):
    images = numpy.broadcast_to(numpy.arange(4.0), (4000, 1, 2, 4))
    out = RandomHorizontalFlip(p=0.3).batch(images, generator=rng)
    flipped = out[:, 0, 0, 0] == 3.0
    assert numpy.array_equal(out[flipped], images[flipped][..., ::-1])
    assert numpy.array_equal(out[~flipped], images[~flipped])
    assert abs(flipped.mean() - 0.3) < 0.03  # 4 standard errors
    singles = [
        RandomHorizontalFlip(p=0.3)(numpy.arange(4.0)[None, None], generator=rng)[0, 0, 0]
        for _ in range(2000)
    ]
    assert abs(numpy.mean(numpy.array(singles) == 3.0) - 0.3) < 0.041


def test_crop_equals_explicit_slice_of_padded_image(rng):
    image = rng.random((3, 8, 8))
    crop = RandomCrop(6, padding=2)
    params = crop.draw(1, image.shape, numpy.random.default_rng(5))
    top, left = int(params["top"][0]), int(params["left"][0])
    padded = numpy.pad(image, ((0, 0), (2, 2), (2, 2)))
    numpy.testing.assert_array_equal(
        crop(image, generator=numpy.random.default_rng(5)),
        padded[:, top : top + 6, left : left + 6],
    )


def test_crop_reaches_every_position(rng):
    params = RandomCrop(6).draw(600, (1, 8, 9), rng)
    assert set(params["top"].tolist()) == {0, 1, 2}
    assert set(params["left"].tolist()) == {0, 1, 2, 3}


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric"])
def test_crop_padding_modes_match_numpy_pad(mode, rng):
    image = rng.random((2, 6, 7))
    crop = RandomCrop((9, 10), padding=(1, 2, 3, 4), padding_mode=mode)  # left, top, right, bottom
    params = crop.draw(8, image.shape, rng)
    padded = numpy.pad(image, ((0, 0), (2, 4), (1, 3)), mode=mode)
    for top, left in zip(params["top"], params["left"]):
        numpy.testing.assert_array_equal(
            crop.apply_sample(image, {"top": top, "left": left}),
            padded[:, top : top + 9, left : left + 10],
        )


def test_crop_constant_fill_per_channel_and_uint8_hwc(rng):
    image = rng.integers(0, 200, (4, 4, 3), dtype=numpy.uint8)
    crop = RandomCrop(8, padding=2, fill=(255, 254, 253))
    out = crop(image, generator=rng)  # the crop is the whole padded image
    assert out.dtype == numpy.uint8 and out.shape == (8, 8, 3)
    numpy.testing.assert_array_equal(out[2:6, 2:6], image)
    numpy.testing.assert_array_equal(out[0, 0], [255, 254, 253])
    numpy.testing.assert_array_equal(out[7, :, 2], 253)


def test_crop_pad_if_needed_pads_shortfall_on_both_sides(rng):
    image = rng.random((1, 5, 7))
    crop = RandomCrop(8, pad_if_needed=True)
    params = crop.draw(20, image.shape, rng)
    # torchvision pads width by 8 - 7 = 1 on each side (9 wide), then height by 3 (11 high).
    padded = numpy.pad(image, ((0, 0), (3, 3), (1, 1)))
    assert set(params["top"].tolist()) <= {0, 1, 2, 3} and set(params["left"].tolist()) == {0, 1}
    for top, left in zip(params["top"], params["left"]):
        numpy.testing.assert_array_equal(
            crop.apply_sample(image, {"top": top, "left": left}),
            padded[:, top : top + 8, left : left + 8],
        )


@pytest.mark.parametrize(
    "kwargs, image_shape, match",
    [
        (
            {"size": 10},
            (3, 8, 8),
            r"crop size \(10, 10\) is larger than the input image size \(8, 8\)",
        ),
        (
            {"size": (9, 4), "padding": 0},
            (3, 8, 8),
            r"crop size \(9, 4\) is larger than the input image size \(8, 8\)",
        ),
    ],
)
def test_crop_larger_than_image_names_both_sizes(kwargs, image_shape, match):
    with pytest.raises(ValueError, match=match):
        RandomCrop(**kwargs)(numpy.zeros(image_shape))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 0}, "size must be a positive int .* got 0"),
        ({"size": (3, 4, 5)}, r"got \(3, 4, 5\)"),
        ({"size": 4, "padding": (1, 2, 3)}, r"padding .* got \(1, 2, 3\)"),
        ({"size": 4, "padding": -1}, "padding .* got -1"),
        ({"size": 4, "padding_mode": "wrap"}, "padding_mode .* got 'wrap'"),
        ({"size": 4, "fill": "red"}, "fill must be a number .* got 'red'"),
    ],
)
def test_crop_rejects_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        RandomCrop(**kwargs)


# ---------------------------------------------------------------- rotation


@pytest.mark.parametrize("angle, turns", [(90, 1), (180, 2), (270, 3), (-90, -1)])
def test_rotation_by_right_angles_is_rot90(angle, turns, rng):
    image = rng.random((3, 7, 7))
    out = RandomRotation((angle, angle))(image)
    numpy.testing.assert_array_equal(out, numpy.rot90(image, turns, axes=(1, 2)))
    hwc = rng.integers(0, 256, (6, 6, 3), dtype=numpy.uint8)
    numpy.testing.assert_array_equal(
        RandomRotation((angle, angle))(hwc), numpy.rot90(hwc, turns, axes=(0, 1))
    )


def test_rotation_expand_holds_a_non_square_image(rng):
    image = rng.random((2, 5, 8))
    out = RandomRotation((90, 90), expand=True)(image)
    numpy.testing.assert_array_equal(out, numpy.rot90(image, 1, axes=(1, 2)))
    assert RandomRotation((45, 45), expand=True)(image).shape == (
        2,
        10,
        10,
    )  # ceil((5 + 8) / sqrt 2)


def test_small_rotation_keeps_centre_pixel_and_mean():
    coords = numpy.arange(33) - 16.0
    blob = numpy.exp(-(coords[:, None] ** 2 + coords[None, :] ** 2) / 40.0)[
        None
    ]  # zero near the border
    blob[0, 16, 16] = 2.0
    for mode in ("nearest", "bilinear"):
        out = RandomRotation((7, 7), interpolation=mode)(blob)
        assert out[0, 16, 16] == pytest.approx(2.0, abs=1e-12)
        assert out.mean() == pytest.approx(blob.mean(), rel=0.01)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_rotation_matches_torch_affine_grid_sample(mode, rng):
    images = rng.random((3, 2, 9, 9))
    angles = numpy.array([17.0, -33.0, 121.0])
    out = RandomRotation(180, interpolation=mode).apply_batch(images, {"angle": angles})
    radians = numpy.deg2rad(angles)
    theta = numpy.zeros((3, 2, 3))
    theta[:, 0, 0], theta[:, 0, 1], theta[:, 1, 0], theta[:, 1, 1] = (
        numpy.cos(radians),
        -numpy.sin(radians),
        numpy.sin(radians),
        numpy.cos(radians),
    )
    grid = torch.nn.functional.affine_grid(torch.tensor(theta), (3, 2, 9, 9), align_corners=False)
    reference = torch.nn.functional.grid_sample(
        torch.tensor(images), grid, mode=mode, padding_mode="zeros", align_corners=False
    )
    numpy.testing.assert_allclose(out, reference.numpy(), atol=1e-12)


def test_rotation_fills_uncovered_corners_per_channel(rng):
    image = rng.random((3, 8, 8)).astype(numpy.float32)
    for mode in ("nearest", "bilinear"):
        out = RandomRotation((45, 45), interpolation=mode, fill=(7, 8, 9))(image)
        numpy.testing.assert_allclose(out[:, 0, 0], [7, 8, 9])
        assert out.dtype == numpy.float32


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"degrees": -5}, "non-negative .* got -5"),
        ({"degrees": (10, 5)}, r"min <= max; got \(10, 5\)"),
        ({"degrees": (1, 2, 3)}, r"got \(1, 2, 3\)"),
        ({"degrees": 5, "interpolation": "bicubic"}, "'nearest' or 'bilinear'; got 'bicubic'"),
        ({"degrees": 5, "center": (1,)}, r"center .* got \(1,\)"),
    ],
)
def test_rotation_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomRotation(**kwargs)


def test_rotation_fill_must_match_channels_and_expand_batch_sizes(rng):
    with pytest.raises(ValueError, match=r"one value per channel \(3\); got \(1, 2\)"):
        RandomRotation(10, fill=(1, 2))(numpy.zeros((3, 4, 4)))
    with pytest.raises(
        ValueError, match=r"fill 300 is outside the range \[0, 255\] of uint8 images"
    ):
        RandomRotation(10, fill=300)(numpy.zeros((4, 4, 3), numpy.uint8))
    with pytest.raises(ValueError, match="different output sizes"):
        RandomRotation(45, expand=True).batch(numpy.zeros((2, 1, 8, 8)), generator=generators(0, 2))


# ---------------------------------------------------------------- resized crop


@pytest.mark.parametrize(
    "size, out", [((16, 16), (10, 7)), ((8, 8), (13, 21)), ((20, 12), (7, 30))]
)
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_matches_torch_interpolate(size, out, antialias, rng):
    images = rng.random((2, 3) + size).astype(numpy.float32)
    got = resize_boxes(
        images, whole_box(2, *size), out, InterpolationMode.BILINEAR, antialias, "test"
    )
    reference = torch.nn.functional.interpolate(
        torch.tensor(images), out, mode="bilinear", align_corners=False, antialias=antialias
    )
    numpy.testing.assert_allclose(got, reference.numpy(), atol=2e-6)
    nearest = resize_boxes(
        images, whole_box(2, *size), out, InterpolationMode.NEAREST, antialias, "test"
    )
    numpy.testing.assert_array_equal(
        nearest, torch.nn.functional.interpolate(torch.tensor(images), out).numpy()
    )


def test_whole_image_resized_crop_matches_pillow(rng):
    image = rng.random((1, 24, 24)).astype(numpy.float32)
    for out_size in (10, 37):
        out = RandomResizedCrop(out_size, scale=(1, 1), ratio=(1, 1))(image, generator=rng)
        reference = numpy.asarray(
            Image.fromarray(image[0]).resize((out_size, out_size), Image.BILINEAR)
        )
        numpy.testing.assert_allclose(out[0], reference, atol=1e-6)


def test_bilinear_upsampling_reproduces_a_linear_ramp():
    ramp = numpy.broadcast_to(3.0 * numpy.arange(8.0) + 1.0, (1, 8, 8))
    out = RandomResizedCrop((8, 20), scale=(1, 1), ratio=(1, 1))(ramp)
    source = (numpy.arange(20) + 0.5) * 8 / 20 - 0.5  # half-pixel alignment
    inside = (source >= 0) & (source <= 7)
    numpy.testing.assert_allclose(
        out[0][:, inside],
        numpy.broadcast_to(3.0 * source[inside] + 1.0, (8, inside.sum())),
        rtol=1e-12,
    )
    numpy.testing.assert_array_equal(
        out[0][:, ~inside], numpy.where(source[~inside] < 0, 1.0, 22.0)[None].repeat(8, 0)
    )


def test_resized_crop_is_the_resized_box(rng):
    image = rng.random((3, 30, 40)).astype(numpy.float32)
    transform = RandomResizedCrop((12, 9), scale=(0.1, 0.6))
    params = transform.draw(10, image.shape, rng)
    batch = transform.apply_batch(numpy.stack([image] * 10), params)
    for i in range(10):
        top, left, height, width = (
            int(params[key][i]) for key in ("top", "left", "height", "width")
        )
        crop = torch.tensor(image[None, :, top : top + height, left : left + width])
        reference = torch.nn.functional.interpolate(
            crop, (12, 9), mode="bilinear", align_corners=False, antialias=True
        )
        one = {key: value[i] for key, value in params.items()}
        numpy.testing.assert_allclose(
            transform.apply_sample(image, one), reference[0].numpy(), atol=2e-6
        )
        numpy.testing.assert_allclose(batch[i], reference[0].numpy(), atol=2e-6)


def test_resized_crop_boxes_follow_scale_and_ratio(rng):
    params = RandomResizedCrop(8, scale=(0.2, 0.5), ratio=(0.5, 2.0)).draw(2000, (1, 60, 80), rng)
    top, left, height, width = (params[key] for key in ("top", "left", "height", "width"))
    assert (
        (top >= 0).all()
        and (left >= 0).all()
        and (top + height <= 60).all()
        and (left + width <= 80).all()
    )
    area = height * width / (60 * 80)
    assert area.min() > 0.18 and area.max() < 0.52  # rounding to whole pixels moves it a little
    assert (width / height).min() > 0.45 and (width / height).max() < 2.2
    assert abs(numpy.median(numpy.log(width / height))) < 0.1  # log-uniform ratio is symmetric


def test_resized_crop_falls_back_to_centre_box():
    params = RandomResizedCrop(4, scale=(1, 1), ratio=(1, 1)).draw(
        3, (1, 10, 40), numpy.random.default_rng(0)
    )
    assert params["height"].tolist() == [10] * 3 and params["width"].tolist() == [10] * 3
    assert params["top"].tolist() == [0] * 3 and params["left"].tolist() == [15] * 3


def test_resized_crop_uint8_hwc_rounds(rng):
    image = rng.integers(0, 256, (12, 12, 3), dtype=numpy.uint8)
    out = RandomResizedCrop(5, scale=(1, 1), ratio=(1, 1))(image)
    assert out.dtype == numpy.uint8 and out.shape == (5, 5, 3)
    as_float = RandomResizedCrop(5, scale=(1, 1), ratio=(1, 1))(
        image.transpose(2, 0, 1).astype(numpy.float32)
    )
    numpy.testing.assert_array_equal(
        out, numpy.clip(numpy.rint(as_float), 0, 255).astype(numpy.uint8).transpose(1, 2, 0)
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": -3}, "size must be a positive int .* got -3"),
        (
            {"size": 4, "scale": (1.0, 0.5)},
            r"scale must be \(min, max\) with min <= max; got \(1.0, 0.5\)",
        ),
        (
            {"size": 4, "ratio": (0, 1)},
            r"ratio must be a pair \(min, max\) of positive numbers; got \(0, 1\)",
        ),
        ({"size": 4, "interpolation": "area"}, "got 'area'"),
    ],
)
def test_resized_crop_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomResizedCrop(**kwargs)


# ---------------------------------------------------------------- noise, cutout


def test_gaussian_noise_statistics(rng):
    image = numpy.full((3, 64, 64), 0.5, numpy.float32)
    noise = GaussianNoise(mean=0.0, sigma=0.1, clip=False)(image, generator=rng) - 0.5
    assert abs(noise.mean()) < 4 * 0.1 / numpy.sqrt(noise.size)
    assert noise.std() == pytest.approx(0.1, rel=0.03)
    shifted = (
        GaussianNoise(mean=0.2, sigma=0.05, clip=False).batch(
            numpy.stack([image] * 4), generator=rng
        )
        - 0.5
    )
    assert shifted.mean() == pytest.approx(0.2, abs=0.002)
    assert shifted.std() == pytest.approx(0.05, rel=0.03)


def test_gaussian_noise_clips_and_scales_uint8(rng):
    ones = numpy.ones((1, 32, 32))
    clipped = GaussianNoise(sigma=0.3)(ones, generator=rng)
    assert clipped.max() == 1.0 and clipped.min() >= 0.0 and (clipped < 1.0).mean() > 0.4
    assert GaussianNoise(sigma=0.3, clip=False)(ones, generator=rng).max() > 1.5
    grey = numpy.full((32, 32, 3), 100, numpy.uint8)
    out = GaussianNoise(mean=0.1, sigma=0.02)(grey, generator=rng)
    assert out.dtype == numpy.uint8
    assert out.astype(float).mean() == pytest.approx(125.5, abs=0.5)
    assert out.astype(float).std() == pytest.approx(5.1, rel=0.05)


def test_gaussian_noise_rejects_bad_input():
    with pytest.raises(ValueError, match="sigma must be a non-negative number; got -1"):
        GaussianNoise(sigma=-1)
    with pytest.raises(TypeError, match="got dtype int16"):
        GaussianNoise()(numpy.zeros((1, 4, 4), numpy.int16))


def test_cutout_equals_explicit_holes(rng):
    image = rng.random((2, 10, 12)) + 1.0  # no zeros of its own
    cutout = Cutout(n_holes=2, length=4)
    params = cutout.draw(1, image.shape, numpy.random.default_rng(9))
    expected = image.copy()
    for y, x in zip(params["y"][0], params["x"][0]):
        expected[:, max(y - 2, 0) : y + 2, max(x - 2, 0) : x + 2] = 0.0
    numpy.testing.assert_array_equal(cutout(image, generator=numpy.random.default_rng(9)), expected)


def test_cutout_clips_at_border_and_odd_length_cuts_one_less():
    image = numpy.ones((1, 8, 8))
    corner = Cutout(1, 4).apply_sample(image, {"y": numpy.array([0]), "x": numpy.array([7])})
    # Rows 0-2 .. 0+2 clip to 0..1, columns 7-2 .. 7+2 clip to 5..7: a 2 x 3 corner.
    assert (corner == 0).sum() == 6 and (corner[0, 0:2, 5:8] == 0).all()
    odd = Cutout(1, 5).apply_sample(image, {"y": numpy.array([4]), "x": numpy.array([4])})
    assert (odd == 0).sum() == 16 and (odd[0, 2:6, 2:6] == 0).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_holes": 0}, "n_holes must be a positive int; got 0"),
        ({"length": 2.5}, "length must be a positive int; got 2.5"),
    ],
)
def test_cutout_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Cutout(**kwargs)


# ---------------------------------------------------------------- batch path == per-sample path


@pytest.mark.parametrize("transform", RANDOM_TRANSFORMS, ids=repr)
def test_batch_with_per_sample_generators_equals_samples_one_by_one(transform, rng):
    images = rng.random((5, 3, 11, 10)).astype(numpy.float32)
    batch = transform.batch(images, generator=generators(3, 5))
    singles = numpy.stack(
        [transform(image, generator=g) for image, g in zip(images, generators(3, 5))]
    )
    numpy.testing.assert_allclose(batch, singles, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("transform", RANDOM_TRANSFORMS, ids=repr)
def test_apply_batch_equals_apply_sample_with_the_same_parameters(transform, rng):
    images = rng.random((6, 3, 12, 9))
    params = transform.draw(6, images.shape[1:], rng)
    batch = transform.apply_batch(images, params)
    for i in range(6):
        one = transform.apply_sample(images[i], {key: value[i] for key, value in params.items()})
        numpy.testing.assert_allclose(batch[i], one, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_rotation_batch_in_several_blocks_equals_samples(mode, rng):
    images = rng.random((45, 3, 32, 32)).astype(numpy.float32)  # more values than one block holds
    rotation = RandomRotation(25, interpolation=mode, fill=0.5)
    params = rotation.draw(45, images.shape[1:], rng)
    batch = rotation.apply_batch(images, params)
    for i in range(45):
        numpy.testing.assert_array_equal(
            batch[i], rotation.apply_sample(images[i], {"angle": params["angle"][i]})
        )


def test_batch_keeps_uint8_nhwc_and_tensor_kinds(rng):
    pics = rng.integers(0, 256, (4, 9, 9, 3), dtype=numpy.uint8)
    out = RandomCrop(5).batch(pics, generator=generators(1, 4))
    assert out.dtype == numpy.uint8 and out.shape == (4, 5, 5, 3)
    for pic, g, got in zip(pics, generators(1, 4), out):
        numpy.testing.assert_array_equal(got, RandomCrop(5)(pic, generator=g))
    tensors = RandomRotation(30).batch(
        glassnet.tensor(pics.transpose(0, 3, 1, 2).astype(numpy.float32))
    )
    assert isinstance(tensors, glassnet.Tensor) and tensors.shape == (4, 3, 9, 9)


# ---------------------------------------------------------------- reproducibility, generators


def augment() -> Compose:
    return Compose(
        [
            RandomCrop(8, padding=1),
            RandomHorizontalFlip(),
            RandomRotation(20, interpolation="bilinear"),
            GaussianNoise(sigma=0.05),
            Cutout(1, 3),
        ]
    )


def test_same_seed_same_output_different_seed_different(rng):
    image = rng.random((3, 8, 8)).astype(numpy.float32)
    first = augment()(image, generator=numpy.random.default_rng(42))
    numpy.testing.assert_array_equal(
        first, augment()(image, generator=numpy.random.default_rng(42))
    )
    assert not numpy.allclose(first, augment()(image, generator=numpy.random.default_rng(43)))
    glassnet.manual_seed(7)
    from_default = augment()(image)
    glassnet.manual_seed(7)
    numpy.testing.assert_array_equal(from_default, augment()(image))


def test_compose_batch_equals_compose_per_sample_with_plain_callables(rng):
    images = rng.random((4, 3, 8, 8)).astype(numpy.float32)
    pipeline = Compose([augment(), lambda image: image * 2.0, Normalize((0.5,), (0.5,))])
    batch = pipeline.batch(images, generator=generators(11, 4))
    singles = numpy.stack(
        [pipeline(image, generator=g) for image, g in zip(images, generators(11, 4))]
    )
    numpy.testing.assert_allclose(batch, singles, rtol=1e-6, atol=1e-6)
    tensor_batch = pipeline.batch(glassnet.tensor(images), generator=generators(11, 4))
    assert isinstance(tensor_batch, glassnet.Tensor)
    numpy.testing.assert_allclose(tensor_batch.data, batch, rtol=1e-6, atol=1e-6)
    with pytest.raises(TypeError, match=r"transforms\[1\] is not callable"):
        Compose([RandomHorizontalFlip(), 3])


def test_use_generator_scopes_the_stream(rng):
    image = rng.random((3, 8, 8)).astype(numpy.float32)
    expected = augment()(image, generator=numpy.random.default_rng(5))
    with use_generator(numpy.random.default_rng(5)):
        scoped = augment()(image)
    numpy.testing.assert_array_equal(scoped, expected)
    with pytest.raises(TypeError, match="got int"), use_generator(5):  # type: ignore[arg-type]
        pass


@pytest.mark.timeout(30)
def test_use_generator_is_private_to_each_thread(rng):
    images = rng.random((2, 3, 8, 8)).astype(numpy.float32)
    expected = [augment()(images[i], generator=sample_generator(1, 0, i)) for i in range(2)]
    barrier, results = threading.Barrier(2, timeout=10), [None, None]

    def work(i: int) -> None:
        with use_generator(sample_generator(1, 0, i)):
            barrier.wait()  # both scopes are open at once
            results[i] = augment()(images[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got, want in zip(results, expected):
        numpy.testing.assert_array_equal(got, want)


def test_sample_generator_depends_only_on_seed_epoch_index():
    assert sample_generator(3, 1, 7).random() == sample_generator(3, 1, 7).random()
    draws = {sample_generator(3, epoch, index).random() for epoch in range(3) for index in range(5)}
    assert len(draws) == 15
    with pytest.raises(ValueError, match="index must be a non-negative integer; got -1"):
        sample_generator(0, 0, -1)


# ---------------------------------------------------------------- bad input shared by all


@pytest.mark.parametrize(
    "image, match",
    [
        (
            numpy.zeros((2, 3, 8, 8)),
            r"one image, \(C, H, W\) or \(H, W\); got shape \(2, 3, 8, 8\); for a batch",
        ),
        (numpy.zeros(8), r"got shape \(8,\)"),
        (numpy.zeros((8, 8, 32), numpy.uint8), r"shape \(8, 8, 32\) has 32 channels"),
    ],
)
def test_random_transforms_reject_wrong_rank_and_channels(image, match):
    for transform in (RandomHorizontalFlip(), RandomCrop(2), Cutout(1, 2)):
        with pytest.raises(ValueError, match=match):
            transform(image)


def test_batch_rejects_wrong_rank_and_generator_count():
    with pytest.raises(
        ValueError, match=r"RandomCrop.batch: expected a batch .* got shape \(3, 8, 8, 2, 2\)"
    ):
        RandomCrop(2).batch(numpy.zeros((3, 8, 8, 2, 2)))
    with pytest.raises(ValueError, match="got 2 generators for a batch of 3 samples"):
        RandomCrop(2).batch(numpy.zeros((3, 1, 8, 8)), generator=generators(0, 2))
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator; got int"):
        RandomCrop(2)(numpy.zeros((1, 8, 8)), generator=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"got Image \(convert it with numpy.asarray first\)"):
        RandomCrop(2)(Image.new("L", (8, 8)))


def test_bad_probability_names_the_value():
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\]; got 1.5"):
        RandomHorizontalFlip(p=1.5)
