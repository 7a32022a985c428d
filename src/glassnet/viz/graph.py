"""`draw_graph`: the engine's own autograd graph as a Graphviz picture.

Every tensor made by an op points at its node (`tensor._ctx`, a `Function`) and every
node at the tensors it read (`Function.inputs`). Walking from the output back along
those pointers finds the whole computation; drawing it in data-flow direction (inputs
at the top, the output at the bottom) gives:

- one node per Function: its class name ("MatMul", "Convolution") and output shape;
- one node per leaf tensor: parameters by name ("fc1.weight"), the data as "input",
  0-d numbers as "constant 2";
- one edge per tensor read: producer -> consumer (labelled with the output index when
  the producer has several outputs, as `chunk` does).

`backward()` frees each node's inputs (unless retain_graph=True), so draw before it.
With level='module' a model and an input are run with forward hooks (see
`glassnet.tracing`) and each module call becomes one box, with containers as frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.nn.module import Module
from glassnet.tensor import Tensor
from glassnet.tracing import (
    Trace,
    TraceError,
    as_input_list,
    flatten_tensors,
    forward_order,
    make_inputs,
    trace,
)
from glassnet.viz import dot

if TYPE_CHECKING:
    from glassnet.function import Function

LEVELS = ("op", "module")


@dataclass
class Node:
    """One box of the picture. `kind` is op, module, param, input, constant or leaf."""

    id: str
    kind: str
    title: str
    shapes: list[tuple[int, ...]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    cluster: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)
    ref: Any = field(default=None, repr=False)

    def label_lines(self) -> list[str]:
        return [self.title, *self.lines, *([_shapes_text(self.shapes)] if self.shapes else [])]


@dataclass
class Edge:
    tail: str
    head: str
    label: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Graph:
    """Nodes, edges and cluster frames (path -> label); `to_dot()` writes it as DOT."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[tuple[str, ...], str] = field(default_factory=dict)
    cluster_attrs: dict[tuple[str, ...], dict[str, str]] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    title: str = ""

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"no node {node_id!r} in the graph")

    def node_of(self, tensor: Tensor) -> Node:
        """The node that made `tensor` (its Function), or its own node for a leaf."""
        target = tensor._ctx if tensor._ctx is not None else tensor
        for node in self.nodes:
            if node.ref is target:
                return node
        raise KeyError(f"tensor of shape {tuple(tensor.shape)} is not in the graph")

    def to_dot(self) -> str:
        return dot.to_dot(self)


@dataclass
class Drawing:
    """What `draw_graph` made: the DOT source, the file written (if any) and its format.

    `data` holds the rendered bytes (SVG or PNG) when Graphviz ran; `message` says why
    not when it did not. In Jupyter an SVG drawing displays itself.
    """

    source: str
    graph: Graph
    path: Path | None
    format: str
    data: bytes | None = None
    message: str | None = None

    def __str__(self) -> str:
        return self.source

    def _repr_svg_(self) -> str | None:
        if self.format == "svg" and self.data is not None:
            return self.data.decode("utf-8")
        data, _ = dot.run_dot(self.source, "svg")
        return data.decode("utf-8") if data is not None else None


def _shapes_text(shapes: list[tuple[int, ...]]) -> str:
    if len(shapes) > 1 and len(set(shapes)) == 1:
        return f"{len(shapes)} x {shapes[0]}"
    return ", ".join(str(tuple(shape)) for shape in shapes)


def op_title(node: Function) -> str:
    """The class name without PyTorch's 'Backward' suffix (glassnet's names have none)."""
    name = type(node).__name__
    return name.split("Backward")[0] if "Backward" in name else name


def op_details(node: Function) -> list[str]:
    """Kernel and stride of windowed ops, groups of a grouped conv: what sets their output size."""
    g = getattr(node, "geometry", None)
    if g is None or not hasattr(g, "kernel") or op_title(node).startswith("Adaptive"):
        return []
    one_d = (
        node.inputs and node.inputs[0] is not None and node.inputs[0].ndim == 3 and g.height == 1
    )

    def axes(values: tuple[int, ...]) -> str:
        values = values[1:] if one_d else values
        return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))

    text = f"kernel {axes(g.kernel)}, stride {axes(g.stride)}"
    groups = getattr(node, "groups", 1)
    return [text + (f", groups {groups}" if groups != 1 else "")]


