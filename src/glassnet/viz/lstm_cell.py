"""One LSTM cell step, drawn from a real forward pass: the notes' "hand-draw an LSTM".

The step, in PyTorch's layout (gates stacked i, f, g, o along the rows of the weights):

    gates = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh        (4H values)
    i, f, g, o = chunk(gates, 4)
    i_t = sigmoid(i)   input gate: how much of the candidate to write
    f_t = sigmoid(f)   forget gate: how much of the old cell state to keep
    g_t = tanh(g)      candidate values
    o_t = sigmoid(o)   output gate: how much of the cell to show
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

`lstm_cell_step` runs exactly that with glassnet ops (linear, add, chunk, sigmoid, tanh,
mul) on small tensors, so the autograd graph *is* the cell; `draw_lstm_cell` draws that
graph with the gates framed and labelled, and the cell-state path c_{t-1} -> f_t * c_{t-1}
-> + i_t * g_t -> c_t in bold: the additive path along which the gradient reaches
c_{t-1} scaled only by f_t, which is why an LSTM keeps gradients alive over long spans.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy

from glassnet.ops.activation import sigmoid, tanh
from glassnet.ops.linalg import linear
from glassnet.ops.shape import chunk
from glassnet.tensor import Tensor
from glassnet.viz import dot
from glassnet.viz.graph import Drawing, Edge, Node, build_op_graph

CELL_PATH = {"color": "#c0392b", "penwidth": "2.6"}
GATES = ("i", "f", "g", "o")
_GATE_LABELS = {
    "i": "input gate  i_t = σ(·)",
    "f": "forget gate  f_t = σ(·)",
    "g": "candidate  g_t = tanh(·)",
    "o": "output gate  o_t = σ(·)",
}


def lstm_cell_step(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> dict[str, Tensor]:
    """One step of an LSTM cell from primitive ops; returns every named intermediate.

    Shapes: x (N, input_size), h and c (N, H), weight_ih (4H, input_size), weight_hh (4H, H),
    biases (4H,). The result has 'h' and 'c' (h_t, c_t) and the gates 'i', 'f', 'g', 'o'.
    """
    hidden = h.shape[-1]
    if weight_ih.shape[0] != 4 * hidden or weight_hh.shape != (4 * hidden, hidden):
        raise ValueError(
            f"lstm_cell_step: weight_ih must be (4H, input_size) and weight_hh (4H, H) with "
            f"H = {hidden} (from h of shape {tuple(h.shape)}); got weight_ih "
            f"{tuple(weight_ih.shape)} and weight_hh {tuple(weight_hh.shape)}"
        )
    steps: dict[str, Tensor] = {}
    steps["from_x"] = linear(x, weight_ih, bias_ih)
    steps["from_h"] = linear(h, weight_hh, bias_hh)
    steps["gates"] = steps["from_x"] + steps["from_h"]
    raw = chunk(steps["gates"], 4, 1)
    steps["i"], steps["f"], steps["g"], steps["o"] = (
        sigmoid(raw[0]),
        sigmoid(raw[1]),
        tanh(raw[2]),
        sigmoid(raw[3]),
    )
    steps["keep"] = steps["f"] * c
    steps["write"] = steps["i"] * steps["g"]
    steps["c"] = steps["keep"] + steps["write"]
    steps["tanh_c"] = tanh(steps["c"])
    steps["h"] = steps["o"] * steps["tanh_c"]
    return steps


def lstm_cell_tensors(
    input_size: int = 3, hidden_size: int = 2, batch: int = 1, seed: int = 0
) -> dict[str, Tensor]:
    """Small random inputs and weights for one step (a local generator: the global seed is untouched)."""
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("batch", batch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"draw_lstm_cell: {name} must be a positive int, got {value!r}")
    generator = numpy.random.default_rng(seed)

    def make(*shape: int, grad: bool = False) -> Tensor:
        return Tensor(generator.standard_normal(shape).astype(numpy.float32), requires_grad=grad)

    return {
        "x": make(batch, input_size),
        "h": make(batch, hidden_size),
        "c": make(batch, hidden_size),
        "weight_ih": make(4 * hidden_size, input_size, grad=True),
        "weight_hh": make(4 * hidden_size, hidden_size, grad=True),
        "bias_ih": make(4 * hidden_size, grad=True),
        "bias_hh": make(4 * hidden_size, grad=True),
    }


def draw_lstm_cell(
    path: str | Path | None = None,
    format: str | None = None,
    input_size: int = 3,
    hidden_size: int = 2,
) -> Drawing:
    """Draw one LSTM cell step (see the module doc) as DOT, SVG or PNG (format from path's suffix)."""
    chosen = dot.resolve_format(path, format)
    tensors = lstm_cell_tensors(input_size, hidden_size)
    steps = lstm_cell_step(**tensors)
    names = {id(tensors[key]): key for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    graph = build_op_graph((steps["h"], steps["c"]), names)
    graph.title = (
        f"One LSTM cell step (input_size {input_size}, hidden_size H = {hidden_size}), "
        f"drawn from glassnet's autograd graph"
    )
    for key, title in (
        ("x", "x_t  (input)"),
        ("h", "h_{t-1}  (previous hidden state)"),
        ("c", "c_{t-1}  (previous cell state)"),
    ):
        node = graph.node_of(tensors[key])
        node.kind, node.title = "input", title
    _label(graph, steps)
    graph.clusters.update(
        {
            ("gates",): "gates: W_ih x_t + W_hh h_{t-1} + biases, split into i, f, g, o",
            ("cell",): "cell state: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t",
            ("hidden",): "hidden state: h_t = o_t ⊙ tanh(c_t)",
        }
    )
    graph.cluster_attrs[("cell",)] = {"color": CELL_PATH["color"]}
    for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        graph.node_of(tensors[key]).cluster = ("gates",)
    for key in ("from_x", "from_h", "gates", *GATES):
        graph.node_of(steps[key]).cluster = ("gates",)
    graph.node_of(raw_split(steps)).cluster = ("gates",)
    for key in ("keep", "write", "c"):
        graph.node_of(steps[key]).cluster = ("cell",)
    for key in ("tanh_c", "h"):
        graph.node_of(steps[key]).cluster = ("hidden",)
    _outputs(graph, steps, tensors)
    source = graph.to_dot()
    written, actual, data, message = dot.render(source, path, chosen)
    return Drawing(source, graph, written, actual, data, message)


def raw_split(steps: dict[str, Tensor]) -> Tensor:
    """The tensor read by the input gate's sigmoid: an output of the chunk node."""
    return steps["i"]._ctx.inputs[0]


def _label(graph: Any, steps: dict[str, Tensor]) -> None:
    labels = {
        "from_x": "W_ih x_t + b_ih",
        "from_h": "W_hh h_{t-1} + b_hh",
        "gates": "gates (4H): the two sums",
        **_GATE_LABELS,
        "keep": "forget: f_t ⊙ c_{t-1}",
        "write": "write: i_t ⊙ g_t",
        "c": "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t",
        "tanh_c": "tanh(c_t)",
        "h": "h_t = o_t ⊙ tanh(c_t)",
    }
    for key, text in labels.items():
        node = graph.node_of(steps[key])
        node.lines.insert(0, node.title)
        node.title = text
    split = graph.node_of(raw_split(steps))
    split.lines.insert(0, split.title)
    split.title = "chunk(4): i, f, g, o"
    for edge in graph.edges:  # the chunk's outputs by gate name instead of by index
        if edge.tail == split.id and edge.label.isdigit():
            edge.label = GATES[int(edge.label)]
    # left to right in the order i, f, g, o: the chunk's edges in that order, kept by ordering=out
    gate_edges = sorted(
        (e for e in graph.edges if e.tail == split.id), key=lambda e: GATES.index(e.label)
    )
    graph.edges = [e for e in graph.edges if e.tail != split.id] + gate_edges
    split.attrs["ordering"] = "out"
    gate_nodes = [graph.node_of(steps[key]) for key in GATES]
    graph.nodes = [n for n in graph.nodes if n not in gate_nodes] + gate_nodes


def _outputs(graph: Any, steps: dict[str, Tensor], tensors: dict[str, Tensor]) -> None:
    """Explicit c_t and h_t boxes, and the cell-state path from c_{t-1} in bold."""
    belt = {
        (graph.node_of(tensors["c"]).id, graph.node_of(steps["keep"]).id),
        (graph.node_of(steps["keep"]).id, graph.node_of(steps["c"]).id),
    }
    for edge in graph.edges:
        if (edge.tail, edge.head) in belt:
            edge.attrs.update(CELL_PATH)
    shape = [tuple(steps["c"].shape)]
    graph.nodes.append(
        Node("out_c", "output", "c_t  (next cell state)", shape, attrs={"penwidth": "2"})
    )
    graph.nodes.append(
        Node(
            "out_h",
            "output",
            "h_t  (next hidden state, the output)",
            shape,
            attrs={"penwidth": "2"},
        )
    )
    graph.edges.append(Edge(graph.node_of(steps["c"]).id, "out_c", attrs=dict(CELL_PATH)))
    graph.edges.append(Edge(graph.node_of(steps["h"]).id, "out_h"))
