"""Shape ops: reshape/view, flatten, squeeze, unsqueeze, permute/transpose/T/mT, expand,
cat, stack, split, chunk, unbind, clone, contiguous."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import glassnet
from helpers import assert_gradcheck, assert_parity

pytestmark = pytest.mark.filterwarnings(
    "ignore:The use of `x.T` on tensors:UserWarning"
)  # torch warns on T for 1-D

# name: (input shape, fn). Shapes stay <= ~100 elements so gradcheck is cheap.
UNARY = {
    "reshape_method": ((2, 3, 4), lambda lib, x: x.reshape(4, -1)),
    "reshape_tuple": ((2, 3, 4), lambda lib, x: x.reshape((3, 2, 4))),
    "reshape_fn": ((2, 3, 4), lambda lib, x: lib.reshape(x, (-1,))),
    "reshape_to_0d": ((1, 1), lambda lib, x: x.reshape(())),
    "reshape_after_permute": ((2, 3, 4), lambda lib, x: x.permute(2, 0, 1).reshape(4, 6)),
    "view": ((2, 3, 4), lambda lib, x: x.view(-1, 4)),
    "view_tuple": ((2, 3, 4), lambda lib, x: x.view((6, 2, 2))),
    "reshape_as": ((2, 3, 4), lambda lib, x: x.reshape_as(x.view(6, 4))),
    "view_as": ((2, 3, 4), lambda lib, x: x.view_as(x.view(4, 6))),
    "transpose": ((2, 3, 4), lambda lib, x: x.transpose(0, 2)),
    "transpose_negative": ((2, 3, 4), lambda lib, x: lib.transpose(x, -1, 1)),
    "transpose_same": ((2, 3), lambda lib, x: x.transpose(1, 1)),
    "permute_method": ((2, 3, 4), lambda lib, x: x.permute(2, 0, 1)),
    "permute_tuple": ((2, 3, 4), lambda lib, x: x.permute((1, -1, 0))),
    "permute_fn": ((2, 3, 4, 1), lambda lib, x: lib.permute(x, (3, 1, 0, 2))),
    "T": ((3, 5), lambda lib, x: x.T),
    "T_1d": ((5,), lambda lib, x: x.T),
    "mT": ((2, 3, 4), lambda lib, x: x.mT),
    "t": ((3, 5), lambda lib, x: x.t()),
    "t_fn_1d": ((4,), lambda lib, x: lib.t(x)),
    "flatten_all": ((2, 3, 4), lambda lib, x: lib.flatten(x)),
    "flatten_from_1": ((2, 3, 4), lambda lib, x: x.flatten(1)),
    "flatten_middle": ((2, 3, 4, 2), lambda lib, x: x.flatten(1, 2)),
    "flatten_negative": ((2, 3, 4), lambda lib, x: x.flatten(-2, -1)),
    "flatten_one_dim": ((2, 3, 4), lambda lib, x: x.flatten(1, 1)),
    "flatten_0d": ((), lambda lib, x: x.flatten()),
    "squeeze_all": ((1, 3, 1, 4), lambda lib, x: x.squeeze()),
    "squeeze_dim": ((1, 3, 1, 4), lambda lib, x: x.squeeze(2)),
    "squeeze_negative": ((1, 3, 1, 4), lambda lib, x: lib.squeeze(x, -4)),
    "squeeze_not_one": ((1, 3, 1, 4), lambda lib, x: x.squeeze(1)),
    "squeeze_tuple": ((1, 3, 1, 4), lambda lib, x: x.squeeze((0, 1, 2))),
    "squeeze_0d": ((), lambda lib, x: x.squeeze(0)),
    "unsqueeze_front": ((3, 4), lambda lib, x: x.unsqueeze(0)),
    "unsqueeze_end": ((3, 4), lambda lib, x: x.unsqueeze(-1)),
    "unsqueeze_middle": ((3, 4), lambda lib, x: lib.unsqueeze(x, 1)),
    "unsqueeze_0d": ((), lambda lib, x: x.unsqueeze(0)),
    "expand_new_dims": ((3, 1), lambda lib, x: x.expand(2, 3, 4)),
    "expand_keep": ((3, 1), lambda lib, x: x.expand(-1, 5)),
    "expand_tuple": ((1, 4), lambda lib, x: x.expand((3, 4))),
    "expand_0d": ((), lambda lib, x: x.expand(2, 3)),
    "expand_as": ((1, 4), lambda lib, x: x.expand_as(lib.zeros(3, 4))),
    "broadcast_to": ((3, 1), lambda lib, x: lib.broadcast_to(x, (2, 3, 4))),
    "clone": ((3, 4), lambda lib, x: x.clone()),
    "clone_fn": ((3, 4), lambda lib, x: lib.clone(x.T)),
    "contiguous": ((3, 4), lambda lib, x: x.T.contiguous()),
    "unbind": ((3, 4), lambda lib, x: x.unbind()),
    "unbind_dim": ((3, 4, 2), lambda lib, x: lib.unbind(x, -2)),
    "unbind_partly_used": ((3, 4), lambda lib, x: x.unbind(1)[2]),
}

SPLITS = {
    "split_even": ((6, 3), lambda lib, x: lib.split(x, 2)),
    "split_uneven": ((7, 3), lambda lib, x: x.split(3)),
    "split_larger_than_dim": ((3, 4), lambda lib, x: x.split(5)),
    "split_sections": ((6, 3), lambda lib, x: lib.split(x, [1, 0, 5])),
    "split_dim": ((3, 7), lambda lib, x: x.split([4, 3], dim=1)),
    "split_negative_dim": ((2, 3, 5), lambda lib, x: lib.split(x, 2, dim=-1)),
    "split_partly_used": ((7, 3), lambda lib, x: x.split(2)[1]),
    "chunk_even": ((6, 3), lambda lib, x: lib.chunk(x, 3)),
    "chunk_uneven": ((7, 3), lambda lib, x: x.chunk(3)),
    "chunk_fewer_back": ((6, 2), lambda lib, x: x.chunk(4)),  # ceil(6/4) = 2 -> 3 chunks
    "chunk_more_than_size": ((3, 2), lambda lib, x: x.chunk(5)),
    "chunk_dim": ((2, 9), lambda lib, x: lib.chunk(x, 2, dim=1)),
    "chunk_partly_used": ((2, 9), lambda lib, x: x.chunk(3, -1)[0]),
}

# name: (input shapes, fn). Joins take several inputs.
JOINS = {
    "cat_dim0": (((2, 3), (4, 3)), lambda lib, x, y: lib.cat([x, y])),
    "cat_dim1": (((2, 3), (2, 1)), lambda lib, x, y: lib.cat((x, y), dim=1)),
    "cat_negative_dim": (((2, 3, 2), (2, 3, 1)), lambda lib, x, y: lib.cat([x, y, x], dim=-1)),
    "cat_same_twice": (((2, 3), (1, 3)), lambda lib, x, y: lib.cat([x, y, x])),
    "cat_1d": (((3,), (2,)), lambda lib, x, y: lib.cat([x, y])),
    "cat_single": (((2, 3), (1,)), lambda lib, x, y: lib.cat([x]) * y),
    "cat_legacy_empty": (
        ((2, 3), (2,)),
        lambda lib, x, y: lib.cat([x, lib.zeros(0), y.reshape(1, 2).expand(3, 2).T]),
    ),
    "concat": (((2, 3), (2, 3)), lambda lib, x, y: lib.concat([x, y], dim=1)),
    "concatenate": (((2, 3), (2, 3)), lambda lib, x, y: lib.concatenate([x, y], axis=1)),
    "stack_dim0": (((2, 3), (2, 3)), lambda lib, x, y: lib.stack([x, y])),
    "stack_last": (((2, 3), (2, 3)), lambda lib, x, y: lib.stack((x, y, x), dim=2)),
    "stack_negative": (((2, 3), (2, 3)), lambda lib, x, y: lib.stack([x, y], dim=-2)),
    "stack_0d": (((), ()), lambda lib, x, y: lib.stack([x, y])),
}


def _random(rng, shape):
    return numpy.asarray(rng.standard_normal(shape))


@pytest.mark.parametrize("name", UNARY)
def test_unary_shape_op_matches_torch(name, rng):
    shape, fn = UNARY[name]
    assert_parity(fn, [_random(rng, shape)])


@pytest.mark.parametrize("name", UNARY)
def test_unary_shape_op_matches_torch_float32(name, rng):
    shape, fn = UNARY[name]
    assert_parity(fn, [_random(rng, shape)], dtype="float32")


@pytest.mark.parametrize("name", UNARY)
def test_unary_shape_op_gradcheck(name, rng):
    shape, fn = UNARY[name]
    assert_gradcheck(fn, [_random(rng, shape)])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", SPLITS)
def test_split_and_chunk_match_torch(name, dtype, rng):
    shape, fn = SPLITS[name]
    assert_parity(fn, [_random(rng, shape)], dtype=dtype)


@pytest.mark.parametrize("name", SPLITS)
def test_split_and_chunk_gradcheck(name, rng):
    shape, fn = SPLITS[name]
    assert_gradcheck(fn, [_random(rng, shape)])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", JOINS)
def test_cat_and_stack_match_torch(name, dtype, rng):
    shapes, fn = JOINS[name]
    assert_parity(fn, [_random(rng, shape) for shape in shapes], dtype=dtype)


@pytest.mark.parametrize("name", JOINS)
def test_cat_and_stack_gradcheck(name, rng):
    shapes, fn = JOINS[name]
    assert_gradcheck(fn, [_random(rng, shape) for shape in shapes])


MIXED = {
    "float32_float64": lambda lib, x, y, i: lib.cat([x, y.double()]),
    "float_int": lambda lib, x, y, i: lib.cat([x, i]),
    "int_float_stack": lambda lib, x, y, i: lib.stack([i, y]),
    "float32_float64_stack": lambda lib, x, y, i: lib.stack([x.double(), y]),
}


@pytest.mark.parametrize("name", MIXED)
def test_cat_and_stack_promote_mixed_dtypes(name, rng):
    x, y = _random(rng, (2, 3)), _random(rng, (2, 3))
    ints = rng.integers(-5, 5, (2, 3))
    assert_parity(MIXED[name], [x, y, ints], dtype="float32", rtol=1e-6)


@pytest.mark.parametrize(
    "dtypes", [("int64", "bool"), ("uint8", "int8"), ("bool", "int8"), ("int32", "int64")]
)
def test_cat_promotes_integer_dtypes_like_torch(dtypes, rng):
    first = rng.integers(0, 2, (2, 3)).astype(dtypes[0])
    second = rng.integers(0, 2, (1, 3)).astype(dtypes[1])
    assert_parity(lambda lib, a, b: lib.cat([a, b]), [first, second])
    assert_parity(lambda lib, a, b: lib.stack([a, b[0]]), [first[0], second])


@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    order=st.randoms(use_true_random=False),
)
def test_permute_then_reshape_matches_torch(shape, order):
    dims = list(range(len(shape)))
    order.shuffle(dims)
    array = numpy.random.default_rng(len(shape)).standard_normal(shape)
    assert_parity(
        lambda lib, x: x.permute(*dims).reshape(-1, shape[dims[-1]]).unsqueeze(1), [array]
    )


# -- behaviour beyond values ---------------------------------------------------------
def test_contiguous_returns_the_same_tensor():
    x = glassnet.randn(3, 4)
    assert x.contiguous() is x


def test_clone_is_a_copy_that_carries_gradient():
    x = glassnet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    copy = x.clone()
    with glassnet.no_grad():
        copy.data[0] = 100.0
    assert x.data[0] == 1.0
    (copy * glassnet.tensor([2.0, 3.0, 4.0])).backward(glassnet.ones(3))
    numpy.testing.assert_array_equal(x.grad.data, [2.0, 3.0, 4.0])


def test_reshape_shares_memory_like_a_view():
    x = glassnet.zeros(2, 3)
    x.view(6).data[4] = 7.0
    assert x.data[1, 1] == 7.0


def test_float32_stays_float32():
    x = glassnet.randn(2, 3, requires_grad=True)
    outputs = [
        x.reshape(3, 2),
        x.T,
        x.expand(4, 2, 3),
        glassnet.cat([x, x]),
        glassnet.stack([x, x]),
        x.split(1)[0],
        x.clone(),
        x.unsqueeze(0).squeeze(0),
    ]
    for out in outputs:
        assert out.dtype == glassnet.float32
        out.backward(glassnet.ones(*out.shape))
    assert x.grad.dtype == glassnet.float32


def test_chunk_of_empty_dim_gives_chunks_empty_pieces():
    pieces = glassnet.zeros(0, 3).chunk(3)
    assert [piece.shape for piece in pieces] == [(0, 3)] * 3


# -- errors ----------------------------------------------------------------------------
ERRORS = [
    (
        lambda x: x.reshape(4, 2),
        ValueError,
        r"reshape: shape \(4, 2\) is invalid for input of shape \(2, 3\)",
    ),
    (
        lambda x: x.view(5, -1),
        ValueError,
        r"view: shape \(5, -1\) is invalid for input of shape \(2, 3\)",
    ),
    (
        lambda x: x.reshape(-1, -1),
        ValueError,
        r"reshape: only one dimension can be -1, got shape \(-1, -1\)",
    ),
    (lambda x: x.reshape(-2, 3), ValueError, r"reshape: invalid size -2 at index 0"),
    (
        lambda x: glassnet.zeros(0, 3).reshape(-1, 0),
        ValueError,
        r"cannot infer the -1 in shape \(-1, 0\)",
    ),
    (lambda x: x.view(glassnet.float64), TypeError, r"view\(dtype\) is not supported"),
    (
        lambda x: x.transpose(0, 2),
        ValueError,
        r"transpose: dim1 2 is out of range for a tensor with 2 dims",
    ),
    (lambda x: x.transpose(1.0, 0), TypeError, r"transpose: dim0 must be an int, got float"),
    (lambda x: x.permute(0, 0), ValueError, r"permute: dims \(0, 0\) repeats a dim"),
    (
        lambda x: x.permute(0),
        ValueError,
        r"permute: dims \(0,\) has 1 entries but the tensor has 2 dims",
    ),
    (
        lambda x: x.permute(0, 5),
        ValueError,
        r"permute: dim 5 is out of range for a tensor with 2 dims \(expected -2 to 1\)",
    ),
    (
        lambda x: glassnet.zeros(2, 3, 4).t(),
        ValueError,
        r"t: expects a tensor with at most 2 dims, got shape \(2, 3, 4\)",
    ),
    (
        lambda x: glassnet.zeros(3).mT,
        ValueError,
        r"mT: needs a matrix or a batch of matrices, got shape \(3,\)",
    ),
    (
        lambda x: glassnet.zeros(2, 3, 4).flatten(2, 1),
        ValueError,
        r"flatten: start_dim 2 comes after end_dim 1",
    ),
    (
        lambda x: x.flatten(0, 3),
        ValueError,
        r"flatten: end_dim 3 is out of range for a tensor with 2 dims",
    ),
    (
        lambda x: x.squeeze(2),
        ValueError,
        r"squeeze: dim 2 is out of range for a tensor with 2 dims",
    ),
    (
        lambda x: x.squeeze((0, -2)),
        ValueError,
        r"squeeze: dim \(0, -2\) names a dim more than once",
    ),
    (
        lambda x: x.unsqueeze(3),
        ValueError,
        r"unsqueeze: dim 3 is out of range for a tensor with 3 dims \(expected -3 to 2\)",
    ),
    (
        lambda x: x.expand(2, 4),
        ValueError,
        r"expand: size 4 at index 1 of \(2, 4\) does not match the existing size 3",
    ),
    (
        lambda x: x.expand(3),
        ValueError,
        r"expand: got 1 sizes \(3,\) for a tensor with 2 dims \(shape \(2, 3\)\)",
    ),
    (
        lambda x: x.expand(-1, 2, 3),
        ValueError,
        r"expand: size -1 at index 0 of \(-1, 2, 3\) is not allowed",
    ),
    (
        lambda x: glassnet.broadcast_to(x, (3, 3)),
        ValueError,
        r"broadcast_to: size 3 at index 0 of \(3, 3\)",
    ),
    (
        lambda x: glassnet.cat([x, glassnet.zeros(2, 4)]),
        ValueError,
        r"cat: tensor 1 has shape \(2, 4\) but tensor 0 has shape \(2, 3\); shapes must match except in dim 0",
    ),
    (
        lambda x: glassnet.cat([x, x, glassnet.zeros(2, 3, 1)], dim=1),
        ValueError,
        r"cat: tensor 2 has shape \(2, 3, 1\) but tensor 0 has shape \(2, 3\)",
    ),
    (
        lambda x: glassnet.cat([x, x], dim=2),
        ValueError,
        r"cat: dim 2 is out of range for a tensor with 2 dims",
    ),
    (
        lambda x: glassnet.cat([glassnet.tensor(1.0)]),
        ValueError,
        r"cat: tensor 0 is zero-dimensional",
    ),
    (lambda x: glassnet.cat([]), ValueError, r"cat: expected a non-empty list of tensors"),
    (lambda x: glassnet.cat(x), TypeError, r"cat: expected a list or tuple of tensors, got Tensor"),
    (
        lambda x: glassnet.cat([x, [1, 2, 3]]),
        TypeError,
        r"cat: element 1 must be a Tensor, got list",
    ),
    (
        lambda x: glassnet.stack([x, x.T]),
        ValueError,
        r"stack: tensor 1 has shape \(3, 2\) but tensor 0 has shape \(2, 3\); stack needs equal shapes",
    ),
    (
        lambda x: glassnet.stack([x, x], dim=3),
        ValueError,
        r"stack: dim 3 is out of range for a tensor with 3 dims",
    ),
    (
        lambda x: x.split(0),
        ValueError,
        r"split: split_size must be positive, got 0 for dim 0 of size 2",
    ),
    (
        lambda x: x.split([1, 1], dim=1),
        ValueError,
        r"split: sections \[1, 1\] must be non-negative and sum to 3, the size of dim 1 \(shape \(2, 3\)\)",
    ),
    (
        lambda x: x.split(1, dim=2),
        ValueError,
        r"split: dim 2 is out of range for a tensor with 2 dims",
    ),
    (lambda x: glassnet.tensor(1.0).split(1), ValueError, r"split: a 0-d tensor cannot be split"),
    (lambda x: x.chunk(0), ValueError, r"chunk: chunks must be positive, got 0"),
    (
        lambda x: x.unbind(-3),
        ValueError,
        r"unbind: dim -3 is out of range for a tensor with 2 dims",
    ),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_bad_arguments_raise_naming_them(case):
    fn, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        fn(glassnet.zeros(2, 3))
