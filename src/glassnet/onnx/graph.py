"""`GraphBuilder`: the ONNX graph being written, one node at a time, beside glassnet's own values.

Every ONNX value is a `Value`: its name in the graph and the glassnet Tensor the model
computes there for the example input. A converter computes that Tensor with glassnet
(so shapes are known, as torch.onnx's tracer knows them) and writes the ONNX node(s)
that compute the same thing; names follow the module path (`layer1.0.conv1`), so a
graph viewer such as Netron shows the model's own structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy
import onnx
from onnx import helper, numpy_helper

from glassnet.tensor import Tensor


@dataclass(frozen=True)
class Value:
    """A value of the graph: its ONNX name and glassnet's Tensor for the example input."""

    name: str
    tensor: Tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.tensor.shape)


class GraphBuilder:
    """Collects nodes and initializers (the weights) under unique, path-based names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._used: set[str] = set()

    def unique(self, hint: str) -> str:
        """`hint`, or `hint_2`, `hint_3`, ... if taken; '' becomes 'value'."""
        base = hint.strip(".") or "value"
        name, count = base, 1
        while name in self._used:
            count += 1
            name = f"{base}_{count}"
        self._used.add(name)
        return name

    def constant(self, array: Any, hint: str, dtype: Any = None) -> str:
        """Add `array` as an initializer (a weight or a shape) and return its name."""
        data = numpy.array(array, dtype=dtype, order="C")
        name = self.unique(hint)
        self.initializers.append(numpy_helper.from_array(data, name))
        return name

    def ints(self, values: Any, hint: str) -> str:
        """An int64 constant such as a Reshape's shape or an Unsqueeze's axes."""
        return self.constant(numpy.asarray(values, dtype=numpy.int64), hint)

    def node(self, op: str, inputs: list[str], hint: str, tensor: Tensor, **attrs: Any) -> Value:
        """One node with one output, glassnet's `tensor` being that output for the example."""
        (name,) = self.nodes_out(op, inputs, hint, 1, **attrs)
        return Value(name, tensor)

    def nodes_out(
        self, op: str, inputs: list[str], hint: str, outputs: int, **attrs: Any
    ) -> list[str]:
        """One node with `outputs` outputs (LSTM's Y, Y_h, Y_c); returns their names."""
        node_name = self.unique(f"{hint}/{op}")
        names = [self.unique(hint if index == 0 else f"{hint}:{index}") for index in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, names, name=node_name, **attrs))
        return names
