"""scaled_dot_product_attention: softmax(Q K^T / sqrt(E) + mask) V, forward and backward in one op.

For queries Q (L, E), keys K (S, E) and values V (S, Ev) (with any leading batch and head
dims), each query takes a weighted average of the values, weighted by how well it
matches each key:

    S = Q K^T * scale (+ float mask, or -inf where a bool mask is False)
    P = softmax(S) along the keys;  D = P * dropout mask / (1 - p);  O = D V.

Backward, with G = dL/dO (and dL/dD where the weights themselves are used):
    dV = D^T G;  dD = G V^T;  dP = dD * dropout mask / (1 - p);
    dS = P * (dP - sum_keys(dP * P))     (the softmax's Jacobian);
    dQ = dS K * scale;  dK = dS^T Q * scale;  dmask = dS (a float mask gets a gradient).

A query whose keys are all masked gets weights 0 and output 0 (PyTorch's "safe
softmax"), not NaN. The dropout mask is drawn outside the op, so tests can inject one.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet import dtypes
from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.cast import as_operand, promote, to_float
from glassnet.random import default_generator
from glassnet.tensor import Tensor


class Attention(Function):
    """O = dropout(softmax(Q K^T scale + M)) V and the weights D; the gradients are in the
    module docstring."""

    def forward(
        self,
        q: Array,
        k: Array,
        v: Array,
        additive: Array | None,
        allowed: Array | None,
        scale: float,
        keep: Array | None,
        keep_scale: float,
    ) -> tuple[Array, Array]:
        xp = self.xp
        scores = q @ xp.swapaxes(k, -1, -2)
        scores *= scale
        if additive is not None:
            scores = scores + additive
        if allowed is not None:
            scores = xp.where(allowed, scores, -xp.inf)
        top = scores.max(axis=-1, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)  # a fully masked row: exp(-inf) = 0 everywhere
        weights = xp.exp(scores - top)
        total = weights.sum(axis=-1, keepdims=True)
        weights /= xp.where(total > 0, total, 1)
        dropped = weights if keep is None else weights * keep * keep_scale
        self.scale, self.keep_scale = scale, keep_scale
        self.save(q, k, v, weights, dropped, keep)
        return dropped @ v, dropped

    def backward(self, grad_out: Array, grad_weights: Array) -> tuple[Array | None, ...]:
        q, k, v, weights, dropped, keep = self.saved
        xp = self.xp
        need_q, need_k, need_v, need_mask = self.needs_input_grad[:4]
        grad_v = xp.swapaxes(dropped, -1, -2) @ grad_out if need_v else None
        grad_dropped = grad_out @ xp.swapaxes(v, -1, -2) + grad_weights
        grad_p = grad_dropped if keep is None else grad_dropped * keep * self.keep_scale
        grad_s = weights * (grad_p - (grad_p * weights).sum(axis=-1, keepdims=True))
        grad_q = grad_s @ k * self.scale if need_q else None
        grad_k = xp.swapaxes(grad_s, -1, -2) @ q * self.scale if need_k else None
        return grad_q, grad_k, grad_v, (grad_s if need_mask else None)


def attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    dropout_mask: Any = None,
) -> tuple[Tensor, Tensor]:
    """(output, attention weights after dropout): scaled_dot_product_attention that also returns
    the weights (MultiheadAttention's need_weights). `dropout_mask` (True = keep) replaces the
    random draw, for tests."""
    op = "scaled_dot_product_attention"
    for name, tensor in (("query", query), ("key", key), ("value", value)):
        if not isinstance(tensor, Tensor) or tensor.ndim < 2:
            raise ValueError(f"{op}: {name} must be a tensor of at least 2 dims (..., L, E)")
    length, source = query.shape[-2], key.shape[-2]
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{op}: query (..., L, E), key (..., S, E) and value (..., S, Ev) do not fit: "
            f"query {query.shape}, key {key.shape}, value {value.shape}"
        )
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1), got {dropout_p!r}")
    q, k, v = (to_float(t) for t in promote(query, key, value))
    xp = namespace(q.data)
    additive, allowed = None, None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{op}: give either attn_mask or is_causal=True, not both")
        allowed = xp.tril(xp.ones((length, source), dtype=bool))
    elif attn_mask is not None:
        try:
            xp.broadcast_shapes(attn_mask.shape, (*q.shape[:-1], source))
        except ValueError:
            raise ValueError(
                f"{op}: attn_mask shape {attn_mask.shape} does not broadcast to the attention "
                f"weights' shape {(*q.shape[:-1], source)}"
            ) from None
        if attn_mask.dtype == dtypes.bool_:
            allowed = attn_mask.data
        else:
            additive = as_operand(attn_mask, q.dtype)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    keep, keep_scale = None, 1.0
    if dropout_mask is not None or dropout_p > 0:
        weights_shape = (*xp.broadcast_shapes(q.shape[:-2], k.shape[:-2]), length, source)
        if dropout_mask is None:
            dropout_mask = default_generator().random(weights_shape, dtype="float32") >= dropout_p
        keep = xp.asarray(dropout_mask.data if isinstance(dropout_mask, Tensor) else dropout_mask)
        keep = keep.astype(q.dtype)
        keep_scale = 1.0 / (1.0 - dropout_p)
    return Attention.apply(
        q, k, v, additive, allowed=allowed, scale=scale, keep=keep, keep_scale=keep_scale
    )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(query key^T * scale + mask) value, scale = 1 / sqrt(E) by default.

    attn_mask: bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S); is_causal=True lets query i attend to keys 0..i only. dropout_p drops
    attention weights (always applied when given, as in PyTorch: pass 0.0 in eval).
    """
    if enable_gqa:
        raise ValueError(
            "scaled_dot_product_attention: enable_gqa=True is not supported; repeat the key/value "
            "heads with repeat_interleave-style indexing first"
        )
    output, _ = attention(query, key, value, attn_mask, dropout_p, is_causal, scale)
    return output


__all__ = ["scaled_dot_product_attention"]
