"""ONNX converters of RNN, LSTM and GRU: one ONNX recurrent op per layer, gates reordered.

ONNX and PyTorch stack the gates' weights in different orders:
    LSTM  PyTorch (i, f, g, o)  ->  ONNX (i, o, f, c)      blocks [0, 3, 1, 2]
    GRU   PyTorch (r, z, n)     ->  ONNX (z, r, h)         blocks [1, 0, 2]
and PyTorch's GRU applies the reset gate after the hidden matmul,
n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), which is ONNX's linear_before_reset=1.
W is (directions, gates * hidden, input), R (directions, gates * hidden, hidden) and
B (directions, 2 * gates * hidden) = [input biases, hidden biases]. ONNX's Y is
(L, directions, N, hidden); the next layer reads (L, N, directions * hidden), PyTorch's
[forward, reverse] concatenation. Batched input only, with zero initial states.
"""

from __future__ import annotations

from typing import Any

import numpy

from glassnet import nn
from glassnet.onnx.graph import GraphBuilder, Value
from glassnet.onnx.registry import UnsupportedLayerError, register_converter

GATE_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN_TANH": [0], "RNN_RELU": [0]}
OPS = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _reordered(array: numpy.ndarray, mode: str) -> numpy.ndarray:
    """Rows of the stacked gates in ONNX's order."""
    order = GATE_ORDER[mode]
    blocks = array.reshape(len(order), -1, *array.shape[1:])
    return blocks[order].reshape(array.shape)


def _layer_weights(module: Any, layer: int) -> tuple[numpy.ndarray, ...]:
    """W, R, B of one layer, both directions stacked, as ONNX wants them."""
    suffixes = ["", "_reverse"] if module.bidirectional else [""]
    weights, recurrent, biases = [], [], []
    for suffix in suffixes:
        w_ih = getattr(module, f"weight_ih_l{layer}{suffix}").data
        w_hh = getattr(module, f"weight_hh_l{layer}{suffix}").data
        weights.append(_reordered(w_ih, module.mode))
        recurrent.append(_reordered(w_hh, module.mode))
        if module.bias:
            b_ih = getattr(module, f"bias_ih_l{layer}{suffix}").data
            b_hh = getattr(module, f"bias_hh_l{layer}{suffix}").data
            biases.append(
                numpy.concatenate([_reordered(b_ih, module.mode), _reordered(b_hh, module.mode)])
            )
        else:
            biases.append(numpy.zeros(2 * w_ih.shape[0]))
    return numpy.stack(weights), numpy.stack(recurrent), numpy.stack(biases)


def _attributes(module: Any) -> dict[str, Any]:
    directions = 2 if module.bidirectional else 1
    attrs: dict[str, Any] = {
        "hidden_size": module.hidden_size,
        "direction": "bidirectional" if module.bidirectional else "forward",
    }
    if module.mode == "GRU":
        attrs["linear_before_reset"] = 1
    if module.mode.startswith("RNN"):
        attrs["activations"] = ["Relu" if module.mode == "RNN_RELU" else "Tanh"] * directions
    return attrs


@register_converter(nn.RNN, nn.LSTM, nn.GRU)
def recurrent(g: GraphBuilder, module: Any, path: str, x: Value, *state: Value) -> Any:
    """(output, h_n) or (output, (h_n, c_n)), as the module's forward returns them."""
    if state or len(x.shape) != 3:
        raise UnsupportedLayerError(
            f"ONNX export: layer '{path}' ({type(module).__name__}) is exported for a batched 3-D "
            f"input and zero initial states; got input shape {x.shape} and {len(state)} state(s)"
        )
    output, final = module(x.tensor)
    lstm = module.mode == "LSTM"
    sequence = x.name
    if module.batch_first:  # the ONNX ops run time-major (layout 0)
        (sequence,) = g.nodes_out("Transpose", [x.name], f"{path}.time_major", 1, perm=[1, 0, 2])
    finals: list[list[str]] = [[], []]
    for layer in range(module.num_layers):
        here = f"{path}.l{layer}"
        w, r, b = (
            g.constant(array, f"{here}.{name}", numpy.float32)
            for name, array in zip("WRB", _layer_weights(module, layer))
        )
        outputs = g.nodes_out(
            OPS[module.mode], [sequence, w, r, b], here, 3 if lstm else 2, **_attributes(module)
        )
        (moved,) = g.nodes_out("Transpose", [outputs[0]], f"{here}.y", 1, perm=[0, 2, 1, 3])
        shape = g.ints([0, 0, -1], f"{here}.y_shape")
        (sequence,) = g.nodes_out("Reshape", [moved, shape], f"{here}.output", 1)
        for kind, name in enumerate(outputs[1:]):
            finals[kind].append(name)
    if module.batch_first:
        out = g.node("Transpose", [sequence], f"{path}.output", output, perm=[1, 0, 2])
    else:
        out = g.node("Identity", [sequence], f"{path}.output", output)
    states = [final[0], final[1]] if lstm else [final]
    values = [
        g.node("Concat", names, f"{path}.{label}", tensor, axis=0)
        for names, label, tensor in zip(finals, ("h_n", "c_n"), states)
    ]
    return (out, (values[0], values[1])) if lstm else (out, values[0])
