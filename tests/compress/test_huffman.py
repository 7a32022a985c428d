"""Canonical Huffman: exact round trips on random and adversarial streams, mean length within 1 bit of entropy."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.compress import huffman


def _counts(symbols: np.ndarray) -> dict[int, int]:
    values, counts = np.unique(symbols, return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


STREAMS = {
    "uniform-32": lambda rng: rng.integers(0, 32, 3000),
    "geometric": lambda rng: rng.geometric(0.2, 4000),
    "one-symbol": lambda rng: np.full(50, 7),
    "one-sample": lambda rng: np.array([3]),
    "all-equal-counts": lambda rng: np.repeat(np.arange(16), 5),
    "2^16-symbols": lambda rng: rng.permutation(2**16),
    "fibonacci-skew": lambda rng: np.repeat(
        np.arange(20),
        [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765],
    ),
}


@pytest.mark.parametrize("name", list(STREAMS))
def test_round_trip_is_exact_and_mean_length_within_one_bit_of_entropy(name, rng):
    symbols = STREAMS[name](rng)
    code = huffman.build_code(symbols)
    data, num_bits = huffman.encode(symbols, code)
    assert data.dtype == np.uint8 and data.size == (num_bits + 7) // 8
    np.testing.assert_array_equal(huffman.decode(data, num_bits, symbols.size, code), symbols)
    counts = _counts(symbols)
    mean = num_bits / symbols.size
    assert mean == pytest.approx(code.mean_length(counts))
    entropy = huffman.entropy(counts)
    assert entropy - 1e-9 <= mean <= entropy + 1
    if len(counts) > 1:  # one symbol still costs 1 bit against an entropy of 0
        assert mean < entropy + 1


def test_fibonacci_counts_give_the_deepest_code_and_equal_counts_a_flat_one(rng):
    lengths = huffman.code_lengths(_counts(STREAMS["fibonacci-skew"](rng)))
    assert max(lengths.values()) == 19 and min(lengths.values()) == 1
    assert set(huffman.code_lengths(_counts(STREAMS["all-equal-counts"](rng))).values()) == {4}


def test_canonical_codes_follow_the_deflate_rule():
    # lengths A:2 B:1 C:3 D:3 -> B=0, A=10, C=110, D=111 (RFC 1951's example, symbols as 0..3)
    code = huffman.canonical({0: 2, 1: 1, 2: 3, 3: 3})
    table = {int(s): (int(n), int(c)) for s, n, c in zip(code.symbols, code.lengths, code.codes)}
    assert table == {1: (1, 0b0), 0: (2, 0b10), 2: (3, 0b110), 3: (3, 0b111)}


def test_a_truncated_stream_fails_clearly(rng):
    symbols = rng.integers(0, 8, 200)
    code = huffman.build_code(symbols)
    data, num_bits = huffman.encode(symbols, code)
    with pytest.raises(huffman.HuffmanError, match="holds .* bits, the header says"):
        huffman.decode(data[:-3], num_bits, symbols.size, code)
    with pytest.raises(huffman.HuffmanError, match="stream ended after"):
        huffman.decode(data, num_bits - 9, symbols.size, code)


def test_a_table_violating_kraft_is_refused():
    with pytest.raises(huffman.HuffmanError, match="Kraft"):
        huffman.canonical({0: 1, 1: 1, 2: 1})


def test_a_symbol_without_a_code_is_refused():
    code = huffman.build_code(np.array([0, 1, 1]))
    with pytest.raises(huffman.HuffmanError, match=r"symbols \[5\] have no code"):
        huffman.encode(np.array([0, 5]), code)
