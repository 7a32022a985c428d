"""addmm and baddbmm: BLAS's "scale, multiply, accumulate" forms, beta * input + alpha * (A @ B).

Built from verified ops (mm/bmm, mul, add), so the gradients are theirs: dL/dinput =
beta g, dL/dA = alpha g B^T, dL/dB = alpha A^T g.
"""

from __future__ import annotations

from glassnet.ops.linalg import bmm, mm
from glassnet.tensor import Tensor


def _scaled_sum(input: Tensor, product: Tensor, beta: float, alpha: float) -> Tensor:
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # as PyTorch: input is ignored (even NaN in it does not propagate)
        return product
    return product + (input if beta == 1 else input * beta)


def addmm(
    input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1
) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to (n, p)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1
) -> Tensor:
    """beta * input + alpha * (batch1 @ batch2) for batches (b, n, m) @ (b, m, p)."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


__all__ = ["addmm", "baddbmm"]

Tensor.define_methods(addmm=addmm, baddbmm=baddbmm)
