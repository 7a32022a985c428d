"""reference_conv2d, the convolution straight from its formula, as an oracle: it matches PyTorch,
and glassnet's fast conv (every lowering, every block size) matches it."""

from __future__ import annotations

import numpy
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import glassnet
import glassnet.nn.functional as F
from glassnet.ops import im2col
from glassnet.ops.conv import reference_conv2d

# (x shape, weight shape, stride, padding, dilation, groups): one row per lowering of conv_gemm.py
LOWERINGS = [
    ((3, 4, 6, 7), (5, 4, 1, 1), (1, 1), (0, 0), (1, 1), 1),  # 1x1: a GEMM over the pixels
    ((3, 6, 7, 8), (6, 2, 1, 1), (2, 3), (1, 0), (1, 1), 3),  # 1x1, strided, padded, grouped
    ((3, 4, 8, 8), (6, 4, 3, 3), (1, 1), (1, 1), (1, 1), 1),  # stride 1: transposed, canvas
    ((3, 4, 9, 7), (6, 2, 3, 2), (1, 1), (2, 1), (2, 1), 2),  # stride 1, dilated, grouped
    ((3, 3, 12, 12), (4, 3, 5, 5), (1, 1), (0, 0), (1, 1), 1),  # unpadded: col2im, wide rows
    ((3, 4, 9, 10), (8, 4, 3, 3), (2, 2), (1, 1), (1, 1), 1),  # stride 2: col2im, add.at
    ((3, 4, 11, 9), (8, 1, 3, 3), (2, 1), (0, 2), (2, 3), 4),  # depthwise, mixed strides
    ((2, 3, 5, 5), (4, 3, 5, 5), (1, 1), (0, 0), (1, 1), 1),  # the kernel covers the input
]


def _torch(x, weight, bias, stride, padding, dilation, groups):
    tensors = [torch.from_numpy(a) if a is not None else None for a in (x, weight, bias)]
    return torch.nn.functional.conv2d(*tensors, stride, padding, dilation, groups).numpy()


def _glassnet(x, weight, bias, stride, padding, dilation, groups):
    tensors = [glassnet.tensor(a) if a is not None else None for a in (x, weight, bias)]
    return F.conv2d(*tensors, stride, padding, dilation, groups).numpy()


def _operands(rng, x_shape, w_shape, bias=True):
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    return x, weight, rng.standard_normal(w_shape[0]) if bias else None


@pytest.mark.parametrize("block_bytes", [im2col.BLOCK_BYTES, 1], ids=["blocks", "one-image"])
@pytest.mark.parametrize("case", LOWERINGS, ids=str)
def test_fast_conv_and_torch_match_the_reference(case, block_bytes, rng, monkeypatch):
    monkeypatch.setattr(im2col, "BLOCK_BYTES", block_bytes)  # 1: a block per image
    x_shape, w_shape, *geometry = case
    x, weight, bias = _operands(rng, x_shape, w_shape)
    expected = reference_conv2d(x, weight, bias, *geometry)
    numpy.testing.assert_allclose(_torch(x, weight, bias, *geometry), expected, rtol=1e-10)
    numpy.testing.assert_allclose(_glassnet(x, weight, bias, *geometry), expected, rtol=1e-10)


@given(
    sizes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    image=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    bias=st.booleans(),
)
def test_random_geometries_match_torch_and_the_fast_conv(
    sizes, image, kernel, stride, padding, dilation, bias
):
    batch, groups, group_in, group_out = sizes
    outs = [
        im2col.output_size(n, k, s, p, p, d)
        for n, k, s, p, d in zip(image, kernel, stride, padding, dilation)
    ]
    assume(min(outs) >= 1)
    rng = numpy.random.default_rng(sum(image) + 7 * sum(kernel))
    x_shape = (batch, groups * group_in, *image)
    x, weight, b = _operands(rng, x_shape, (groups * group_out, group_in, *kernel), bias)
    expected = reference_conv2d(x, weight, b, stride, padding, dilation, groups)
    assert expected.shape == (batch, groups * group_out, *outs)
    geometry = (stride, padding, dilation, groups)
    numpy.testing.assert_allclose(_torch(x, weight, b, *geometry), expected, rtol=1e-9, atol=1e-12)
    numpy.testing.assert_allclose(
        _glassnet(x, weight, b, *geometry), expected, rtol=1e-9, atol=1e-12
    )


def test_reference_by_hand_on_a_tiny_case():
    """One 3x3 input, a 2x2 kernel of ones, stride 1, padding 0: each output sums a 2x2 window."""
    x = numpy.arange(9.0).reshape(1, 1, 3, 3)
    y = reference_conv2d(x, numpy.ones((1, 1, 2, 2)), numpy.array([0.5]))
    numpy.testing.assert_array_equal(
        y,
        [
            [
                [
                    [0 + 1 + 3 + 4 + 0.5, 1 + 2 + 4 + 5 + 0.5],
                    [3 + 4 + 6 + 7 + 0.5, 4 + 5 + 7 + 8 + 0.5],
                ]
            ]
        ],
    )


@pytest.mark.parametrize("case", [c for c in LOWERINGS if c[-1] == 1], ids=str)
def test_weight_gradient_is_a_convolution_of_the_input_with_the_output_gradient(case, rng):
    """dL/dW[o, c, i, j] = sum_{n,h,w} dL/dy[n, o, h, w] x_pad[n, c, s h + d i, s w + d j]: the
    reference convolution of x_pad (batch and channels swapped) with dL/dy as its kernel, stride
    and dilation swapped, cropped to the kernel's size (the floor may leave a few taps more)."""
    x_shape, w_shape, stride, padding, dilation, _ = case
    x, weight, _ = _operands(rng, x_shape, w_shape, bias=False)
    grad = rng.standard_normal(reference_conv2d(x, weight, None, stride, padding, dilation).shape)
    as_kernel = grad.transpose(1, 0, 2, 3)  # (O, N, Ho, Wo)
    swapped = reference_conv2d(x.transpose(1, 0, 2, 3), as_kernel, None, dilation, padding, stride)
    expected = swapped.transpose(1, 0, 2, 3)[:, :, : w_shape[2], : w_shape[3]]
    x_t, w_t = glassnet.tensor(x), glassnet.tensor(weight, requires_grad=True)
    (F.conv2d(x_t, w_t, None, stride, padding, dilation) * glassnet.tensor(grad)).sum().backward()
    numpy.testing.assert_allclose(w_t.grad.numpy(), expected, rtol=1e-10, atol=1e-12)
