"""ONNX converters of glassnet.nn's layers: Linear, Conv1d/2d, ConvTranspose1d/2d, the pools,
BatchNorm (eval), the activations, Flatten, Identity and Dropout (eval: the identity).

Each converter computes glassnet's output with the module itself (`module(x.tensor)`)
and writes the ONNX op(s) that compute the same function. Opset 17 has no Gelu, so
GELU is composed: 0.5 x (1 + erf(x / sqrt 2)), or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from glassnet import nn
from glassnet.onnx.graph import GraphBuilder, Value
from glassnet.onnx.registry import UnsupportedLayerError, register_converter


def _tuple(value: Any, dims: int) -> tuple[int, ...]:
    return (
        tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),) * dims
    )


def _weight(g: GraphBuilder, module: nn.Module, name: str, path: str) -> str:
    return g.constant(getattr(module, name).data, f"{path}.{name}", numpy.float32)


def _refuse(module: nn.Module, path: str, why: str) -> UnsupportedLayerError:
    return UnsupportedLayerError(
        f"ONNX export: layer '{path}' ({type(module).__name__}) cannot be exported: {why}"
    )


@register_converter(nn.Linear)
def linear(g: GraphBuilder, module: nn.Linear, path: str, x: Value) -> Value:
    """y = x W^T + b: Gemm(transB=1) for (N, in), MatMul(+ Add) with W^T for more dims."""
    y = module(x.tensor)
    bias = [] if module.bias is None else [_weight(g, module, "bias", path)]
    if len(x.shape) == 2:
        return g.node(
            "Gemm", [x.name, _weight(g, module, "weight", path), *bias], path, y, transB=1
        )
    transposed = g.constant(module.weight.data.T, f"{path}.weight_t", numpy.float32)
    if not bias:
        return g.node("MatMul", [x.name, transposed], path, y)
    (product,) = g.nodes_out("MatMul", [x.name, transposed], f"{path}.matmul", 1)
    return g.node("Add", [product, *bias], path, y)


def _conv_pads(module: Any, dims: int) -> list[int]:
    """ONNX pads [begin_1, ..., begin_d, end_1, ..., end_d] for the conv's padding."""
    if module.padding == "valid":
        return [0] * 2 * dims
    if module.padding == "same":  # PyTorch puts the odd pixel at the end
        totals = [d * (k - 1) for k, d in zip(module.kernel_size, module.dilation)]
        return [t // 2 for t in totals] + [t - t // 2 for t in totals]
    return list(module.padding) * 2


@register_converter(nn.Conv1d, nn.Conv2d)
def conv(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """Conv with the same kernel, strides, pads, dilations and groups; weights as they are (O, I/g, k...)."""
    if module.padding_mode != "zeros":
        raise _refuse(module, path, f"padding_mode={module.padding_mode!r} (only 'zeros')")
    dims = len(module.kernel_size)
    y = module(x.tensor)
    inputs = [x.name, _weight(g, module, "weight", path)]
    if module.bias is not None:
        inputs.append(_weight(g, module, "bias", path))
    return g.node(
        "Conv",
        inputs,
        path,
        y,
        kernel_shape=list(module.kernel_size),
        strides=list(module.stride),
        pads=_conv_pads(module, dims),
        dilations=list(module.dilation),
        group=module.groups,
    )


@register_converter(nn.ConvTranspose1d, nn.ConvTranspose2d)
def conv_transpose(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """ConvTranspose, weight as it is (I, O/g, k...): out = (n - 1) s - 2 p + d (k - 1) + output_padding + 1."""
    dims = len(module.kernel_size)
    if len(x.shape) != dims + 2:
        raise _refuse(module, path, f"batched {dims + 2}-D input only, got shape {x.shape}")
    inputs = [x.name, _weight(g, module, "weight", path)]
    if module.bias is not None:
        inputs.append(_weight(g, module, "bias", path))
    return g.node(
        "ConvTranspose",
        inputs,
        path,
        module(x.tensor),
        kernel_shape=list(module.kernel_size),
        strides=list(module.stride),
        pads=list(module.padding) * 2,
        dilations=list(module.dilation),
        output_padding=list(module.output_padding),
        group=module.groups,
    )


def _window(module: Any, dims: int) -> dict[str, Any]:
    padding = list(_tuple(module.padding, dims))
    return {
        "kernel_shape": list(_tuple(module.kernel_size, dims)),
        "strides": list(_tuple(module.stride, dims)),
        "pads": padding * 2,
        "ceil_mode": int(module.ceil_mode),
    }


@register_converter(nn.MaxPool1d, nn.MaxPool2d)
def max_pool(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    if module.return_indices:
        raise _refuse(module, path, "return_indices=True")
    dims = 1 if isinstance(module, nn.MaxPool1d) else 2
    attrs = _window(module, dims)
    return g.node(
        "MaxPool",
        [x.name],
        path,
        module(x.tensor),
        dilations=list(_tuple(module.dilation, dims)),
        **attrs,
    )


@register_converter(nn.AvgPool1d, nn.AvgPool2d)
def avg_pool(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    if getattr(module, "divisor_override", None) is not None:
        raise _refuse(module, path, "divisor_override (ONNX AveragePool has none)")
    dims = 1 if isinstance(module, nn.AvgPool1d) else 2
    attrs = _window(module, dims)
    include = int(module.count_include_pad)
    return g.node(
        "AveragePool", [x.name], path, module(x.tensor), count_include_pad=include, **attrs
    )


@register_converter(nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)
def adaptive_avg_pool(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """GlobalAveragePool for output 1; AveragePool(kernel = stride = in / out) where out divides in."""
    y = module(x.tensor)
    sizes, outs = x.shape[2:], y.shape[2:]
    if all(out == 1 for out in outs):
        return g.node("GlobalAveragePool", [x.name], path, y)
    if any(size % out for size, out in zip(sizes, outs)):
        raise _refuse(
            module, path, f"output size {outs} does not divide the input size {sizes} (no ONNX op)"
        )
    kernel = [size // out for size, out in zip(sizes, outs)]
    return g.node("AveragePool", [x.name], path, y, kernel_shape=kernel, strides=kernel)


@register_converter(nn.BatchNorm1d, nn.BatchNorm2d)
def batch_norm(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """Eval mode: y = (x - running_mean) / sqrt(running_var + eps) * weight + bias."""
    if module.running_mean is None:
        raise _refuse(module, path, "track_running_stats=False normalises with batch statistics")
    count = module.num_features
    scale = module.weight.data if module.affine else numpy.ones(count)
    shift = module.bias.data if module.affine else numpy.zeros(count)
    inputs = [
        x.name,
        g.constant(scale, f"{path}.weight", numpy.float32),
        g.constant(shift, f"{path}.bias", numpy.float32),
        g.constant(module.running_mean.data, f"{path}.running_mean", numpy.float32),
        g.constant(module.running_var.data, f"{path}.running_var", numpy.float32),
    ]
    y = module(x.tensor)
    return g.node("BatchNormalization", inputs, path, y, epsilon=float(module.eps))


SIMPLE = {nn.ReLU: "Relu", nn.Sigmoid: "Sigmoid", nn.Tanh: "Tanh"}


@register_converter(*SIMPLE)
def simple_activation(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    return g.node(SIMPLE[type(module)], [x.name], path, module(x.tensor))


@register_converter(nn.LeakyReLU)
def leaky_relu(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    alpha = float(module.negative_slope)
    return g.node("LeakyRelu", [x.name], path, module(x.tensor), alpha=alpha)


@register_converter(nn.ELU)
def elu(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    return g.node("Elu", [x.name], path, module(x.tensor), alpha=float(module.alpha))


@register_converter(nn.Hardtanh)
def hardtanh(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    low = g.constant(module.min_val, f"{path}.min_val", numpy.float32)
    high = g.constant(module.max_val, f"{path}.max_val", numpy.float32)
    return g.node("Clip", [x.name, low, high], path, module(x.tensor))


@register_converter(nn.SiLU)
def silu(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """x * sigmoid(x)."""
    (gate,) = g.nodes_out("Sigmoid", [x.name], f"{path}.sigmoid", 1)
    return g.node("Mul", [x.name, gate], path, module(x.tensor))


@register_converter(nn.GELU)
def gelu(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    return gelu_value(g, x, path, module(x.tensor), module.approximate)


def gelu_value(g: GraphBuilder, x: Value, path: str, y: Any, approximate: str = "none") -> Value:
    """0.5 x (1 + erf(x / sqrt 2)); approximate='tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    const = lambda value, hint: g.constant(value, f"{path}.{hint}", numpy.float32)  # noqa: E731
    if approximate == "tanh":
        (cube,) = g.nodes_out("Pow", [x.name, const(3.0, "three")], f"{path}.cube", 1)
        (scaled,) = g.nodes_out("Mul", [cube, const(0.044715, "c")], f"{path}.scaled", 1)
        (inner,) = g.nodes_out("Add", [x.name, scaled], f"{path}.inner", 1)
        (arg,) = g.nodes_out("Mul", [inner, const(math.sqrt(2 / math.pi), "k")], f"{path}.arg", 1)
        (curve,) = g.nodes_out("Tanh", [arg], f"{path}.tanh", 1)
    else:
        (arg,) = g.nodes_out("Mul", [x.name, const(1 / math.sqrt(2), "k")], f"{path}.arg", 1)
        (curve,) = g.nodes_out("Erf", [arg], f"{path}.erf", 1)
    (one_plus,) = g.nodes_out("Add", [curve, const(1.0, "one")], f"{path}.one_plus", 1)
    (half,) = g.nodes_out("Mul", [x.name, const(0.5, "half")], f"{path}.half", 1)
    return g.node("Mul", [half, one_plus], path, y)


@register_converter(nn.Softplus)
def softplus(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """log(1 + exp(beta x)) / beta (PyTorch's linear branch above `threshold` agrees in float32)."""
    y = module(x.tensor)
    if module.beta == 1:
        return g.node("Softplus", [x.name], path, y)
    beta = g.constant(module.beta, f"{path}.beta", numpy.float32)
    (scaled,) = g.nodes_out("Mul", [x.name, beta], f"{path}.scaled", 1)
    (soft,) = g.nodes_out("Softplus", [scaled], f"{path}.softplus", 1)
    return g.node("Div", [soft, beta], path, y)


@register_converter(nn.PReLU)
def prelu(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """PRelu with the slope broadcast over channel dim 1: shape (C, 1, ..., 1)."""
    slope = module.weight.data.reshape((-1,) + (1,) * max(len(x.shape) - 2, 0))
    return g.node(
        "PRelu",
        [x.name, g.constant(slope, f"{path}.weight", numpy.float32)],
        path,
        module(x.tensor),
    )


@register_converter(nn.Softmax, nn.LogSoftmax)
def softmax(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    y = module(x.tensor)
    op = "Softmax" if isinstance(module, nn.Softmax) else "LogSoftmax"
    axis = module.dim if module.dim is not None else (0 if len(x.shape) in (0, 1, 3) else 1)
    return g.node(op, [x.name], path, y, axis=int(axis))


@register_converter(nn.Flatten)
def flatten(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """ONNX Flatten for start_dim=1, end_dim=-1; a Reshape keeping the other dims otherwise."""
    y = module(x.tensor)
    return flatten_value(g, x, path, y, module.start_dim, module.end_dim)


def flatten_value(
    g: GraphBuilder, x: Value, path: str, y: Any, start_dim: int = 1, end_dim: int = -1
) -> Value:
    """x.flatten(start_dim, end_dim) as ONNX (batch dim kept dynamic: Reshape's 0 copies it)."""
    rank = len(x.shape)
    start, end = start_dim % rank, end_dim % rank
    if start == 1 and end == rank - 1:
        return g.node("Flatten", [x.name], path, y, axis=1)
    shape = [0 if axis == 0 else size for axis, size in enumerate(y.shape)]
    shape[start] = -1
    return g.node("Reshape", [x.name, g.ints(shape, f"{path}.shape")], path, y)


@register_converter(nn.Identity, nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)
def identity(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """Identity and (eval-mode) dropout: the value passes through unchanged."""
    return g.node("Identity", [x.name], path, module(x.tensor))
