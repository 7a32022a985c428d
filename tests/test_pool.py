"""Max, average and adaptive pooling: values, indices and gradients against PyTorch, errors."""

from __future__ import annotations

import numpy
import pytest

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity


def _distinct(rng, shape):
    """Distinct values (a shuffled ramp), so every window has one clear maximum."""
    size = int(numpy.prod(shape))
    return (rng.permutation(size).reshape(shape) - size / 2) / size


# (input shape, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
MAX_POOL2D = [
    ((2, 3, 8, 8), 2, None, 0, 1, False, False),
    ((2, 3, 7, 9), 3, 2, 1, 1, False, True),
    ((2, 3, 7, 9), 3, 2, 1, 1, True, True),
    ((2, 3, 7, 8), (2, 3), (2, 1), (1, 1), 1, True, True),
    ((2, 2, 9, 9), 3, 2, 1, 2, False, True),  # dilated
    ((2, 2, 8, 9), 2, 2, 1, (2, 1), True, True),
    ((1, 2, 4, 4), 2, 3, 1, 1, True, True),  # ceil_mode: no window may start in the right padding
    ((2, 2, 5, 6), 3, 1, 0, 1, False, False),  # overlapping windows
    ((3, 7, 9), 2, 2, 0, 1, True, True),  # unbatched
]
MAX_POOL1D = [
    ((2, 3, 11), 3, 2, 1, 1, True, True),
    ((2, 3, 11), 2, None, 0, 1, False, True),
    ((2, 3, 12), 3, 1, 1, 3, False, False),
    ((3, 10), 4, 3, 2, 1, True, True),  # unbatched
]


def _max_pool(name, kernel, stride, padding, dilation, ceil_mode, return_indices):
    return lambda lib, x: getattr(lib.nn.functional, name)(
        x, kernel, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=return_indices
    )


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, dilation, ceil_mode, indices", MAX_POOL2D, ids=str
)
def test_max_pool2d_matches_torch(
    shape, kernel, stride, padding, dilation, ceil_mode, indices, rng
):
    fn = _max_pool("max_pool2d", kernel, stride, padding, dilation, ceil_mode, indices)
    assert_parity(fn, [_distinct(rng, shape)])


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, dilation, ceil_mode, indices", MAX_POOL1D, ids=str
)
def test_max_pool1d_matches_torch(
    shape, kernel, stride, padding, dilation, ceil_mode, indices, rng
):
    fn = _max_pool("max_pool1d", kernel, stride, padding, dilation, ceil_mode, indices)
    assert_parity(fn, [_distinct(rng, shape)])


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode", [(2, 2, 0, False), (3, 2, 1, True)])
def test_max_pool2d_matches_torch_float32_batch128(kernel, stride, padding, ceil_mode, rng):
    fn = _max_pool("max_pool2d", kernel, stride, padding, 1, ceil_mode, True)
    assert_parity(fn, [_distinct(rng, (128, 8, 9, 9))], dtype="float32")


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, dilation, ceil_mode",
    [
        ((1, 2, 5, 5), 2, None, 0, 1, False),
        ((1, 2, 5, 6), 3, 2, 1, 1, True),
        ((2, 1, 6, 5), (2, 3), (1, 2), (1, 1), (2, 1), False),
    ],
    ids=str,
)
def test_max_pool2d_gradcheck(shape, kernel, stride, padding, dilation, ceil_mode, rng):
    fn = _max_pool("max_pool2d", kernel, stride, padding, dilation, ceil_mode, False)
    assert_gradcheck(fn, [_distinct(rng, shape)])


def test_max_pool1d_gradcheck(rng):
    assert_gradcheck(_max_pool("max_pool1d", 3, 2, 1, 1, True, False), [_distinct(rng, (2, 2, 9))])


def test_max_pool2d_keeps_integer_dtype():
    x = numpy.arange(-20, 16).reshape(1, 1, 6, 6)[:, :, :, ::-1].copy()
    assert_parity(_max_pool("max_pool2d", 3, 2, 1, 1, True, True), [x], grad=False)


def test_max_pool2d_propagates_nan():
    x = numpy.zeros((1, 1, 4, 4), dtype=numpy.float32)
    x[0, 0, 3, 3] = numpy.nan
    out = F.max_pool2d(glassnet.tensor(x), 2)
    assert numpy.isnan(out.data[0, 0, 1, 1]) and not numpy.isnan(out.data[0, 0, 0, 0])


