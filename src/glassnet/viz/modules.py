"""The module-level picture: one box per module call, containers drawn as frames around them.

A traced forward pass (`glassnet.tracing.trace`) says which graph nodes each module call
made (`attribute_nodes`). Contracting the op graph onto those calls gives the module
view: a node made by an innermost call (a layer: Conv2d, ReLU, ...) becomes that
layer's box; a node that a container made itself (the residual add of a ResNet block,
a flatten in a forward) stays an op node inside the container's frame; an edge joins
two boxes when some tensor flows between their ops. Parameters are inside the boxes.

`cluster_by_module` does the other half for the op-level picture of a model: it frames
the op nodes by the module calls that made them.
"""

from __future__ import annotations

from glassnet.tracing import Call, Trace, attribute_nodes, forward_order
from glassnet.viz.graph import Edge, Graph, Node, op_details, op_title


def _frame(call: Call) -> tuple[str, ...]:
    """The cluster path of a call: its container ancestors below the model, outermost first."""
    path = []
    while call is not None and call.depth > 0:
        path.append(f"m{call.index}")
        call = call.parent
    return tuple(reversed(path))


def _frame_label(call: Call) -> str:
    return f"{call.label} ({type(call.module).__name__})"


def _local(call: Call) -> str:
    name = call.name.rsplit(".", 1)[-1] if call.depth else type(call.module).__name__
    return name if call.repeat == 0 else f"{name} #{call.repeat + 1}"


def _add_boxes(graph: Graph, calls: list[Call], unit: dict[int, str]) -> None:
    """A box per innermost module call (owning its graph nodes); a frame per container."""
    for call in calls:
        if call.is_leaf and call.depth > 0 or len(calls) == 1:
            box = f"m{call.index}"
            graph.nodes.append(
                Node(
                    box,
                    "module",
                    f"{_local(call)}: {type(call.module).__name__}",
                    [tuple(t.shape) for t in call.outputs],
                    cluster=_frame(call)[:-1],
                    ref=call,
                )
            )
            for node in call.nodes:
                unit[id(node)] = box
        elif call.depth > 0:
            graph.clusters[_frame(call)] = _frame_label(call)


def _add_free_ops(graph: Graph, order: list, owner: dict, unit: dict[int, str]) -> None:
    """An op node for each op a container ran itself (in no box), inside its frame."""
    for node in order:
        if id(node) not in unit:
            call = owner[id(node)]
            unit[id(node)] = f"op{len(unit)}"
            graph.nodes.append(
                Node(
                    unit[id(node)],
                    "op",
                    op_title(node),
                    [],
                    op_details(node),
                    cluster=_frame(call),
                    attrs={"fontsize": "9"},
                    ref=node,
                )
            )


def _edges(
    order: list, calls: list[Call], inputs: dict[int, str], unit: dict[int, str]
) -> list[Edge]:
    """An edge wherever a tensor goes from one drawn unit (or input) to another."""
    edges: dict[tuple[str, str], None] = {}
    for node in order:
        for tensor in node.inputs:
            if tensor is None:
                continue
            if id(tensor) in inputs:
                tail = inputs[id(tensor)]
            elif tensor._ctx is not None and id(tensor._ctx) in unit:
                tail = unit[id(tensor._ctx)]
            else:
                continue  # a parameter or a constant: inside the box
            if tail != unit[id(node)]:
                edges[(tail, unit[id(node)])] = None
    for call in calls:  # a layer that returned its input (Identity, Dropout in eval) made no node
        if call.is_leaf and not call.nodes and call.depth > 0:
            for tensor in call.inputs:
                tail = inputs.get(id(tensor)) or (
                    unit.get(id(tensor._ctx)) if tensor._ctx is not None else None
                )
                if tail is not None:
                    edges[(tail, f"m{call.index}")] = None
    return [Edge(tail, head) for tail, head in edges]


def build_module_graph(traced: Trace) -> Graph:
    """One box per innermost module call, one op node per op a container ran itself."""
    calls = traced.calls
    owner = attribute_nodes(calls)
    graph = Graph()
    inputs = {id(t): f"in{k}" for k, t in enumerate(traced.inputs)}
    for k, tensor in enumerate(traced.inputs):
        title = "input" if len(traced.inputs) == 1 else f"input {k}"
        graph.nodes.append(Node(f"in{k}", "input", title, [tuple(tensor.shape)], ref=tensor))
    unit: dict[int, str] = {}  # id(graph node) -> id of the drawn box or op node
    _add_boxes(graph, calls, unit)
    order = [node for node in forward_order(traced.outputs) if id(node) in owner]
    _add_free_ops(graph, order, owner, unit)
    _set_op_shapes(graph, order, traced, unit)
    graph.edges = _edges(order, calls, inputs, unit)
    for tensor in traced.outputs:
        box = unit.get(id(tensor._ctx)) if tensor._ctx is not None else None
        if box is not None:
            graph.node(box).attrs.update(penwidth="2")
    return graph


def _set_op_shapes(graph: Graph, order: list, traced: Trace, unit: dict[int, str]) -> None:
    """Output shapes of the free op nodes, read off the tensors that consume them."""
    shapes: dict[int, tuple[int, ...]] = {}
    for node in order:
        for tensor in node.inputs:
            if tensor is not None and tensor._ctx is not None:
                shapes.setdefault(id(tensor._ctx), tuple(tensor.shape))
    for tensor in traced.outputs:
        if tensor._ctx is not None:
            shapes.setdefault(id(tensor._ctx), tuple(tensor.shape))
    for drawn in graph.nodes:
        if drawn.kind == "op" and id(drawn.ref) in shapes:
            drawn.shapes = [shapes[id(drawn.ref)]]


def cluster_by_module(graph: Graph, traced: Trace) -> None:
    """Frame the op nodes of an op-level Graph by the module calls that made them.

    A call that made a single op and holds no inner calls gets no frame: its name goes
    on that op's label instead. Parameters join the frame of the first op that reads them.
    """
    owner = attribute_nodes(traced.calls)
    counts: dict[int, int] = {}
    for call in owner.values():
        counts[id(call)] = counts.get(id(call), 0) + 1
    for drawn in graph.nodes:
        call = owner.get(id(drawn.ref)) if drawn.kind == "op" else None
        if call is None or call.depth == 0:
            continue
        if call.is_leaf and counts[id(call)] == 1:
            drawn.lines.insert(0, call.label)
            drawn.cluster = _frame(call)[:-1]
        else:
            drawn.cluster = _frame(call)
        for ancestor in _ancestors(call):
            if ancestor.depth > 0 and (not ancestor.is_leaf or counts[id(ancestor)] > 1):
                graph.clusters[_frame(ancestor)] = _frame_label(ancestor)
    by_id = {node.id: node for node in graph.nodes}
    for edge in graph.edges:
        tail, head = by_id[edge.tail], by_id[edge.head]
        if tail.kind == "param" and not tail.cluster and head.cluster:
            tail.cluster = head.cluster


def _ancestors(call: Call) -> list[Call]:
    found = []
    while call is not None:
        found.append(call)
        call = call.parent
    return found
