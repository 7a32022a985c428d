"""The Elman RNN layer as one Function: h' = tanh(W_ih x + b_ih + W_hh h + b_hh), or relu instead of tanh.

Backpropagation through time: da_t = dh_t * (1 - h_t^2) for tanh, dh_t * [h_t > 0] for
relu (dh_t from the output plus step t+1), dh_{t-1} = da_t W_hh. Every step multiplies
the gradient by W_hh^T and the activation's derivative, so over many steps it shrinks or
grows geometrically with the spectrum of W_hh: the vanishing / exploding gradient that
the LSTM's cell state and gradient clipping answer. Over all steps dW_ih = sum_t da_t^T
x_t, dW_hh = sum_t da_t^T h_{t-1}, db_ih = db_hh = sum_t da_t, dx_t = da_t W_ih.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.recurrent.common import (
    bias_grad,
    input_grads,
    one_blas_thread,
    pool,
    project,
    recurrent_weight_grad,
    tanh_grad,
    time_steps,
)


class RNNLayer(Function):
    """One Elman RNN layer, one direction: (x, h0, W_ih, W_hh, b_ih, b_hh) -> (out, h_n), tanh or relu.

    x: (T, B, I); h0: (B, H) or None (zeros); out: (T, B, H). Saves only the states h_t (the output).
    """

    def forward(
        self,
        x: Array,
        h0: Array | None,
        w_ih: Array,
        w_hh: Array,
        b_ih: Array | None,
        b_hh: Array | None,
        reverse: bool = False,
        nonlinearity: str = "tanh",
    ) -> tuple[Array, Array]:
        xp = self.xp
        bias = None
        if b_ih is not None or b_hh is not None:
            bias = b_ih if b_hh is None else b_hh if b_ih is None else b_ih + b_hh
        hs = project(xp, x, w_ih, bias)  # pre-activations, turned into h_t step by step
        recurrent = xp.empty(hs.shape[1:], dtype=x.dtype)
        h = h0
        with one_blas_thread():
            for t in time_steps(x.shape[0], reverse):
                step = hs[t]
                if h is not None:
                    step += xp.matmul(h, w_hh.T, out=recurrent)
                if nonlinearity == "tanh":
                    xp.tanh(step, out=step)
                else:
                    xp.maximum(step, 0, out=step)
                h = step
        self.reverse, self.nonlinearity = reverse, nonlinearity
        self.save(x, h0, w_ih, w_hh, hs)
        return hs, h.copy()

    def backward(self, d_out: Array, d_hn: Array) -> tuple[Any, ...]:
        xp = self.xp
        x, h0, w_ih, w_hh, hs = self.saved
        length = hs.shape[0]
        d_pre = pool.take(xp, hs.shape, hs.dtype)
        dh_rec = d_hn
        scratch = xp.empty(hs.shape[1:], dtype=hs.dtype)
        dh_prev = xp.empty_like(scratch)
        with one_blas_thread():
            order = list(time_steps(length, self.reverse))
            for position in range(length - 1, -1, -1):
                t = order[position]
                d = d_pre[t]
                xp.add(d_out[t], dh_rec, out=d)
                if self.nonlinearity == "tanh":
                    d *= tanh_grad(xp, hs[t], scratch)
                else:
                    d *= hs[t] > 0
                if position or self.needs_input_grad[1]:
                    dh_rec = xp.matmul(d, w_hh, out=dh_prev)
        needs = self.needs_input_grad
        d_flat = d_pre.reshape(-1, d_pre.shape[2])
        dx, dw_ih = input_grads(xp, x, d_flat, w_ih, needs[0], needs[2])
        dw_hh = recurrent_weight_grad(xp, d_pre, hs, h0, self.reverse) if needs[3] else None
        db = bias_grad(d_flat) if needs[4] or needs[5] else None
        pool.give(xp, d_pre)
        return (
            dx,
            dh_rec if needs[1] else None,
            dw_ih,
            dw_hh,
            db if needs[4] else None,
            db if needs[5] else None,
        )