# (input shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_POOL2D = [
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((2, 3, 7, 9), 3, 2, 1, False, True, None),
    ((2, 3, 7, 9), 3, 2, 1, False, False, None),
    ((2, 3, 7, 9), 3, 2, 1, True, True, None),  # ceil overhang is not counted even with the padding
    ((2, 3, 7, 9), 3, 2, 1, True, False, None),
    ((2, 3, 7, 8), (3, 2), (2, 3), (1, 1), True, True, 5),
    ((2, 2, 6, 7), (2, 3), 1, (1, 0), False, False, None),
    ((1, 2, 4, 4), 2, 3, 1, True, False, None),
    ((3, 7, 9), 3, 2, 1, True, True, None),  # unbatched
]
AVG_POOL1D = [
    ((2, 3, 11), 3, 2, 1, True, False),
    ((2, 3, 11), 4, 3, 2, True, True),
    ((2, 3, 10), 2, None, 0, False, True),
    ((3, 10), 3, 1, 1, False, False),  # unbatched
]


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, ceil_mode, include_pad, divisor", AVG_POOL2D, ids=str
)
def test_avg_pool2d_matches_torch(
    shape, kernel, stride, padding, ceil_mode, include_pad, divisor, rng
):
    def fn(lib, x):
        return lib.nn.functional.avg_pool2d(
            x, kernel, stride, padding, ceil_mode, include_pad, divisor
        )

    assert_parity(fn, [rng.standard_normal(shape)])


@pytest.mark.parametrize(
    "shape, kernel, stride, padding, ceil_mode, include_pad", AVG_POOL1D, ids=str
)
def test_avg_pool1d_matches_torch(shape, kernel, stride, padding, ceil_mode, include_pad, rng):
    fn = lambda lib, x: lib.nn.functional.avg_pool1d(
        x, kernel, stride, padding, ceil_mode, include_pad
    )
    assert_parity(fn, [rng.standard_normal(shape)])


def test_avg_pool2d_matches_torch_float32_batch128(rng):
    fn = lambda lib, x: lib.nn.functional.avg_pool2d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False
    )
    assert_parity(fn, [rng.standard_normal((128, 8, 9, 9))], dtype="float32")


@pytest.mark.parametrize(
    "options",
    [
        {"kernel_size": 2},
        {
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "ceil_mode": True,
            "count_include_pad": False,
        },
        {"kernel_size": (3, 2), "stride": 1, "padding": (1, 0), "divisor_override": 4},
    ],
    ids=str,
)
def test_avg_pool2d_gradcheck(options, rng):
    assert_gradcheck(
        lambda lib, x: lib.nn.functional.avg_pool2d(x, **options),
        [rng.standard_normal((1, 2, 5, 6))],
    )


def test_avg_pool1d_gradcheck(rng):
    fn = lambda lib, x: lib.nn.functional.avg_pool1d(
        x, 3, 2, 1, ceil_mode=True, count_include_pad=False
    )
    assert_gradcheck(fn, [rng.standard_normal((2, 2, 9))])


def test_avg_pool2d_of_integers_truncates_like_torch():
    x = numpy.arange(-18, 18).reshape(1, 1, 6, 6) * 7 % 23 - 11
    fn = lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
    assert_parity(fn, [x], grad=False)


ADAPTIVE2D = [
    ((2, 3, 8, 8), 1),
    ((2, 3, 8, 8), (2, 4)),
    ((2, 3, 7, 9), (3, 5)),
    ((2, 3, 7, 9), (None, 4)),
    ((2, 3, 5, 5), (7, 3)),
    ((3, 10, 7), (4, 7)),
]
ADAPTIVE1D = [((2, 3, 12), 4), ((2, 3, 11), 4), ((2, 3, 5), 8), ((3, 9), 2)]


@pytest.mark.parametrize("shape, size", ADAPTIVE2D, ids=str)
def test_adaptive_avg_pool2d_matches_torch(shape, size, rng):
    assert_parity(
        lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, size), [rng.standard_normal(shape)]
    )