def parameter_names(params: Any) -> dict[int, str]:
    """{id(tensor): name} from a Module (parameters and buffers) or a dict name -> tensor."""
    if params is None:
        return {}
    if isinstance(params, Module):
        named = list(params.named_parameters()) + list(params.named_buffers())
        return {id(tensor): name for name, tensor in named}
    if isinstance(params, Mapping):
        names = {}
        for name, tensor in params.items():
            if not isinstance(tensor, Tensor):
                raise TypeError(
                    f"draw_graph: params[{name!r}] must be a Tensor, got {type(tensor).__name__}"
                )
            names[id(tensor)] = str(name)
        return names
    raise TypeError(
        f"draw_graph: params must be a dict name -> Tensor or a Module, got {type(params).__name__}"
    )


def _roots(output: Any) -> list[Tensor]:
    roots = list(flatten_tensors(output))
    if not roots:
        raise TypeError(
            f"draw_graph: expected a Tensor (or a tuple of Tensors), got {type(output).__name__}"
        )
    if all(root._ctx is None for root in roots):
        raise ValueError(
            f"draw_graph: the tensor of shape {tuple(roots[0].shape)} has no graph behind it: it "
            f"is a leaf, or it was computed under no_grad() or from tensors that do not require grad"
        )
    return roots


def _check_not_freed(order: list) -> None:
    for node in order:
        if node.released:
            raise RuntimeError(
                f"draw_graph: the graph was freed by backward() ({op_title(node)} no longer knows "
                f"its inputs); draw before calling backward(), or call "
                f"backward(retain_graph=True)"
            )


def _output_shapes(order: list, roots: list[Tensor]) -> dict[tuple[int, int], tuple[int, ...]]:
    """{(id(node), output index): shape} for every node output a tensor in the graph holds."""
    shapes = {(id(r._ctx), r._out_index): tuple(r.shape) for r in roots if r._ctx is not None}
    for node in order:
        for tensor in node.inputs:
            if tensor is not None and tensor._ctx is not None:
                shapes[(id(tensor._ctx), tensor._out_index)] = tuple(tensor.shape)
    return shapes


def build_op_graph(
    output: Any, names: dict[int, str] | None = None, inputs: list[Tensor] | None = None
) -> Graph:
    """The op-level Graph behind `output` (a Tensor or nested tuple of Tensors).

    names: {id(tensor): name} for leaves; inputs: tensors to call 'input' (numbered when
    several) whatever else they are.
    """
    roots = _roots(output)
    names = dict(names or {})
    input_ids = {
        id(t): ("input" if len(inputs or []) == 1 else f"input {k}")
        for k, t in enumerate(inputs or [])
    }
    order = forward_order(roots)
    _check_not_freed(order)
    graph = Graph()
    ids: dict[int, str] = {}
    shapes = _output_shapes(order, roots)

    def leaf(tensor: Tensor) -> str:
        if id(tensor) not in ids:
            ids[id(tensor)] = f"t{len(ids)}"
            graph.nodes.append(
                _leaf_node(
                    ids[id(tensor)], tensor, names.get(id(tensor)), input_ids.get(id(tensor))
                )
            )
        return ids[id(tensor)]

    for node in order:
        node_id = ids[id(node)] = f"op{len(ids)}"
        meta = getattr(node, "output_meta", None)
        out_shapes = (
            [tuple(m[0]) for m in meta]
            if node.n_outputs > 1 and meta
            else [shapes.get((id(node), 0), ())]
        )
        for tensor in node.inputs:
            if tensor is not None and tensor._ctx is None:
                leaf(tensor)
        graph.nodes.append(
            Node(node_id, "op", op_title(node), out_shapes, op_details(node), ref=node)
        )
        for tensor in node.inputs:
            if tensor is None:
                continue
            if tensor._ctx is None:
                graph.edges.append(Edge(ids[id(tensor)], node_id))
            else:
                label = str(tensor._out_index) if tensor._ctx.n_outputs > 1 else ""
                graph.edges.append(Edge(ids[id(tensor._ctx)], node_id, label))
    for root in roots:
        if root._ctx is not None:
            graph.node_of(root).attrs.update(penwidth="2")
    return graph


