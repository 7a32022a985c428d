"""conv1d and conv2d: values and gradients against PyTorch, gradcheck, argument errors."""

from __future__ import annotations

import numpy
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")


# (input shape, weight shape, options): every stride / padding / dilation / groups path
CONV2D = [
    ((2, 3, 7, 9), (4, 3, 3, 3), {}),
    ((2, 3, 7, 9), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 8, 8), (5, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 4, 9, 10), (6, 4, 3, 2), {"stride": (2, 3), "padding": (1, 2), "dilation": (2, 1)}),
    ((2, 4, 9, 9), (4, 4, 3, 3), {"dilation": 2, "padding": 2}),
    ((1, 4, 7, 9), (6, 2, 3, 3), {"groups": 2, "padding": "same"}),
    (
        (2, 4, 8, 8),
        (6, 4, 4, 4),
        {"padding": "same"},
    ),  # even kernel: the extra pad goes right/bottom
    ((2, 4, 8, 9), (6, 4, 2, 3), {"padding": "same", "dilation": (3, 2)}),
    ((2, 4, 7, 9), (4, 1, 3, 3), {"groups": 4, "padding": 1}),  # depthwise
    (
        (2, 4, 9, 9),
        (8, 1, 3, 3),
        {"groups": 4, "stride": 2, "dilation": 2},
    ),  # depthwise, multiplier 2
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": "valid"}),
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": 3}),  # padding beyond the kernel's reach
    ((2, 4, 8, 8), (6, 4, 1, 1), {}),  # 1x1: a plain GEMM
    ((2, 4, 8, 9), (6, 4, 1, 1), {"stride": 2}),  # 1x1 stride-2 shortcut
    ((2, 6, 7, 7), (6, 2, 1, 1), {"stride": (1, 2), "padding": 1, "groups": 3}),
    ((3, 7, 9), (4, 3, 3, 3), {"padding": 1}),  # unbatched
    ((2, 3, 5, 5), (4, 3, 5, 5), {}),  # kernel as large as the input: 1x1 output
]

CONV1D = [
    ((2, 3, 11), (4, 3, 3), {}),
    ((2, 3, 11), (4, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 4, 12), (6, 2, 4), {"groups": 2, "padding": "same", "dilation": 2}),
    ((2, 4, 10), (4, 1, 3), {"groups": 4, "padding": "valid"}),
    ((2, 4, 10), (8, 4, 1), {"stride": 3}),
    ((3, 10), (5, 3, 3), {"padding": 2, "dilation": 3}),  # unbatched
]


def _arrays(rng, input_shape, weight_shape):
    return [
        rng.standard_normal(input_shape),
        rng.standard_normal(weight_shape),
        rng.standard_normal(weight_shape[0]),
    ]


def _call(name, options, bias=True):
    if bias:
        return lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, b, **options)
    return lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, **options)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_shape, weight_shape, options", CONV2D, ids=str)
def test_conv2d_matches_torch(input_shape, weight_shape, options, bias, rng):
    assert_parity(_call("conv2d", options, bias), _arrays(rng, input_shape, weight_shape))


@pytest.mark.parametrize("input_shape, weight_shape, options", CONV1D, ids=str)
def test_conv1d_matches_torch(input_shape, weight_shape, options, rng):
    assert_parity(_call("conv1d", options), _arrays(rng, input_shape, weight_shape))


@pytest.mark.parametrize(
    "input_shape, weight_shape, options",
    [
        ((128, 16, 8, 8), (16, 16, 3, 3), {"padding": 1}),  # the blocked path: several batch blocks
        ((128, 16, 8, 8), (32, 16, 3, 3), {"padding": 1, "stride": 2}),
        ((128, 16, 8, 8), (32, 16, 1, 1), {"stride": 2}),
        ((128, 8, 6, 6), (8, 1, 3, 3), {"padding": "same", "groups": 8}),
        ((128, 8, 20), (8, 8, 5), {"padding": "same"}),
    ],
    ids=str,
)
def test_conv_matches_torch_float32_batch128(input_shape, weight_shape, options, rng):
    name = "conv1d" if len(weight_shape) == 3 else "conv2d"
    assert_parity(_call(name, options), _arrays(rng, input_shape, weight_shape), dtype="float32")


