"""Gradient clipping against torch.nn.utils: returned norms, clipped gradients, errors."""

from __future__ import annotations

import inspect
import math

import numpy
import pytest
import torch
import torch.nn.utils

import glassnet
from glassnet.nn import utils

torch.set_num_threads(1)

SHAPES = [(5, 4), (4,), (3, 5), (3,)]


def make_pair(grads, dtype=numpy.float64):
    """The same parameters with the same gradients in glassnet and in torch."""
    ours, theirs = [], []
    for grad in grads:
        ours.append(glassnet.zeros(grad.shape, dtype=dtype, requires_grad=True))
        ours[-1].grad = glassnet.tensor(grad.astype(dtype))
        theirs.append(
            torch.zeros(
                grad.shape,
                dtype=torch.float64 if dtype == numpy.float64 else torch.float32,
                requires_grad=True,
            )
        )
        theirs[-1].grad = torch.tensor(grad.astype(dtype))
    return ours, theirs


@pytest.fixture
def grads(rng):
    return [rng.standard_normal(shape) * 3 for shape in SHAPES]


@pytest.mark.parametrize("norm_type", [2, 2.0, 1, math.inf, "inf", 3.5, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3], ids=["clips", "leaves"])
def test_clip_grad_norm_matches_torch(grads, norm_type, max_norm):
    ours, theirs = make_pair(grads)
    total = utils.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, glassnet.Tensor) and total.shape == () and total.dtype == numpy.float64
    numpy.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for mine, reference, original in zip(ours, theirs, grads):
        numpy.testing.assert_allclose(
            mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12, atol=1e-15
        )
        if max_norm > total.item():
            numpy.testing.assert_array_equal(mine.grad.numpy(), original)


def test_clipping_keeps_the_direction_and_bounds_the_norm(grads):
    ours, _ = make_pair(grads)
    total = utils.clip_grad_norm_(ours, 1.0).item()
    flat = numpy.concatenate([param.grad.numpy().ravel() for param in ours])
    original = numpy.concatenate([grad.ravel() for grad in grads])
    assert total == pytest.approx(numpy.linalg.norm(original), rel=1e-12) and total > 1.0
    assert numpy.linalg.norm(flat) == pytest.approx(1.0, rel=1e-5)  # 1 / (1 + 1e-6 / total)
    numpy.testing.assert_allclose(flat * total, original, rtol=1e-5)


def test_clip_grad_norm_float32_stays_float32_and_updates_in_place(grads):
    ours, theirs = make_pair(grads, numpy.float32)
    arrays = [param.grad.data for param in ours]
    total = utils.clip_grad_norm_(ours, 0.5)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5)
    assert total.dtype == numpy.float32
    numpy.testing.assert_allclose(total.item(), expected.item(), rtol=1e-6)
    for mine, reference, array in zip(ours, theirs, arrays):
        assert mine.grad.data is array and array.dtype == numpy.float32
        numpy.testing.assert_allclose(
            mine.grad.numpy(), reference.grad.numpy(), rtol=1e-6, atol=1e-7
        )


def test_single_tensor_and_parameters_without_grad(grads):
    ours, theirs = make_pair(grads)
    ours[1].grad = theirs[1].grad = None
    total = utils.clip_grad_norm_(iter(ours), 0.1, norm_type=1)
    expected = torch.nn.utils.clip_grad_norm_(iter(theirs), 0.1, norm_type=1)
    numpy.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    assert ours[1].grad is None
    single = utils.clip_grad_norm_(ours[0], 0.01)
    numpy.testing.assert_allclose(
        single.item(), torch.nn.utils.clip_grad_norm_(theirs[0], 0.01).item(), rtol=1e-12
    )


def test_no_gradients_give_a_zero_norm():
    assert utils.clip_grad_norm_([glassnet.zeros(3, requires_grad=True)], 1.0).item() == 0.0
    with pytest.warns(
        UserWarning, match=r"`parameters` is an empty generator, no gradient clipping will occur"
    ):
        assert utils.clip_grad_norm_((p for p in []), 1.0).item() == 0.0


def test_non_finite_norm_raises_when_asked_naming_it(grads):
    grads[2][1, 1] = numpy.nan
    ours, _theirs = make_pair(grads)
    message = r"order 2.0 .* is non-finite \(nan\), so it cannot be clipped; the first non-finite one is tensor 2"
    with pytest.raises(RuntimeError, match=message + r" of shape \(3, 5\)"):
        utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    numpy.testing.assert_array_equal(ours[0].grad.numpy(), grads[0])  # nothing was scaled
    grads[2][1, 1] = numpy.inf
    ours, _ = make_pair(grads)
    with pytest.raises(RuntimeError, match=r"order inf .* is non-finite \(inf\)"):
        utils.clip_grad_norm_(ours, 1.0, norm_type="inf", error_if_nonfinite=True)


def test_non_finite_norm_without_the_check_behaves_like_torch(grads):
    grads[0][0, 0] = numpy.nan
    ours, theirs = make_pair(grads)
    total = utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert math.isnan(total.item()) and math.isnan(expected.item())
    assert numpy.isnan(ours[1].grad.numpy()).all() and torch.isnan(theirs[1].grad).all()


def test_get_total_norm_and_clip_grads_with_norm_match_torch(grads):
    ours, theirs = make_pair(grads)
    total = utils.get_total_norm([param.grad for param in ours], 3.0)
    expected = torch.nn.utils.get_total_norm([param.grad for param in theirs], 3.0)
    numpy.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    utils.clip_grads_with_norm_(ours, 2.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 2.0, expected)
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("clip_value", [0.5, 2, 100.0])
def test_clip_grad_value_matches_torch(grads, clip_value):
    ours, theirs = make_pair(grads)
    arrays = [param.grad.data for param in ours]
    assert utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for mine, reference, array in zip(ours, theirs, arrays):
        assert mine.grad.data is array
        numpy.testing.assert_array_equal(mine.grad.numpy(), reference.grad.numpy())
    largest = max(numpy.abs(param.grad.numpy()).max() for param in ours)
    assert largest == min(clip_value, max(abs(g).max() for g in grads))


def test_bad_arguments_raise(grads):
    ours, _ = make_pair(grads)
    with pytest.raises(ValueError, match=r"clip_grad_norm_: max_norm must be >= 0, got -1"):
        utils.clip_grad_norm_(ours, -1)
    with pytest.raises(
        TypeError, match=r"clip_grad_norm_: max_norm must be a number, got str 'big'"
    ):
        utils.clip_grad_norm_(ours, "big")
    with pytest.raises(ValueError, match=r"clip_grad_value_: clip_value must be >= 0, got -0.5"):
        utils.clip_grad_value_(ours, -0.5)
    with pytest.raises(
        ValueError, match=r"get_total_norm: norm_type must be a number or 'inf', got 'fro'"
    ):
        utils.clip_grad_norm_(ours, 1.0, norm_type="fro")
    with pytest.raises(
        TypeError, match=r"clip_grad_value_: parameters must be Tensors, item 1 is ndarray"
    ):
        utils.clip_grad_value_([ours[0], grads[1]], 1.0)


@pytest.mark.parametrize("name", utils.__all__)
def test_signature_matches_torch(name):
    ours = inspect.signature(getattr(utils, name)).parameters
    theirs = inspect.signature(getattr(torch.nn.utils, name)).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]
