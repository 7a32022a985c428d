"""glassnet.viz: the DOT text mirrors the engine's graph node for node and edge for edge; SVG/PNG
come from Graphviz when present, and its absence writes the DOT and says how to get `dot`."""

from __future__ import annotations

import os
import re
import shutil
from xml.etree import ElementTree

import numpy
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.tracing import forward_order
from glassnet.viz import GraphvizWarning, draw_graph, draw_lstm_cell, lstm_cell_step
from glassnet.viz.dot import quote
from glassnet.viz.lstm_cell import lstm_cell_tensors

_NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")
_ATTR = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_dot(
    source: str,
) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """(node id -> attributes, [(tail, head, attributes)]) read back from DOT text; labels unescaped."""
    assert source.startswith("digraph glassnet {") and source.rstrip().endswith("}")
    assert source.count("{") == source.count("}")
    nodes, edges = {}, []
    for line in source.splitlines():
        edge = _EDGE.match(line)
        if edge:
            edges.append((edge[1], edge[2], dict(_ATTR.findall(edge[3] or ""))))
            continue
        node = _NODE.match(line)
        if node and node[1] not in ("graph", "node", "edge"):
            attrs = dict(_ATTR.findall(node[2]))
            attrs["label"] = attrs.get("label", "").replace("\\n", "\n").replace('\\"', '"')
            nodes[node[1]] = attrs
    return nodes, edges


def labelled_edges(source: str) -> set[tuple[str, str]]:
    """Edges as (tail label, head label), the first line of each label."""
    nodes, edges = parse_dot(source)
    return {
        (nodes[tail]["label"].split("\n")[0], nodes[head]["label"].split("\n")[0])
        for tail, head, _ in edges
    }


def require_dot() -> None:
    if shutil.which("dot") is None:
        message = "Graphviz's dot is not on PATH (Debian/Ubuntu: apt-get install graphviz)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI installs it, so the rendering must be tested")
        pytest.skip(message)


# -- the op graph ---------------------------------------------------------------------------
def test_a_known_small_graph_gives_exactly_its_nodes_and_edges():
    x = glassnet.randn(2, 3)
    weight, bias = glassnet.randn(3, 4, requires_grad=True), glassnet.randn(4, requires_grad=True)
    y = (x @ weight + bias).relu().sum()
    drawing = draw_graph(y, params={"W": weight, "b": bias})
    nodes, edges = parse_dot(drawing.source)
    assert sorted(attrs["label"] for attrs in nodes.values()) == sorted(
        [
            "input\n(2, 3)",
            "W\n(3, 4)",
            "b\n(4,)",
            "MatMul\n(2, 4)",
            "Add\n(2, 4)",
            "ReLU\n(2, 4)",
            "Sum\n()",
        ]
    )
    assert len(edges) == 6
    assert labelled_edges(drawing.source) == {
        ("input", "MatMul"),
        ("W", "MatMul"),
        ("MatMul", "Add"),
        ("b", "Add"),
        ("Add", "ReLU"),
        ("ReLU", "Sum"),
    }
    assert drawing.format == "dot" and drawing.path is None and str(drawing) == drawing.source


def test_node_count_is_functions_plus_leaves_and_every_edge_endpoint_exists():
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2)
    )
    x, target = glassnet.randn(5, 1, 6, 6), glassnet.tensor([0, 1, 1, 0, 1])
    loss = nn.functional.cross_entropy(model(x), target) * 2
    source = draw_graph(loss, params=model).source
    nodes, edges = parse_dot(source)
    functions = forward_order([loss])
    leaves = {id(t) for node in functions for t in node.inputs if t is not None and t._ctx is None}
    assert len(nodes) == len(functions) + len(leaves)
    assert sum(1 for node in functions for t in node.inputs if t is not None) == len(edges)
    assert all(tail in nodes and head in nodes for tail, head, _ in edges)
    labels = "\n".join(attrs["label"] for attrs in nodes.values())
    for name, param in model.named_parameters():
        assert f"{name}\n{tuple(param.shape)}" in labels
    assert "constant 2" in labels and "input\n(5, 1, 6, 6)" in labels and "input\n(5,)" in labels
    assert "Convolution\nkernel 3, stride 1\n(5, 3, 4, 4)" in labels
    assert draw_graph(loss, params=model).source == source  # the same text every time