def _leaf_node(node_id: str, tensor: Tensor, name: str | None, input_name: str | None) -> Node:
    shape = [tuple(tensor.shape)]
    if input_name is not None:
        return Node(node_id, "input", input_name, shape, ref=tensor)
    if name is not None:
        return Node(node_id, "param", name, shape, ref=tensor)
    if tensor.requires_grad:
        return Node(node_id, "leaf", "tensor (requires grad)", shape, ref=tensor)
    if tensor.numel() == 1:
        return Node(
            node_id, "constant", f"constant {tensor.data.reshape(()).item():g}", [], ref=tensor
        )
    return Node(node_id, "input", "input", shape, ref=tensor)


def draw_graph(
    output: Any = None,
    params: Any = None,
    format: str | None = None,
    path: str | Path | None = None,
    level: str = "op",
    model: Module | None = None,
    input_data: Any = None,
    *,
    input_size: Any = None,
    title: str | None = None,
    mode: str = "eval",
) -> Drawing:
    """Draw the autograd graph behind `output`, or the graph of `model` run on `input_data`.

    output: a Tensor (or nested tuple of Tensors) made by glassnet ops, before backward().
    params: a Module or a dict name -> Tensor naming the leaves; `model` does the same.
    format: 'dot', 'svg' or 'png'; by default the path's suffix, else 'dot'.
    path: where to write; None keeps the result in the returned Drawing only.
    level: 'op' (one node per Function) or 'module' (one box per module call; needs
        `model` and `input_data`, or `input_size`: a shape without the batch dim).
    """
    if level not in LEVELS:
        raise ValueError(f"draw_graph: level must be 'op' or 'module', got {level!r}")
    chosen = dot.resolve_format(path, format)
    if input_data is not None or input_size is not None or level == "module":
        if output is not None:
            raise ValueError(
                "draw_graph: give either an output tensor, or model= with input_data= (or "
                "input_size=) to run the model, not both"
            )
        traced = _run(model, input_data, input_size, mode)
        if level == "module":
            from glassnet.viz.modules import build_module_graph

            graph = build_module_graph(traced)
        else:
            from glassnet.viz.modules import cluster_by_module

            graph = build_op_graph(traced.output, parameter_names(model), traced.inputs)
            cluster_by_module(graph, traced)
        graph.title = title if title is not None else f"{type(model).__name__} ({level} level)"
    else:
        if output is None:
            raise ValueError(
                "draw_graph: give an output tensor, or model= with input_data= (or input_size=)"
            )
        graph = build_op_graph(output, parameter_names(params if params is not None else model))
        graph.title = title or ""
    source = graph.to_dot()
    written, actual, data, message = dot.render(source, path, chosen)
    return Drawing(source, graph, written, actual, data, message)


def _run(model: Module | None, input_data: Any, input_size: Any, mode: str) -> Trace:
    if model is None:
        raise ValueError("draw_graph: running a model needs model= a glassnet.nn.Module")
    if not isinstance(model, Module):
        raise TypeError(
            f"draw_graph: model must be a glassnet.nn.Module, got {type(model).__name__}"
        )
    if (input_data is None) == (input_size is None):
        raise ValueError(
            "draw_graph: give exactly one of input_data (tensors) and input_size (a shape "
            "without the batch dim, e.g. (3, 32, 32))"
        )
    args = (
        make_inputs(input_size, 1, None, "draw_graph")
        if input_data is None
        else as_input_list(input_data)
    )
    try:
        return trace(model, args, mode)
    except TraceError as error:
        raise TraceError(f"draw_graph of {type(model).__name__}: {error}") from error.__cause__
