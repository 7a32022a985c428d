"""Matrix products: matmul (the `@` operator, mm, bmm) and linear.

matmul follows PyTorch (and NumPy): a 1-D operand is a row vector on the left and a
column vector on the right, and that dim is removed from the result again; dims
before the last two are batch dims and broadcast. For C = A B the gradients are
dA = dC B^T and dB = A^T dC, each summed over the batch dims its operand was
broadcast along.
"""

from __future__ import annotations

from typing import Any

from glassnet.autograd import unbroadcast
from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote
from glassnet.tensor import Tensor


def _as_matrix_shapes(a_shape: tuple, b_shape: tuple) -> tuple[tuple, tuple]:
    """The shapes matmul works with: a 1-D left operand as (1, k), a 1-D right one as (k, 1)."""
    return ((1,) + a_shape if len(a_shape) == 1 else a_shape), (
        b_shape + (1,) if len(b_shape) == 1 else b_shape
    )


def _batch_shape(op: str, a_shape: tuple, b_shape: tuple) -> tuple[int, ...]:
    """Broadcast the batch dims (all but the last two) of two matrix shapes, or raise."""
    a_batch, b_batch = a_shape[:-2], b_shape[:-2]
    width = len(a_batch) if len(a_batch) > len(b_batch) else len(b_batch)
    a_full = (1,) * (width - len(a_batch)) + a_batch
    b_full = (1,) * (width - len(b_batch)) + b_batch
    batch = []
    for a_size, b_size in zip(a_full, b_full):
        if a_size != b_size and a_size != 1 and b_size != 1:
            raise ValueError(
                f"{op}: the batch dims {a_batch} of input shape {a_shape} and {b_batch} of other "
                f"shape {b_shape} do not broadcast"
            )
        batch.append(a_size if b_size == 1 else b_size)
    return tuple(batch)


def _check_matmul(op: str, a_shape: tuple, b_shape: tuple) -> None:
    """PyTorch's shape rules for matmul, with both shapes in every message."""
    if not a_shape or not b_shape:
        raise ValueError(
            f"{op}: both arguments must be at least 1-D, got input shape {a_shape} and other shape {b_shape}"
        )
    a_matrix, b_matrix = _as_matrix_shapes(a_shape, b_shape)
    if a_matrix[-1] != b_matrix[-2]:
        raise ValueError(
            f"{op}: input shape {a_shape} and other shape {b_shape} cannot be multiplied: the last dim "
            f"of input ({a_matrix[-1]}) must equal the {'only' if len(b_shape) == 1 else 'second-to-last'} "
            f"dim of other ({b_matrix[-2]})"
        )
    _batch_shape(op, a_matrix, b_matrix)


def _product(xp: Any, a: Array, b: Array) -> Array:
    """a @ b; a batch of matrices times one matrix becomes a single GEMM over stacked rows."""
    if a.ndim > 2 and b.ndim == 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + (b.shape[-1],))
    return xp.matmul(a, b)


