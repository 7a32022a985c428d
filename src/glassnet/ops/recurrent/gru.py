"""The GRU layer as one Function: the whole sequence forward, backpropagation through time backward.

The cell, as PyTorch documents it (x = x_t, h = h_{t-1}):

    r  = sigma(W_ir x + b_ir + W_hr h + b_hr)        reset gate
    z  = sigma(W_iz x + b_iz + W_hz h + b_hz)        update gate
    n  = tanh (W_in x + b_in + r * (W_hn h + b_hn))  candidate
    h' = (1 - z) * n + z * h

Unlike the LSTM there is no separate cell state: z interpolates between keeping h and
taking the candidate, and dh_{t-1} gets the direct term dh * z, the GRU's carousel.
Note r multiplies (W_hn h + b_hn), bias included, which is why b_hn cannot be merged
into b_in (PyTorch's and cuDNN's form; the original paper put r inside the product).

Backpropagation through time (dh: dL/dh_t from the output plus step t+1; hn = W_hn h + b_hn):

    dn = dh * (1 - z)                 da_n = dn * (1 - n^2)       (the gradient of W_in x + b_in)
    dz = dh * (h_{t-1} - n)           da_z = dz * z (1 - z)
    dr = da_n * hn                    da_r = dr * r (1 - r)
    dhn = da_n * r                    (the gradient of W_hn h + b_hn)
    dh_{t-1} = dh * z + [da_r, da_z, dhn] W_hh

and over all steps: dW_ih = sum_t [da_r, da_z, da_n]^T x_t, dW_hh = sum_t [da_r, da_z, dhn]^T h_{t-1},
db_ih = sum_t [da_r, da_z, da_n], db_hh = sum_t [da_r, da_z, dhn].
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


class GRULayer(Function):
    """One GRU layer, one direction, the whole sequence: (x, h0, W_ih, W_hh, b_ih, b_hh) -> (out, h_n).

    x: (T, B, I); h0: (B, H) or None (zeros); out: (T, B, H). The r and z rows are halved so
    one tanh gives sigma (see the LSTM); b_hr, b_hz join the input projection, b_hn stays
    inside r * (...). Saves the gate activations, hn of every step and the states.
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
    ) -> tuple[Array, Array]:
        xp = self.xp
        length, batch, _ = x.shape
        hidden = w_hh.shape[1]
        two = 2 * hidden
        half = xp.ones((3 * hidden, 1), dtype=x.dtype)
        half[:two] = 0.5  # r and z are sigmoids: feed them a/2
        bias = None
        if (
            b_ih is not None or b_hh is not None
        ):  # b_hr, b_hz join the projection; b_hn stays in r * (...)
            bias = xp.zeros(3 * hidden, dtype=x.dtype)
            if b_ih is not None:
                bias += b_ih
            if b_hh is not None:
                bias[:two] += b_hh[:two]
            bias *= half[:, 0]
        gates = project(xp, x, w_ih * half, bias)
        b_hn = b_hh[two:] if b_hh is not None else None
        hs = xp.empty((length, batch, hidden), dtype=x.dtype)  # the output: never pooled
        hns = pool.take(xp, hs.shape, x.dtype)
        with one_blas_thread():
            h = self._steps(gates, (w_hh * half).T, b_hn, h0, hs, hns, reverse)
        self.reverse = reverse
        if will_backward(self):
            self.save(x, h0, w_ih, w_hh, gates, hns, hs)
        else:
            pool.give(xp, gates, hns)
        return hs, h.copy()

    def _steps(
        self,
        gates: Array,
        w_hh_t: Array,
        b_hn: Array | None,
        h: Array | None,
        hs: Array,
        hns: Array,
        reverse: bool,
    ) -> Array:
        """The recurrence: gates[t] (input projections) -> r, z, n in place, hn[t], h_t."""
        xp = self.xp
        length, batch, hidden = hs.shape
        two = 2 * hidden
        recurrent = xp.empty((batch, 3 * hidden), dtype=hs.dtype)
        scratch = xp.empty((batch, hidden), dtype=hs.dtype)
        for t in time_steps(length, reverse):
            step, hn = gates[t], hns[t]
            if h is None:
                recurrent[...] = 0
            else:
                xp.matmul(h, w_hh_t, out=recurrent)
            rz, n = step[:, :two], step[:, two:]
            rz += recurrent[:, :two]
            xp.tanh(rz, out=rz)
            sigmoid_finish(rz)
            if b_hn is None:
                hn[...] = recurrent[:, two:]
            else:
                xp.add(recurrent[:, two:], b_hn, out=hn)
            xp.multiply(step[:, :hidden], hn, out=scratch)
            n += scratch
            xp.tanh(n, out=n)
            if h is None:
                xp.multiply(step[:, hidden:two], n, out=scratch)
                xp.subtract(n, scratch, out=hs[t])
            else:  # h' = n + z (h - n)
                xp.subtract(h, n, out=scratch)
                scratch *= step[:, hidden:two]
                xp.add(n, scratch, out=hs[t])
            h = hs[t]
        return h

    def backward(self, d_out: Array, d_hn: Array) -> tuple[Any, ...]:
        xp = self.xp
        x, h0, w_ih, w_hh, gates, hns, hs = self.saved
        length, batch, hidden = hs.shape
        two = 2 * hidden
        d_hidden = pool.take(xp, gates.shape, gates.dtype)  # [da_r, da_z, dhn]: at h W_hh^T + b_hh
        d_n = pool.take(xp, hs.shape, hs.dtype)  # da_n: the gradient at W_in x + b_in
        dh = xp.empty((batch, hidden), dtype=hs.dtype)
        dh_rec = d_hn.copy()
        scratch = xp.empty_like(dh)
        recurrent = xp.empty((batch, hidden), dtype=hs.dtype)
        with one_blas_thread():
            order = list(time_steps(length, self.reverse))
            for position in range(length - 1, -1, -1):
                t = order[position]
                h_prev = hs[order[position - 1]] if position else h0
                step, d = gates[t], d_hidden[t]
                r, z, n = step[:, :hidden], step[:, hidden:two], step[:, two:]
                dr, dz, dhn = d[:, :hidden], d[:, hidden:two], d[:, two:]
                dn = d_n[t]
                xp.add(d_out[t], dh_rec, out=dh)
                if h_prev is None:
                    xp.negative(n, out=dz)
                else:
                    xp.subtract(h_prev, n, out=dz)
                dz *= dh
                dz *= sigmoid_grad(xp, z, scratch)
                xp.subtract(1, z, out=dn)
                dn *= dh
                dn *= tanh_grad(xp, n, scratch)
                xp.multiply(dn, hns[t], out=dr)
                dr *= sigmoid_grad(xp, r, scratch)
                xp.multiply(dn, r, out=dhn)
                if position or self.needs_input_grad[1]:
                    xp.multiply(dh, z, out=dh_rec)
                    dh_rec += xp.matmul(d, w_hh, out=recurrent)
        needs = self.needs_input_grad
        dx = dw_ih = db_ih = None
        d_hidden_flat = d_hidden.reshape(length * batch, 3 * hidden)
        d_rz_flat, d_n_flat = (
            d_hidden_flat[:, :two],
            d_n.reshape(length * batch, hidden),
        )  # r, z: same at x and h
        if needs[0] or needs[2]:
            dx_rz, dw_rz = input_grads(xp, x, d_rz_flat, w_ih[:two], needs[0], needs[2])
            dx_n, dw_n = input_grads(xp, x, d_n_flat, w_ih[two:], needs[0], needs[2])
            dx = dx_rz + dx_n if needs[0] else None
            dw_ih = xp.concatenate([dw_rz, dw_n]) if needs[2] else None
        dw_hh = recurrent_weight_grad(xp, d_hidden, hs, h0, self.reverse) if needs[3] else None
        if needs[4]:
            db_ih = xp.concatenate([bias_grad(d_rz_flat), bias_grad(d_n_flat)])
        db_hh = bias_grad(d_hidden_flat) if needs[5] else None
        pool.give(xp, d_hidden, d_n)
        return dx, dh_rec if needs[1] else None, dw_ih, dw_hh, db_ih, db_hh

    def release(self) -> None:
        if self.saved:
            pool.give(self.xp, *self.saved[4:6])  # gate activations, W_hn h + b_hn
        super().release()
