"""`export(model, example_input, path)`: a glassnet model as an ONNX file that onnxruntime runs.

Like torch.onnx.export, it runs the model once on `example_input` (in eval mode: dropout
off, BatchNorm on its running statistics; the model's modes and buffers are restored
afterwards) and writes what it computed as an ONNX graph, float32, built by the
converters of the module tree (glassnet.onnx.registry). Shapes are those of the example
except the axes named in `dynamic_axes` (torch's format: {"input": {0: "batch"}}).

The file's `ir_version` is the lowest that the opset needs (8 for opset 17), not onnx's
newest (onnx 1.23 writes IR 14; onnxruntime 1.31 reads up to 13), so runtimes older than
the onnx package still load it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy
import onnx
from onnx import helper

from glassnet.atomic import atomic_write_bytes
from glassnet.grad_mode import no_grad
from glassnet.nn.module import Module
from glassnet.onnx.graph import GraphBuilder, Value
from glassnet.onnx.registry import convert
from glassnet.tensor import Tensor
from glassnet.tracing import as_input_list, module_state_kept

MIN_OPSET = 13  # Unsqueeze/Slice/Pad with their axes, steps and pads as inputs
DynamicAxes = Mapping[str, Mapping[int, str] | Sequence[int]]


def _example(value: Any, position: int) -> Tensor:
    """A detached float32 copy of one example input (the converters may run in-place ReLUs on it)."""
    array = numpy.asarray(value.detach() if isinstance(value, Tensor) else value)
    if array.dtype.kind == "f":
        array = array.astype(numpy.float32)
    elif array.dtype.kind not in "iub":
        raise TypeError(f"onnx.export: example input {position} has dtype {array.dtype}")
    return Tensor(array.copy())


def _names(given: Sequence[str] | None, count: int, default: str, what: str) -> list[str]:
    if given is None:
        return [default] if count == 1 else [f"{default}_{index}" for index in range(count)]
    names = list(given)
    if len(names) != count or len(set(names)) != count:
        raise ValueError(f"onnx.export: {what} must be {count} distinct name(s), got {names}")
    return names


def _dims(name: str, shape: tuple[int, ...], dynamic_axes: DynamicAxes) -> list[Any]:
    """The shape with the dynamic axes of `name` replaced by their symbolic names."""
    axes = dynamic_axes.get(name, {})
    named = axes if isinstance(axes, Mapping) else {axis: f"{name}_dim{axis}" for axis in axes}
    dims: list[Any] = list(shape)
    for axis, label in named.items():
        if not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
            raise ValueError(
                f"onnx.export: dynamic_axes[{name!r}] names axis {axis!r}, but {name!r} has shape "
                f"{shape} ({len(shape)} axes)"
            )
        dims[axis] = str(label)
    return dims


def _value_info(name: str, tensor: Tensor, dynamic_axes: DynamicAxes) -> onnx.ValueInfoProto:
    kind = helper.np_dtype_to_tensor_dtype(numpy.dtype(tensor.dtype))
    return helper.make_tensor_value_info(name, kind, _dims(name, tuple(tensor.shape), dynamic_axes))


def _check_arguments(model: Any, opset_version: Any, dynamic_axes: Any) -> None:
    if not isinstance(model, Module):
        raise TypeError(
            f"onnx.export: model must be a glassnet.nn.Module, got {type(model).__name__}"
        )
    newest = onnx.defs.onnx_opset_version()
    if (
        isinstance(opset_version, bool)
        or not isinstance(opset_version, int)
        or not (MIN_OPSET <= opset_version <= newest)
    ):
        raise ValueError(
            f"onnx.export: opset_version must be an int in {MIN_OPSET}..{newest}, got {opset_version!r}"
        )
    if dynamic_axes is not None and not isinstance(dynamic_axes, Mapping):
        raise TypeError(
            "onnx.export: dynamic_axes must map input/output names to axes, e.g. "
            f"{{'input': {{0: 'batch'}}}}; got {type(dynamic_axes).__name__}"
        )


def build_graph(
    model: Module,
    examples: list[Tensor],
    input_names: list[str],
    output_names: Sequence[str] | None,
    dynamic_axes: DynamicAxes,
) -> onnx.GraphProto:
    """Run the converters over the model for these example inputs; the graph with its I/O declared."""
    g = GraphBuilder()
    for name in input_names:
        g.unique(name)
    with module_state_kept(model, "eval"), no_grad():
        values = [Value(name, tensor) for name, tensor in zip(input_names, examples)]
        result = convert(g, model, "", *values)
    outputs = list(_flatten_values(result))
    names = _names(output_names, len(outputs), "output", "output_names")
    unknown = sorted(set(dynamic_axes) - set(input_names) - set(names))
    if unknown:
        raise ValueError(
            f"onnx.export: dynamic_axes names {unknown}, which are not inputs {input_names} or "
            f"outputs {names}"
        )
    for value, name in zip(outputs, names):
        g.nodes.append(helper.make_node("Identity", [value.name], [name], name=f"{name}/Identity"))
    return helper.make_graph(
        g.nodes,
        type(model).__name__,
        [_value_info(name, tensor, dynamic_axes) for name, tensor in zip(input_names, examples)],
        [_value_info(name, value.tensor, dynamic_axes) for value, name in zip(outputs, names)],
        initializer=g.initializers,
    )


def _flatten_values(result: Any) -> list[Value]:
    if isinstance(result, Value):
        return [result]
    return [value for item in result for value in _flatten_values(item)]


def export(
    model: Module,
    example_input: Any,
    path: str | os.PathLike[str] | None = None,
    opset_version: int = 17,
    dynamic_axes: DynamicAxes | None = None,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
) -> onnx.ModelProto:
    """Export `model` as ONNX (written atomically to `path` when given); returns the ModelProto.

    example_input: a Tensor (or array), or a tuple of them for several inputs. Inputs
    are named 'input' (or input_0, input_1, ...) and outputs 'output' unless
    input_names/output_names say otherwise. A layer without a converter raises
    UnsupportedLayerError naming its path in the model and its type. The model is
    checked with onnx.checker (full check, with shape inference) before it is written.
    """
    _check_arguments(model, opset_version, dynamic_axes)
    raw = as_input_list(example_input)
    if not raw or any(isinstance(item, (list, tuple, dict)) for item in raw):
        raise TypeError("onnx.export: example_input must be a Tensor or a tuple of Tensors")
    examples = [_example(item, position) for position, item in enumerate(raw)]
    names = _names(input_names, len(examples), "input", "input_names")
    graph = build_graph(model, examples, names, output_names, dynamic_axes or {})
    opset = helper.make_opsetid("", opset_version)
    proto = helper.make_model(graph, opset_imports=[opset], producer_name="glassnet")
    proto.ir_version = helper.find_min_ir_version_for([opset])
    onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        atomic_write_bytes(path, proto.SerializeToString())
    return proto
