"""What the fused recurrent layers share: the buffer pool, the sigmoid in tanh form, the GEMMs over all steps.

The three Functions (lstm.py, gru.py, elman.py) run the same plan: one GEMM for the
input projection of every step before the loop, one GEMM per step for the recurrent
term of every gate, and after the backward loop one GEMM per weight gradient over all
steps at once. The helpers here are those GEMMs and the in-place activation steps.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from glassnet.backend import Array
from glassnet.grad_mode import is_grad_enabled
from glassnet.parallel import blas_controllers


class BufferPool(threading.local):
    """A few big scratch arrays kept for the next step instead of being freed.

    A fresh multi-megabyte array is served by mmap and pays a page fault per 4 KiB on
    first touch, every training step. The gate buffers and cell states of a layer's
    forward go back here when backward releases them (never before: they are saved for
    it), and backward's gate-gradient buffer when backward returns; arrays handed to
    the caller never do. At most `capacity` arrays are kept, the least recently given
    dropped first. One pool per thread, so concurrent graphs cannot share a buffer.
    """

    capacity = 8

    def __init__(self) -> None:
        self.free: OrderedDict[int, tuple[Any, Array]] = OrderedDict()

    def take(self, xp: Any, shape: tuple[int, ...], dtype: Any) -> Array:
        for key, (namespace, array) in reversed(self.free.items()):
            if namespace is xp and array.shape == shape and array.dtype == dtype:
                del self.free[key]
                return array
        return xp.empty(shape, dtype=dtype)

    def give(self, xp: Any, *arrays: Array) -> None:
        for array in arrays:
            self.free[id(array)] = (xp, array)
            while len(self.free) > self.capacity:
                self.free.popitem(last=False)


pool = BufferPool()


class _OneBlasThread:
    """The BLAS's thread count lowered to one while any recurrence loop runs, then put back.

    The loops' per-step GEMMs are small (batch x hidden times hidden x gates) and come one
    after another with elementwise work in between: a second BLAS thread gains at most
    ~10% on such a GEMM on an idle machine, and on a busy one each GEMM waits for it.
    One thread also makes the loops' results independent of the BLAS's thread count (with
    OpenBLAS's AVX2 kernels a GEMM rounds differently on one and two threads). The
    GEMMs over all steps after a loop keep the BLAS's own setting. The count is
    process-wide, so nested and concurrent loops share one lowering (a depth count).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.libraries: list[Any] = []  # the BLAS controllers lowered by the outermost loop
        self.saved: list[int] = []

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.libraries = blas_controllers()  # glassnet.parallel finds them once
                self.saved = [lib.get_num_threads() for lib in self.libraries]
                for lib, threads in zip(self.libraries, self.saved):
                    if threads and threads != 1:
                        lib.set_num_threads(1)
            self.depth += 1

    def exit(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0:
                for lib, threads in zip(self.libraries, self.saved):
                    if threads and threads != 1:
                        lib.set_num_threads(threads)


_one_blas_thread = _OneBlasThread()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block's GEMMs on one BLAS thread (see `_OneBlasThread`)."""
    _one_blas_thread.enter()
    try:
        yield
    finally:
        _one_blas_thread.exit()


def will_backward(node: Any) -> bool:
    """Whether `Function.apply` records this node (grad mode on, some input requiring grad).

    When it does not, nothing is saved and the scratch buffers go straight back to the pool.
    """
    return is_grad_enabled() and any(node.needs_input_grad)


def time_steps(length: int, reverse: bool) -> range:
    """Time steps in processing order (the reverse direction runs t = T-1 .. 0)."""
    return range(length - 1, -1, -1) if reverse else range(length)


def sigmoid_finish(half_tanh: Array) -> None:
    """In place: tanh(a / 2) -> sigma(a) = (1 + tanh(a / 2)) / 2."""
    half_tanh *= 0.5
    half_tanh += 0.5


def sigmoid_grad(xp: Any, s: Array, out: Array) -> Array:
    """sigma'(a) = s (1 - s), from the saved activation s = sigma(a)."""
    xp.multiply(s, s, out=out)
    xp.subtract(s, out, out=out)
    return out


def tanh_grad(xp: Any, y: Array, out: Array) -> Array:
    """tanh'(a) = 1 - y^2, from the saved activation y = tanh(a)."""
    xp.multiply(y, y, out=out)
    xp.subtract(1, out, out=out)
    return out


def project(xp: Any, x: Array, w_ih: Array, bias: Array | None) -> Array:
    """All steps' input projections in one GEMM: (T*B, I) @ (I, G) + b -> a fresh (T, B, G).

    With one input feature (I = 1) the GEMM is an outer product, computed as a broadcast
    multiply: the same single product per entry, about half the time of a K = 1 GEMM
    (2.3 vs 4.1 ms at (5120, 1) @ (1, 512), one thread).
    """
    length, batch, features = x.shape
    rows = w_ih.shape[0]
    out = pool.take(xp, (length, batch, rows), x.dtype)
    flat = out.reshape(length * batch, rows)
    if features == 1:
        xp.multiply(x.reshape(length * batch, 1), w_ih.T, out=flat)
    else:
        xp.matmul(x.reshape(length * batch, -1), w_ih.T, out=flat)
    if bias is not None:
        out += bias
    return out


def recurrent_weight_grad(
    xp: Any, d_pre: Array, hs: Array, h0: Array | None, reverse: bool
) -> Array:
    """dW_hh = sum_t d_pre[t]^T h_{t-1} as one GEMM over the steps that have a previous state.

    The previous state of step t is hs[t - 1] going forward, hs[t + 1] in reverse; the first
    processed step reads h0 (zeros when None, so it adds nothing).
    """
    length, batch, rows = d_pre.shape
    hidden = hs.shape[2]
    if reverse:
        later, earlier, first = d_pre[:-1], hs[1:], length - 1
    else:
        later, earlier, first = d_pre[1:], hs[:-1], 0
    grad = (
        xp.matmul(later.reshape(-1, rows).T, earlier.reshape(-1, hidden))
        if length > 1
        else xp.zeros((rows, hidden), dtype=d_pre.dtype)
    )
    if h0 is not None:
        grad += d_pre[first].T @ h0
    return grad


def input_grads(
    xp: Any, x: Array, d_flat: Array, w_ih: Array, needs_x: bool, needs_w: bool
) -> tuple[Any, Any]:
    """dx = dA W_ih and dW_ih = dA^T X, each one GEMM over all steps (d_flat: dA as (T*B, rows))."""
    dx = (d_flat @ w_ih).reshape(x.shape) if needs_x else None
    dw = d_flat.T @ x.reshape(d_flat.shape[0], -1) if needs_w else None
    return dx, dw


def bias_grad(d_flat: Array) -> Array:
    """db = the gate gradients summed over every step and sample."""
    return d_flat.sum(axis=0)
