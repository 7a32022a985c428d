"""Low-rank convolutions: Tucker-2 (Kim et al. 2016) and the separable k x 1 then 1 x k form (Jaderberg et al. 2014).

Tucker-2 on a Conv2d weight W (C_out, C_in, k_h, k_w), on the two channel modes only:

    W[o, i, h, w] ~ sum_{r, s} G[r, s, h, w] U[o, r] V[i, s]
    -> Conv2d(C_in, R_in, 1, bias=False)  weight V^T      (project the input channels)
       Conv2d(R_in, R_out, k, stride, padding, bias=False)  weight G   (the core, same geometry)
       Conv2d(R_out, C_out, 1)            weight U, the original bias

computed by TensorLy's `partial_tucker(W, rank=[R_out, R_in], modes=[0, 1])` (HOOI;
returns ((core, factors), errors) in TensorLy 0.10). Parameters: C_in R_in + R_in R_out k_h k_w
+ R_out C_out against C_out C_in k_h k_w. With full ranks the factors are square and
orthogonal and the decomposition is exact.

Separable (Jaderberg et al.'s scheme 2, solved in closed form by SVD as Tai et al. 2016 do):
arrange W as the matrix M[(i, h), (o, w)] = W[o, i, h, w]; its rank-K truncated SVD
M ~ A B gives a vertical Conv2d(C_in, K, (k_h, 1)) with weight A and a horizontal
Conv2d(K, C_out, (1, k_w)) with weight B: K (C_in k_h + C_out k_w) parameters. K =
min(C_in k_h, C_out k_w) is exact.

Ranks: `ranks` given, or `budget` (the share of the conv's parameters the replacement may
use; the largest ranks, in proportion to the channels, that fit). Fine-tune after.
"""

from __future__ import annotations

import copy
import math

import numpy as np
from tensorly.decomposition import partial_tucker
from threadpoolctl import threadpool_limits

from glassnet.compress.prune import CompressionError
from glassnet.compress.swap import set_submodule
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter

METHODS = ("tucker", "separable")


def _params(conv: Conv2d) -> int:
    return conv.weight.data.size + (conv.out_channels if conv.bias is not None else 0)


def tucker_params(conv: Conv2d, r_out: int, r_in: int) -> int:
    kh, kw = conv.kernel_size
    bias = conv.out_channels if conv.bias is not None else 0
    return conv.in_channels * r_in + r_in * r_out * kh * kw + r_out * conv.out_channels + bias


def separable_params(conv: Conv2d, rank: int) -> int:
    kh, kw = conv.kernel_size
    bias = conv.out_channels if conv.bias is not None else 0
    return rank * (conv.in_channels * kh + conv.out_channels * kw) + bias


def _check_conv(conv: Conv2d) -> None:
    if not isinstance(conv, Conv2d) or conv.groups != 1:
        raise CompressionError(f"low-rank: needs a Conv2d with groups=1, got {conv!r}")


def tucker_ranks(conv: Conv2d, budget: float) -> tuple[int, int]:
    """The largest (R_out, R_in), proportional to (C_out, C_in), using <= budget of the conv's parameters."""
    if not 0 < budget <= 1:
        raise CompressionError(f"low-rank: budget must be in (0, 1], got {budget!r}")
    widest = max(conv.out_channels, conv.in_channels)
    best = (1, 1)
    for step in range(1, widest + 1):
        ranks = (
            math.ceil(step * conv.out_channels / widest),
            math.ceil(step * conv.in_channels / widest),
        )
        if tucker_params(conv, *ranks) > budget * _params(conv):
            break
        best = ranks
    return best


