"""Fused recurrent layers: one `Function` runs one layer in one direction over the whole sequence.

The cells, exactly as PyTorch documents them (x = x_t, h = h_{t-1}, c = c_{t-1};
sigma the logistic sigmoid, * the elementwise product):

    RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)        (or relu instead of tanh)

    LSTM:  i  = sigma(W_ii x + b_ii + W_hi h + b_hi)
           f  = sigma(W_if x + b_if + W_hf h + b_hf)
           g  = tanh (W_ig x + b_ig + W_hg h + b_hg)
           o  = sigma(W_io x + b_io + W_ho h + b_ho)
           c' = f * c + i * g
           h' = o * tanh(c')

    GRU:   r  = sigma(W_ir x + b_ir + W_hr h + b_hr)
           z  = sigma(W_iz x + b_iz + W_hz h + b_hz)
           n  = tanh (W_in x + b_in + r * (W_hn h + b_hn))
           h' = (1 - z) * n + z * h

The gate weights are stacked row-wise as in PyTorch: W_ih = [W_ii; W_if; W_ig; W_io]
of shape (4H, I) for the LSTM, [W_ir; W_iz; W_in] (3H, I) for the GRU. Each cell's
backpropagation through time is written out in its file: `lstm.py`, `gru.py`,
`elman.py` (the plain RNN); `common.py` holds what they share.

How the work is laid out (what each choice bought, and the comparison with PyTorch:
bench/RESULTS.md, `python bench/bench_rnn.py`):

- one Function per layer-and-direction instead of the same cell composed from
  glassnet's ops (about 20 graph nodes per step);
- the input projection X W_ih^T + b of all T steps is one GEMM before the loop, and
  each step is one GEMM h W_hh^T for all gates at once, written into that step's slice
  of one (T, B, gates * H) buffer where the nonlinearities then run in place;
- sigma(a) = (1 + tanh(a / 2)) / 2, which cannot overflow; the 1/2 is folded into the
  sigmoid gates' weight rows, and the LSTM's rows are reordered to i, f, o, g, so one
  tanh covers all four gates and the sigmoids finish with one multiply-add;
- the weight gradients are not accumulated step by step: each is one GEMM after the
  backward loop, over all steps (dW_hh = dA^T H_prev, the gate gradients dA of every
  step against the states they multiplied);
- the big scratch buffers (gates, cell states, gate gradients) are reused from one
  training step to the next through a small per-thread pool (`common.BufferPool`)
  instead of fresh allocations that page-fault;
- tried and not kept: a gate-major layout (4, T, B, H), which makes every gate a
  contiguous block, with batched GEMMs: a little faster, not worth the extra code.

A recurrence is 80 small GEMMs in sequence per step (40 steps, forward and backward), the
worst case for a spinning thread pool: on a loaded machine OpenBLAS's threads wait at every
per-step GEMM for a thread that is descheduled. So the time loops run the BLAS on one thread
(`common.one_blas_thread`), and only the GEMMs over all steps use the BLAS's own setting.
"""

from __future__ import annotations

from glassnet.ops.recurrent.elman import RNNLayer
from glassnet.ops.recurrent.gru import GRULayer
from glassnet.ops.recurrent.lstm import LSTMLayer
from glassnet.tensor import Tensor


def lstm_layer(
    input: Tensor,
    h0: Tensor | None,
    c0: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    reverse: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over a (T, B, I) sequence: (output (T, B, H), h_n (B, H), c_n (B, H))."""
    return LSTMLayer.apply(input, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, reverse=reverse)


def gru_layer(
    input: Tensor,
    h0: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    """One GRU layer over a (T, B, I) sequence: (output (T, B, H), h_n (B, H))."""
    return GRULayer.apply(input, h0, weight_ih, weight_hh, bias_ih, bias_hh, reverse=reverse)


def rnn_layer(
    input: Tensor,
    h0: Tensor | None,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    reverse: bool = False,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor]:
    """One Elman RNN layer over a (T, B, I) sequence: (output (T, B, H), h_n (B, H))."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"rnn_layer: unknown nonlinearity '{nonlinearity}'; expected 'tanh' or 'relu'"
        )
    return RNNLayer.apply(
        input,
        h0,
        weight_ih,
        weight_hh,
        bias_ih,
        bias_hh,
        reverse=reverse,
        nonlinearity=nonlinearity,
    )


__all__ = ["LSTMLayer", "GRULayer", "RNNLayer", "lstm_layer", "gru_layer", "rnn_layer"]
