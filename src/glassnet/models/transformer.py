"""A small transformer that classifies sequences (a ViT for 1-D signals such as MNIST-1D).

    (N, C, L) --Conv1d(C, d, patch, stride patch / 2)--> (N, T, d) tokens
      + a learned position embedding (1, T, d)
      --num_layers x TransformerEncoderLayer (pre-norm, GELU)--> LayerNorm
      --mean over the T tokens--> Linear(d, num_classes) -> logits

The strided convolution cuts the signal into overlapping patches, one token each (with
L = 40 and patch 4: T = 20 tokens of width d); self-attention then lets every patch look
at every other, so a digit's strokes can be related wherever the random shift of
MNIST-1D put them. The position embedding is what tells the tokens apart by place
(attention itself is blind to order). `attention_weights(x)` returns each layer's
attention matrix (N, T, T), averaged over heads, from a real forward pass.
"""

from __future__ import annotations

from glassnet import creation
from glassnet.costs import register_macs
from glassnet.grad_mode import no_grad
from glassnet.nn import init
from glassnet.nn.conv import Conv1d
from glassnet.nn.layer_args import check_int
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import LayerNorm
from glassnet.nn.parameter import Parameter
from glassnet.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from glassnet.tensor import Tensor


class TransformerClassifier(Module):
    """TransformerClassifier(in_channels, length, num_classes, d_model=32, nhead=4, num_layers=2,
    dim_feedforward=64, dropout=0.1, patch_size=4).

    Input (N, in_channels, length), or (N, length) when in_channels is 1; output (N, num_classes).
    """

    def __init__(
        self,
        in_channels: int,
        length: int,
        num_classes: int,
        d_model: int = 32,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int = 64,
        dropout: float = 0.1,
        patch_size: int = 4,
    ) -> None:
        super().__init__()
        where = "TransformerClassifier"
        self.in_channels = check_int(where, "in_channels", in_channels, 1)
        check_int(where, "num_classes", num_classes, 1)
        patch = check_int(where, "patch_size", patch_size, 2)
        stride = patch // 2
        if length < patch:
            raise ValueError(f"{where}: length {length} is shorter than patch_size {patch}")
        self.tokens = (length - patch) // stride + 1
        self.embed = Conv1d(in_channels, d_model, patch, stride=stride)
        self.position = Parameter(creation.zeros(1, self.tokens, d_model))
        init.trunc_normal_(self.position, std=0.02)
        layer = TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = LayerNorm(d_model)
        self.head = Linear(d_model, num_classes)

    def _tokens(self, x: Tensor) -> Tensor:
        if x.ndim == 2 and self.in_channels == 1:
            x = x.unsqueeze(1)
        if x.ndim != 3 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"TransformerClassifier: expected (N, {self.in_channels}, L) sequences, got input of "
                f"shape {tuple(x.shape)}"
            )
        tokens = self.embed(x).transpose(1, 2)  # (N, T, d)
        if tokens.shape[1] != self.tokens:
            raise ValueError(
                f"TransformerClassifier: built for {self.tokens} tokens, input of shape "
                f"{tuple(x.shape)} gives {tokens.shape[1]}"
            )
        return tokens + self.position

    def forward(self, x: Tensor) -> Tensor:
        encoded = self.norm(self.encoder(self._tokens(x)))
        return self.head(encoded.mean(dim=1))

    def attention_weights(self, x: Tensor) -> list[Tensor]:
        """Each layer's attention (N, T, T), averaged over heads: row i is where token i looks."""
        maps = []
        with no_grad():
            hidden = self._tokens(x)
            for layer in self.encoder.layers:
                normed = layer.norm1(hidden)
                _, weights = layer.self_attn(normed, normed, normed, need_weights=True)
                maps.append(weights)
                hidden = layer(hidden)
        return maps


# its own parameter is the position embedding, which is added, not multiplied: 0 MACs of its own
register_macs(TransformerClassifier, lambda module, inputs, outputs: 0)
