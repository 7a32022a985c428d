"""embedding: lookup values and scatter-added gradients against torch."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import glassnet
import glassnet.nn.functional as F
from glassnet.ops.embedding import scatter_add_rows
from helpers import assert_gradcheck, assert_parity

CASES = [  # (num_embeddings, embedding_dim, index shape, options)
    (10, 4, (7,), {}),
    (5, 3, (4, 6), {}),  # 24 lookups of 5 rows: many repeats
    (6, 2, (), {}),
    (8, 3, (2, 3, 4), {"padding_idx": 2}),
    (8, 3, (5, 4), {"padding_idx": -1}),
    (6, 4, (3, 5), {"scale_grad_by_freq": True}),
    (6, 4, (3, 5), {"scale_grad_by_freq": True, "padding_idx": 0}),
]


def _embedding(options):
    return lambda lib, indices, weight: lib.nn.functional.embedding(indices, weight, **options)


def _indices(rng, num_embeddings, shape):
    indices = rng.integers(0, num_embeddings, shape)
    if indices.size >= num_embeddings:
        indices.reshape(-1)[:num_embeddings] = numpy.arange(
            num_embeddings
        )  # every row, padding included
    return numpy.asarray(indices, dtype=numpy.int64)


@pytest.mark.parametrize("num_embeddings, dim, shape, options", CASES, ids=str)
def test_embedding_matches_torch(num_embeddings, dim, shape, options, rng):
    inputs = [_indices(rng, num_embeddings, shape), rng.standard_normal((num_embeddings, dim))]
    assert_parity(_embedding(options), inputs)


@pytest.mark.parametrize("num_embeddings, dim, shape, options", CASES[1::3], ids=str)
def test_embedding_matches_torch_float32(num_embeddings, dim, shape, options, rng):
    inputs = [_indices(rng, num_embeddings, shape), rng.standard_normal((num_embeddings, dim))]
    assert_parity(_embedding(options), inputs, dtype="float32")


# padding_idx and scale_grad_by_freq change the gradient on purpose: only plain lookups are gradchecked
@pytest.mark.parametrize(
    "num_embeddings, dim, shape, options", [c for c in CASES if not c[3]], ids=str
)
def test_embedding_gradcheck(num_embeddings, dim, shape, options, rng):
    inputs = [_indices(rng, num_embeddings, shape), rng.standard_normal((num_embeddings, dim))]
    assert_gradcheck(_embedding(options), inputs)


def test_embedding_accumulates_repeated_indices():
    weight = glassnet.zeros(4, 2, dtype="float64", requires_grad=True)
    out = F.embedding(glassnet.tensor([1, 3, 1, 1]), weight)
    out.backward(numpy.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]))
    numpy.testing.assert_array_equal(weight.grad.data, [[0, 0], [13, 16], [0, 0], [3, 4]])


def test_embedding_padding_row_gets_no_gradient(rng):
    weight = glassnet.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    out = F.embedding(glassnet.tensor([[0, 4, 4], [2, 0, 1]]), weight, padding_idx=4)
    numpy.testing.assert_array_equal(out.data[0, 1], weight.data[4])  # the lookup itself is normal
    out.backward(numpy.ones(out.shape))
    numpy.testing.assert_array_equal(weight.grad.data[:, 0], [2, 1, 1, 0, 0])


def test_embedding_accepts_int32_indices(rng):
    weight = glassnet.tensor(rng.standard_normal((5, 3)))
    indices = numpy.array([[4, 0], [1, 1]])
    out = F.embedding(glassnet.tensor(indices.astype(numpy.int32)), weight)
    numpy.testing.assert_array_equal(out.data, weight.data[indices])


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (1.5, 1.0), (0.8, 3.0)])
def test_embedding_max_norm_renormalises_rows_like_torch(max_norm, norm_type, rng):
    record = {}

    def fn(lib, indices, weight):
        record[lib.__name__] = weight
        return lib.nn.functional.embedding(indices, weight, max_norm=max_norm, norm_type=norm_type)

    indices = numpy.array([[0, 2, 2], [5, 0, 3]])
    assert_parity(fn, [indices, rng.standard_normal((7, 3)) * 2.0])
    ours, theirs = record["glassnet"].data, record["torch"].detach().numpy()
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12)
    norms = numpy.linalg.norm(ours, ord=norm_type, axis=1)
    assert numpy.all(norms[[0, 2, 3, 5]] <= max_norm + 1e-6)
    assert numpy.any(norms[[1, 4, 6]] > max_norm)  # rows not looked up are left alone


def test_embedding_of_no_indices(rng):
    weight = glassnet.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    out = F.embedding(glassnet.tensor(numpy.zeros((2, 0), dtype=numpy.int64)), weight)
    assert out.shape == (2, 0, 3)
    out.backward(numpy.zeros((2, 0, 3)))
    numpy.testing.assert_array_equal(weight.grad.data, numpy.zeros((4, 3)))


@given(st.lists(st.integers(0, 6), max_size=40), st.sampled_from(["float32", "float64"]))
def test_scatter_add_rows_matches_add_at(indices, dtype):
    indices = numpy.array(indices, dtype=numpy.int64)
    rows = numpy.random.default_rng(len(indices)).standard_normal((indices.size, 3)).astype(dtype)
    expected = numpy.zeros((7, 3), dtype=dtype)
    numpy.add.at(expected, indices, rows)
    result = scatter_add_rows(indices, rows, 7, numpy)
    assert result.dtype == numpy.dtype(dtype)
    numpy.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("index", [10, 12, -1])
def test_embedding_rejects_out_of_range_index(index):
    with pytest.raises(
        ValueError, match=rf"embedding: index {index} is out of range for num_embeddings=10"
    ):
        F.embedding(glassnet.tensor([0, index, 3]), glassnet.randn(10, 3))


def test_embedding_errors():
    weight = glassnet.randn(10, 3)
    with pytest.raises(
        TypeError, match="embedding: input must hold integer indices, got dtype float32"
    ):
        F.embedding(glassnet.tensor([0.0, 1.0]), weight)
    with pytest.raises(ValueError, match=r"embedding: weight must be 2-D .* got shape \(10,\)"):
        F.embedding(glassnet.tensor([0, 1]), glassnet.randn(10))
    with pytest.raises(
        ValueError, match=r"embedding: padding_idx=10 must be within num_embeddings=10"
    ):
        F.embedding(glassnet.tensor([0, 1]), weight, padding_idx=10)
    with pytest.raises(
        ValueError, match=r"embedding: padding_idx=-11 must be within num_embeddings=10"
    ):
        F.embedding(glassnet.tensor([0, 1]), weight, padding_idx=-11)
    with pytest.raises(NotImplementedError, match="embedding: sparse=True"):
        F.embedding(glassnet.tensor([0, 1]), weight, sparse=True)
    with pytest.raises(TypeError, match="embedding: input and weight must be Tensors, got list"):
        F.embedding([0, 1], weight)
