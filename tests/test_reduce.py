"""Reductions: sum, mean, var, std, prod, logsumexp, max, min, argmax, argmin."""

from __future__ import annotations

import warnings

import numpy
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import glassnet
from helpers import assert_gradcheck, assert_parity

SHAPE = (2, 3, 4)

REDUCTIONS = {
    "sum_all": lambda lib, x: x.sum(),
    "sum_dim": lambda lib, x: lib.sum(x, 1),
    "sum_neg_keepdim": lambda lib, x: x.sum(-1, keepdim=True),
    "sum_tuple": lambda lib, x: lib.sum(x, (0, 2)),
    "sum_tuple_keepdim": lambda lib, x: x.sum(dim=(0, -1), keepdim=True),
    "sum_list_all": lambda lib, x: lib.sum(x, [0, 1, 2]),
    "sum_none_keepdim": lambda lib, x: lib.sum(x, None, True),
    "sum_dtype": lambda lib, x: lib.sum(x, 1, dtype=lib.float64),
    "sum_empty_tuple_is_all": lambda lib, x: lib.sum(x, ()),
    "mean_all": lambda lib, x: x.mean(),
    "mean_dim": lambda lib, x: lib.mean(x, -2),
    "mean_tuple_keepdim": lambda lib, x: x.mean((1, 2), keepdim=True),
    "mean_empty_tuple_is_all": lambda lib, x: lib.mean(x, []),
    "var_all": lambda lib, x: x.var(),
    "var_unbiased_positional": lambda lib, x: lib.var(x, 1, False, True),
    "var_bool_as_unbiased": lambda lib, x: lib.var(x, False),
    "var_unbiased_keyword": lambda lib, x: x.var(dim=0, unbiased=False),
    "var_correction0_tuple": lambda lib, x: lib.var(x, (0, 2), correction=0),
    "var_correction2_keepdim": lambda lib, x: x.var(-1, keepdim=True, correction=2),
    "var_correction_float": lambda lib, x: lib.var(x, 1, correction=0.5),
    "std_all": lambda lib, x: x.std(),
    "std_unbiased_positional": lambda lib, x: lib.std(x, 2, True, True),
    "std_bool_as_unbiased": lambda lib, x: lib.std(x, False),
    "std_correction0_tuple": lambda lib, x: x.std((0, 1), correction=0),
    "std_correction2_keepdim": lambda lib, x: lib.std(x, -1, keepdim=True, correction=2),
    "logsumexp_dim": lambda lib, x: lib.logsumexp(x, 1),
    "logsumexp_tuple_keepdim": lambda lib, x: x.logsumexp((0, 2), keepdim=True),
    "logsumexp_neg": lambda lib, x: lib.logsumexp(x, -1),
    "prod_all": lambda lib, x: x.prod(),
    "prod_dim": lambda lib, x: lib.prod(x, 1),
    "prod_neg_keepdim": lambda lib, x: x.prod(-1, keepdim=True),
    "max_all": lambda lib, x: x.max(),
    "min_all": lambda lib, x: lib.min(x),
    "max_dim": lambda lib, x: tuple(lib.max(x, 1)),
    "max_dim_keepdim": lambda lib, x: tuple(x.max(dim=-1, keepdim=True)),
    "min_dim": lambda lib, x: tuple(lib.min(x, 0)),
    "min_dim_keepdim_values": lambda lib, x: x.min(2, True).values,
}


def _distinct(rng, shape):
    """Distinct values, magnitudes in (0.5, 1.5], random signs: no ties, no zeros."""
    count = int(numpy.prod(shape))
    magnitudes = (rng.permutation(count) + 1) / count + 0.5
    return (magnitudes * rng.choice([-1.0, 1.0], count)).reshape(shape)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_matches_torch(name, rng):
    assert_parity(REDUCTIONS[name], [_distinct(rng, SHAPE)])


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_matches_torch_float32(name, rng):
    assert_parity(REDUCTIONS[name], [_distinct(rng, SHAPE)], dtype="float32")


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_gradcheck(name, rng):
    assert_gradcheck(REDUCTIONS[name], [_distinct(rng, SHAPE)])


ZERO_DIM = {
    "sum_dim0": lambda lib, x: lib.sum(x, 0),
    "mean_dim_neg": lambda lib, x: x.mean(-1),
    "prod": lambda lib, x: x.prod(0),
    "logsumexp": lambda lib, x: lib.logsumexp(x, 0),
    "max_dim": lambda lib, x: tuple(lib.max(x, 0)),
    "max_all": lambda lib, x: x.max(),
    "argmax_dim": lambda lib, x: lib.argmax(x, 0),
}


@pytest.mark.parametrize("name", ZERO_DIM)
def test_zero_dim_tensor_matches_torch(name):
    assert_parity(ZERO_DIM[name], [numpy.array(1.5)])


