"""ONNX converters of LayerNorm and MultiheadAttention (eval mode, no masks).

LayerNorm is opset 17's LayerNormalization over the last len(normalized_shape) axes.
MultiheadAttention, for batched (N, L, E) with batch_first or (L, N, E) inputs:

    q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v      (MatMul, Add)
    q -> (N, h, L, d), k -> (N, h, d, S), v -> (N, h, S, d)            (Reshape, Transpose)
    P = softmax(q k / sqrt(d)) over S;  o = P v -> (N, L, E) or (L, N, E)
    output = o W_out^T + b_out;  weights = mean of P over the h heads -> (N, L, S)

Masks (attn_mask, key_padding_mask) are not exported: a mask argument is refused.
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from glassnet import nn
from glassnet.onnx.graph import GraphBuilder, Value
from glassnet.onnx.registry import UnsupportedLayerError, register_converter


def refuse_masks(module: nn.Module, path: str, masks: tuple) -> None:
    """One clear error when the export passes mask inputs (they have no converter here)."""
    if masks:
        raise UnsupportedLayerError(
            f"ONNX export: layer '{path or '<model>'}' ({type(module).__name__}) is exported "
            f"without masks; got {len(masks)} extra input(s) (attn_mask / key_padding_mask)"
        )


@register_converter(nn.LayerNorm)
def layer_norm(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """(x - mean) / sqrt(var + eps) * weight + bias over the normalized_shape axes."""
    shape = module.normalized_shape
    scale = module.weight.data if module.weight is not None else numpy.ones(shape)
    inputs = [x.name, g.constant(scale, f"{path}.weight", numpy.float32)]
    if module.bias is not None:
        inputs.append(g.constant(module.bias.data, f"{path}.bias", numpy.float32))
    return g.node(
        "LayerNormalization",
        inputs,
        path,
        module(x.tensor),
        axis=-len(shape),
        epsilon=float(module.eps),
    )


def _projection_weights(module: Any) -> list[tuple[numpy.ndarray, numpy.ndarray | None]]:
    """(W, b) of the q, k and v projections: thirds of in_proj, or the separate q/k/v weights."""
    e = module.embed_dim
    if module._qkv_same_embed_dim:
        weights = [module.in_proj_weight.data[i * e : (i + 1) * e] for i in range(3)]
    else:
        weights = [getattr(module, f"{n}_proj_weight").data for n in "qkv"]
    bias = module.in_proj_bias
    biases = [None] * 3 if bias is None else [bias.data[i * e : (i + 1) * e] for i in range(3)]
    return list(zip(weights, biases))


def _affine(g: GraphBuilder, x: str, weight: Any, bias: Any, hint: str) -> str:
    """x W^T (+ b) on the last axis: MatMul, then Add."""
    (y,) = g.nodes_out(
        "MatMul", [x, g.constant(weight.T, f"{hint}.weight_t", numpy.float32)], hint, 1
    )
    if bias is None:
        return y
    bias_name = g.constant(bias, f"{hint}.bias", numpy.float32)
    (y,) = g.nodes_out("Add", [y, bias_name], f"{hint}.add", 1)
    return y


def _heads(g: GraphBuilder, x: str, module: Any, path: str, perm: list[int]) -> str:
    """(N, L, E) or (L, N, E) -> (., ., h, d) -> transposed by perm."""
    split = g.ints([0, 0, module.num_heads, module.head_dim], f"{path}.split")
    (grouped,) = g.nodes_out("Reshape", [x, split], f"{path}.grouped", 1)
    (moved,) = g.nodes_out("Transpose", [grouped], f"{path}.moved", 1, perm=perm)
    return moved


def attention_nodes(
    g: GraphBuilder, module: Any, path: str, query: Value, key: Value, value: Value
) -> tuple[str, str]:
    """The names of the output (after out_proj) and of the attention weights P (N, h, L, S)."""
    first = module.batch_first
    names = []
    for (weight, bias), x, label in zip(_projection_weights(module), (query, key, value), "qkv"):
        names.append(_affine(g, x.name, weight, bias, f"{path}.{label}_proj"))
    q = _heads(g, names[0], module, f"{path}.q", [0, 2, 1, 3] if first else [1, 2, 0, 3])
    k = _heads(g, names[1], module, f"{path}.k", [0, 2, 3, 1] if first else [1, 2, 3, 0])
    v = _heads(g, names[2], module, f"{path}.v", [0, 2, 1, 3] if first else [1, 2, 0, 3])
    scale = g.constant(1 / math.sqrt(module.head_dim), f"{path}.scale", numpy.float32)
    (scores,) = g.nodes_out("MatMul", [q, k], f"{path}.scores", 1)
    (scaled,) = g.nodes_out("Mul", [scores, scale], f"{path}.scaled", 1)
    (probs,) = g.nodes_out("Softmax", [scaled], f"{path}.softmax", 1, axis=-1)
    (context,) = g.nodes_out("MatMul", [probs, v], f"{path}.context", 1)
    back = [0, 2, 1, 3] if first else [2, 0, 1, 3]
    (moved,) = g.nodes_out("Transpose", [context], f"{path}.merge", 1, perm=back)
    merge = g.ints([0, 0, module.embed_dim], f"{path}.merge_shape")
    (merged,) = g.nodes_out("Reshape", [moved, merge], f"{path}.merged", 1)
    out = module.out_proj
    bias = None if out.bias is None else out.bias.data
    return _affine(g, merged, out.weight.data, bias, f"{path}.out_proj"), probs


@register_converter(nn.MultiheadAttention)
def multihead_attention(
    g: GraphBuilder, module: Any, path: str, query: Value, key: Value, value: Value, *masks: Value
) -> tuple[Value, Value]:
    """(output, weights averaged over heads), as forward(query, key, value) returns them."""
    refuse_masks(module, path, masks)
    if len(query.shape) != 3:
        raise UnsupportedLayerError(
            f"ONNX export: layer '{path or '<model>'}' (MultiheadAttention) is exported for "
            f"batched 3-D inputs; got query of shape {query.shape}"
        )
    if module.bias_k is not None or module.add_zero_attn:
        raise UnsupportedLayerError(
            f"ONNX export: layer '{path or '<model>'}' (MultiheadAttention): bias_k/add_zero_attn"
        )
    output, weights = module(query.tensor, key.tensor, value.tensor)
    out, probs = attention_nodes(g, module, path, query, key, value)
    result = g.node("Identity", [out], f"{path}.output", output)
    (per_head,) = g.nodes_out("Transpose", [probs], f"{path}.heads_last", 1, perm=[0, 2, 3, 1])
    mean = g.constant(numpy.full(module.num_heads, 1 / module.num_heads), f"{path}.mean", "f4")
    return result, g.node("MatMul", [per_head, mean], f"{path}.weights", weights)
