"""MACs of issue 18's layers: ConvTranspose counted as torch's flop counter does, MultiheadAttention
with its projections and both attention products, the transformer's whole count in summary."""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

import glassnet
from glassnet.costs import call_macs
from glassnet.models import build_model
from glassnet.summary import summary


def test_conv_transpose_macs_equal_torchs_flop_counter():
    for args, kwargs, shape in [
        ((4, 6, 3), {"stride": 2, "groups": 2}, (2, 4, 5, 5)),
        ((3, 5, 4), {}, (2, 3, 7)),
    ]:
        name = "ConvTranspose2d" if len(shape) == 4 else "ConvTranspose1d"
        theirs, ours = (
            getattr(torch.nn, name)(*args, **kwargs),
            getattr(glassnet.nn, name)(*args, **kwargs),
        )
        x = torch.randn(*shape)
        with FlopCounterMode(display=False) as counter:
            theirs(x)
        inputs = [glassnet.tensor(x.numpy())]
        assert call_macs(ours, inputs, [ours(*inputs)]) == counter.get_total_flops() // 2


def test_multihead_attention_macs_count_projections_and_attention_products():
    layer = glassnet.nn.MultiheadAttention(8, 2, batch_first=True, kdim=3, vdim=5)
    q, k, v = glassnet.randn(2, 5, 8), glassnet.randn(2, 6, 3), glassnet.randn(2, 6, 5)
    output, _ = layer(q, k, v)
    projections = 2 * 5 * 8 * 8 + 2 * 6 * 8 * (3 + 5)
    products = 2 * (2 * 5 * 6 * 8)  # Q K^T and A V: N L S E each
    assert call_macs(layer, [q, k, v], [output]) == projections + products


def test_summary_counts_every_layer_of_the_transformer():
    text = str(summary(build_model("transformer", (1, 40), 10), (1, 40)))
    assert "are not counted" not in text