@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple),
    data=st.data(),
    keepdim=st.booleans(),
    op=st.sampled_from(["sum", "mean", "var", "std", "logsumexp"]),
)
def test_reduction_over_random_dims_matches_torch(shape, data, keepdim, op):
    dims = data.draw(
        st.lists(
            st.integers(-len(shape), len(shape) - 1),
            min_size=1,
            max_size=len(shape),
            unique_by=lambda d: d % len(shape),
        ).map(tuple)
    )
    values = _distinct(numpy.random.default_rng(len(shape)), shape)
    if op in ("var", "std") and numpy.prod([shape[d] for d in dims]) < 2:
        return  # one sample per output: the unbiased estimate is nan (tested separately)
    assert_parity(lambda lib, x: getattr(lib, op)(x, dims, keepdim=keepdim), [values])


def test_sum_of_bool_and_integers_gives_int64():
    flags = glassnet.tensor([True, False, True])
    small = glassnet.tensor(numpy.array([[100, 100], [100, 1]], dtype=numpy.int8))
    assert glassnet.sum(flags).dtype == glassnet.int64 and glassnet.sum(flags).item() == 2
    assert small.sum().dtype == glassnet.int64 and small.sum().item() == 301  # no int8 overflow
    assert small.sum(0).tolist() == [200, 101]
    assert small.prod(1).dtype == glassnet.int64 and small.prod(1).tolist() == [10000, 100]


def test_sum_with_integer_dtype_truncates_first_like_torch():
    values = numpy.array([1.7, -2.9, 3.5])
    ours = glassnet.sum(glassnet.tensor(values), dtype=glassnet.int64)
    assert ours.dtype == glassnet.int64
    assert ours.item() == torch.sum(torch.tensor(values), dtype=torch.int64).item() == 2


def test_mean_of_integers_with_float_dtype_matches_torch():
    assert_parity(
        lambda lib, x: lib.mean(x, 1, dtype=lib.float32),
        [numpy.arange(6).reshape(2, 3)],
        grad=False,
    )


def test_logsumexp_of_integers_gives_float32():
    result = glassnet.logsumexp(glassnet.tensor([1, 2, 3]), 0)
    assert result.dtype == glassnet.float32
    assert abs(result.item() - torch.logsumexp(torch.tensor([1, 2, 3]), 0).item()) < 1e-6


def test_logsumexp_is_stable_for_large_and_infinite_inputs():
    large = numpy.array([[1000.0, 999.0, 1001.0], [-1000.0, -1002.0, -1001.0]])
    assert_parity(lambda lib, x: lib.logsumexp(x, 1), [large])
    infinite = numpy.array([[-numpy.inf, -numpy.inf], [numpy.inf, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) for the all -inf row
        result = glassnet.logsumexp(glassnet.tensor(infinite), 1)
    assert result.tolist() == [-numpy.inf, numpy.inf]


def test_prod_gradient_with_zeros_matches_torch():
    one_zero = numpy.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])
    two_zeros = numpy.array([[0.0, 4.0, 0.0, 2.0]])
    assert_parity(lambda lib, x: x.prod(1), [one_zero])
    assert_parity(lambda lib, x: x.prod(), [one_zero])
    assert_parity(lambda lib, x: x.prod(-1, keepdim=True), [two_zeros])


def test_global_max_and_min_share_the_gradient_among_ties_like_torch():
    tied = numpy.array([[1.0, 3.0, -2.0], [3.0, 0.5, -2.0]])
    assert_parity(lambda lib, x: x.max(), [tied])
    assert_parity(lambda lib, x: lib.min(x), [tied])
    x = glassnet.tensor(tied, requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.0], [0.5, 0.0, 0.0]]


def test_max_along_dim_returns_values_and_indices(rng):
    data = _distinct(rng, (3, 5))
    result = glassnet.max(glassnet.tensor(data), 1)
    values, indices = result
    assert isinstance(result, tuple)
    assert result.values is values and result.indices is indices
    assert indices.dtype == glassnet.int64
    numpy.testing.assert_array_equal(indices.numpy(), data.argmax(1))
    numpy.testing.assert_array_equal(values.numpy(), data.max(1))


def test_max_along_dim_sends_the_gradient_to_the_returned_index():
    x = glassnet.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], requires_grad=True)
    values, indices = x.max(1)
    values.backward(glassnet.tensor([10.0, 20.0]))
    assert indices.tolist() == [1, 0]  # the first of the tied sevens, as in torch
    assert x.grad.tolist() == [[0.0, 10.0, 0.0], [20.0, 0.0, 0.0]]


def test_max_and_min_of_integers_keep_the_dtype():
    x = glassnet.tensor(numpy.array([[3, -1], [2, 8]], dtype=numpy.int8))
    assert x.max().dtype == glassnet.int8 and x.max().item() == 8
    values, indices = x.min(0)
    assert values.tolist() == [2, -1] and indices.tolist() == [1, 0]