def test_multi_output_ops_label_their_edges_with_the_output_index():
    x = glassnet.randn(2, 6, requires_grad=True)
    first, second, third = x.chunk(3, dim=1)
    drawing = draw_graph(first * second + third)
    nodes, edges = parse_dot(drawing.source)
    split = next(node_id for node_id, attrs in nodes.items() if attrs["label"].startswith("Split"))
    assert nodes[split]["label"] == "Split\n3 x (2, 2)"
    assert sorted(attrs.get("label") for tail, _, attrs in edges if tail == split) == [
        "0",
        "1",
        "2",
    ]
    assert "tensor (requires grad)\n(2, 6)" in drawing.source.replace("\\n", "\n")


def test_several_outputs_are_drawn_together_and_marked():
    x = glassnet.randn(3, requires_grad=True)
    drawing = draw_graph((x.exp(), x.tanh()))
    nodes, _ = parse_dot(drawing.source)
    assert sorted(
        a["label"].split("\n")[0] for a in nodes.values() if a.get("penwidth") == "2"
    ) == ["Exp", "Tanh"]


def test_drawing_after_backward_says_to_draw_before_it():
    x = glassnet.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(
        RuntimeError,
        match=r"the graph was freed by backward\(\) \(Sum no longer knows its inputs\); "
        r"draw before calling backward\(\), or call backward\(retain_graph=True\)",
    ):
        draw_graph(y)
    z = (x * 3).sum()
    z.backward(retain_graph=True)
    assert "Mul" in draw_graph(z).source


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: draw_graph(glassnet.randn(3)),
            ValueError,
            (
                r"has no graph behind it: it is a leaf, or it was computed "
                r"under no_grad\(\)"
            ),
        ),
        (
            lambda: draw_graph("y"),
            TypeError,
            "expected a Tensor \\(or a tuple of Tensors\\), got str",
        ),
        (lambda: draw_graph(None), ValueError, "give an output tensor, or model= with input_data="),
        (
            lambda: draw_graph(_y(), level="layer"),
            ValueError,
            "level must be 'op' or 'module', got 'layer'",
        ),
        (
            lambda: draw_graph(_y(), format="pdf"),
            ValueError,
            "format must be one of dot, svg, png, got 'pdf'",
        ),
        (
            lambda: draw_graph(_y(), path="g.svg", format="png"),
            ValueError,
            "path 'g.svg' ends in .svg but format='png'",
        ),
        (
            lambda: draw_graph(_y(), path="g.txt"),
            ValueError,
            "cannot tell the format from the path 'g.txt'",
        ),
        (
            lambda: draw_graph(_y(), params=[1]),
            TypeError,
            "params must be a dict name -> Tensor or a Module, got list",
        ),
        (
            lambda: draw_graph(_y(), params={"w": 1}),
            TypeError,
            r"params\['w'\] must be a Tensor, got int",
        ),
        (lambda: draw_graph(_y(), model=nn.Linear(2, 2), input_size=(2,)), ValueError, "not both"),
        (
            lambda: draw_graph(level="module", input_size=(2,)),
            ValueError,
            "running a model needs model= a glassnet.nn.Module",
        ),
        (
            lambda: draw_graph(model=torch.nn.Linear(2, 2), input_size=(2,)),
            TypeError,
            "model must be a glassnet.nn.Module, got Linear",
        ),
        (
            lambda: draw_graph(model=nn.Linear(2, 2), level="module"),
            ValueError,
            "give exactly one of input_data",
        ),
    ],
)
def test_bad_arguments_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _y():
    return (glassnet.randn(2, requires_grad=True) * 2).sum()


def test_quote_escapes_what_dot_reads_specially():
    assert quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


# -- rendering --------------------------------------------------------------------------------
@pytest.mark.timeout(120)
def test_svg_rendering_is_valid_xml(tmp_path):
    require_dot()
    drawing = draw_graph(_y(), path=tmp_path / "graph.svg")
    root = ElementTree.fromstring((tmp_path / "graph.svg").read_bytes())
    assert root.tag.endswith("svg")
    text = (tmp_path / "graph.svg").read_text()
    assert "<svg" in text and "Mul" in text and "Sum" in text
    assert (
        drawing.format == "svg"
        and drawing.path == tmp_path / "graph.svg"
        and drawing.message is None
    )
    assert drawing._repr_svg_().startswith("<?xml")