def separable_rank(conv: Conv2d, budget: float) -> int:
    if not 0 < budget <= 1:
        raise CompressionError(f"low-rank: budget must be in (0, 1], got {budget!r}")
    per_rank = separable_params(conv, 1) - (conv.out_channels if conv.bias is not None else 0)
    return max(1, int(budget * conv.weight.data.size // per_rank))


def _conv(in_c: int, out_c: int, kernel, weight: np.ndarray, bias=None, **geometry) -> Conv2d:
    conv = Conv2d(in_c, out_c, kernel, bias=bias is not None, dtype=weight.dtype, **geometry)
    conv.weight = Parameter(np.ascontiguousarray(weight))
    if bias is not None:
        conv.bias = Parameter(bias.copy())
    return conv


def tucker2(conv: Conv2d, r_out: int, r_in: int) -> Sequential:
    """1x1 (C_in -> R_in), k x k core (R_in -> R_out), 1x1 (R_out -> C_out) from partial_tucker."""
    _check_conv(conv)
    r_out, r_in = min(r_out, conv.out_channels), min(r_in, conv.in_channels)
    weight = conv.weight.data
    with threadpool_limits(
        1
    ):  # small SVDs: several BLAS threads only fight (400x slower on a busy machine)
        (core, (u, v)), _ = partial_tucker(
            weight.astype(np.float64), rank=[r_out, r_in], modes=[0, 1], random_state=0
        )
    dtype = weight.dtype
    bias = None if conv.bias is None else conv.bias.data
    geometry = {"stride": conv.stride, "padding": conv.padding, "dilation": conv.dilation}
    return Sequential(
        _conv(conv.in_channels, r_in, 1, v.T[:, :, None, None].astype(dtype)),
        _conv(r_in, r_out, conv.kernel_size, core.astype(dtype), **geometry),
        _conv(r_out, conv.out_channels, 1, u[:, :, None, None].astype(dtype), bias),
    )


def separable(conv: Conv2d, rank: int) -> Sequential:
    """Conv2d(C_in, K, (k_h, 1)) then Conv2d(K, C_out, (1, k_w)) from the SVD of W as (C_in k_h) x (C_out k_w)."""
    _check_conv(conv)
    w = conv.weight.data.astype(np.float64)
    out_c, in_c, kh, kw = w.shape
    matrix = w.transpose(1, 2, 0, 3).reshape(in_c * kh, out_c * kw)
    with threadpool_limits(1):
        a, s, b = np.linalg.svd(matrix, full_matrices=False)
    k = min(rank, len(s))
    root = np.sqrt(s[:k])
    vertical = (
        (a[:, :k] * root).reshape(in_c, kh, k).transpose(2, 0, 1)[..., None]
    )  # (K, C_in, kh, 1)
    horizontal = (root[:, None] * b[:k]).reshape(k, out_c, kw).transpose(1, 0, 2)[:, :, None, :]
    (sh, sw), (ph, pw), (dh, dw) = conv.stride, conv.padding, conv.dilation
    dtype = conv.weight.data.dtype
    bias = None if conv.bias is None else conv.bias.data
    return Sequential(
        _conv(in_c, k, (kh, 1), vertical.astype(dtype), stride=(sh, 1), padding=(ph, 0), dilation=(dh, 1)),
        _conv(k, out_c, (1, kw), horizontal.astype(dtype), bias, stride=(1, sw), padding=(0, pw), dilation=(1, dw)),
    )  # fmt: skip


def lowrank_compress(
    model: Module, budget: float = 0.5, method: str = "tucker"
) -> tuple[Module, list[str]]:
    """A copy of `model` with every k x k (k > 1, groups=1) Conv2d decomposed; returns (model, names replaced).

    A conv whose replacement would not be smaller is kept.
    """
    if method not in METHODS:
        raise CompressionError(f"low-rank: method must be tucker or separable, got {method!r}")
    new, replaced = copy.deepcopy(model), []
    for name, conv in model.named_modules():
        if not isinstance(conv, Conv2d) or conv.groups != 1 or conv.kernel_size == (1, 1):
            continue
        if method == "tucker":
            ranks = tucker_ranks(conv, budget)
            if tucker_params(conv, *ranks) >= _params(conv):
                continue
            set_submodule(new, name, tucker2(conv, *ranks))
        else:
            rank = separable_rank(conv, budget)
            if separable_params(conv, rank) >= _params(conv):
                continue
            set_submodule(new, name, separable(conv, rank))
        replaced.append(name)
    return new, replaced
