"""Indexing (`x[key]`: slices, integer arrays with repeats, boolean masks) and `pad` in every mode."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import glassnet
import glassnet.nn.functional
from helpers import assert_gradcheck, assert_parity

SHAPE = (3, 4, 5)  # 60 elements: small enough for gradcheck

# name: fn(lib, x) indexing x of SHAPE with a key written inline
BASIC = {
    "int": lambda lib, x: x[1],
    "negative_int": lambda lib, x: x[-1],
    "slice": lambda lib, x: x[1:3],
    "negative_slice": lambda lib, x: x[-3:-1],
    "step": lambda lib, x: x[::2, 1::2],
    "start_stop_step": lambda lib, x: x[0:3:2, 1:4:2, ::3],
    "out_of_range_slice": lambda lib, x: x[1:10],
    "empty_slice": lambda lib, x: x[2:1],
    "second_dim": lambda lib, x: x[:, 2],
    "ellipsis": lambda lib, x: x[..., 1],
    "ellipsis_middle": lambda lib, x: x[1, ..., 2:],
    "ellipsis_alone": lambda lib, x: x[...],
    "none": lambda lib, x: x[None, 1:],
    "none_middle": lambda lib, x: x[:, None, ..., -2:],
    "none_and_int": lambda lib, x: x[2, None, :, None, 3],
    "scalar": lambda lib, x: x[2, 3, 4],
    "chain": lambda lib, x: x[1:][:, 1][0],
}
ADVANCED = {
    "list": lambda lib, x: x[[0, 2]],
    "repeated_list": lambda lib, x: x[[0, 2, 0, 0]],
    "repeated_numpy": lambda lib, x: x[numpy.array([1, 1, 2])],
    "negative_indices": lambda lib, x: x[[-1, 0, -1]],
    "second_dim_repeated": lambda lib, x: x[:, [1, 1, 3]],
    "last_dim_repeated": lambda lib, x: x[..., [4, 0, 4, 4]],
    "two_arrays": lambda lib, x: x[[0, 1, 0], [2, 2, 2]],
    "three_arrays": lambda lib, x: x[[0, 0, 2], [1, 1, 3], [4, 4, 0]],
    "broadcast_arrays": lambda lib, x: x[[[0], [2]], [1, 1, 3]],
    "2d_index": lambda lib, x: x[numpy.array([[0, 1], [1, 1]])],
    "separated_arrays": lambda lib, x: x[
        [0, 2, 2], :, [1, 1, 4]
    ],  # advanced dims move to the front
    "with_slice_and_none": lambda lib, x: x[None, 1:, [3, 3]],
    "with_int": lambda lib, x: x[1, [0, 3, 0]],
    "bool_list": lambda lib, x: x[[True, False, True]],
    "mask_second_dim": lambda lib, x: x[:, numpy.array([True, False, True, True])],
}
# name: (index arrays, fn(lib, x, *indices)); the indices become glassnet/torch tensors
TENSOR_INDICES = {
    "int_tensor_repeated": ([numpy.array([2, 0, 2, 2])], lambda lib, x, i: x[i]),
    "int_tensor_2d": ([numpy.array([[1, 1], [0, 2]])], lambda lib, x, i: x[:, i]),
    "two_int_tensors": (
        [numpy.array([0, 0, 1]), numpy.array([4, 4, 4])],
        lambda lib, x, i, j: x[i, :, j],
    ),
    "int_tensor_0d": ([numpy.array(1)], lambda lib, x, i: x[i]),
    "full_mask": ([numpy.arange(60).reshape(SHAPE) % 3 == 0], lambda lib, x, m: x[m]),
    "leading_mask": (
        [numpy.array([[True, False, True, True], [False] * 4, [True] * 4])],
        lambda lib, x, m: x[m],
    ),
    "mask_then_slice": ([numpy.array([False, True, True])], lambda lib, x, m: x[m, 1:3]),
    "empty_mask": ([numpy.zeros(3, dtype=bool)], lambda lib, x, m: x[m]),
    "mask_and_int_tensor": (
        [numpy.array([True, False, True]), numpy.array([1, 3])],
        lambda lib, x, m, i: x[m, i],
    ),
}


def _distinct(rng, shape):
    return numpy.asarray(rng.permutation(int(numpy.prod(shape))).reshape(shape) / 7.0 - 3.0)


@pytest.mark.parametrize("name", list(BASIC) + list(ADVANCED))
def test_getitem_matches_torch(name, rng):
    fn = {**BASIC, **ADVANCED}[name]
    assert_parity(fn, [_distinct(rng, SHAPE)])
    assert_parity(fn, [_distinct(rng, SHAPE)], dtype="float32")


@pytest.mark.parametrize("name", list(BASIC) + list(ADVANCED))
def test_getitem_gradcheck(name, rng):
    assert_gradcheck({**BASIC, **ADVANCED}[name], [_distinct(rng, SHAPE)])


@pytest.mark.parametrize("name", TENSOR_INDICES)
def test_getitem_with_tensor_indices_matches_torch(name, rng):
    indices, fn = TENSOR_INDICES[name]
    assert_parity(fn, [_distinct(rng, SHAPE), *indices])
    assert_parity(fn, [_distinct(rng, SHAPE), *indices], dtype="float32")
    assert_gradcheck(fn, [_distinct(rng, SHAPE), *indices])


def test_repeated_indices_accumulate_gradient():
    x = glassnet.tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[glassnet.tensor([2, 0, 2, 2])].backward(glassnet.tensor([1.0, 2.0, 3.0, 4.0]))
    numpy.testing.assert_array_equal(x.grad.data, [2.0, 0.0, 8.0])


def test_uint8_tensor_indexes_as_a_mask_like_torch():
    x = glassnet.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    mask = glassnet.tensor(numpy.array([1, 0, 1], dtype=numpy.uint8))
    numpy.testing.assert_array_equal(x[mask].data, [[1.0, 2.0], [5.0, 6.0]])


@pytest.mark.parametrize(
    "key", [(slice(None, None, -1),), (slice(None), slice(3, 0, -2)), (slice(None, None, -2), 1)]
)
def test_negative_steps_work_numpy_style(key, rng):
    # PyTorch rejects negative steps; glassnet follows NumPy, checked against NumPy and gradcheck
    array = _distinct(rng, SHAPE)
    numpy.testing.assert_array_equal(glassnet.tensor(array)[key].data, array[key])
    assert_gradcheck(lambda lib, x: x[key], [array])


def test_iterating_a_tensor_yields_its_rows_with_gradient():
    x = glassnet.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    (rows[1] * 3.0).backward(glassnet.ones(2))
    numpy.testing.assert_array_equal(x.grad.data, [[0.0, 0.0], [3.0, 3.0]])


@given(
    slices=st.lists(
        st.tuples(
            st.integers(-6, 6) | st.none(),
            st.integers(-6, 6) | st.none(),
            st.integers(1, 3) | st.none(),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_random_basic_slices_match_torch(slices):
    key = tuple(slice(*parts) for parts in slices)
    array = numpy.arange(60.0).reshape(SHAPE)
    assert_parity(lambda lib, x: x[key], [array])


# -- pad ---------------------------------------------------------------------------
# (input shape, pad, value) per mode; the shapes are the forms torch accepts for that mode
CONSTANT = [
    ((5,), (1, 2), None),
    ((3, 4), (2, 1, 0, 3), 1.5),
    ((2, 3, 4), (1, 1, 2, 0, 1, 2), -2.0),
    ((2, 1, 3, 4), (0, 2, 1, 0), None),
    ((3, 4), (-1, 2), None),
    ((2, 3, 4), (1, -2, -1, 0), 0.5),
    ((2, 3, 4), (-2, -2, 1, 1), None),
    ((3, 4), (0, 0, 0, 0), None),
    ((2, 5), (-3, -2), None),
]
NON_CONSTANT = [  # (shape, pad) for reflect, replicate and circular
    ((2, 5), (2, 1)),  # 1-D spatial, unbatched (C, W)
    ((2, 3, 5), (1, 3)),  # 1-D spatial, batched (N, C, W)
    ((2, 4, 5), (3, 1, 0, 2)),  # 2-D spatial, unbatched (C, H, W)
    ((1, 2, 3, 4), (2, 1, 1, 2)),  # 2-D spatial, batched
    ((2, 3, 3, 4), (1, 2, 2, 0, 1, 1)),  # 3-D spatial, unbatched
    ((1, 2, 3, 3, 4), (0, 2, 1, 2, 2, 1)),  # 3-D spatial, batched
    ((1, 2, 4), (-1, 2)),  # negative padding crops
    ((1, 2, 3, 4), (2, -1, -1, 1)),
]
NON_CONSTANT_MODES = ["reflect", "replicate", "circular"]


def _pad_fn(pad, mode, value=None):
    if value is None:
        return lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode)
    return lambda lib, x: lib.nn.functional.pad(x, pad, mode, value)


@pytest.mark.parametrize("shape, pad, value", CONSTANT, ids=str)
def test_constant_pad_matches_torch(shape, pad, value, rng):
    fn = _pad_fn(pad, "constant", value)
    assert_parity(fn, [_distinct(rng, shape)])
    assert_parity(fn, [_distinct(rng, shape)], dtype="float32")
    assert_gradcheck(fn, [_distinct(rng, shape)])


@pytest.mark.parametrize("shape, pad", NON_CONSTANT, ids=str)
@pytest.mark.parametrize("mode", NON_CONSTANT_MODES)
def test_non_constant_pad_matches_torch(mode, shape, pad, rng):
    fn = _pad_fn(pad, mode)
    assert_parity(fn, [_distinct(rng, shape)])
    assert_parity(fn, [_distinct(rng, shape)], dtype="float32")
    assert_gradcheck(fn, [_distinct(rng, shape)])


@pytest.mark.parametrize(
    "mode, shape, pad",
    [
        ("replicate", (1, 2, 3), (5, 4)),  # pads far wider than the input
        ("reflect", (1, 2, 4), (3, 3)),  # the widest reflect allowed
        ("reflect", (1, 2, 4), (-1, 3)),  # PyTorch reflects the uncropped input
        ("circular", (1, 2, 3), (3, 3)),  # a whole extra copy each side
        ("replicate", (1, 1, 2, 3), (4, 0, 3, 3)),
    ],
)
def test_wide_pads_match_torch(mode, shape, pad, rng):
    fn = _pad_fn(pad, mode)
    assert_parity(fn, [_distinct(rng, shape)])
    assert_gradcheck(fn, [_distinct(rng, shape)])


def test_replicate_pad_edge_collects_every_copy_of_its_gradient():
    x = glassnet.tensor([[[1.0, 2.0, 3.0]]], requires_grad=True)
    glassnet.nn.functional.pad(x, (2, 1), mode="replicate").backward(glassnet.ones(1, 1, 6))
    numpy.testing.assert_array_equal(x.grad.data, [[[3.0, 1.0, 2.0]]])


def test_pad_keeps_integer_dtype_and_casts_value_like_torch():
    x = numpy.arange(6).reshape(2, 3)
    assert_parity(lambda lib, x: lib.nn.functional.pad(x, (1, 1), value=2.7), [x])
    assert_parity(lambda lib, x: lib.nn.functional.pad(x.unsqueeze(0), (2, 1), mode="reflect"), [x])


PAD_ERRORS = [
    ((2, 3), dict(pad=(1,)), r"pad: pad \(1,\) must have an even length"),
    (
        (2, 3),
        dict(pad=(1, 1, 1, 1, 1, 1)),
        r"pad: pad \(1, 1, 1, 1, 1, 1\) has length 6, more than 2 \* ndim = 4",
    ),
    (
        (2, 3),
        dict(pad=(1, 1), mode="mirror"),
        r"pad: mode 'mirror' is not one of constant, reflect, replicate",
    ),
    ((2, 3), dict(pad=(-2, -2)), r"pad: padding \(-2, -2\) crops more than the size 3 of dim 1"),
    (
        (1, 2, 3),
        dict(pad=(3, 1), mode="reflect"),
        r"pad: reflect padding \(3, 1\) must be less than the size 3 of dim 2 \(input shape \(1, 2, 3\)\)",
    ),
    (
        (1, 2, 3, 4),
        dict(pad=(1, 1, 0, 3), mode="reflect"),
        r"reflect padding \(0, 3\) must be less than the size 3 of dim 2",
    ),
    (
        (1, 2, 3),
        dict(pad=(1, 1), mode="reflect", value=1.0),
        r"pad: mode 'reflect' takes no value \(got value=1.0\)",
    ),
    (
        (3,),
        dict(pad=(1, 1), mode="replicate"),
        r"pad: mode 'replicate' with 2 pad values needs a 2-D or 3-D input",
    ),
    (
        (1, 1, 2, 3),
        dict(pad=(1, 1), mode="reflect"),
        r"needs a 2-D or 3-D input .* got shape \(1, 1, 2, 3\)",
    ),
    (
        (2, 3),
        dict(pad=(1, 1, 1, 1), mode="circular"),
        r"mode 'circular' with 4 pad values needs a 3-D or 4-D input",
    ),
    (
        (1, 2, 3),
        dict(pad=(4, 0), mode="circular"),
        r"circular padding \(4, 0\) must be at most the size 3 of dim 2",
    ),
    (
        (1, 2, 0),
        dict(pad=(1, 0), mode="replicate"),
        r"pad: replicate padding needs dim 2 to be non-empty",
    ),
]


@pytest.mark.parametrize("shape, arguments, message", PAD_ERRORS, ids=str)
def test_bad_pad_arguments_raise_naming_them(shape, arguments, message):
    with pytest.raises(ValueError, match=message):
        glassnet.nn.functional.pad(glassnet.zeros(*shape), **arguments)


@pytest.mark.parametrize(
    "key, error, message",
    [
        ((5,), IndexError, r"index 5 is out of bounds for axis 0 with size 3"),
        ((numpy.array([True, False]),), IndexError, r"boolean index did not match"),
        ((0, 0, 0, 0), IndexError, r"too many indices"),
        (
            (numpy.array([0.5]),),
            IndexError,
            r"arrays used as indices must be of integer \(or boolean\) type",
        ),
    ],
)
def test_bad_index_raises(key, error, message):
    with pytest.raises(error, match=message):
        glassnet.zeros(*SHAPE)[key]


def test_setitem_reads_keys_like_getitem():
    """x[key] = v and x[key] agree on tensors, lists inside tuples and uint8 masks."""
    import glassnet

    x = glassnet.zeros(3, 4)
    rows = glassnet.tensor([0, 2])
    x[rows, [1, 3]] = 5.0
    assert x[rows, [1, 3]].tolist() == [5.0, 5.0]
    mask = glassnet.tensor([1, 0, 1], dtype=glassnet.uint8)
    x[mask] = 7.0
    assert x.tolist()[0] == [7.0] * 4 and x.tolist()[1] == [0.0] * 4


def test_index_out_of_range_names_the_shape():
    import glassnet

    with pytest.raises(
        IndexError,
        match=r"index 5 is out of bounds for axis 0 with size 2 \(tensor shape \(2, 3\)\)",
    ):
        glassnet.ones(2, 3)[5]
