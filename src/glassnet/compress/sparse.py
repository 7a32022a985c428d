"""Sparse storage with relative indices (Han et al.'s format) and a sparse forward for Linear.

Storage. The kept weights of a pruned layer, in row-major order of the weight flattened,
are stored as (gap, value) pairs: `gap` = how many zeros precede the weight since the
previous kept one, written in b bits. A gap larger than 2^b - 2 is split with escape
entries: the code 2^b - 1 means "skip 2^b - 1 positions, no weight here". (Han et al.
write a filler zero weight instead; the escape carries no value, so it costs b bits,
not b plus the value's bits.) With sparsity s the mean gap is about s / (1 - s): 3-5 bits
suffice for 90% sparsity, against log2(N) bits for an absolute column index.

Forward. `SparseLinear` computes y = x W^T + b with W in `scipy.sparse` CSR form
(W @ x^T, then transposed). It only pays when W is very sparse or the batch is small:
bench/bench_compress.py measures where it beats the dense BLAS product.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from glassnet.grad_mode import no_grad
from glassnet.nn.module import Module
from glassnet.tensor import Tensor


def escape_code(index_bits: int) -> int:
    """The gap code meaning "skip this many positions, no weight": the largest b-bit number."""
    return (1 << index_bits) - 1


def encode_gaps(mask: np.ndarray, index_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(gap codes with escapes, kept flat positions) for the nonzeros of `mask` (row-major).

    Decoding the codes with `decode_gaps` gives back the positions exactly.
    """
    if not 1 <= index_bits <= 16:
        raise ValueError(f"index_bits must be in 1..16, got {index_bits}")
    positions = np.flatnonzero(np.asarray(mask).ravel())
    gaps = np.diff(positions, prepend=-1) - 1  # zeros skipped before each kept weight
    escape = escape_code(index_bits)
    escapes = gaps // escape
    codes = np.empty(int(escapes.sum()) + len(gaps), np.int64)
    # each kept weight: `escapes` escape codes, then its remaining gap
    ends = np.cumsum(escapes + 1) - 1
    codes[:] = escape
    codes[ends] = gaps - escapes * escape
    return codes, positions


def decode_gaps(codes: np.ndarray, index_bits: int, size: int) -> np.ndarray:
    """Flat positions of the kept weights from gap codes (the inverse of `encode_gaps`)."""
    codes = np.asarray(codes, np.int64)
    escape = escape_code(index_bits)
    if codes.size and (codes.min() < 0 or codes.max() > escape):
        raise ValueError(f"gap codes must lie in 0..{escape}, got {codes.min()}..{codes.max()}")
    is_weight = codes != escape
    advance = np.where(is_weight, codes + 1, escape)  # a weight: its gap + itself
    positions = np.cumsum(advance)[is_weight] - 1
    if positions.size and positions[-1] >= size:
        raise ValueError(f"gap codes point past the end of the weight ({positions[-1]} >= {size})")
    return positions


def best_index_bits(mask: np.ndarray, choices: range = range(2, 9)) -> int:
    """The gap width b (bits) that minimises the total bits of the gap stream, fixed-width."""
    costs = {b: b * encode_gaps(mask, b)[0].size for b in choices}
    return min(costs, key=lambda b: (costs[b], b))


class SparseLinear(Module):
    """Inference-only Linear with a CSR weight: y = (W_csr @ x^T)^T + b (no gradients)."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray | None = None) -> None:
        super().__init__()
        weight = np.asarray(weight)
        if weight.ndim != 2:
            raise ValueError(
                f"SparseLinear: weight must be 2-D (out, in), got shape {weight.shape}"
            )
        self.out_features, self.in_features = weight.shape
        self.csr = scipy.sparse.csr_array(weight)
        self.bias_array = None if bias is None else np.asarray(bias, weight.dtype)

    @classmethod
    def from_linear(cls, layer: Module) -> SparseLinear:
        bias = None if layer.bias is None else layer.bias.data
        return cls(layer.weight.data, bias)

    def density(self) -> float:
        return self.csr.nnz / max(self.out_features * self.in_features, 1)

    def forward(self, input: Tensor) -> Tensor:
        x = input.data if isinstance(input, Tensor) else np.asarray(input)
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"SparseLinear: expected input (*, {self.in_features}), got shape {tuple(x.shape)}"
            )
        with no_grad():
            flat = x.reshape(-1, self.in_features)
            out = (self.csr @ flat.T).T
            if self.bias_array is not None:
                out = out + self.bias_array
            return Tensor(np.ascontiguousarray(out).reshape(*x.shape[:-1], self.out_features))

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"density={self.density():.3f}"
        )
