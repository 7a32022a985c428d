"""`TransformerEncoderLayer` and `TransformerEncoder`: self-attention plus a feed-forward block,
each wrapped in a residual connection and a LayerNorm (Vaswani et al. 2017).

    post-norm (norm_first=False, the paper's):  x = norm1(x + SA(x));  x = norm2(x + FF(x))
    pre-norm  (norm_first=True):                x = x + SA(norm1(x));  x = x + FF(norm2(x))
    SA(x) = dropout1(self_attn(x, x, x));  FF(x) = dropout2(linear2(dropout(act(linear1(x)))))

Pre-norm keeps an identity path from the input to the output of every layer, which is
why deep pre-norm stacks train without warm-up. Submodule names and order are PyTorch's,
so state dicts load both ways; TransformerEncoder holds num_layers deep copies of the
layer it is given (so every copy starts from the same weights, as in PyTorch).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from glassnet.nn import functional as F
from glassnet.nn.attention import MultiheadAttention
from glassnet.nn.container import ModuleList
from glassnet.nn.dropout import Dropout
from glassnet.nn.layer_args import check_int, describe
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import LayerNorm
from glassnet.tensor import Tensor

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    """One encoder layer: self-attention and a feed-forward block, each with residual + LayerNorm."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **factory
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            if activation not in ACTIVATIONS:
                raise ValueError(
                    f"TransformerEncoderLayer: activation={activation!r} is not valid; expected "
                    f"'relu', 'gelu' or a callable"
                )
            activation = ACTIVATIONS[activation]
        self.activation = activation

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask: Any, padding: Any, is_causal: bool) -> Tensor:
        output, _ = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=padding,
            need_weights=False,
            is_causal=is_causal,
        )
        return self.dropout1(output)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """num_layers copies of encoder_layer applied in turn, then an optional final norm."""

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"TransformerEncoder: encoder_layer must be a Module, got {type(encoder_layer).__name__}"
            )
        count = check_int("TransformerEncoder", "num_layers", num_layers, 1)
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(count)])
        self.num_layers = count
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor  # a PyTorch speed path; nothing to do here
        self.mask_check = mask_check

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        if not isinstance(src, Tensor):
            raise TypeError(f"{describe(self)}: src must be a Tensor, got {type(src).__name__}")
        output = src
        for layer in self.layers:
            output = layer(
                output,
                src_mask=mask,
                src_key_padding_mask=src_key_padding_mask,
                is_causal=bool(is_causal),
            )
        return self.norm(output) if self.norm is not None else output