@pytest.mark.parametrize(
    "needs", [(False, True, True), (True, False, False), (False, False, True)], ids=str
)
def test_conv2d_gradients_of_only_some_inputs(needs, rng):
    """The first layer's input needs no gradient; a frozen weight needs none either."""
    arrays = _arrays(rng, (2, 3, 6, 6), (4, 3, 3, 3))
    ours = [glassnet.tensor(a, requires_grad=need) for a, need in zip(arrays, needs)]
    theirs = [torch.tensor(a, requires_grad=need) for a, need in zip(arrays, needs)]
    upstream = rng.standard_normal((2, 4, 6, 6))
    F.conv2d(*ours, padding=1).backward(upstream)
    torch.nn.functional.conv2d(*theirs, padding=1).backward(torch.tensor(upstream))
    for mine, reference, need in zip(ours, theirs, needs):
        assert (mine.grad is None) == (not need)
        if need:
            numpy.testing.assert_allclose(
                mine.grad.data, reference.grad.numpy(), rtol=1e-10, atol=1e-10
            )


def test_conv2d_keeps_float32_and_accepts_integer_input(rng):
    weight = glassnet.tensor(rng.standard_normal((2, 1, 2, 2)).astype(numpy.float32))
    image = glassnet.tensor(numpy.arange(16).reshape(1, 1, 4, 4))
    out = F.conv2d(image, weight)
    assert out.dtype == numpy.float32
    expected = sum(
        weight.data[0, 0, i, j] * numpy.arange(16.0).reshape(4, 4)[i : i + 3, j : j + 3]
        for i in range(2)
        for j in range(2)
    )
    numpy.testing.assert_allclose(out.data[0, 0], expected, rtol=1e-6)


@pytest.mark.parametrize(
    "input_shape, weight_shape, options",
    [
        ((1, 2, 4, 5), (3, 2, 2, 2), {"padding": 1}),
        ((2, 2, 5, 5), (2, 2, 3, 3), {"stride": 2, "padding": (1, 0), "dilation": (1, 2)}),
        ((1, 4, 4, 4), (4, 2, 3, 3), {"groups": 2, "padding": "same"}),
        ((1, 2, 5, 4), (4, 1, 2, 2), {"groups": 2, "padding": "same", "dilation": 2}),
        ((2, 2, 4, 4), (3, 2, 1, 1), {"stride": 2}),
        ((2, 3, 4, 4), (2, 3, 3, 3), {"padding": 3}),
    ],
    ids=str,
)
def test_conv2d_gradcheck(input_shape, weight_shape, options, rng):
    assert_gradcheck(_call("conv2d", options), _arrays(rng, input_shape, weight_shape))


@pytest.mark.parametrize(
    "input_shape, weight_shape, options",
    [
        ((2, 2, 7), (3, 2, 3), {"stride": 2, "padding": 1}),
        ((1, 4, 8), (4, 2, 2), {"groups": 2, "padding": "same", "dilation": 3}),
    ],
    ids=str,
)
def test_conv1d_gradcheck(input_shape, weight_shape, options, rng):
    assert_gradcheck(_call("conv1d", options), _arrays(rng, input_shape, weight_shape))


