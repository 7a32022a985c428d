"""Issue 18's tensor methods and functions: torch parity (forward and gradients), gradcheck, errors.

Each case is a lambda written once for both libraries and the arrays it takes.
"""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from helpers import assert_gradcheck, assert_parity


def _distinct(shape, seed=0):
    """Distinct values (no ties), so sorting and extrema have one answer."""
    rng = numpy.random.default_rng(seed)
    size = int(numpy.prod(shape))
    return (rng.permutation(size) / size * 4 - 2 + rng.uniform(0, 0.1 / size, size)).reshape(shape)


X34 = _distinct((3, 4))
X234 = _distinct((2, 3, 4), 1)
POS = numpy.abs(_distinct((3, 4), 2)) + 0.5
INDEX = numpy.array([[2, 0, 1, 1], [0, 2, 2, 1]])  # repeats: gather adds both gradients
PERMUTATION = numpy.array([[2, 0, 1, 3], [1, 3, 0, 2]])  # unique per column/row for scatter
MASK = numpy.array([[True, False, True, False]] * 3)

DIFFERENTIABLE = {
    # name: (fn(lib, *tensors), inputs)
    "square": (lambda lib, x: lib.square(x), [X34]),
    "method_square": (lambda lib, x: x.square(), [X34]),
    "reciprocal": (lambda lib, x: lib.reciprocal(x), [POS]),
    "rsqrt": (lambda lib, x: x.rsqrt(), [POS]),
    "sin": (lambda lib, x: lib.sin(x), [X34]),
    "cos": (lambda lib, x: x.cos(), [X34]),
    "log1p": (lambda lib, x: lib.log1p(x), [POS]),
    "expm1": (lambda lib, x: x.expm1(), [X34]),
    "lerp_number": (lambda lib, x, y: lib.lerp(x, y, 0.3), [X34, POS]),
    "lerp_tensor": (lambda lib, x, y, w: x.lerp(y, w), [X34, POS, _distinct((4,), 3)]),
    "sort": (lambda lib, x: lib.sort(x, 1), [X34]),
    "sort_dim0_descending": (lambda lib, x: x.sort(0, descending=True)[0], [X234]),
    "topk": (lambda lib, x: lib.topk(x, 2), [X34]),
    "topk_smallest_dim0": (lambda lib, x: x.topk(2, dim=0, largest=False), [X234]),
    "gather_dim0": (lambda lib, x, i: lib.gather(x, 0, i), [X34, INDEX]),
    "gather_dim1_small_index": (lambda lib, x, i: x.gather(1, i[:, :2]), [X34, INDEX]),
    "scatter_src": (
        lambda lib, x, i, s: lib.scatter(x, 1, i, s),
        [X234[0, :2], PERMUTATION, X34[:2]],
    ),
    "scatter_value": (lambda lib, x, i: x.scatter(1, i[:, :2], 2.5), [X234[0, :2], PERMUTATION]),
    "scatter_add_repeats": (
        lambda lib, x, i, s: lib.scatter_add(x, 0, i, s),
        [X34, INDEX, POS[:2]],
    ),
    "index_select_repeats": (
        lambda lib, x, i: lib.index_select(x, 2, i),
        [X234, numpy.array([3, 0, 3])],
    ),
    "masked_fill_number": (lambda lib, x, m: x.masked_fill(m, -1.5), [X34, MASK]),
    "masked_fill_row_mask": (lambda lib, x, m: lib.masked_fill(x, m[0], 0.0), [X234, MASK]),
    "masked_fill_tensor_value": (
        lambda lib, x, m, v: x.masked_fill(m, v),
        [X34, MASK, numpy.array(0.7)],
    ),
    "norm_fro": (lambda lib, x: lib.norm(x), [X234]),
    "norm_dim_keepdim": (lambda lib, x: x.norm(dim=1, keepdim=True), [X234]),
    "norm_p1": (lambda lib, x: lib.norm(x, 1, dim=(0, 2)), [X234]),
    "norm_p3": (lambda lib, x: x.norm(3, 1), [X34]),
    "norm_inf": (lambda lib, x: lib.norm(x, float("inf"), 1), [X34]),
    "norm_minus_inf": (lambda lib, x: lib.norm(x, float("-inf")), [X34]),
    "cumsum": (lambda lib, x: lib.cumsum(x, 1), [X234]),
    "cumsum_dim0": (lambda lib, x: x.cumsum(dim=0), [X34]),
    "cumprod": (lambda lib, x: lib.cumprod(x, -1), [X234]),
    "cumprod_with_zeros": (
        lambda lib, x: x.cumprod(1),
        [numpy.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.5, 0.0, 3.0], [2.0, -1.0, 0.5, 0.0]])],
    ),
    "repeat": (lambda lib, x: x.repeat(2, 1, 3), [X34]),
    "tile": (lambda lib, x: lib.tile(x, (2,)), [X34]),
    "method_tile": (lambda lib, x: x.tile(3, 1, 2), [X34]),
    "roll": (lambda lib, x: lib.roll(x, 1, 0), [X34]),
    "roll_two_dims": (lambda lib, x: x.roll((1, -2), (2, 0)), [X234]),
    "roll_flat": (lambda lib, x: lib.roll(x, 5), [X234]),
    "flip": (lambda lib, x: lib.flip(x, (0, 2)), [X234]),
    "method_flip": (lambda lib, x: x.flip(1), [X34]),
    "tril": (lambda lib, x: lib.tril(x), [X34]),
    "triu_batched_diag1": (lambda lib, x: x.triu(1), [X234]),
    "tril_diag_minus1": (lambda lib, x: x.tril(diagonal=-1), [X34]),
    "einsum_matmul": (lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [X34, X234[0].T]),
    "einsum_batched": (lambda lib, a, b: lib.einsum("bij,bkj->bik", a, b), [X234, X234 * 0.5]),
    "einsum_implicit_output": (lambda lib, a, b: lib.einsum("ij,kj", a, b), [X34, X34]),
    "einsum_sum_out_a_letter": (lambda lib, a, b: lib.einsum("ij,k->i", a, b), [X34, POS[0]]),
    "einsum_ellipsis": (lambda lib, a, b: lib.einsum("...ij,jk->...ik", a, b), [X234, POS.T]),
    "einsum_broadcasts_size_one": (
        lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b),
        [_distinct((2, 1, 3, 4), 4), _distinct((1, 2, 4, 2), 5)],
    ),
    "einsum_size_one_letter": (lambda lib, a, b: lib.einsum("ij,ij->ij", a, b), [X34[:, :1], X34]),
    "einsum_list": (lambda lib, a, b: lib.einsum("i,i->", [a, b]), [POS[0], X34[0]]),
    "outer": (lambda lib, a, b: lib.outer(a, b), [POS[0], X34[1, :3]]),
    "method_outer": (lambda lib, a, b: a.outer(b), [POS[0], X34[1]]),
    "amax": (lambda lib, x: lib.amax(x), [X234]),
    "amax_dims": (lambda lib, x: x.amax((0, 2), keepdim=True), [X234]),
    "amin_dim1": (lambda lib, x: lib.amin(x, 1), [X234]),
    "amax_ties_share_gradient": (
        lambda lib, x: x.amax(1),
        [numpy.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, 2.0, 2.0]])],
    ),
    "prod": (lambda lib, x: lib.prod(x, 1), [X34]),
    "clone": (lambda lib, x: lib.clone(x) * 2, [X34]),
    "tan": (lambda lib, x: lib.tan(x * 0.6), [X34]),
    "sinh": (lambda lib, x: x.sinh(), [X34]),
    "cosh": (lambda lib, x: lib.cosh(x), [X34]),
    "asin": (lambda lib, x: lib.asin(x * 0.45), [X34]),
    "acos": (lambda lib, x: (x * 0.45).acos(), [X34]),
    "atan": (lambda lib, x: lib.atan(x), [X34]),
    "log2": (lambda lib, x: lib.log2(x), [POS]),
    "log10": (lambda lib, x: x.log10(), [POS]),
    "exp2": (lambda lib, x: lib.exp2(x), [X34]),
    "erf": (lambda lib, x: lib.erf(x), [X34]),
    "narrow": (lambda lib, x: lib.narrow(x, 1, 1, 2), [X234]),
    "narrow_negative_start": (lambda lib, x: x.narrow(-1, -3, 2), [X34]),
    "select": (lambda lib, x: lib.select(x, 2, -1), [X234]),
    "masked_select": (lambda lib, x, m: lib.masked_select(x, m), [X34, MASK]),
    "masked_select_broadcast": (lambda lib, x, m: x.masked_select(m[0]), [X234, MASK]),
    "repeat_interleave_flat": (lambda lib, x: lib.repeat_interleave(x, 2), [X34]),
    "repeat_interleave_dim": (lambda lib, x: x.repeat_interleave(3, dim=0), [X34]),
    "repeat_interleave_counts": (
        lambda lib, x, r: lib.repeat_interleave(x, r, dim=1),
        [X34, numpy.array([2, 0, 1, 3])],
    ),
    "method_where": (lambda lib, x, y: x.where(x > 0, y), [X34, POS]),
    "fmod": (lambda lib, x, y: lib.fmod(x * 3, y), [X34, POS]),
    "fmod_number": (lambda lib, x: x.fmod(0.7), [X34]),
    "remainder": (lambda lib, x, y: lib.remainder(x * 3, y), [X34, -POS]),
    "percent_operator": (lambda lib, x: (x * 3) % 0.9, [X34]),
    "diag_matrix_to_vector": (lambda lib, x: lib.diag(x), [X34]),
    "diag_offset": (lambda lib, x: x.diag(-1), [X34]),
    "diag_offset_up": (lambda lib, x: x.diag(2), [X34]),
    "diag_vector_to_matrix": (lambda lib, v: lib.diag(v, 1), [POS[0]]),
    "diff": (lambda lib, x: lib.diff(x), [X34]),
    "diff_n2_dim0_prepend": (lambda lib, x, p: lib.diff(x, 2, 0, prepend=p), [X34, POS[:1]]),
    "diff_append": (lambda lib, x, a: x.diff(append=a), [X34, POS[:, :2]]),
    "addmm": (
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0),
        [POS[:, :3], X34, X34.T[:, :3]],
    ),
    "addmm_broadcast_bias": (lambda lib, c, a, b: c.addmm(a, b), [POS[0, :3], X34, X34.T[:, :3]]),
    "baddbmm": (
        lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=0.5),
        [X234[:, :, :3], X234, X234.transpose(0, 2, 1)[:, :, :3]],
    ),
    "kthvalue": (lambda lib, x: lib.kthvalue(x, 2, 1), [X34]),
    "kthvalue_keepdim_last": (lambda lib, x: x.kthvalue(3, keepdim=True), [X234]),
    "median": (lambda lib, x: lib.median(x), [X34]),
    "median_dim": (lambda lib, x: x.median(0), [X34]),
    "median_dim_keepdim": (lambda lib, x: lib.median(x, -1, True), [X234]),
    "index_add": (
        lambda lib, x, i, s: lib.index_add(x, 1, i, s, alpha=2.0),
        [X34, numpy.array([3, 0, 3]), POS[:, :3]],
    ),
    "atan2": (lambda lib, y, x: lib.atan2(y, x), [X34, X34[::-1] + 0.05]),
    "atan2_method_number": (lambda lib, y: y.atan2(lib.tensor(-0.5)), [X34]),
    "float_power": (lambda lib, x, e: lib.float_power(x, e), [POS, X34]),
    "float_power_number": (lambda lib, x: x.float_power(2), [X34]),
    "nansum": (
        lambda lib, x: lib.nansum(x, 1),
        [numpy.array([[1.0, numpy.nan, 2.0], [numpy.nan, numpy.nan, 0.5]])],
    ),
    "tensor_unfold": (lambda lib, x: x.unfold(1, 2, 1), [X34]),
    "tensor_unfold_step_dim0": (lambda lib, x: x.unfold(0, 2, 2), [X234.reshape(4, 6)[:, :5]]),
    "tensor_unfold_3d": (lambda lib, x: x.unfold(2, 3, 1), [X234]),
    "sum_to_size": (lambda lib, x: x.sum_to_size(3, 1), [X34]),
    "sum_to_size_leading": (lambda lib, x: x.sum_to_size((1, 4)), [X234]),
    "index_copy": (
        lambda lib, x, i, s: lib.index_copy(x, 1, i, s),
        [X34, numpy.array([3, 0]), POS[:, :2]],
    ),
    "nan_to_num": (
        lambda lib, x: lib.nan_to_num(x, nan=0.5, posinf=9.0),
        [numpy.array([1.0, numpy.nan, numpy.inf, -numpy.inf, -2.0])],
    ),
}
STEPS = {
    "floor": lambda lib, x: lib.floor(x),
    "ceil": lambda lib, x: x.ceil(),
    "round": lambda lib, x: lib.round(x),
    "round_decimals": lambda lib, x: lib.round(x, decimals=1),
    "trunc": lambda lib, x: x.trunc(),
    "sign": lambda lib, x: lib.sign(x),
}
NOT_DIFFERENTIABLE = {
    "logical_and": (lambda lib, a, b: lib.logical_and(a, b), [X34 > 0, X34 < 1]),
    "logical_or": (lambda lib, a, b: a.logical_or(b), [X34 > 0, numpy.arange(4)]),
    "logical_xor": (lambda lib, a, b: lib.logical_xor(a, b), [X34, X34 > 0]),
    "logical_not": (lambda lib, a: lib.logical_not(a), [numpy.array([0, 3, -1])]),
    "all": (lambda lib, a: lib.all(a), [X34 > -3]),
    "all_dim": (lambda lib, a: a.all(1), [X34 > 0]),
    "any_dim_keepdim": (lambda lib, a: lib.any(a, 0, keepdim=True), [X34 > 1]),
    "any": (lambda lib, a: a.any(), [numpy.zeros(3, dtype=numpy.int64)]),
    "isnan": (lambda lib, a: lib.isnan(a), [numpy.array([1.0, numpy.nan, numpy.inf])]),
    "isinf": (lambda lib, a: a.isinf(), [numpy.array([1.0, numpy.nan, -numpy.inf])]),
    "isfinite": (lambda lib, a: lib.isfinite(a), [numpy.array([1.0, numpy.nan, numpy.inf])]),
    "argsort": (lambda lib, a: a.argsort(0), [X234]),
    "argsort_descending": (lambda lib, x: lib.argsort(x, dim=-1, descending=True), [X234]),
    "one_hot": (
        lambda lib, a: lib.nn.functional.one_hot(a, 5),
        [numpy.array([[0, 4], [2, 2]])],
    ),
    "one_hot_inferred": (lambda lib, a: lib.nn.functional.one_hot(a), [numpy.array([3, 0, 1])]),
    "cumsum_int64": (lambda lib, a: lib.cumsum(a, 0), [numpy.array([True, True, False])]),
    "floor_int": (lambda lib, a: lib.floor(a), [numpy.array([3, -2])]),
    "nonzero": (lambda lib, a: lib.nonzero(a > 0.5), [X234]),
    "unique": (lambda lib, a: lib.unique(a), [numpy.array([[3, 1], [3, 2]])]),
    "unique_inverse_counts": (
        lambda lib, a: a.unique(return_inverse=True, return_counts=True),
        [numpy.array([[3.0, 1.0], [3.0, 2.0]])],
    ),
    "unique_dim": (lambda lib, a: lib.unique(a, dim=0), [numpy.array([[1, 2], [0, 5], [1, 2]])]),
    "repeat_interleave_counts_only": (
        lambda lib, r: lib.repeat_interleave(r),
        [numpy.array([2, 0, 3])],
    ),
    "nonzero_as_tuple": (lambda lib, a: a.nonzero(as_tuple=True), [X34]),
    "argwhere": (lambda lib, a: lib.argwhere(a), [numpy.array([[0, 2], [3, 0]])]),
    "new_zeros": (lambda lib, a: a.new_zeros(2, 3), [X34]),
    "new_ones_dtype": (lambda lib, a: a.new_ones((2,), dtype=lib.int64), [X34]),
    "new_full": (lambda lib, a: a.new_full((2, 2), 1.5), [X34]),
    "new_tensor": (lambda lib, a: a.new_tensor([1, 2]), [X34]),
}
# finite differences cannot step through inf, nor across a tie (the max is not differentiable there)
GRADCHECK_SKIP = {"nan_to_num", "amax_ties_share_gradient", "nansum"}


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_method_matches_torch(name):
    fn, inputs = DIFFERENTIABLE[name]
    assert_parity(fn, inputs)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_method_matches_torch_float32(name):
    fn, inputs = DIFFERENTIABLE[name]
    assert_parity(fn, inputs, dtype="float32")


