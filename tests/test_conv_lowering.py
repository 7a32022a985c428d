"""The convolution's backward lowerings (ops/conv_gemm.py): both forms against PyTorch and gradcheck.

Stride-1 convolutions have two backward forms, the transposed convolution (whose
columns also give dL/dW) and GEMM + col2im; `TRANSPOSED_LIMIT` picks one per shape.
Setting it to 0 or infinity forces one form, so each is checked on every geometry.
"""

from __future__ import annotations

import math

import numpy
import pytest

import glassnet
import glassnet.nn.functional as F
from glassnet.ops import conv_gemm
from helpers import assert_gradcheck, assert_parity

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")

# (input shape, weight shape, options, whether the input needs a gradient)
STRIDE_ONE = [
    ((2, 3, 7, 9), (4, 3, 3, 3), {"padding": 1}, True),  # ResNet's 3x3
    ((3, 2, 6, 5), (4, 2, 3, 3), {"padding": 1}, False),  # first layer: only dL/dW
    ((2, 3, 7, 6), (4, 3, 5, 5), {}, True),  # LeNet's unpadded 5x5
    ((2, 3, 5, 5), (6, 3, 5, 5), {}, True),  # 1x1 output (LeNet's C5)
    ((2, 4, 8, 8), (6, 4, 4, 4), {"padding": "same"}, True),  # even kernel: asymmetric padding
    ((2, 4, 9, 9), (4, 4, 3, 3), {"dilation": 2, "padding": 2}, True),
    ((2, 4, 8, 9), (6, 4, 2, 3), {"padding": "same", "dilation": (3, 2)}, True),
    ((1, 4, 7, 9), (6, 2, 3, 3), {"groups": 2, "padding": 1}, True),
    ((2, 4, 7, 9), (8, 1, 3, 3), {"groups": 4, "padding": 1}, True),  # depthwise, multiplier 2
    ((2, 3, 6, 7), (4, 3, 3, 2), {"padding": (1, 0)}, True),
]
FORMS = {"transposed": math.inf, "col2im": 0.0}


def _conv(options, bias):
    def fn(lib, x, w, *rest):
        return lib.nn.functional.conv2d(x, w, rest[0] if bias else None, **options)

    return fn


def _conv_of_data(x, options, dtype):
    """conv2d of a fixed input that needs no gradient (the data): only dL/dW and dL/db."""

    def fn(lib, w, b):
        return lib.nn.functional.conv2d(lib.tensor(x.astype(dtype)), w, b, **options)

    return fn


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("case", STRIDE_ONE, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_both_backward_forms_match_torch(case, form, rng, monkeypatch):
    monkeypatch.setattr(conv_gemm, "TRANSPOSED_LIMIT", FORMS[form])
    x_shape, w_shape, options, need_x = case
    x, w, b = (
        rng.standard_normal(x_shape),
        rng.standard_normal(w_shape),
        rng.standard_normal(w_shape[0]),
    )
    for dtype in ("float64", "float32"):
        if need_x:
            assert_parity(_conv(options, bias=True), [x, w, b], dtype=dtype)
        else:
            assert_parity(_conv_of_data(x, options, dtype), [w, b], dtype=dtype)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    "case", STRIDE_ONE[:4] + STRIDE_ONE[5:6] + STRIDE_ONE[8:9], ids=lambda c: f"{c[1]}-{c[2]}"
)
def test_both_backward_forms_pass_gradcheck(case, form, rng, monkeypatch):
    monkeypatch.setattr(conv_gemm, "TRANSPOSED_LIMIT", FORMS[form])
    x_shape, w_shape, options, _ = case
    assert_gradcheck(
        _conv(options, bias=False), [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    )


def test_conv1d_uses_the_same_forms(rng, monkeypatch):
    for limit in FORMS.values():
        monkeypatch.setattr(conv_gemm, "TRANSPOSED_LIMIT", limit)
        assert_parity(
            lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding=2, dilation=2),
            [rng.standard_normal((2, 3, 11)), rng.standard_normal((4, 3, 3))],
        )


def _refuse(name):
    def refuse(*args, **kwargs):
        raise AssertionError(f"{name} should not run for this shape")

    return refuse


def test_padded_3x3_takes_the_transposed_form(rng, monkeypatch):
    """Same-size 3x3: the transposed form computes as many pixels as the direct one (measured faster)."""
    monkeypatch.setattr(conv_gemm, "_col2im_backward", _refuse("GEMM + col2im"))
    x = glassnet.tensor(rng.standard_normal((2, 3, 8, 8)).astype(numpy.float32), requires_grad=True)
    w = glassnet.tensor(rng.standard_normal((4, 3, 3, 3)).astype(numpy.float32), requires_grad=True)
    F.conv2d(x, w, padding=1).sum().backward()
    assert x.grad is not None and w.grad is not None


