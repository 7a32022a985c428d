"""Linear quantisation: round-off bounds, fake quantisation and its STE against PyTorch, and the int8 path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassnet.compress.prune import CompressionError
from glassnet.compress.quantize import (
    calibrate,
    check_scheme,
    fake_quantize,
    int_conv2d,
    int_linear,
    qparams,
    qrange,
    quantize_input,
    quantize_weight,
    ste_mask,
)


@pytest.mark.parametrize("scheme", ["symmetric", "affine"])
@pytest.mark.parametrize("bits", [8, 4])
@pytest.mark.parametrize("per_channel", [True, False])
def test_quantisation_error_is_at_most_half_a_step(scheme, bits, per_channel, rng):
    w = (rng.standard_normal((6, 20)) * np.arange(1, 7)[:, None]).astype(np.float32)
    q = quantize_weight(w, bits, scheme, per_channel)
    qmin, qmax = qrange(bits, scheme)
    assert q.q.dtype == np.int8 and q.q.min() >= qmin and q.q.max() <= qmax
    step = q.scale.reshape(-1, 1) if per_channel else q.scale
    assert np.all(np.abs(q.dense() - w) <= step / 2 + 1e-6)


def test_per_channel_beats_per_tensor_when_channel_ranges_differ(rng):
    w = (rng.standard_normal((8, 50)) * np.logspace(-2, 0, 8)[:, None]).astype(np.float32)
    per_channel = np.abs(quantize_weight(w, 8, "symmetric", True).dense() - w).mean()
    per_tensor = np.abs(quantize_weight(w, 8, "symmetric", False).dense() - w).mean()
    assert per_channel < per_tensor / 2


def test_percentile_calibration_clips_outliers(rng):
    x = np.concatenate([rng.standard_normal(10_000), [50.0]])
    low, high = calibrate(x, percentile=99.9)
    assert 2 < high[0] < 5 and calibrate(x)[1][0] == 50.0


@pytest.mark.parametrize("scheme", ["symmetric", "affine"])
def test_fake_quantize_and_its_ste_match_torch_per_channel(scheme, rng):
    w = (rng.standard_normal((5, 16)) * 2).astype(np.float32)
    low, high = calibrate(w * 0.8, per_channel=True)  # a range narrower than w: some values clip
    scale, zero = qparams(low, high, 8, scheme)
    scale = scale.astype(np.float32)
    qmin, qmax = qrange(8, scheme)
    x = torch.tensor(w, requires_grad=True)
    y = torch.fake_quantize_per_channel_affine(
        x, torch.tensor(scale), torch.tensor(zero, dtype=torch.int32), 0, qmin, qmax
    )
    upstream = rng.standard_normal(w.shape).astype(np.float32)
    y.backward(torch.tensor(upstream))
    ours = fake_quantize(w, scale.astype(np.float64), zero, 8, scheme)
    np.testing.assert_allclose(ours, y.detach().numpy(), rtol=0, atol=1e-6)
    mask = ste_mask(w, scale.astype(np.float64), zero, 8, scheme)
    assert 0 < mask.mean() < 1  # some values were clipped
    np.testing.assert_array_equal(upstream * mask, x.grad.numpy())


def test_integer_linear_equals_the_fake_quantised_float_linear(rng):
    x = rng.standard_normal((9, 12)).astype(np.float32)
    w = rng.standard_normal((7, 12)).astype(np.float32)
    b = rng.standard_normal(7).astype(np.float32)
    qw = quantize_weight(w, 8, "symmetric", per_channel=True)
    qx, sx, zx = quantize_input(x, float(x.min()), float(x.max()))
    y_int = int_linear(qx, sx, zx, qw.q, qw.scale, b)
    x_fake = sx * (qx.astype(np.float64) - zx)
    y_fake = x_fake @ qw.dense().astype(np.float64).T + b
    np.testing.assert_allclose(y_int, y_fake, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y_int, x @ w.T + b, atol=0.1)  # and close to the float layer


def test_unknown_scheme_and_bits_are_refused():
    with pytest.raises(CompressionError, match="--quantize must be one of int8, int4"):
        check_scheme("int3")
    with pytest.raises(CompressionError, match="quantisation scheme must be one of"):
        qrange(8, "log")


@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 0)])
def test_integer_conv2d_equals_the_fake_quantised_float_conv(stride, padding, rng):
    x = rng.standard_normal((2, 3, 7, 7)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    qw = quantize_weight(w, 8, "symmetric", per_channel=True)
    qx, sx, zx = quantize_input(x, float(x.min()), float(x.max()))
    y_int = int_conv2d(qx, sx, zx, qw.q, qw.scale, b, stride, padding)
    x_fake = torch.tensor(sx * (qx.astype(np.float64) - zx))
    y_fake = torch.nn.functional.conv2d(
        x_fake,
        torch.tensor(qw.dense(), dtype=torch.float64),
        torch.tensor(b, dtype=torch.float64),
        stride,
        padding,
    )
    np.testing.assert_allclose(y_int, y_fake.numpy(), rtol=1e-5, atol=1e-5)
