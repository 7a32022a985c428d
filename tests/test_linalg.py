"""Matrix products: matmul (every 1-D and batch-broadcast case), `@`, mm, bmm, linear."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity

MATMUL_SHAPES = [
    ((3,), (3,)),  # dot product -> 0-d
    ((2, 3), (3, 4)),  # plain matrix product
    ((3,), (3, 4)),  # vector @ matrix: 1 prepended, then removed
    ((2, 3), (3,)),  # matrix @ vector: 1 appended, then removed
    ((3,), (2, 3, 4)),  # vector @ batch
    ((2, 2, 3), (3,)),  # batch @ vector
    ((2, 2, 3), (3, 4)),  # batch @ matrix: the matrix's gradient sums over the batch
    ((2, 3), (2, 3, 4)),  # matrix @ batch
    ((2, 2, 3), (2, 3, 4)),  # equal batches
    ((2, 1, 2, 3), (3, 3, 2)),  # batch dims broadcast both ways
    ((1, 2, 3), (4, 3, 2)),  # a size-1 batch dim stretched
    ((2, 1, 3), (1, 3, 1)),  # size-1 matrix dims too
]

MATMUL_FORMS = {
    "operator": lambda lib, a, b: a @ b,
    "function": lambda lib, a, b: lib.matmul(a, b),
    "method": lambda lib, a, b: a.matmul(b),
}


def _inputs(rng, shapes):
    return [rng.standard_normal(shape) for shape in shapes]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shapes, rng):
    assert_parity(MATMUL_FORMS["operator"], _inputs(rng, shapes))


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch_float32(shapes, rng):
    assert_parity(MATMUL_FORMS["function"], _inputs(rng, shapes), dtype="float32")


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_gradcheck(shapes, rng):
    assert_gradcheck(MATMUL_FORMS["method"], _inputs(rng, shapes))


@pytest.mark.parametrize("form", MATMUL_FORMS)
def test_matmul_spellings_agree(form, rng):
    assert_parity(MATMUL_FORMS[form], _inputs(rng, ((2, 3, 4), (4, 5))))


@pytest.mark.parametrize(
    "shapes", [((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4))], ids=str
)
@pytest.mark.parametrize("which", [0, 1])
def test_matmul_gradient_for_one_operand_only(shapes, which, rng):
    arrays = _inputs(rng, shapes)
    ours = [glassnet.tensor(a, requires_grad=i == which) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i == which) for i, a in enumerate(arrays)]
    upstream = rng.standard_normal(numpy.matmul(*arrays).shape)
    (ours[0] @ ours[1]).backward(upstream)
    (theirs[0] @ theirs[1]).backward(torch.tensor(upstream))
    numpy.testing.assert_allclose(ours[which].grad.numpy(), theirs[which].grad.numpy(), rtol=1e-10)
    assert ours[1 - which].grad is None


def test_mm_and_bmm_match_torch(rng):
    assert_parity(lambda lib, a, b: a.mm(b), _inputs(rng, ((2, 3), (3, 4))))
    assert_parity(lambda lib, a, b: a.bmm(b), _inputs(rng, ((2, 2, 3), (2, 3, 4))))
    assert_gradcheck(lambda lib, a, b: a.bmm(b), _inputs(rng, ((2, 2, 3), (2, 3, 4))))


def test_array_on_the_left_uses_rmatmul(rng):
    left, right = _inputs(rng, ((2, 3), (3, 4)))
    result = left @ glassnet.tensor(right)
    assert isinstance(result, glassnet.Tensor)
    numpy.testing.assert_allclose(result.numpy(), left @ right)


def test_matmul_promotes_mixed_dtypes_and_keeps_integers(rng):
    # torch refuses float32 @ float64; glassnet promotes, as every other binary op does
    a, b = _inputs(rng, ((2, 3), (3, 4)))
    mixed = glassnet.tensor(a.astype(numpy.float32)) @ glassnet.tensor(b)
    assert mixed.dtype == glassnet.float64
    numpy.testing.assert_allclose(mixed.numpy(), a.astype(numpy.float32).astype(numpy.float64) @ b)
    ints = glassnet.tensor([[1, 2], [3, 4]]) @ glassnet.tensor([[5], [6]])
    assert ints.dtype == glassnet.int64 and ints.tolist() == [[17], [39]]


LINEAR_CASES = [
    ((5, 3), (2, 3), (2,)),
    ((5, 3), (2, 3), None),
    ((2, 4, 3), (2, 3), (2,)),  # leading dims fold into rows
    ((3,), (4, 3), (4,)),  # a single sample
    ((4, 3), (2, 3), ()),  # a 0-d bias broadcasts
    ((4, 3), (2, 3), (1,)),
    ((4, 3), (3,), None),  # a weight vector: one output, dim removed
]


def _linear_inputs(rng, case):
    return [rng.standard_normal(shape) for shape in case if shape is not None]


def _linear(lib, x, w, b=None):
    return lib.nn.functional.linear(x, w, b)


@pytest.mark.parametrize("case", LINEAR_CASES, ids=str)
def test_linear_matches_torch(case, rng):
    assert_parity(_linear, _linear_inputs(rng, case))


@pytest.mark.parametrize("case", LINEAR_CASES, ids=str)
def test_linear_matches_torch_float32(case, rng):
    assert_parity(_linear, _linear_inputs(rng, case), dtype="float32")


@pytest.mark.parametrize("case", LINEAR_CASES, ids=str)
def test_linear_gradcheck(case, rng):
    assert_gradcheck(_linear, _linear_inputs(rng, case))


def test_linear_is_one_node_in_the_graph(rng):
    x = glassnet.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = glassnet.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = glassnet.tensor(rng.standard_normal(2), requires_grad=True)
    y = F.linear(x, w, b)
    assert type(y.grad_fn).__name__ == "Linear"
    assert all(parent is not None and parent.is_leaf for parent in y.grad_fn.inputs)


def test_float32_products_stay_float32(rng):
    a, b, w = _inputs(rng, ((2, 4, 3), (3, 5), (6, 3)))
    x = glassnet.tensor(a.astype(numpy.float32), requires_grad=True)
    weight = glassnet.tensor(w.astype(numpy.float32), requires_grad=True)
    for out in (x @ glassnet.tensor(b.astype(numpy.float32)), F.linear(x, weight)):
        assert out.dtype == glassnet.float32
        x.grad = None
        out.backward(glassnet.ones_like(out))
        assert x.grad.dtype == glassnet.float32


MATMUL_ERRORS = [
    (
        ((2, 3), (4, 5)),
        r"matmul: input shape \(2, 3\) and other shape \(4, 5\) cannot be multiplied: the last dim "
        r"of input \(3\) must equal the second-to-last dim of other \(4\)",
    ),
    (
        ((3,), (4,)),
        r"matmul: input shape \(3,\) and other shape \(4,\) cannot be multiplied.*only dim of other \(4\)",
    ),
    (
        ((3,), ()),
        r"matmul: both arguments must be at least 1-D, got input shape \(3,\) and other shape \(\)",
    ),
    (
        ((2, 2, 3), (3, 3, 2)),
        r"matmul: the batch dims \(2,\) of input shape \(2, 2, 3\) and \(3,\) of other "
        r"shape \(3, 3, 2\) do not broadcast",
    ),
]


@pytest.mark.parametrize("case", range(len(MATMUL_ERRORS)))
def test_matmul_shape_errors_name_both_shapes(case):
    shapes, message = MATMUL_ERRORS[case]
    with pytest.raises(ValueError, match=message):
        glassnet.zeros(*shapes[0]) @ glassnet.zeros(*shapes[1])


def test_mm_and_bmm_check_their_ranks():
    with pytest.raises(
        ValueError,
        match=r"mm: both arguments must be 2-D matrices, got input shape \(3,\) and mat2",
    ):
        glassnet.zeros(3).mm(glassnet.zeros(3, 4))
    with pytest.raises(
        ValueError, match=r"bmm: both arguments must be 3-D, got input shape \(2, 3\)"
    ):
        glassnet.zeros(2, 3).bmm(glassnet.zeros(2, 3, 4))
    with pytest.raises(
        ValueError,
        match=r"bmm: batch sizes differ: input shape \(2, 2, 3\) and mat2 shape \(3, 3, 4",
    ):
        glassnet.zeros(2, 2, 3).bmm(glassnet.zeros(3, 3, 4))
    with pytest.raises(
        ValueError, match=r"mm: input shape \(2, 3\) and other shape \(4, 5\) cannot be multiplied"
    ):
        glassnet.zeros(2, 3).mm(glassnet.zeros(4, 5))


LINEAR_ERRORS = [
    (
        ((2, 5), (3, 4), None),
        r"linear: input has 5 features \(last dim of input shape \(2, 5\)\) but weight "
        r"expects in_features=4 \(weight shape \(3, 4\) is \(out_features, in_features\)\)",
    ),
    (
        ((2, 4), (3, 4), (5,)),
        r"linear: bias shape \(5,\) does not match out_features=3 \(weight shape \(3, 4\)\)",
    ),
    (((2, 4), (3, 4), (1, 3)), r"linear: bias shape \(1, 3\) does not match out_features=3"),
    (
        ((2, 4), (1, 3, 4), None),
        r"linear: weight must be 2-D \(out_features, in_features\), got shape \(1, 3, 4\)",
    ),
    (((), (3, 4), None), r"linear: input must be at least 1-D, got shape \(\)"),
]


@pytest.mark.parametrize("case", range(len(LINEAR_ERRORS)))
def test_linear_shape_errors(case):
    shapes, message = LINEAR_ERRORS[case]
    x, w, b = (glassnet.zeros(*shape) if shape is not None else None for shape in shapes)
    with pytest.raises(ValueError, match=message):
        F.linear(x, w, b)
