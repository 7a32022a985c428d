"""Canonical Huffman coding of integer symbols, written as a real bitstream (Deep Compression's stage 3).

Huffman (1952): repeatedly merge the two least frequent subtrees; a symbol's code length is
its depth. The code is optimal among prefix codes and its mean length L satisfies

    H(p) <= L < H(p) + 1,    H(p) = -sum_s p_s log2 p_s   (bits per symbol)

Canonical form (as in DEFLATE): only the code lengths are stored. Symbols sorted by
(length, symbol) get consecutive codes; moving to a longer length shifts left:

    code_0 = 0;  code_{i+1} = (code_i + 1) << (len_{i+1} - len_i)

so the decoder rebuilds every code from the lengths alone. A single distinct symbol gets a
1-bit code (a zero-length code could not say how many symbols there are).
Bits are packed most significant first (`numpy.packbits`), the last byte padded with zeros.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np


class HuffmanError(ValueError):
    """A bitstream or code table that cannot be decoded."""


@dataclass(frozen=True)
class HuffmanCode:
    """A canonical code: `symbols[i]` has length `lengths[i]` and code `codes[i]` (sorted canonically)."""

    symbols: np.ndarray  # int64, sorted by (length, symbol)
    lengths: np.ndarray  # int64, code length in bits of each symbol
    codes: np.ndarray  # int64 (uint as int), the canonical code word of each symbol

    def table(self) -> dict[int, int]:
        """symbol -> code length: all a decoder needs (stored in the file's JSON header)."""
        return {int(s): int(n) for s, n in zip(self.symbols, self.lengths)}

    def mean_length(self, counts: dict[int, int]) -> float:
        """Mean bits per symbol for symbols occurring `counts` times."""
        lengths = self.table()
        total = sum(counts.values())
        return sum(lengths[s] * c for s, c in counts.items()) / total


def entropy(counts: dict[int, int] | np.ndarray) -> float:
    """H = -sum p log2 p of the empirical distribution, in bits per symbol."""
    values = np.asarray(list(counts.values()) if isinstance(counts, dict) else counts, float)
    p = values[values > 0] / values.sum()
    return float(-(p * np.log2(p)).sum())


def code_lengths(counts: dict[int, int]) -> dict[int, int]:
    """symbol -> Huffman code length for symbols with positive counts (a heap of merged subtrees)."""
    if not counts or any(c <= 0 for c in counts.values()):
        raise HuffmanError(f"huffman: counts must be positive and non-empty, got {counts!r:.80}")
    if len(counts) == 1:
        return {next(iter(counts)): 1}
    # heap items: (count, tie-breaker, symbols in the subtree); each merge deepens its symbols by 1
    heap = [(c, i, [s]) for i, (s, c) in enumerate(sorted(counts.items()))]
    heapq.heapify(heap)
    depth = dict.fromkeys(counts, 0)
    tie = len(heap)
    while len(heap) > 1:
        c1, _, s1 = heapq.heappop(heap)
        c2, _, s2 = heapq.heappop(heap)
        for symbol in s1 + s2:
            depth[symbol] += 1
        heapq.heappush(heap, (c1 + c2, tie, s1 + s2))
        tie += 1
    return depth


def canonical(lengths: dict[int, int]) -> HuffmanCode:
    """The canonical code for `lengths` (symbol -> bits); checks the Kraft sum is <= 1."""
    if not lengths:
        raise HuffmanError("huffman: an empty code table")
    items = sorted((int(n), int(s)) for s, n in lengths.items())
    if items[0][0] < 1 or items[-1][0] > 62:
        raise HuffmanError(
            f"huffman: code lengths must be in 1..62, got {items[0][0]}..{items[-1][0]}"
        )
    if sum(2.0**-n for n, _ in items) > 1 + 1e-12:
        raise HuffmanError(
            "huffman: the code lengths violate Kraft's inequality (a tampered table?)"
        )
    codes, code, previous = [], 0, items[0][0]
    for index, (n, _) in enumerate(items):
        if index:
            code = (code + 1) << (n - previous)
        codes.append(code)
        previous = n
    return HuffmanCode(
        np.array([s for _, s in items], np.int64),
        np.array([n for n, _ in items], np.int64),
        np.array(codes, np.int64),
    )


def build_code(symbols: np.ndarray) -> HuffmanCode:
    """The canonical Huffman code of the symbols' empirical distribution."""
    values, counts = np.unique(np.asarray(symbols, np.int64), return_counts=True)
    return canonical(code_lengths(dict(zip(values.tolist(), counts.tolist()))))


def encode(symbols: np.ndarray, code: HuffmanCode) -> tuple[np.ndarray, int]:
    """(bytes as uint8, number of bits): every symbol's code word, concatenated MSB first."""
    symbols = np.asarray(symbols, np.int64).ravel()
    if symbols.size == 0:
        return np.zeros(0, np.uint8), 0
    order = np.argsort(code.symbols)
    sorted_symbols = code.symbols[order]
    where = np.clip(np.searchsorted(sorted_symbols, symbols), 0, len(order) - 1)
    if not np.array_equal(sorted_symbols[where], symbols):
        missing = sorted(set(symbols.tolist()) - set(code.symbols.tolist()))[:5]
        raise HuffmanError(f"huffman: symbols {missing} have no code")
    lengths = code.lengths[order][where]
    words = code.codes[order][where]
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    owner = np.repeat(np.arange(symbols.size), lengths)
    bit_in_word = np.arange(total) - starts[owner]
    bits = (words[owner] >> (lengths[owner] - 1 - bit_in_word)) & 1
    return np.packbits(bits.astype(np.uint8)), total


def decode(data: np.ndarray, num_bits: int, count: int, code: HuffmanCode) -> np.ndarray:
    """The `count` symbols coded in the first `num_bits` bits of `data` (canonical decoding).

    Per length n: codes of that length are first[n] .. first[n] + count[n] - 1 and map to
    consecutive entries of the canonical symbol list, so one pass over the bits suffices.
    """
    data = np.asarray(data, np.uint8)
    if num_bits > 8 * data.size:
        raise HuffmanError(
            f"huffman: the stream holds {8 * data.size} bits, the header says {num_bits}"
        )
    bits = np.unpackbits(data)[:num_bits].tolist()
    max_len = int(code.lengths.max())
    per_length = np.bincount(code.lengths, minlength=max_len + 1).tolist()
    first_code, first_index = [0] * (max_len + 2), [0] * (max_len + 2)
    value, index = 0, 0
    for n in range(1, max_len + 1):
        if n > 1:
            value = (value + per_length[n - 1]) << 1
        first_code[n], first_index[n] = value, index
        index += per_length[n]
    symbols = code.symbols.tolist()
    out: list[int] = []
    word, length, position = 0, 0, 0
    while len(out) < count:
        if position >= num_bits:
            raise HuffmanError(
                f"huffman: the stream ended after {len(out)} of {count} symbols (truncated?)"
            )
        word = (word << 1) | bits[position]
        position += 1
        length += 1
        if length > max_len:
            raise HuffmanError(f"huffman: no code word matches the bits at {position - length}")
        offset = word - first_code[length]
        if 0 <= offset < per_length[length]:
            out.append(symbols[first_index[length] + offset])
            word, length = 0, 0
    if position != num_bits:
        raise HuffmanError(f"huffman: {num_bits - position} bits left over after {count} symbols")
    return np.array(out, np.int64)


def fixed_bits(alphabet: int) -> int:
    """Bits per symbol of a fixed-width code for `alphabet` symbols (at least 1)."""
    return max(1, math.ceil(math.log2(max(alphabet, 1))))