@pytest.mark.parametrize("name", [n for n in DIFFERENTIABLE if n not in GRADCHECK_SKIP])
def test_method_gradcheck(name):
    fn, inputs = DIFFERENTIABLE[name]
    assert_gradcheck(fn, inputs)


@pytest.mark.parametrize("name", STEPS)
def test_step_functions_match_torch_with_zero_gradient(name):
    x = numpy.array([-2.5, -1.45, -0.5, 0.0, 0.45, 0.5, 1.5, 2.55, 3.0])
    assert_parity(STEPS[name], [x])
    ours = glassnet.tensor(x, requires_grad=True)
    STEPS[name](glassnet, ours).sum().backward()
    assert ours.grad is not None and not ours.grad.data.any()


@pytest.mark.parametrize("name", NOT_DIFFERENTIABLE)
def test_non_differentiable_method_matches_torch(name):
    fn, inputs = NOT_DIFFERENTIABLE[name]
    assert_parity(fn, inputs, grad=False)


def test_tensor_facts_match_torch():
    for array in (X34, numpy.arange(3), X34 > 0):
        ours, theirs = glassnet.tensor(array), torch.tensor(array)
        assert ours.is_floating_point() == theirs.is_floating_point()
        assert ours.nelement() == theirs.nelement() and ours.ndimension() == theirs.ndimension()
        assert ours.element_size() == theirs.element_size()
        assert ours.cpu() is ours


