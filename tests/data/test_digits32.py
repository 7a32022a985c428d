"""digits32: the 8x8 digits upsampled bilinearly to 32x32, one channel, the digits' split."""

import numpy as np
import pytest
import torch
from PIL import Image

from glassnet.data.datasets import Digits, Digits32, resize_bilinear
from glassnet.data.datasets.digits32 import bilinear_matrix
from glassnet.train.job_data import load_job_data


def test_shape_dtype_and_range():
    test = Digits32("test")
    assert test.data.shape == (360, 1, 32, 32)
    assert test.data.dtype == np.float32
    # bilinear weights are convex: values stay within the 8x8 image's own range
    assert test.data.min() >= 0 and test.data.max() <= 16
    assert test.data.max() > 15  # and are not rescaled


def test_split_is_the_digits_split():
    for split, size in (("train", 1077), ("val", 360), ("test", 360)):
        big, small = Digits32(split), Digits(split)
        assert len(big) == size
        np.testing.assert_array_equal(big.targets, small.targets)
        # sample by sample, each 32x32 image is the resize of the same split's 8x8 image
        np.testing.assert_array_equal(big.data, resize_bilinear(small.data, (32, 32)))


def test_resize_matches_pil_and_torch_on_samples():
    images = Digits("train").data[:5, 0]
    ours = resize_bilinear(images, (32, 32))
    for image, resized in zip(images, ours, strict=True):
        pil = np.asarray(Image.fromarray(image, mode="F").resize((32, 32), Image.BILINEAR))
        np.testing.assert_allclose(resized, pil, atol=1e-4)
    reference = torch.nn.functional.interpolate(
        torch.from_numpy(images[:, None]), size=(32, 32), mode="bilinear", align_corners=False
    )
    np.testing.assert_allclose(ours, reference[:, 0].numpy(), atol=1e-5)


def test_resize_rectangular_and_rows_sum_to_one():
    matrix = bilinear_matrix(5, 13)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    image = np.random.default_rng(0).random((5, 7), dtype=np.float32)
    reference = torch.nn.functional.interpolate(
        torch.from_numpy(image[None, None]), size=(13, 3), mode="bilinear", align_corners=False
    )
    np.testing.assert_allclose(resize_bilinear(image, (13, 3)), reference[0, 0].numpy(), atol=1e-5)


def test_bad_split_and_sizes_are_refused():
    with pytest.raises(ValueError, match="Digits32: split must be one of"):
        Digits32("training")
    with pytest.raises(ValueError, match="sizes must be >= 1"):
        bilinear_matrix(8, 0)


def test_job_data_gives_digits32():
    data = load_job_data("digits32")
    assert data.input_shape == (1, 32, 32)
    assert (len(data.train.y), len(data.val.y), len(data.test.y)) == (1077, 360, 360)
