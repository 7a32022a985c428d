"""The LSTM layer as one Function: the whole sequence forward, backpropagation through time backward.

The cell, as PyTorch documents it (x = x_t, h = h_{t-1}, c = c_{t-1}):

    i  = sigma(W_ii x + b_ii + W_hi h + b_hi)        input gate
    f  = sigma(W_if x + b_if + W_hf h + b_hf)        forget gate
    g  = tanh (W_ig x + b_ig + W_hg h + b_hg)        candidate cell
    o  = sigma(W_io x + b_io + W_ho h + b_ho)        output gate
    c' = f * c + i * g
    h' = o * tanh(c')

The cell state c is the "constant error carousel": dc_{t-1} = dc_t * f, a product of
forget gates with no weight matrix and no squashing derivative in it, so the gradient
along c survives many steps when f stays near 1 (a plain RNN multiplies by W_hh^T and
tanh' at every step and vanishes or explodes).

Backpropagation through time, step t from last to first (dh: dL/dh_t from the output
plus what step t+1 sent back; dc: what step t+1 sent back along the cell; a_* the
pre-activations):

    do = dh * tanh(c_t)               da_o = do * o (1 - o)
    dc = dc + dh * o * (1 - tanh(c_t)^2)
    di = dc * g                       da_i = di * i (1 - i)
    df = dc * c_{t-1}                 da_f = df * f (1 - f)
    dg = dc * i                       da_g = dg * (1 - g^2)
    dc_{t-1} = dc * f                 dh_{t-1} = da W_hh          (da = [da_i, da_f, da_g, da_o])

and over all steps: dW_ih = sum_t da_t^T x_t, dW_hh = sum_t da_t^T h_{t-1},
db_ih = db_hh = sum_t da_t, dx_t = da_t W_ih.

Internally the gate rows are reordered to i, f, o, g, so the three sigmoid gates form
one contiguous column block; their weight rows are halved (exact in floating point), so
one tanh over all four gates gives tanh(a/2) there and sigma(a) = (1 + tanh(a/2)) / 2
costs one multiply-add. Gradients are put back in PyTorch's order i, f, g, o.
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
    sigmoid_finish,
    sigmoid_grad,
    tanh_grad,
    time_steps,
    will_backward,
)


def _lstm_rows(xp: Any, hidden: int) -> Array:
    """Row order i, f, o, g (PyTorch stores i, f, g, o): the three sigmoid gates side by side."""
    return xp.concatenate(
        [
            xp.arange(0, 2 * hidden),
            xp.arange(3 * hidden, 4 * hidden),
            xp.arange(2 * hidden, 3 * hidden),
        ]
    )


class LSTMLayer(Function):
    """One LSTM layer, one direction, the whole sequence: (x, h0, c0, W_ih, W_hh, b_ih, b_hh) -> (out, h_n, c_n).

    x: (T, B, I); h0, c0: (B, H) or None (zeros); out: (T, B, H), out[t] = h_t; reverse=True
    runs t = T-1 .. 0. Saves the gate activations, c_t and tanh(c_t) of every step, and h_t
    (the output itself). The cell and its derivatives are in the module docstring.
    """

    def forward(
        self,
        x: Array,
        h0: Array | None,
        c0: Array | None,
        w_ih: Array,
        w_hh: Array,
        b_ih: Array | None,
        b_hh: Array | None,
        reverse: bool = False,
    ) -> tuple[Array, Array, Array]:
        xp = self.xp
        hidden = w_hh.shape[1]
        rows = _lstm_rows(xp, hidden)
        half = xp.ones((4 * hidden, 1), dtype=x.dtype)
        half[: 3 * hidden] = 0.5  # sigma(a) = (1 + tanh(a/2)) / 2: feed the sigmoid gates a/2
        bias = None
        if b_ih is not None or b_hh is not None:
            bias = (b_ih if b_hh is None else b_hh if b_ih is None else b_ih + b_hh)[rows] * half[
                :, 0
            ]
        gates = project(xp, x, w_ih[rows] * half, bias)
        hs = xp.empty(x.shape[:2] + (hidden,), dtype=x.dtype)  # the output: never pooled
        cs = pool.take(xp, hs.shape, x.dtype)
        tanh_cs = pool.take(xp, hs.shape, x.dtype)
        with one_blas_thread():
            h, c = self._steps(gates, (w_hh[rows] * half).T, h0, c0, hs, cs, tanh_cs, reverse)
        self.reverse = reverse
        if will_backward(self):
            self.save(x, h0, c0, w_ih, w_hh, gates, cs, tanh_cs, hs)
        else:
            pool.give(xp, gates, cs, tanh_cs)
        return hs, h.copy(), c.copy()

    def _steps(
        self,
        gates: Array,
        w_hh_t: Array,
        h: Array | None,
        c: Array | None,
        hs: Array,
        cs: Array,
        tanh_cs: Array,
        reverse: bool,
    ) -> tuple[Array, Array]:
        """The recurrence: gates[t] (input projections) -> activations in place, c_t, h_t."""
        xp = self.xp
        length, batch, hidden = hs.shape
        recurrent = xp.empty((batch, 4 * hidden), dtype=hs.dtype)
        product = xp.empty((batch, hidden), dtype=hs.dtype)
        three = 3 * hidden
        for t in time_steps(length, reverse):
            step = gates[t]
            if h is not None:
                xp.matmul(h, w_hh_t, out=recurrent)
                step += recurrent
            xp.tanh(step, out=step)
            sigmoid_finish(step[:, :three])
            i, f, o, g = (
                step[:, :hidden],
                step[:, hidden : 2 * hidden],
                step[:, 2 * hidden : three],
                step[:, three:],
            )
            c_new = cs[t]
            if c is None:
                xp.multiply(i, g, out=c_new)
            else:
                xp.multiply(f, c, out=c_new)
                xp.multiply(i, g, out=product)
                c_new += product
            xp.tanh(c_new, out=tanh_cs[t])
            xp.multiply(o, tanh_cs[t], out=hs[t])
            h, c = hs[t], c_new
        return h, c

    def backward(self, d_out: Array, d_hn: Array, d_cn: Array) -> tuple[Any, ...]:
        xp = self.xp
        x, h0, _, w_ih, w_hh, gates, _, _, hs = self.saved
        length, batch, hidden = hs.shape
        rows = _lstm_rows(xp, hidden)
        d_pre = pool.take(xp, gates.shape, gates.dtype)
        with one_blas_thread():
            dh_rec, dc = self._steps_back(d_out, d_hn, d_cn, w_hh[rows], d_pre)
        needs = self.needs_input_grad
        back = xp.empty_like(rows)
        back[rows] = xp.arange(rows.shape[0])  # internal row order -> PyTorch's i, f, g, o
        d_flat = d_pre.reshape(length * batch, 4 * hidden)
        dx, dw_ih = input_grads(xp, x, d_flat, w_ih[rows], needs[0], needs[3])
        dw_hh = recurrent_weight_grad(xp, d_pre, hs, h0, self.reverse)[back] if needs[4] else None
        db = bias_grad(d_flat)[back] if needs[5] or needs[6] else None
        pool.give(xp, d_pre)
        return (
            dx,
            dh_rec if needs[1] else None,
            dc if needs[2] else None,
            dw_ih[back] if needs[3] else None,
            dw_hh,
            db if needs[5] else None,
            db if needs[6] else None,
        )

    def _steps_back(
        self, d_out: Array, d_hn: Array, d_cn: Array, w_hh_rows: Array, d_pre: Array
    ) -> tuple[Array, Array]:
        """Backpropagation through time (the module docstring's formulas), last step first.

        Fills d_pre[t] with the gate gradients da_t; returns dL/dh0 and dL/dc0.
        """
        xp = self.xp
        _, _, c0, _, _, gates, cs, tanh_cs, hs = self.saved
        length, batch, hidden = hs.shape
        three = 3 * hidden
        dh = xp.empty((batch, hidden), dtype=hs.dtype)
        dh_prev = xp.empty_like(dh)
        dh_rec = d_hn
        dc = d_cn.copy()  # incoming gradients are read-only
        scratch = xp.empty_like(dh)
        sig_grad = xp.empty((batch, three), dtype=hs.dtype)
        order = list(time_steps(length, self.reverse))
        for position in range(length - 1, -1, -1):
            t = order[position]
            c_prev = cs[order[position - 1]] if position else c0
            step, d = gates[t], d_pre[t]
            i, f, o, g = (
                step[:, :hidden],
                step[:, hidden : 2 * hidden],
                step[:, 2 * hidden : three],
                step[:, three:],
            )
            di, df, do, dg = (
                d[:, :hidden],
                d[:, hidden : 2 * hidden],
                d[:, 2 * hidden : three],
                d[:, three:],
            )
            xp.add(d_out[t], dh_rec, out=dh)
            xp.multiply(dh, tanh_cs[t], out=do)
            tanh_grad(xp, tanh_cs[t], scratch)
            scratch *= o
            scratch *= dh
            dc += scratch
            xp.multiply(dc, g, out=di)
            if c_prev is None:
                df[...] = 0
            else:
                xp.multiply(dc, c_prev, out=df)
            xp.multiply(dc, i, out=dg)
            dc *= f
            d[:, :three] *= sigmoid_grad(xp, step[:, :three], sig_grad)
            dg *= tanh_grad(xp, g, scratch)
            if position or self.needs_input_grad[1]:
                dh_rec = xp.matmul(d, w_hh_rows, out=dh_prev)
        return dh_rec, dc

    def release(self) -> None:
        if self.saved:
            pool.give(self.xp, *self.saved[5:8])  # gates, cell states, tanh of them
        super().release()