def test_in_place_forms_change_the_tensor_like_torch():
    mask, index = numpy.array([[True, False]] * 2), numpy.array([[1, 0], [0, 1]])
    for lib in (glassnet, torch):
        x = lib.tensor(numpy.zeros((2, 2)))
        assert x.masked_fill_(lib.tensor(mask), 3.0) is x
        x.scatter_(1, lib.tensor(index), lib.tensor(numpy.ones((2, 2))))
        x.scatter_add_(0, lib.tensor(index), lib.tensor(numpy.ones((2, 2))))
        x.index_add_(1, lib.tensor(numpy.array([1, 1])), lib.tensor(numpy.ones((2, 2))), alpha=0.5)
        x.index_copy_(0, lib.tensor(numpy.array([1])), lib.tensor(numpy.full((1, 2), 7.0)))
        if lib is glassnet:
            ours = x.tolist()
    assert ours == x.tolist()
    with pytest.raises(
        RuntimeError, match=r"masked_fill_: in-place change of a tensor that requires grad"
    ):
        glassnet.zeros(2, requires_grad=True).masked_fill_(glassnet.ones(2) > 0, 1.0)


def test_uniform_and_normal_fill_from_glassnets_generator():
    glassnet.manual_seed(3)
    x = glassnet.zeros(20_000).uniform_(-2.0, 2.0)
    assert -2.0 <= x.data.min() and x.data.max() < 2.0 and abs(x.data.mean()) < 0.05
    y = glassnet.zeros(20_000).normal_(1.0, 0.5)
    assert abs(y.data.mean() - 1.0) < 0.02 and abs(y.data.std() - 0.5) < 0.02
    glassnet.manual_seed(3)
    assert glassnet.zeros(20_000).uniform_(-2.0, 2.0).tolist() == x.tolist()