@pytest.mark.parametrize(
    "x_shape, w_shape", [((2, 6, 14, 14), (16, 6, 5, 5)), ((2, 16, 5, 5), (120, 16, 5, 5))]
)
def test_unpadded_convolutions_take_col2im(x_shape, w_shape, rng, monkeypatch):
    """LeNet's C3 and C5: the transposed form would compute 1.8x and 9x the pixels."""
    monkeypatch.setattr(conv_gemm, "_transposed_backward", _refuse("the transposed convolution"))
    x = glassnet.tensor(rng.standard_normal(x_shape).astype(numpy.float32), requires_grad=True)
    w = glassnet.tensor(rng.standard_normal(w_shape).astype(numpy.float32), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is not None and w.grad is not None


CANVAS_CASES = [
    ((3, 3, 7, 9), (4, 3, 3, 3), {"padding": 1}),
    ((3, 2, 6, 5), (4, 2, 5, 5), {"padding": 2}),
    ((3, 4, 5, 6), (4, 2, 3, 3), {"padding": 1, "groups": 2}),
    ((3, 2, 7, 6), (3, 2, 3, 3), {"padding": 2, "dilation": 2}),
    ((3, 2, 6, 7), (3, 2, 3, 3), {"padding": (0, 1)}),
]


@pytest.mark.parametrize("canvas", [True, False], ids=["canvas", "per-image"])
@pytest.mark.parametrize("images", [1, 2, 3], ids=lambda n: f"blocks-of-{n}")
@pytest.mark.parametrize("case", CANVAS_CASES, ids=lambda c: f"{c[1]}-{c[2]}")
def test_canvas_and_per_image_layouts_match_torch(case, canvas, images, rng, monkeypatch):
    """Images side by side on one canvas (or not), in blocks of 1, 2 (+ a last block of 1) or all 3."""
    from glassnet.ops import im2col

    monkeypatch.setattr(im2col, "CANVAS_MIN_WASTE", 0.0 if canvas else math.inf)
    monkeypatch.setattr(conv_gemm, "block_size", lambda geometry, itemsize, threads=1: images)
    x_shape, w_shape, options = case
    assert_parity(
        _conv(options, bias=True),
        [
            rng.standard_normal(x_shape),
            rng.standard_normal(w_shape),
            rng.standard_normal(w_shape[0]),
        ],
    )


def test_canvas_only_where_the_separators_are_all_the_padding():
    from glassnet.ops.im2col import Geometry, canvas_border

    def geometry(width, padding, stride=1, kernel=3):
        out = (width + sum(padding[2:]) - kernel) // stride + 1
        return Geometry(8, 4, 6, width, (kernel, kernel), (stride, stride), (1, 1), padding, 6, out)

    assert canvas_border(geometry(8, (1, 1, 1, 1))) == 1
    assert canvas_border(geometry(8, (1, 1, 0, 0))) is None  # no border to share
    assert canvas_border(geometry(8, (1, 1, 1, 2))) is None  # unequal left and right
    assert canvas_border(geometry(8, (1, 1, 3, 3))) is None  # padding beyond the kernel's reach
    assert canvas_border(geometry(8, (1, 1, 1, 1), stride=2)) is None
    assert canvas_border(geometry(224, (1, 1, 1, 1))) is None  # wide rows waste < 5%


ROWS = {"wide": math.inf, "exact": -1.0}  # WIDE_MAX_WASTE forcing each stride-1 column layout


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("case", STRIDE_ONE, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_wide_and_exact_rows_match_torch(case, form, rows, rng, monkeypatch):
    """Stride 1 with wide rows (garbage columns) or exact rows (col2im by per-tap window adds)."""
    from glassnet.ops import im2col

    monkeypatch.setattr(im2col, "WIDE_MAX_WASTE", ROWS[rows])
    monkeypatch.setattr(conv_gemm, "TRANSPOSED_LIMIT", FORMS[form])
    monkeypatch.setattr(
        conv_gemm, "block_size", lambda geometry, itemsize, threads=1: 1
    )  # several blocks
    x_shape, w_shape, options, need_x = case
    x, w, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[:1]))
    if need_x:
        assert_parity(_conv(options, bias=True), [x, w, b])
        if rows == "exact":  # wide rows: test_both_backward_forms_pass_gradcheck
            assert_gradcheck(_conv(options, bias=False), [x, w])
    else:
        assert_parity(_conv_of_data(x, options, "float64"), [w, b])


def test_rows_are_wide_only_while_the_garbage_is_small():
    from glassnet.ops.im2col import Geometry

    def geometry(width, padding, kernel):
        out = width + 2 * padding - kernel + 1
        pads = (padding,) * 4
        return Geometry(8, 4, width, width, (kernel, kernel), (1, 1), (1, 1), pads, out, out)

    assert geometry(8, 1, 3).wide  # ResNet's 3x3 at 8x8: 2 / 8 = 25% garbage
    assert geometry(28, 2, 5).wide  # LeNet's C1: 4 / 28
    assert geometry(14, 0, 5).wide  # LeNet's C3: 4 / 10
    assert not geometry(5, 0, 5).wide  # LeNet's C5, a 1x1 output: 4 / 1
    assert not geometry(6, 0, 5).wide  # 2x2 output: 4 / 2
