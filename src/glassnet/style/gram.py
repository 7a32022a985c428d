"""The Gram matrix of feature maps as one op: G = F F^T, with a one-GEMM backward."""

from __future__ import annotations

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.tensor import Tensor


class Gram(Function):
    r"""G[n] = F[n] F[n]^T for features F of shape (N, C, M) (M = H * W positions).

    G[n, i, j] = sum_m F[n, i, m] F[n, j, m]: how often channels i and j fire together,
    wherever that is in the picture; the positions are summed away, which is why a
    Gram matrix describes texture ("style") and not layout.

    dL/dF = (dG + dG^T) F. Written as one op so that the backward is one matrix
    product; `F @ F.transpose()` through autograd would do two.
    """

    def forward(self, features: Array) -> Array:
        self.save(features)
        return features @ features.swapaxes(-1, -2)

    def backward(self, grad: Array) -> Array:
        (features,) = self.saved
        return (grad + grad.swapaxes(-1, -2)) @ features


def gram(features: Tensor) -> Tensor:
    """F F^T over the last axis of a (N, C, M) tensor: (N, C, C), unnormalised."""
    if features.ndim != 3:
        raise ValueError(f"gram: features must be (N, C, M), got shape {tuple(features.shape)}")
    return Gram.apply(features)