def test_sort_returns_named_values_and_indices_like_torch():
    x = glassnet.tensor(X34)
    result = x.sort(1, descending=True)
    expected = torch.tensor(X34).sort(1, descending=True)
    numpy.testing.assert_array_equal(result.indices.data, expected.indices.numpy())
    assert result.indices.dtype == numpy.int64
    values, indices = glassnet.topk(x, 3, dim=0)
    numpy.testing.assert_array_equal(indices.data, torch.topk(torch.tensor(X34), 3, 0).indices)


def test_stable_sort_keeps_ties_in_input_order_as_torch():
    x = numpy.array([2.0, 1.0, 2.0, 1.0, 3.0, 2.0])
    for descending in (False, True):
        ours = glassnet.sort(glassnet.tensor(x), descending=descending, stable=True).indices
        theirs = torch.sort(torch.tensor(x), descending=descending, stable=True).indices
        numpy.testing.assert_array_equal(ours.data, theirs.numpy())


def test_scatter_leaves_no_gradient_on_overwritten_places():
    x = glassnet.zeros(2, 4, requires_grad=True)
    src = glassnet.ones(2, 2, requires_grad=True)
    index = glassnet.tensor(numpy.array([[1, 3], [0, 1]]))
    x.scatter(1, index, src).sum().backward()
    assert x.grad.tolist() == [[1, 0, 1, 0], [0, 0, 1, 1]]
    assert src.grad.tolist() == [[1, 1], [1, 1]]


