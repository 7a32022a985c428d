"""`MultiheadAttention`: attention with h heads, PyTorch's parameters and masks.

Each head projects the queries, keys and values to embed_dim / h dims and attends
on its own (`F.scaled_dot_product_attention`); the heads' outputs are concatenated
and mixed by out_proj. PyTorch's layout is kept, so state dicts load both ways:

- in_proj_weight (3 E, E) holds W_q, W_k, W_v stacked (or q_proj_weight, k_proj_weight,
  v_proj_weight when kdim/vdim differ from embed_dim), in_proj_bias (3 E,);
- out_proj: a Linear(E, E).
- init: xavier_uniform_ for the input projections, zeros for both biases; out_proj's
  weight keeps Linear's default.

Masks follow PyTorch's MultiheadAttention (the opposite sense of sdpa's bool mask):
attn_mask (L, S) or (N h, L, S) and key_padding_mask (N, S) are True where a key may
NOT be attended to, or float and added to the scores. A query with every key masked
gets weights 0 and output 0 here; PyTorch gives NaN there.
"""

from __future__ import annotations

from typing import Any

from glassnet import creation, dtypes
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.layer_args import check_int, check_number, describe, factory_dtype
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.ops.attention import attention
from glassnet.tensor import Tensor


def _additive(mask: Tensor | None, dtype: Any, where: str, name: str) -> Tensor | None:
    """A bool mask (True = masked out) as 0 / -inf; a float mask as it is."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{where}: {name} must be a Tensor, got {type(mask).__name__}")
    if mask.dtype == dtypes.bool_:
        return creation.zeros(*mask.shape, dtype=dtype).masked_fill(mask, float("-inf"))
    if mask.dtype.kind != "f":
        raise TypeError(f"{where}: {name} must be bool or floating point, got {mask.dtype}")
    return mask.to(dtype)


class NonDynamicallyQuantizableLinear(Linear):
    """A plain Linear; the name is PyTorch's for out_proj (it keeps reprs identical)."""


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al. 2017) over (L, N, E) input, or (N, L, E) with batch_first."""

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where = "MultiheadAttention"
        dtype = factory_dtype(where, device, dtype)
        self.embed_dim = check_int(where, "embed_dim", embed_dim, 1)
        self.num_heads = check_int(where, "num_heads", num_heads, 1)
        if embed_dim % num_heads:
            raise ValueError(
                f"{where}: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        if add_bias_kv or add_zero_attn:
            raise ValueError(f"{where}: add_bias_kv and add_zero_attn are not supported")
        self.dropout = check_number(where, "dropout", dropout, 0.0)
        self.kdim = embed_dim if kdim is None else check_int(where, "kdim", kdim, 1)
        self.vdim = embed_dim if vdim is None else check_int(where, "vdim", vdim, 1)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, dtype=dtype
        )
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _projections(
        self, query: Tensor, key: Tensor, value: Tensor
    ) -> tuple[Tensor, Tensor, Tensor]:
        """q = query W_q^T + b_q, and likewise k and v (W_q, W_k, W_v: the thirds of in_proj_weight)."""
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            weights = [self.in_proj_weight[i * e : (i + 1) * e] for i in range(3)]
        else:
            weights = [self.q_proj_weight, self.k_proj_weight, self.v_proj_weight]
        biases = (
            [None] * 3
            if self.in_proj_bias is None
            else [self.in_proj_bias[i * e : (i + 1) * e] for i in range(3)]
        )
        return tuple(F.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))  # type: ignore[return-value]

    def _check(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """True when the input is batched; loud about ranks and widths."""
        for name, tensor, width in (
            ("query", query, self.embed_dim),
            ("key", key, self.kdim),
            ("value", value, self.vdim),
        ):
            if (
                not isinstance(tensor, Tensor)
                or tensor.ndim not in (2, 3)
                or tensor.shape[-1] != width
            ):
                got = tensor.shape if isinstance(tensor, Tensor) else type(tensor).__name__
                raise ValueError(
                    f"{describe(self)}: {name} must be (L, N, {width}), (N, L, {width}) with batch_first, "
                    f"or unbatched (L, {width}); got {got}"
                )
        if not query.ndim == key.ndim == value.ndim or key.shape[:-1] != value.shape[:-1]:
            raise ValueError(
                f"{describe(self)}: query, key and value must agree in rank and key/value in length "
                f"and batch: query {query.shape}, key {key.shape}, value {value.shape}"
            )
        return query.ndim == 3

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """(output, weights): output like query; weights (N, L, S), or (N, h, L, S) when not averaged."""
        batched = self._check(query, key, value)
        if is_causal and attn_mask is None:
            raise ValueError(
                f"{describe(self)}: is_causal=True is a hint that needs attn_mask (the causal mask)"
            )
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        length, batch, _ = query.shape
        source = key.shape[0]
        q, k, v = self._projections(query, key, value)
        heads, d = self.num_heads, self.head_dim
        # (L, N, E) -> (N, h, L, d): each head attends on its own slice of the features
        q, k, v = (t.reshape(t.shape[0], batch, heads, d).permute(1, 2, 0, 3) for t in (q, k, v))
        mask = self._mask(attn_mask, key_padding_mask, q.dtype, batch, length, source)
        p = self.dropout if self.training else 0.0
        output, weights = attention(q, k, v, mask, p)
        output = output.permute(2, 0, 1, 3).reshape(length, batch, self.embed_dim)
        output = self.out_proj(output)
        if self.batch_first and batched:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return output, (weights if batched else weights.squeeze(0))

    def _mask(
        self,
        attn_mask: Any,
        key_padding_mask: Any,
        dtype: Any,
        batch: int,
        length: int,
        source: int,
    ) -> Tensor | None:
        """attn_mask and key_padding_mask merged into one additive mask, broadcast to (N, h, L, S)."""
        where = describe(self)
        mask = _additive(attn_mask, dtype, where, "attn_mask")
        if mask is not None:
            if mask.shape == (length, source):
                pass
            elif mask.shape == (batch * self.num_heads, length, source):
                mask = mask.reshape(batch, self.num_heads, length, source)
            else:
                raise ValueError(
                    f"{where}: attn_mask must be ({length}, {source}) or ({batch * self.num_heads}, "
                    f"{length}, {source}) (L, S or N * num_heads, L, S), got {tuple(attn_mask.shape)}"
                )
        padding = _additive(key_padding_mask, dtype, where, "key_padding_mask")
        if padding is not None:
            if padding.shape != (batch, source):
                raise ValueError(
                    f"{where}: key_padding_mask must be ({batch}, {source}) (N, S), got {tuple(padding.shape)}"
                )
            padding = padding.reshape(batch, 1, 1, source)
            mask = padding if mask is None else mask + padding
        return mask
