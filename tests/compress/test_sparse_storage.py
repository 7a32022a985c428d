"""Relative-index sparse storage (gaps with escapes) round trips; SparseLinear equals the dense Linear."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import glassnet
from glassnet import nn
from glassnet.compress.sparse import (
    SparseLinear,
    best_index_bits,
    decode_gaps,
    encode_gaps,
    escape_code,
)


@given(
    density=st.floats(0.0, 1.0),
    bits=st.integers(1, 8),
    size=st.integers(1, 600),
    seed=st.integers(0, 2**16),
)
def test_gap_codes_give_back_the_positions_exactly(density, bits, size, seed):
    mask = np.random.default_rng(seed).random(size) < density
    codes, positions = encode_gaps(mask, bits)
    assert codes.min(initial=0) >= 0 and codes.max(initial=0) <= escape_code(bits)
    np.testing.assert_array_equal(decode_gaps(codes, bits, size), np.flatnonzero(mask))
    np.testing.assert_array_equal(positions, np.flatnonzero(mask))


def test_a_long_gap_is_split_by_escapes():
    mask = np.zeros(40, bool)
    mask[[2, 30]] = True  # gaps 2 and 27 zeros; 3-bit codes: escape = 7
    codes, _ = encode_gaps(mask, 3)
    np.testing.assert_array_equal(codes, [2, 7, 7, 7, 6])  # 27 = 7 + 7 + 7 + 6


def test_best_index_bits_minimises_the_stream():
    mask = np.random.default_rng(0).random(5000) < 0.1  # mean gap ~9
    best = best_index_bits(mask)
    cost = {b: b * encode_gaps(mask, b)[0].size for b in range(2, 9)}
    assert cost[best] == min(cost.values()) and best in (3, 4, 5)


def test_codes_pointing_past_the_end_are_refused():
    with pytest.raises(ValueError, match="past the end"):
        decode_gaps(np.array([3, 9]), 4, 10)


@pytest.mark.parametrize("density", [0.0, 0.05, 0.5, 1.0])
def test_sparse_linear_equals_the_dense_linear(density, rng):
    glassnet.manual_seed(0)
    dense = nn.Linear(30, 20)
    dense.weight.data *= (rng.random((20, 30)) < density).astype(np.float32)
    sparse = SparseLinear.from_linear(dense)
    x = rng.standard_normal((7, 30)).astype(np.float32)
    np.testing.assert_allclose(
        sparse(glassnet.tensor(x)).data, dense(glassnet.tensor(x)).data, rtol=1e-5, atol=1e-6
    )
    assert sparse.density() == pytest.approx(np.count_nonzero(dense.weight.data) / 600)
    with pytest.raises(ValueError, match=r"expected input \(\*, 30\)"):
        sparse(glassnet.tensor(x[:, :5]))