def test_gather_then_sum_counts_each_read():
    x = glassnet.zeros(3, requires_grad=True)
    x.gather(0, glassnet.tensor(numpy.array([2, 2, 0, 2]))).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0]


ERRORS = [
    (
        lambda: glassnet.gather(glassnet.ones(2, 3), 1, glassnet.tensor(numpy.array([[0, 3]]))),
        IndexError,
        r"gather: index holds values in \[0, 3\] but dim 1 of the input \(shape \(2, 3\)\) has size 3",
    ),
    (
        lambda: glassnet.gather(glassnet.ones(2, 3), 0, glassnet.ones(2, 3)),
        TypeError,
        r"gather: index must be an integer tensor",
    ),
    (
        lambda: glassnet.topk(glassnet.ones(2, 3), 4),
        ValueError,
        r"topk: k must be an int in \[0, 3\]",
    ),
    (
        lambda: glassnet.ones(2, 3).masked_fill(glassnet.ones(2, 3) > 0, glassnet.ones(2)),
        ValueError,
        r"masked_fill: value must be a number or a 0-d tensor",
    ),
    (
        lambda: glassnet.ones(2, 3).masked_fill(glassnet.ones(3, 3) > 0, 1.0),
        ValueError,
        r"masked_fill: mask shape \(3, 3\) does not broadcast to input shape \(2, 3\)",
    ),
    (
        lambda: glassnet.ones(2, 3).repeat(2),
        ValueError,
        r"repeat: got 1 sizes \(2,\) for a tensor with 2 dims",
    ),
    (
        lambda: glassnet.roll(glassnet.ones(2, 3), (1, 2), 0),
        ValueError,
        r"roll: shifts \(1, 2\) and dims \(0,\)",
    ),
    (
        lambda: glassnet.tril(glassnet.ones(3)),
        ValueError,
        r"tril: input must have at least 2 dims, got shape \(3,\)",
    ),
    (
        lambda: glassnet.einsum("ij,jk->ik", glassnet.ones(2, 3), glassnet.ones(4, 2)),
        ValueError,
        r"einsum: letter 'j' has size 3 in operand 0 but 4 in operand 1",
    ),
    (
        lambda: glassnet.einsum("ii->i", glassnet.ones(2, 2)),
        ValueError,
        r"einsum: a letter repeated inside one operand",
    ),
    (
        lambda: glassnet.einsum("ij->i", glassnet.ones(2)),
        ValueError,
        r"einsum: subscripts 'ij' do not fit operand 0 with 1 dims",
    ),
    (
        lambda: glassnet.outer(glassnet.ones(2, 2), glassnet.ones(2)),
        ValueError,
        r"outer: both inputs must be 1-D",
    ),
    (
        lambda: glassnet.norm(glassnet.ones(2), "nuc"),
        ValueError,
        r"norm: p must be a number, inf, -inf or 'fro'",
    ),
    (
        lambda: glassnet.nn.functional.one_hot(glassnet.tensor(numpy.array([0, 5])), 3),
        ValueError,
        r"one_hot: class values must be in \[0, 3\), got values in \[0, 5\]",
    ),
    (
        lambda: glassnet.index_select(glassnet.ones(2, 3), 1, glassnet.tensor(numpy.array([[0]]))),
        ValueError,
        r"index_select: index must be 1-D",
    ),
    (lambda: glassnet.cumsum(glassnet.ones(2, 3), 2), ValueError, r"cumsum: dim 2 is out of range"),
    (
        lambda: glassnet.amax(glassnet.ones(0, 3)),
        ValueError,
        r"amax: cannot reduce an empty tensor",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, error, pattern = ERRORS[index]
    with pytest.raises(error, match=pattern):
        call()
