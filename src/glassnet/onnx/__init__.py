"""ONNX export: `glassnet.onnx.export(model, example_input, path, opset_version=17, dynamic_axes=...)`.

Needs the `onnx` extra (pip install 'glassnet[onnx]'): the onnx package builds and checks
the graph, onnxruntime runs it. Inside this package `import onnx` is the onnx library:
imports are absolute, so the package's own name does not shadow it.

Converted layers: Linear, Conv1d/2d (groups, dilation, padding 'same'/'valid'),
ConvTranspose1d/2d (groups, dilation, output_padding), Max/Avg
pools, adaptive average pools, BatchNorm1d/2d (eval), ReLU, LeakyReLU, ELU, GELU, SiLU,
Sigmoid, Tanh, Softplus, PReLU, Hardtanh, Softmax, LogSoftmax, Flatten, Identity,
Dropout (eval: identity), RNN/LSTM/GRU, LayerNorm, MultiheadAttention and
TransformerEncoder(Layer) (eval, no masks), and every model of the zoo (models.py). Add a
layer with `register_converter` (see registry.py).
"""

from __future__ import annotations

from glassnet.onnx import attention, layers, models, recurrent, transformer
from glassnet.onnx.export import export
from glassnet.onnx.registry import CONVERTERS, UnsupportedLayerError, register_converter

__all__ = ["CONVERTERS", "UnsupportedLayerError", "export", "register_converter"]
