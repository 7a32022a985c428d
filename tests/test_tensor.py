"""Making tensors: dtype rules, creation functions, type promotion, errors — all against torch."""

from __future__ import annotations

import itertools

import numpy
import pytest
import torch

import glassnet


def torch_dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


@pytest.mark.parametrize(
    "data",
    [
        1.5,
        3,
        True,
        [1.0, 2.0],
        [[1, 2], [3, 4]],
        [True, False],
        numpy.float32(2.0),
        numpy.arange(3, dtype=numpy.int32),
        numpy.ones(2, dtype=numpy.float64),
        numpy.zeros(2, dtype=numpy.uint8),
    ],
    ids=repr,
)
def test_tensor_dtype_follows_torch(data):
    ours = glassnet.tensor(data)
    theirs = torch.tensor(data)
    assert str(ours.dtype) == torch_dtype_name(theirs.dtype)
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_tensor_copies_its_input_and_as_tensor_shares():
    array = numpy.zeros(3, dtype=numpy.float32)
    copied, shared = glassnet.tensor(array), glassnet.as_tensor(array)
    array[0] = 5
    assert copied.tolist()[0] == 0 and shared.tolist()[0] == 5
    assert glassnet.from_numpy(array).data is array


def test_unsupported_dtypes_are_rejected_by_name():
    with pytest.raises(TypeError, match="dtype complex128 is not supported"):
        glassnet.tensor(numpy.ones(2, dtype=complex))
    with pytest.raises(TypeError, match="dtype float16 is not supported"):
        glassnet.zeros(2, dtype="float16")
    with pytest.raises(TypeError, match="cannot make a tensor from"):
        glassnet.tensor([[1, 2], [3]])


CREATION = [
    ("zeros", lambda lib: lib.zeros(2, 3)),
    ("zeros_tuple", lambda lib: lib.zeros((2, 3), dtype=lib.float64)),
    ("ones", lambda lib: lib.ones(4, dtype=lib.int64)),
    ("full_float", lambda lib: lib.full((2,), 1.5)),
    ("full_int", lambda lib: lib.full((2, 2), 7)),
    ("full_bool", lambda lib: lib.full((2,), True)),
    ("arange_int", lambda lib: lib.arange(5)),
    ("arange_range", lambda lib: lib.arange(2, 11, 3)),
    ("arange_float", lambda lib: lib.arange(0, 1, 0.25)),
    ("linspace", lambda lib: lib.linspace(-1, 1, 5)),
    ("eye", lambda lib: lib.eye(3)),
    ("eye_rect", lambda lib: lib.eye(2, 4)),
    ("zeros_like", lambda lib: lib.zeros_like(lib.ones(2, 2, dtype=lib.float64))),
    ("ones_like", lambda lib: lib.ones_like(lib.arange(3))),
    ("full_like", lambda lib: lib.full_like(lib.ones(3), 2.5)),
]


@pytest.mark.parametrize("name, make", CREATION, ids=[c[0] for c in CREATION])
def test_creation_matches_torch(name, make):
    ours, theirs = make(glassnet), make(torch)
    assert str(ours.dtype) == torch_dtype_name(theirs.dtype)
    numpy.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_random_tensors_are_reproducible_and_have_the_right_distribution():
    glassnet.manual_seed(7)
    first = glassnet.randn(10_000)
    glassnet.manual_seed(7)
    assert numpy.array_equal(first.numpy(), glassnet.randn(10_000).numpy())
    assert first.dtype == glassnet.float32
    assert abs(first.numpy().mean()) < 0.05 and abs(first.numpy().std() - 1) < 0.05
    uniform = glassnet.rand(10_000).numpy()
    assert uniform.min() >= 0 and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.02
    ints = glassnet.randint(3, 7, (1000,))
    assert ints.dtype == glassnet.int64 and set(ints.tolist()) == {3, 4, 5, 6}
    assert set(glassnet.randint(4, (500,)).tolist()) == {0, 1, 2, 3}
    assert sorted(glassnet.randperm(6).tolist()) == list(range(6))


SAMPLES = {
    "f32": lambda lib: lib.ones(2, dtype=lib.float32),
    "f64": lambda lib: lib.ones(2, dtype=lib.float64),
    "i64": lambda lib: lib.ones(2, dtype=lib.int64),
    "i32": lambda lib: lib.ones(2, dtype=lib.int32),
    "u8": lambda lib: lib.ones(2, dtype=lib.uint8),
    "b": lambda lib: lib.ones(2, dtype=lib.bool),
    "f64_0d": lambda lib: lib.tensor(1.0, dtype=lib.float64),
    "i64_0d": lambda lib: lib.tensor(1),
    "float": lambda lib: 2.5,
    "int": lambda lib: 3,
    "bool": lambda lib: True,
}


PAIRS = [
    (a, b)
    for a, b in itertools.product(SAMPLES, repeat=2)
    if not (
        isinstance(SAMPLES[a](torch), (int, float)) and isinstance(SAMPLES[b](torch), (int, float))
    )
]


@pytest.mark.parametrize("left, right", PAIRS)
def test_result_type_matches_torch(left, right):
    ours = glassnet.result_type(SAMPLES[left](glassnet), SAMPLES[right](glassnet))
    theirs = torch.result_type(SAMPLES[left](torch), SAMPLES[right](torch))
    assert str(ours) == torch_dtype_name(theirs)


@pytest.mark.parametrize(
    "left, right",
    [
        ("f32", "float"),
        ("i64", "float"),
        ("f32", "f64_0d"),
        ("u8", "i64_0d"),
        ("i32", "i64"),
        ("b", "int"),
        ("f32", "f64"),
    ],
)
def test_binary_op_result_dtype_matches_torch(left, right):
    ours = SAMPLES[left](glassnet) * SAMPLES[right](glassnet)
    theirs = SAMPLES[left](torch) * SAMPLES[right](torch)
    assert str(ours.dtype) == torch_dtype_name(theirs.dtype)


def test_tensor_basics():
    t = (
        glassnet.arange(6).reshape(2, 3)
        if hasattr(glassnet.Tensor, "reshape")
        else glassnet.zeros(2, 3)
    )
    assert (
        t.shape == (2, 3)
        and t.size() == (2, 3)
        and t.size(1) == 3
        and t.dim() == 2
        and t.numel() == 6
    )
    assert len(t) == 2
    assert glassnet.tensor([2.5]).item() == 2.5 and float(glassnet.tensor(1.5)) == 1.5
    with pytest.raises(ValueError, match=r"only one-element tensors.*shape \(2,\)"):
        glassnet.ones(2).item()
    with pytest.raises(RuntimeError, match="numpy\\(\\): the tensor requires grad"):
        glassnet.ones(2, requires_grad=True).numpy()
    assert "requires_grad=True" in repr(glassnet.ones(2, requires_grad=True))
    assert "dtype=glassnet.float64" in repr(glassnet.ones(1, dtype=glassnet.float64))


def test_casts_are_differentiable():
    x = glassnet.tensor([1.5, 2.5], requires_grad=True)
    y = x.double() * 2
    assert y.dtype == glassnet.float64
    y.backward(glassnet.ones(2, dtype=glassnet.float64))
    assert x.grad.dtype == glassnet.float32 and x.grad.tolist() == [2.0, 2.0]
    assert x.long().tolist() == [1, 2] and x.to("float64").dtype == glassnet.float64