@given(
    data=st.data(),
    groups=st.sampled_from([1, 2]),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
def test_conv2d_random_geometry_matches_torch(data, groups, kernel, stride, dilation):
    padding = data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    height = data.draw(st.integers(dilation[0] * (kernel[0] - 1) + 1, 9))
    width = data.draw(st.integers(dilation[1] * (kernel[1] - 1) + 1, 9))
    rng = numpy.random.default_rng(data.draw(st.integers(0, 2**16)))
    arrays = _arrays(rng, (2, 2 * groups, height, width), (2 * groups, 2, *kernel))
    assert_parity(
        _call(
            "conv2d", {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
        ),
        arrays,
    )


def _tensors(input_shape, weight_shape, bias_shape=None):
    make = lambda shape: glassnet.tensor(numpy.ones(shape, dtype=numpy.float32))
    return make(input_shape), make(weight_shape), (make(bias_shape) if bias_shape else None)


@pytest.mark.parametrize(
    "name, input_shape, weight_shape, options, message",
    [
        (
            "conv2d",
            (2, 4, 8, 8),
            (6, 3, 3, 3),
            {},
            (
                r"conv2d: weight has 3 input channels per group but input has 4 channels \(4 per group\) "
                r"\(input shape \(2, 4, 8, 8\), weight shape \(6, 3, 3, 3\), groups=1\)"
            ),
        ),
        (
            "conv2d",
            (2, 6, 8, 8),
            (6, 2, 3, 3),
            {"groups": 2},
            r"conv2d: weight has 2 input channels per group but input has 6 channels \(3 per group\)",
        ),
        (
            "conv2d",
            (2, 5, 8, 8),
            (6, 1, 3, 3),
            {"groups": 3},
            r"conv2d: input has 5 channels, not divisible by groups=3",
        ),
        (
            "conv2d",
            (2, 6, 8, 8),
            (5, 2, 3, 3),
            {"groups": 3},
            r"conv2d: weight has 5 output channels, not divisible by groups=3",
        ),
        (
            "conv2d",
            (2, 3, 4, 4),
            (2, 3, 5, 5),
            {},
            (
                r"conv2d: the \(dilated\) kernel \(5, 5\) is larger than the padded input \(4, 4\), so the output size would "
                r"be \(0, 0\)"
            ),
        ),
        (
            "conv2d",
            (2, 3, 4, 4),
            (2, 3, 3, 3),
            {"dilation": (2, 1), "padding": (0, 1)},
            r"kernel \(5, 3\) is larger than the padded input \(4, 6\), so the output size would be \(0, 4\)",
        ),
        (
            "conv1d",
            (2, 3, 4),
            (2, 3, 3),
            {"dilation": 3},
            r"conv1d: the \(dilated\) kernel \(7,\) is larger than the padded input \(4,\)",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3, 3),
            {"padding": "same", "stride": 2},
            r"conv2d: padding='same' needs stride 1 \(as in PyTorch\), got stride=\(2, 2\)",
        ),
        (
            "conv1d",
            (2, 3, 8),
            (2, 3, 3),
            {"padding": "same", "stride": 3},
            r"conv1d: padding='same' needs stride 1 .*\(3,\)",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3, 3),
            {"padding": "full"},
            r"conv2d: padding must be 'same', 'valid'",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3, 3),
            {"padding": -1},
            r"conv2d: padding must be non-negative, got -1",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3, 3),
            {"stride": 0},
            r"conv2d: stride must be positive, got stride=\(0, 0\)",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3, 3),
            {"dilation": (1, 2, 3)},
            r"conv2d: dilation must be an int or a tuple of 2",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3, 3),
            {"groups": 0},
            r"conv2d: groups must be a positive int, got 0",
        ),
        (
            "conv2d",
            (3, 8),
            (2, 3, 3, 3),
            {},
            r"conv2d: input must be 3-D or 4-D \(C, H, W\) or \(N, C, H, W\), got shape \(3, 8\)",
        ),
        (
            "conv2d",
            (2, 3, 8, 8),
            (2, 3, 3),
            {},
            r"conv2d: weight must be 4-D .* got shape \(2, 3, 3\)",
        ),
        (
            "conv1d",
            (2, 3, 8, 8),
            (2, 3, 3),
            {},
            r"conv1d: input must be 2-D or 3-D \(C, L\) or \(N, C, L\)",
        ),
    ],
)
def test_conv_rejects_bad_arguments(name, input_shape, weight_shape, options, message):
    x, w, _ = _tensors(input_shape, weight_shape)
    with pytest.raises(ValueError, match=message):
        getattr(F, name)(x, w, **options)


def test_conv2d_rejects_bias_of_wrong_shape():
    x, w, b = _tensors((2, 3, 8, 8), (6, 3, 3, 3), (5,))
    with pytest.raises(
        ValueError,
        match=r"conv2d: bias must have shape \(6,\) to match the weight's 6 output "
        r"channels, got \(5,\)",
    ):
        F.conv2d(x, w, b)


def test_conv2d_rejects_non_tensor_weight():
    x, _, _ = _tensors((2, 3, 8, 8), (6, 3, 3, 3))
    with pytest.raises(TypeError, match="conv2d: weight must be a Tensor, got ndarray"):
        F.conv2d(x, numpy.ones((6, 3, 3, 3)))


def test_conv2d_backward_keeps_only_input_and_weight(rng):
    x = glassnet.tensor(rng.standard_normal((4, 3, 8, 8)).astype(numpy.float32), requires_grad=True)
    w = glassnet.tensor(rng.standard_normal((5, 3, 3, 3)).astype(numpy.float32), requires_grad=True)
    out = F.conv2d(x, w, padding=1)
    saved = out.grad_fn.saved
    assert [a.shape for a in saved] == [
        (4, 3, 8, 8),
        (5, 3, 3, 3),
    ]  # no im2col columns held for backward