@pytest.mark.timeout(120)
def test_png_rendering_writes_a_png(tmp_path):
    require_dot()
    draw_graph(_y(), path=tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_dot_the_dot_file_is_written_and_a_message_says_how_to_get_dot(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    y = _y()
    with pytest.warns(
        GraphvizWarning,
        match=r"Graphviz's `dot` program was not found on PATH, so .*graph\.svg was "
        r"not rendered; the DOT source is in .*graph\.dot\. .*apt-get install "
        r"graphviz.*dot -Tsvg .*graph\.dot -o .*graph\.svg",
    ):
        drawing = draw_graph(y, path=tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()
    assert (tmp_path / "graph.dot").read_text() == drawing.source
    assert (
        drawing.format == "dot" and drawing.path == tmp_path / "graph.dot" and drawing.data is None
    )
    assert "apt-get install graphviz" in drawing.message


def test_a_failing_dot_also_falls_back_to_the_dot_file(tmp_path, monkeypatch):
    false = shutil.which("false")
    monkeypatch.setattr(shutil, "which", lambda name: false)
    with pytest.warns(
        GraphvizWarning, match=r"-Tpng failed: exit status 1, so .*graph\.png was not rendered"
    ):
        drawing = draw_graph(_y(), path=tmp_path / "graph.png")
    assert drawing.path == tmp_path / "graph.dot" and drawing.path.read_text() == drawing.source


# -- the LSTM cell ----------------------------------------------------------------------------
def test_lstm_cell_step_matches_torch_lstm_cell():
    tensors = lstm_cell_tensors(input_size=3, hidden_size=2, batch=4, seed=1)
    steps = lstm_cell_step(**tensors)
    cell = torch.nn.LSTMCell(3, 2)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.from_numpy(tensors[name].data))
        x, h0, c0 = (torch.from_numpy(tensors[key].data) for key in ("x", "h", "c"))
        h, c = cell(x, (h0, c0))
    numpy.testing.assert_allclose(steps["h"].data, h.numpy(), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(steps["c"].data, c.numpy(), rtol=1e-5, atol=1e-6)


def test_lstm_cell_drawing_labels_the_gates_and_the_cell_state_path(tmp_path):
    drawing = draw_lstm_cell(tmp_path / "lstm.dot")
    source = (tmp_path / "lstm.dot").read_text()
    assert source == drawing.source
    nodes, edges = parse_dot(source)
    first = {node_id: attrs["label"].split("\n")[0] for node_id, attrs in nodes.items()}
    by_title = {title: node_id for node_id, title in first.items()}
    for gate, op in (
        ("input gate  i_t = σ(·)", "Sigmoid"),
        ("forget gate  f_t = σ(·)", "Sigmoid"),
        ("candidate  g_t = tanh(·)", "Tanh"),
        ("output gate  o_t = σ(·)", "Sigmoid"),
    ):
        assert nodes[by_title[gate]]["label"] == f"{gate}\n{op}\n(1, 2)"
    split = by_title["chunk(4): i, f, g, o"]
    assert {(attrs["label"], first[head]) for tail, head, attrs in edges if tail == split} == {
        ("i", "input gate  i_t = σ(·)"),
        ("f", "forget gate  f_t = σ(·)"),
        ("g", "candidate  g_t = tanh(·)"),
        ("o", "output gate  o_t = σ(·)"),
    }
    flows = {(first[tail], first[head]): attrs for tail, head, attrs in edges}
    belt = [
        ("c_{t-1}  (previous cell state)", "forget: f_t ⊙ c_{t-1}"),
        ("forget: f_t ⊙ c_{t-1}", "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t"),
        ("c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t", "c_t  (next cell state)"),
    ]
    for edge in belt:  # the cell-state path, drawn bold
        assert flows[edge].get("penwidth") == "2.6", edge
    for edge in [
        ("forget gate  f_t = σ(·)", "forget: f_t ⊙ c_{t-1}"),
        ("input gate  i_t = σ(·)", "write: i_t ⊙ g_t"),
        ("candidate  g_t = tanh(·)", "write: i_t ⊙ g_t"),
        ("write: i_t ⊙ g_t", "c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t"),
        ("c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t", "tanh(c_t)"),
        ("tanh(c_t)", "h_t = o_t ⊙ tanh(c_t)"),
        ("output gate  o_t = σ(·)", "h_t = o_t ⊙ tanh(c_t)"),
        ("h_t = o_t ⊙ tanh(c_t)", "h_t  (next hidden state, the output)"),
    ]:
        assert edge in flows and "penwidth" not in flows[edge], edge
    for frame in (
        "gates: W_ih x_t + W_hh h_{t-1} + biases",
        "cell state: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t",
        "hidden state: h_t = o_t ⊙ tanh(c_t)",
    ):
        assert frame in source
    assert sum(1 for title in first.values() if title.startswith(("weight_", "bias_"))) == 4


@pytest.mark.timeout(120)
def test_lstm_cell_renders_as_svg(tmp_path):
    require_dot()
    draw_lstm_cell(tmp_path / "lstm.svg")
    root = ElementTree.fromstring((tmp_path / "lstm.svg").read_bytes())
    assert root.tag.endswith("svg")
    text = " ".join(root.itertext())  # entities decoded: SVG writes '-' as &#45;
    for words in (
        "input gate",
        "forget gate",
        "candidate",
        "output gate",
        "c_{t-1}",
        "h_t = o_t ⊙ tanh(c_t)",
    ):
        assert words in text, words


# -- models -----------------------------------------------------------------------------------
def test_module_level_view_of_a_small_sequential():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    drawing = draw_graph(model=model, input_size=(4,), level="module")
    nodes, _ = parse_dot(drawing.source)
    assert sorted(attrs["label"] for attrs in nodes.values()) == sorted(
        [
            "input\n(1, 4)",
            "0: Linear\n(1, 8)",
            "1: ReLU\n(1, 8)",
            "2: Dropout\n(1, 8)",
            "3: Linear\n(1, 2)",
        ]
    )
    assert labelled_edges(drawing.source) == {
        ("input", "0: Linear"),
        ("0: Linear", "1: ReLU"),
        ("1: ReLU", "2: Dropout"),
        ("1: ReLU", "3: Linear"),
    }
    assert "Sequential (module level)" in drawing.source
    assert model.training  # drawn in eval mode, then restored


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.bn = nn.BatchNorm2d(2)

    def forward(self, x):
        return (self.bn(self.conv(x)) + x).relu()


def test_module_level_view_frames_containers_and_shows_their_own_ops():
    model = nn.Sequential(nn.Conv2d(1, 2, 1), Residual(), nn.Flatten())
    drawing = draw_graph(model=model, input_data=glassnet.randn(1, 1, 4, 4), level="module")
    assert labelled_edges(drawing.source) == {
        ("input", "0: Conv2d"),
        ("0: Conv2d", "conv: Conv2d"),
        ("conv: Conv2d", "bn: BatchNorm2d"),
        ("bn: BatchNorm2d", "Add"),
        ("0: Conv2d", "Add"),
        ("Add", "ReLU"),
        ("ReLU", "2: Flatten"),
    }
    block = re.search(
        r'subgraph (\w+) \{\n\s+graph \[label="1 \(Residual\)".*?\n(.*?)\n\s+\}',
        drawing.source,
        re.DOTALL,
    )
    assert block is not None
    inside = [parse_dot("digraph glassnet {\n" + line + "\n}")[0] for line in block[2].splitlines()]
    assert sorted(next(iter(n.values()))["label"].split("\n")[0] for n in inside) == [
        "Add",
        "ReLU",
        "bn: BatchNorm2d",
        "conv: Conv2d",
    ]


def test_op_level_view_of_a_model_names_parameters_and_frames_modules():
    model = nn.Sequential(nn.Conv2d(1, 2, 1), Residual(), nn.Flatten())
    source = draw_graph(model=model, input_size=(1, 4, 4)).source
    nodes, _ = parse_dot(source)
    labels = [attrs["label"] for attrs in nodes.values()]
    for name, param in model.named_parameters():
        assert f"{name}\n{tuple(param.shape)}" in labels
    assert (
        "Convolution\n0\nkernel 1, stride 1\n(1, 2, 4, 4)" in labels
    )  # a one-op layer: its name on the op
    assert 'label="1 (Residual)"' in source and "Sequential (op level)" in source


def test_a_model_that_cannot_take_the_input_names_the_layer():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(4, 2))
    with pytest.raises(
        ValueError,
        match=r"draw_graph of Sequential: forward pass failed in layer '1' \(Linear\("
        r"in_features=4, out_features=2, bias=True\)\), called with input shape\(s\) "
        r"\(1, 3\)",
    ):
        draw_graph(model=model, input_size=(4,), level="module")