def test_max_with_a_tensor_is_the_elementwise_maximum(rng):
    if not hasattr(glassnet, "maximum"):
        pytest.skip("elementwise maximum/minimum not written yet")
    x, y = _distinct(rng, (3, 4)), _distinct(rng, (3, 4))
    assert_parity(lambda lib, a, b: lib.max(a, b), [x, y])
    assert_parity(lambda lib, a, b: a.min(b), [x, y])


ARG_CASES = {
    "argmax_flat": lambda lib, x: lib.argmax(x),
    "argmax_flat_keepdim": lambda lib, x: lib.argmax(x, keepdim=True),
    "argmax_dim": lambda lib, x: x.argmax(1),
    "argmax_neg_keepdim": lambda lib, x: x.argmax(dim=-1, keepdim=True),
    "argmin_flat": lambda lib, x: x.argmin(),
    "argmin_dim": lambda lib, x: lib.argmin(x, 0),
    "argmin_keepdim": lambda lib, x: lib.argmin(x, 2, True),
}


@pytest.mark.parametrize("name", ARG_CASES)
def test_argmax_argmin_match_torch(name, rng):
    assert_parity(ARG_CASES[name], [_distinct(rng, SHAPE)], grad=False)


def test_var_with_no_degrees_of_freedom_is_inf_or_nan_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries warn about dividing by zero
        assert glassnet.var(glassnet.tensor([1.0, 2.0]), correction=2).item() == numpy.inf
        assert numpy.isnan(glassnet.tensor([1.0]).var().item())
        assert numpy.isnan(torch.tensor([1.0]).var().item())


def test_float32_reductions_stay_float32(rng):
    x = glassnet.tensor(_distinct(rng, SHAPE).astype(numpy.float32), requires_grad=True)
    outputs = [
        x.sum(1),
        x.mean(),
        x.var(0),
        x.std(2),
        x.logsumexp(1),
        x.prod(0),
        x.max(),
        x.max(1).values,
    ]
    assert all(out.dtype == glassnet.float32 for out in outputs)
    for out in outputs:
        x.grad = None
        out.backward(glassnet.ones_like(out))
        assert x.grad.dtype == glassnet.float32


ERRORS = [
    (
        lambda x: x.sum(3),
        ValueError,
        r"sum: dim 3 is out of range for a tensor of shape \(2, 3, 4\) \(expected a dim in \[-3, 2\]\)",
    ),
    (
        lambda x: glassnet.mean(x, (0, -3)),
        ValueError,
        r"mean: dim 0 appears more than once in dim=\(0, -3\)",
    ),
    (lambda x: x.sum(1.5), TypeError, r"sum: dim must be an int or a tuple of ints, got 1\.5"),
    (lambda x: x.var(dim=-4), ValueError, r"var: dim -4 is out of range"),
    (
        lambda x: glassnet.var(x, 0, True, correction=1),
        TypeError,
        r"var: pass either unbiased=True or correction=1",
    ),
    (
        lambda x: glassnet.std(x, True, True),
        TypeError,
        r"std: got a bool for dim \(True\) and unbiased=True",
    ),
    (lambda x: x.var(correction="1"), TypeError, r"var: correction must be a number"),
    (lambda x: x.prod((0, 1)), TypeError, r"prod: dim must be a single int, got \(0, 1\)"),
    (lambda x: x.max((0, 1)), TypeError, r"max: dim must be a single int"),
    (lambda x: x.logsumexp(5), ValueError, r"logsumexp: dim 5 is out of range"),
    (lambda x: x.argmin(3), ValueError, r"argmin: dim 3 is out of range"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_bad_arguments_raise_naming_the_op(case, rng):
    call, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        call(glassnet.tensor(_distinct(rng, SHAPE)))


def test_integer_inputs_to_floating_reductions_raise():
    ints = glassnet.tensor([1, 2, 3])
    with pytest.raises(TypeError, match=r"mean: needs a floating point dtype, got int64"):
        ints.mean()
    with pytest.raises(TypeError, match=r"mean: needs a floating point dtype, got int32"):
        glassnet.mean(glassnet.tensor([1.0]), dtype=glassnet.int32)
    with pytest.raises(TypeError, match=r"var: needs a floating point tensor, got int64"):
        ints.var()
    with pytest.raises(TypeError, match=r"std: needs a floating point tensor, got int64"):
        glassnet.std(ints)


def test_empty_reductions_raise_or_match_torch():
    empty = glassnet.zeros(0, 3)
    with pytest.raises(
        ValueError, match=r"max: cannot reduce an empty tensor \(shape \(0, 3\)\) over all dims"
    ):
        empty.max()
    with pytest.raises(ValueError, match=r"argmin: cannot reduce an empty tensor"):
        empty.argmin()
    with pytest.raises(
        ValueError, match=r"min: cannot reduce dim 0 of size 0 \(input shape \(0, 3\)\)"
    ):
        empty.min(0)
    assert empty.max(1).values.shape == (0,)
    assert empty.sum().item() == 0.0 and empty.sum(0).tolist() == [0.0, 0.0, 0.0]
