"""conv_transpose1d/2d: torch parity (forward, input/weight/bias gradients), gradcheck, errors."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity

CASES_2D = {
    # name: (input shape, weight shape, options)
    "plain": ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    "stride2_pad1_outpad1": (
        (2, 4, 5, 6),
        (4, 3, 3, 3),
        dict(stride=2, padding=1, output_padding=1),
    ),
    "stride2_outpad_beyond_padding": ((2, 2, 3, 4), (2, 3, 3, 3), dict(stride=2, output_padding=1)),
    "k4_s2_p1_doubles": ((2, 3, 4, 4), (3, 2, 4, 4), dict(stride=2, padding=1)),
    "groups2_dilation_mixed_stride": (
        (2, 4, 5, 6),
        (4, 2, 3, 2),
        dict(stride=(2, 1), groups=2, dilation=(1, 2)),
    ),
    "stride1_dilation2_outpad1": (
        (1, 4, 5, 6),
        (4, 3, 3, 3),
        dict(padding=1, output_padding=1, dilation=2),
    ),
    "one_by_one_stride2": ((2, 4, 3, 3), (4, 3, 1, 1), dict(stride=2)),
    "unbatched_stride3_pad2": ((4, 5, 6), (4, 3, 3, 3), dict(stride=3, padding=2)),
    "depthwise": ((2, 3, 4, 4), (3, 1, 3, 3), dict(stride=2, groups=3, padding=1)),
}
CASES_1D = {
    "plain": ((2, 3, 7), (3, 2, 3), {}),
    "stride2_pad1_outpad1": ((2, 4, 7), (4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    "groups_dilation": ((2, 4, 6), (4, 1, 3), dict(groups=2, dilation=2, stride=3)),
    "unbatched": ((3, 5), (3, 2, 4), dict(stride=2, padding=1)),
}


def _operands(rng, input_shape, weight_shape, options, bias=True):
    out_channels = weight_shape[1] * options.get("groups", 1)
    arrays = [rng.standard_normal(input_shape), rng.standard_normal(weight_shape)]
    return arrays + ([rng.standard_normal(out_channels)] if bias else [])


@pytest.mark.parametrize("name", CASES_2D)
def test_conv_transpose2d_matches_torch_and_gradcheck(name, rng):
    input_shape, weight_shape, options = CASES_2D[name]
    fn = lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **options)
    arrays = _operands(rng, input_shape, weight_shape, options)
    assert_parity(fn, arrays)
    assert_parity(fn, arrays, dtype="float32")
    assert_gradcheck(fn, arrays)


@pytest.mark.parametrize("name", CASES_1D)
def test_conv_transpose1d_matches_torch_and_gradcheck(name, rng):
    input_shape, weight_shape, options = CASES_1D[name]
    fn = lambda lib, x, w, b: lib.nn.functional.conv_transpose1d(x, w, b, **options)
    arrays = _operands(rng, input_shape, weight_shape, options)
    assert_parity(fn, arrays)
    assert_gradcheck(fn, arrays)


def test_conv_transpose_without_bias_and_positional_arguments(rng):
    x, w = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((3, 4, 2, 2))
    assert_parity(
        lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, None, 2, 0, 0, 1, 1), [x, w]
    )


def test_conv_transpose_is_the_adjoint_of_conv(rng):
    """<conv2d(x, W), y> = <x, conv_transpose2d(y, W)> for the same stride, padding, dilation."""
    x, w = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((5, 3, 3, 3))
    y = rng.standard_normal((2, 5, 5, 4))
    forward = F.conv2d(glassnet.tensor(x), glassnet.tensor(w), stride=2, padding=1)
    back = F.conv_transpose2d(
        glassnet.tensor(y), glassnet.tensor(w), stride=2, padding=1, output_padding=(0, 1)
    )
    assert back.shape == x.shape
    assert numpy.isclose(float((forward.data * y).sum()), float((x * back.data).sum()), rtol=1e-10)


ERRORS = [
    (
        lambda: F.conv_transpose2d(glassnet.ones(1, 3, 4, 4), glassnet.ones(2, 2, 3, 3)),
        r"conv_transpose2d: weight has 2 input channels \(dim 0\), input has 3",
    ),
    (
        lambda: F.conv_transpose2d(
            glassnet.ones(1, 2, 4, 4), glassnet.ones(2, 2, 3, 3), output_padding=1
        ),
        r"output_padding \(1, 1\) must be smaller than stride \(1, 1\) or dilation",
    ),
    (
        lambda: F.conv_transpose2d(glassnet.ones(1, 2, 1, 1), glassnet.ones(2, 2, 1, 1), padding=1),
        r"conv_transpose2d: the output size would be \(-1, -1\)",
    ),
    (
        lambda: F.conv_transpose1d(glassnet.ones(1, 2, 4, 4), glassnet.ones(2, 2, 3)),
        r"conv_transpose1d: input must be 2-D or 3-D",
    ),
    (
        lambda: F.conv_transpose2d(
            glassnet.ones(1, 2, 4, 4), glassnet.ones(2, 2, 3, 3), glassnet.ones(3)
        ),
        r"bias must have shape \(2,\)",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, pattern = ERRORS[index]
    with pytest.raises(ValueError, match=pattern):
        call()


def test_torch_agrees_on_the_error_cases_being_errors():
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv_transpose2d(
            torch.ones(1, 2, 4, 4), torch.ones(2, 2, 3, 3), output_padding=1
        )
