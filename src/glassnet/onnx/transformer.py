"""ONNX converters of TransformerEncoderLayer, TransformerEncoder and the zoo's TransformerClassifier.

    norm_first:  x = x + sa(norm1(x));  x = x + ff(norm2(x))
    otherwise:   x = norm1(x + sa(x));  x = norm2(x + ff(x))
    sa(x) = dropout1(self_attn(x, x, x)[0]);  ff(x) = dropout2(linear2(dropout(act(linear1(x)))))

Dropout is the identity in eval mode. LayerNormalization needs opset 17 or newer. The activation is F.relu, F.gelu or a Module with
its own converter; any other callable is refused. Masks are not exported.
"""

from __future__ import annotations

from typing import Any

from glassnet import nn
from glassnet.models.transformer import TransformerClassifier
from glassnet.nn import functional as F
from glassnet.onnx.attention import attention_nodes, refuse_masks
from glassnet.onnx.graph import GraphBuilder, Value
from glassnet.onnx.layers import gelu_value
from glassnet.onnx.registry import UnsupportedLayerError, child_path, convert, register_converter


def _sub(g: GraphBuilder, module: nn.Module, path: str, name: str, x: Value) -> Value:
    return convert(g, getattr(module, name), child_path(path, name), x)


def _add(g: GraphBuilder, a: Value, b: Value, hint: str) -> Value:
    return g.node("Add", [a.name, b.name], hint, a.tensor + b.tensor)


def _activation(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    function, where = module.activation, child_path(path, "activation")
    if isinstance(function, nn.Module):
        return convert(g, function, where, x)
    if function is F.relu:
        return g.node("Relu", [x.name], where, F.relu(x.tensor))
    if function is F.gelu:
        return gelu_value(g, x, where, F.gelu(x.tensor))
    raise UnsupportedLayerError(
        f"ONNX export: layer '{path or '<model>'}' (TransformerEncoderLayer) has activation "
        f"{function!r}; exported are F.relu, F.gelu and modules with a converter"
    )


def _self_attention(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    attn, where = module.self_attn, child_path(path, "self_attn")
    output, _ = attn(x.tensor, x.tensor, x.tensor, need_weights=False)
    out, _ = attention_nodes(g, attn, where, x, x, x)
    return _sub(g, module, path, "dropout1", g.node("Identity", [out], where, output))


def _feed_forward(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    hidden = _activation(g, module, path, _sub(g, module, path, "linear1", x))
    for name in ("dropout", "linear2", "dropout2"):
        hidden = _sub(g, module, path, name, hidden)
    return hidden


@register_converter(nn.TransformerEncoderLayer)
def encoder_layer(g: GraphBuilder, module: Any, path: str, x: Value, *masks: Value) -> Value:
    refuse_masks(module, path, masks)
    if len(x.shape) != 3:
        raise UnsupportedLayerError(
            f"ONNX export: layer '{path or '<model>'}' (TransformerEncoderLayer) is exported for "
            f"batched 3-D input; got shape {x.shape}"
        )
    if module.norm_first:
        attended = _self_attention(g, module, path, _sub(g, module, path, "norm1", x))
        x = _add(g, x, attended, child_path(path, "add1"))
        fed = _feed_forward(g, module, path, _sub(g, module, path, "norm2", x))
        return _add(g, x, fed, child_path(path, "add2"))
    x = _add(g, x, _self_attention(g, module, path, x), child_path(path, "add1"))
    x = _sub(g, module, path, "norm1", x)
    x = _add(g, x, _feed_forward(g, module, path, x), child_path(path, "add2"))
    return _sub(g, module, path, "norm2", x)


@register_converter(nn.TransformerEncoder)
def encoder(g: GraphBuilder, module: Any, path: str, x: Value, *masks: Value) -> Value:
    """The layers in turn, then the optional final norm."""
    refuse_masks(module, path, masks)
    for index, layer in enumerate(module.layers):
        x = convert(g, layer, child_path(path, f"layers.{index}"), x)
    return x if module.norm is None else _sub(g, module, path, "norm", x)


@register_converter(TransformerClassifier)
def transformer_classifier(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """head(mean over tokens of norm(encoder(embed(x)^T + position))); (N, L) read as (N, 1, L)."""
    if len(x.shape) == 2 and module.in_channels == 1:
        axes = g.ints([1], child_path(path, "axes"))
        x = g.node(
            "Unsqueeze", [x.name, axes], child_path(path, "unsqueeze"), x.tensor.unsqueeze(1)
        )
    embedded = _sub(g, module, path, "embed", x)
    tokens = embedded.tensor.transpose(1, 2)
    where = child_path(path, "tokens")
    (moved,) = g.nodes_out("Transpose", [embedded.name], where, 1, perm=[0, 2, 1])
    position = g.constant(module.position.data, child_path(path, "position"), "f4")
    x = g.node("Add", [moved, position], child_path(path, "add_position"), tokens + module.position)
    encoded = _sub(g, module, path, "norm", _sub(g, module, path, "encoder", x))
    # the mean over tokens as GlobalAveragePool of (N, d, T): ReduceMean's axes moved from an
    # attribute to an input at opset 18, this holds at every opset
    where = child_path(path, "mean")
    (channels,) = g.nodes_out("Transpose", [encoded.name], f"{where}.channels", 1, perm=[0, 2, 1])
    (pooled,) = g.nodes_out("GlobalAveragePool", [channels], f"{where}.pool", 1)
    mean = g.node("Flatten", [pooled], where, encoded.tensor.mean(dim=1), axis=1)
    return _sub(g, module, path, "head", mean)
