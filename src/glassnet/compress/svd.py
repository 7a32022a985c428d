"""SVD of fully connected layers (Xue, Li & Gong 2013): one Linear becomes two thinner ones.

A Linear(n, m) with weight W (m x n) and bias b is replaced by its truncated SVD,

    W = U S V^T  ->  W_k = U_k S_k V_k^T,     y = W_k x + b = B (A x) + b,
    A = sqrt(S_k) V_k^T  (k x n, Linear(n, k, bias=False)),   B = U_k sqrt(S_k)  (m x k, Linear(k, m)),

(the square root splits the scale evenly between the two factors, which helps fine-tuning).
Parameters go from m n + m to k (n + m) + m; by Eckart-Young W_k is the best rank-k
approximation and ||W - W_k||_F^2 = sum_{i>k} s_i^2, the discarded energy.

The rank comes from one of: `rank` (k itself), `energy` (the smallest k keeping that share
of sum s_i^2) or `budget` (the largest k whose factored pair has at most that share of the
layer's parameters). A layer whose factored form would not be smaller is left alone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from glassnet.compress.prune import CompressionError
from glassnet.compress.swap import set_submodule
from glassnet.nn.container import Sequential
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter


@dataclass
class SvdLayer:
    """What happened to one Linear: its shape, the rank kept and the energy discarded."""

    name: str
    in_features: int
    out_features: int
    rank: int
    params_before: int
    params_after: int
    kept_energy: float  # sum_{i<=k} s_i^2 / sum s_i^2
    error: float  # ||W - W_k||_F^2 = sum_{i>k} s_i^2
    factored: bool


def choose_rank(
    singular_values: np.ndarray,
    shape: tuple[int, int],
    rank: int | None = None,
    energy: float | None = None,
    budget: float | None = None,
) -> int:
    """k from exactly one of rank, energy (share of sum s^2 kept) or budget (share of params kept)."""
    given = [v is not None for v in (rank, energy, budget)]
    if sum(given) != 1:
        raise CompressionError("svd: give exactly one of rank, energy and budget")
    full = len(singular_values)
    m, n = shape
    if rank is not None:
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise CompressionError(f"svd: rank must be an integer >= 1, got {rank!r}")
        return min(rank, full)
    if energy is not None:
        if not 0 < energy <= 1:
            raise CompressionError(f"svd: energy must be in (0, 1], got {energy!r}")
        power = np.asarray(singular_values, dtype=np.float64) ** 2
        kept = np.cumsum(power) / max(power.sum(), 1e-300)
        return int(min(np.searchsorted(kept, energy * (1 - 1e-12)) + 1, full))
    if not 0 < budget <= 1:
        raise CompressionError(f"svd: budget must be in (0, 1], got {budget!r}")
    allowed = budget * (m * n + m) - m  # k (n + m) <= budget * params - bias
    return int(min(max(allowed // (n + m), 1), full))


def factor_linear(layer: Linear, rank: int) -> Sequential:
    """Sequential(Linear(n, k, bias=False), Linear(k, m)) computing W_k x + b."""
    weight = layer.weight.data.astype(np.float64)
    with threadpool_limits(1):  # small SVDs: more BLAS threads only fight on a busy machine
        u, s, vt = np.linalg.svd(weight, full_matrices=False)
    k = min(rank, len(s))
    root = np.sqrt(s[:k])
    dtype = layer.weight.data.dtype
    first = Linear(layer.in_features, k, bias=False, dtype=dtype)
    second = Linear(k, layer.out_features, bias=layer.bias is not None, dtype=dtype)
    first.weight = Parameter((root[:, None] * vt[:k]).astype(dtype))
    second.weight = Parameter((u[:, :k] * root[None, :]).astype(dtype))
    if layer.bias is not None:
        second.bias = Parameter(layer.bias.data.copy())
    return Sequential(first, second)


def _params(layer: Linear) -> int:
    return layer.in_features * layer.out_features + (
        layer.out_features if layer.bias is not None else 0
    )


def svd_compress(
    model: Module,
    rank: int | None = None,
    energy: float | None = None,
    budget: float | None = None,
    layers: list[str] | None = None,
) -> tuple[Module, list[SvdLayer]]:
    """A copy of `model` with its Linear layers (or the named `layers`) factored by truncated SVD.

    Returns (the new model, one SvdLayer per Linear considered). A layer is factored only when
    k (n + m) < m n; the others are kept and reported with factored=False.
    """
    linears = {name: m for name, m in model.named_modules() if isinstance(m, Linear)}
    if layers is not None:
        missing = [name for name in layers if name not in linears]
        if missing:
            raise CompressionError(
                f"svd: no Linear named {missing} in {type(model).__name__}; it has {list(linears)}"
            )
        linears = {name: linears[name] for name in layers}
    if not linears:
        raise CompressionError(f"svd: {type(model).__name__} has no Linear layer to factor")
    new = copy.deepcopy(model)
    report = []
    for name, layer in linears.items():
        weight = layer.weight.data.astype(np.float64)
        with threadpool_limits(1):
            s = np.linalg.svd(weight, compute_uv=False)
        k = choose_rank(s, weight.shape, rank, energy, budget)
        power = s**2
        m, n = weight.shape
        factored = k * (n + m) < m * n
        before = _params(layer)
        after = k * (n + m) + (m if layer.bias is not None else 0) if factored else before
        if factored:
            set_submodule(new, name, factor_linear(layer, k))
        report.append(
            SvdLayer(
                name,
                n,
                m,
                k if factored else len(s),
                before,
                after,
                float(power[:k].sum() / power.sum()) if factored else 1.0,
                float(power[k:].sum()) if factored else 0.0,
                factored,
            )
        )
    return new, report
