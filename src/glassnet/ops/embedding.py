"""Embedding: a lookup table, `weight[indices]`, whose backward is a scatter-add.

An embedding is a linear layer applied to one-hot vectors, computed without making
them: row i of `weight` is the vector for token i. The gradient of a row is the sum
of the upstream gradients of every position that looked it up, so repeated indices
must accumulate (plain `grad_weight[indices] = grad` would keep only the last one).
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.tensor import Tensor


def scatter_add_rows(indices: Array, rows: Array, num_rows: int, xp: Any) -> Array:
    """out[i] = sum of rows[j] over every j with indices[j] == i; out has `num_rows` rows.

    Sort the indices, then add each run of equal indices with one `add.reduceat`.
    Chosen over `add.at` (slower) and a bincount over flattened (row, column) pairs
    (which computes in float64, so float32 gradients pay double the memory traffic);
    the timings are in bench/RESULTS.md.
    """
    out = xp.zeros((num_rows,) + rows.shape[1:], dtype=rows.dtype)
    if indices.size == 0:
        return out
    order = xp.argsort(indices, kind="stable")
    sorted_indices = indices[order]
    starts = xp.flatnonzero(
        xp.concatenate((xp.ones(1, dtype=bool), sorted_indices[1:] != sorted_indices[:-1]))
    )
    out[sorted_indices[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
    return out


class Embedding(Function):
    """y[..., :] = weight[indices[...], :];  dL/dweight[i] = sum of dL/dy at positions where indices == i.

    padding_idx's row gets no gradient (it stays the vector it was initialised to,
    usually zeros). scale_grad_by_freq divides each row's gradient by how often its
    index occurs in the batch, so frequent tokens do not dominate the update.
    """

    def forward(
        self,
        weight: Array,
        indices: Array,
        padding_idx: int | None = None,
        scale_grad_by_freq: bool = False,
    ) -> Array:
        self.save(indices)
        self.num_embeddings = weight.shape[0]
        self.padding_idx = padding_idx
        self.scale_grad_by_freq = scale_grad_by_freq
        return weight[indices]

    def backward(self, grad: Array) -> tuple[Array | None, None]:
        (indices,) = self.saved
        if not self.needs_input_grad[0]:
            return None, None
        xp = self.xp
        flat = indices.reshape(-1)
        grad_weight = scatter_add_rows(
            flat, grad.reshape(flat.size, grad.shape[-1]), self.num_embeddings, xp
        )
        if self.scale_grad_by_freq:
            counts = xp.bincount(flat, minlength=self.num_embeddings)
            grad_weight /= xp.maximum(counts, 1).astype(grad_weight.dtype)[:, None]
        if self.padding_idx is not None:
            grad_weight[self.padding_idx] = 0
        return grad_weight, None


def _renorm_rows(weight: Tensor, indices: Array, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside the graph, the looked-up rows whose norm exceeds max_norm."""
    xp = namespace(weight.data)
    rows = xp.unique(indices)
    norms = xp.linalg.norm(weight.data[rows], ord=norm_type, axis=1)
    too_long = norms > max_norm
    scale = max_norm / (norms[too_long] + 1e-7)  # PyTorch's formula, epsilon included
    weight.data[rows[too_long]] *= scale.astype(weight.dtype, copy=False)[:, None]


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up the rows of `weight` (num_embeddings, embedding_dim) named by the integer `input`.

    The output has shape input.shape + (embedding_dim,). max_norm renormalises the
    looked-up rows of weight in place (as PyTorch does) before the lookup.
    """
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(
            f"embedding: input and weight must be Tensors, got {type(input).__name__} and {type(weight).__name__}"
        )
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype {input.dtype}")
    if weight.ndim != 2:
        raise ValueError(
            f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}"
        )
    if sparse:
        raise NotImplementedError(
            "embedding: sparse=True (sparse gradients) is not supported; use sparse=False"
        )
    num_embeddings = weight.shape[0]
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(
                f"embedding: padding_idx={padding_idx} must be within num_embeddings={num_embeddings} "
                f"(in [-{num_embeddings}, {num_embeddings}))"
            )
        padding_idx = padding_idx % num_embeddings
    indices = input.data
    if indices.size:
        low, high = int(indices.min()), int(indices.max())
        if low < 0 or high >= num_embeddings:
            bad = low if low < 0 else high
            raise ValueError(
                f"embedding: index {bad} is out of range for num_embeddings={num_embeddings} "
                f"(indices must be in [0, {num_embeddings - 1}])"
            )
    if max_norm is not None:
        _renorm_rows(weight, indices.reshape(-1), max_norm, norm_type)
    return Embedding.apply(
        weight, input, padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq)
    )


__all__ = ["embedding"]