class MatMul(Function):
    """C = A B;  dL/dA = dL/dC B^T,  dL/dB = A^T dL/dC.

    The backward views 1-D operands as (1, k) and (k, 1) matrices so one pair of
    formulas covers every case. When only one operand has batch dims, the other's
    gradient sums over the whole batch: one large product (tensordot) instead of a
    batch of small ones followed by a sum.
    """

    fresh_grads = True  # both gradients are new products (see Function.fresh_grads)

    def forward(self, a: Array, b: Array) -> Array:
        self.save(a if self.needs_input_grad[1] else None, b if self.needs_input_grad[0] else None)
        self.a_shape, self.b_shape = a.shape, b.shape
        return self.xp.asarray(_product(self.xp, a, b))  # asarray: 1-D @ 1-D gives a scalar

    def backward(self, grad: Array) -> tuple[Array | None, Array | None]:
        a, b = self.saved
        xp = self.xp
        a_matrix, b_matrix = _as_matrix_shapes(self.a_shape, self.b_shape)
        batch = _batch_shape("matmul", a_matrix, b_matrix)
        batch_axes = list(range(len(batch)))
        grad = grad.reshape(batch + (a_matrix[-2], b_matrix[-1]))
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            b = b.reshape(b_matrix)
            if len(a_matrix) == 2 and batch:  # A was broadcast over every batch dim of B
                grad_a = xp.tensordot(grad, b, axes=(batch_axes + [-1], batch_axes + [-1]))
            else:
                grad_a = unbroadcast(_product(xp, grad, xp.swapaxes(b, -1, -2)), a_matrix)
            grad_a = grad_a.reshape(self.a_shape)
        if self.needs_input_grad[1]:
            a = a.reshape(a_matrix)
            if len(b_matrix) == 2 and batch:  # B was broadcast over every batch dim of A
                rows = batch_axes + [len(batch)]
                grad_b = xp.tensordot(a, grad, axes=(rows, rows))
            else:
                grad_b = unbroadcast(xp.matmul(xp.swapaxes(a, -1, -2), grad), b_matrix)
            grad_b = grad_b.reshape(self.b_shape)
        return grad_a, grad_b


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product with PyTorch's rules for 1-D operands and broadcast batch dims."""
    a, b = promote(input, other)
    _check_matmul("matmul", a.shape, b.shape)
    return MatMul.apply(a, b)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two 2-D matrices (no broadcasting)."""
    a, b = promote(input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(
            f"mm: both arguments must be 2-D matrices, got input shape {a.shape} and mat2 shape {b.shape}"
        )
    _check_matmul("mm", a.shape, b.shape)
    return MatMul.apply(a, b)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of two 3-D tensors with the same batch size (no broadcasting)."""
    a, b = promote(input, mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise ValueError(
            f"bmm: both arguments must be 3-D, got input shape {a.shape} and mat2 shape {b.shape}"
        )
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: batch sizes differ: input shape {a.shape} and mat2 shape {b.shape}")
    _check_matmul("bmm", a.shape, b.shape)
    return MatMul.apply(a, b)


class Linear(Function):
    """y = x W^T + b;  dL/dx = dL/dy W,  dL/dW = (dL/dy)^T x,  dL/db = dL/dy summed over rows.

    Every leading dim of x is folded into one row dim, so the forward is one matrix
    product and the backward two, whatever the batch shape. W is stored as
    (out_features, in_features), PyTorch's layout.
    """

    fresh_grads = True  # new products and a new sum (see Function.fresh_grads)

    def forward(self, x: Array, weight: Array, bias: Array | None) -> Array:
        rows = x.reshape(-1, x.shape[-1])
        self.save(
            rows if self.needs_input_grad[1] else None, weight if self.needs_input_grad[0] else None
        )
        self.x_shape = x.shape
        y = rows @ weight.T
        if bias is not None:
            y += bias  # y is our own fresh array
        return y.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        rows, weight = self.saved
        grad = grad.reshape(-1, grad.shape[-1])
        grad_x = (grad @ weight).reshape(self.x_shape) if self.needs_input_grad[0] else None
        grad_weight = grad.T @ rows if self.needs_input_grad[1] else None
        grad_bias = grad.sum(axis=0) if self.needs_input_grad[2] else None
        return grad_x, grad_weight, grad_bias


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight^T + bias, with weight of shape (out_features, in_features)."""
    if bias is None:
        (x, w), b = promote(input, weight), None
    else:
        x, w, b = promote(input, weight, bias)
    if x.ndim == 0:
        raise ValueError(f"linear: input must be at least 1-D, got shape {x.shape}")
    if w.ndim == 1:  # PyTorch allows a weight vector: a single output feature, dim removed
        out = matmul(x, w)
        return out if b is None else out + b
    if w.ndim != 2:
        raise ValueError(
            f"linear: weight must be 2-D (out_features, in_features), got shape {w.shape}"
        )
    if x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input has {x.shape[-1]} features (last dim of input shape {x.shape}) but weight "
            f"expects in_features={w.shape[1]} (weight shape {w.shape} is (out_features, in_features))"
        )
    if b is not None and (b.ndim > 1 or (b.ndim == 1 and b.shape[0] not in (1, w.shape[0]))):
        raise ValueError(
            f"linear: bias shape {b.shape} does not match out_features={w.shape[0]} (weight shape {w.shape})"
        )
    return Linear.apply(x, w, b)


Tensor.define_methods(
    matmul=matmul,
    mm=mm,
    bmm=bmm,
    __matmul__=matmul,
    __rmatmul__=lambda self, other: matmul(other, self),
)
__all__ = ["linear"]