@pytest.mark.parametrize("shape, size", ADAPTIVE1D, ids=str)
def test_adaptive_avg_pool1d_matches_torch(shape, size, rng):
    assert_parity(
        lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, size), [rng.standard_normal(shape)]
    )


@pytest.mark.parametrize("shape, size", ADAPTIVE2D, ids=str)
def test_adaptive_max_pool2d_matches_torch(shape, size, rng):
    fn = lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, size, return_indices=True)
    assert_parity(fn, [_distinct(rng, shape)])


@pytest.mark.parametrize("shape, size", ADAPTIVE1D, ids=str)
def test_adaptive_max_pool1d_matches_torch(shape, size, rng):
    fn = lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, size, return_indices=True)
    assert_parity(fn, [_distinct(rng, shape)])


def test_adaptive_pools_match_torch_float32_batch128(rng):
    x = _distinct(rng, (128, 16, 7, 7))
    assert_parity(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 1), [x], dtype="float32")
    assert_parity(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 3), [x], dtype="float32")
    assert_parity(lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, 3), [x], dtype="float32")


@pytest.mark.parametrize(
    "name, size",
    [
        ("adaptive_avg_pool2d", (3, 2)),
        ("adaptive_avg_pool2d", 2),
        ("adaptive_max_pool2d", (3, 2)),
        ("adaptive_max_pool2d", 2),
    ],
)
def test_adaptive_pool2d_gradcheck(name, size, rng):
    assert_gradcheck(
        lambda lib, x: getattr(lib.nn.functional, name)(x, size), [_distinct(rng, (1, 2, 5, 4))]
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda x: F.max_pool2d(x, 3, padding=2),
            (
                r"max_pool2d: padding must be non-negative and at most half the kernel size \(as in PyTorch\), "
                r"got padding=\(2, 2\) with kernel_size=\(3, 3\)"
            ),
        ),
        (
            lambda x: F.avg_pool2d(x, (2, 4), padding=(1, 3)),
            r"avg_pool2d: padding .* got padding=\(1, 3\) with kernel_size=\(2, 4\)",
        ),
        (
            lambda x: F.max_pool2d(x, 6),
            (
                r"max_pool2d: output size would be \(0, 0\) for input shape \(1, 2, 5, 5\) \(kernel_size=\(6, 6\), "
                r"stride=\(6, 6\), padding=\(0, 0\), dilation=\(1, 1\)\): too small"
            ),
        ),
        (lambda x: F.max_pool2d(x, 2, dilation=5), r"max_pool2d: output size would be \(0, 0\)"),
        (
            lambda x: F.max_pool2d(x, 2, stride=0),
            r"max_pool2d: stride must be positive, got stride=\(0, 0\)",
        ),
        (
            lambda x: F.avg_pool2d(x, 0),
            r"avg_pool2d: kernel_size must be positive, got kernel_size=\(0, 0\)",
        ),
        (
            lambda x: F.max_pool2d(x, (2, 2, 2)),
            r"max_pool2d: kernel_size must be an int or a tuple of 2 ints",
        ),
        (
            lambda x: F.max_pool1d(x, 2),
            r"max_pool1d: input must be 2-D or 3-D \(C, L\) or \(N, C, L\), got shape \(1, 2, 5, 5\)",
        ),
        (
            lambda x: F.avg_pool2d(x, 2, divisor_override=0),
            r"avg_pool2d: divisor_override must be a non-zero int, got 0",
        ),
        (
            lambda x: F.adaptive_avg_pool2d(x, 0),
            r"adaptive_avg_pool2d: output_size must be positive ints",
        ),
        (
            lambda x: F.adaptive_max_pool2d(x, (2, 2, 2)),
            r"adaptive_max_pool2d: output_size must be an int or a tuple of 2",
        ),
        (lambda x: F.adaptive_avg_pool1d(x, 2), r"adaptive_avg_pool1d: input must be 2-D or 3-D"),
    ],
)
def test_pool_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call(glassnet.tensor(numpy.ones((1, 2, 5, 5), dtype=numpy.float32)))


def test_pool_rejects_non_tensor_input():
    with pytest.raises(TypeError, match="max_pool2d: input must be a Tensor, got ndarray"):
        F.max_pool2d(numpy.ones((1, 2, 4, 4)), 2)
