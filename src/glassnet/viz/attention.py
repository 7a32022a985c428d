"""Attention, drawn: one head's computation as a graph, and a trained model's attention weights.

One head of self-attention over T tokens x (T, d), in the order of the formulas:

    Q = x W_q^T,  K = x W_k^T,  V = x W_v^T          (project every token three ways)
    S = Q K^T / sqrt(d_k)                            (how well each query matches each key)
    A = softmax(S) along each row                    (attention weights: each row sums to 1)
    Z = A V                                          (each token: a weighted average of values)
    y = Z W_o^T                                      (mix the heads back to width d)

`attention_head_step` runs exactly that with glassnet ops on small tensors, so the
autograd graph *is* the head, and `draw_attention` draws it like the LSTM cell.
`attention_weights_figure` plots the weights A of every layer of a trained
TransformerClassifier for one sample, under the signal its tokens were cut from.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy

from glassnet.atomic import atomic_path
from glassnet.ops.activation import softmax
from glassnet.ops.linalg import linear, matmul
from glassnet.tensor import Tensor
from glassnet.viz import dot
from glassnet.viz.graph import Drawing, build_op_graph

WEIGHTS = ("w_q", "w_k", "w_v", "w_o")
_LABELS = {
    "q": "queries  Q = x W_q^T",
    "k": "keys  K = x W_k^T",
    "v": "values  V = x W_v^T",
    "k_t": "K^T",
    "scores_raw": "Q K^T",
    "scores": "scores  S = Q K^T / sqrt(d_k)",
    "weights": "attention weights  A = softmax(S), rows sum to 1",
    "mixed": "Z = A V  (each token: a weighted average of the values)",
    "y": "y = Z W_o^T",
}


def attention_head_step(
    x: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor, w_o: Tensor
) -> dict[str, Tensor]:
    """One head of self-attention from primitive ops; every named intermediate (see the module doc).

    Shapes: x (T, d), w_q and w_k (d_k, d), w_v (d_v, d), w_o (d, d_v).
    """
    if x.ndim != 2 or w_q.shape != w_k.shape or w_q.shape[1] != x.shape[1]:
        raise ValueError(
            f"attention_head_step: x must be (T, d) and w_q, w_k (d_k, d); got x {tuple(x.shape)}, "
            f"w_q {tuple(w_q.shape)}, w_k {tuple(w_k.shape)}"
        )
    steps = {"q": linear(x, w_q), "k": linear(x, w_k), "v": linear(x, w_v)}
    steps["k_t"] = steps["k"].t()
    steps["scores_raw"] = matmul(steps["q"], steps["k_t"])
    steps["scores"] = steps["scores_raw"] * (1.0 / math.sqrt(w_q.shape[0]))
    steps["weights"] = softmax(steps["scores"], dim=-1)
    steps["mixed"] = matmul(steps["weights"], steps["v"])
    steps["y"] = linear(steps["mixed"], w_o)
    return steps


def attention_tensors(
    tokens: int = 3, width: int = 4, head_width: int = 2, seed: int = 0
) -> dict[str, Tensor]:
    """Small random tokens and weights (a local generator: the global seed is untouched)."""
    for name, value in (("tokens", tokens), ("width", width), ("head_width", head_width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"draw_attention: {name} must be a positive int, got {value!r}")
    generator = numpy.random.default_rng(seed)

    def make(*shape: int, grad: bool = True) -> Tensor:
        return Tensor(generator.standard_normal(shape).astype(numpy.float32), requires_grad=grad)

    return {
        "x": make(tokens, width, grad=False),
        "w_q": make(head_width, width),
        "w_k": make(head_width, width),
        "w_v": make(head_width, width),
        "w_o": make(width, head_width),
    }


def draw_attention(
    path: str | Path | None = None,
    format: str | None = None,
    tokens: int = 3,
    width: int = 4,
    head_width: int = 2,
) -> Drawing:
    """Draw one attention head (see the module doc) as DOT, SVG or PNG (format from path's suffix)."""
    chosen = dot.resolve_format(path, format)
    tensors = attention_tensors(tokens, width, head_width)
    steps = attention_head_step(**tensors)
    graph = build_op_graph(steps["y"], {id(tensors[key]): key for key in WEIGHTS})
    graph.title = (
        f"One head of self-attention over T = {tokens} tokens of width d = {width} "
        f"(d_k = {head_width}), drawn from glassnet's autograd graph"
    )
    source_node = graph.node_of(tensors["x"])
    source_node.kind, source_node.title = "input", "x  (T tokens, one per row)"
    for key, text in _LABELS.items():
        node = graph.node_of(steps[key])
        node.lines.insert(0, node.title)
        node.title = text
    graph.clusters.update(
        {
            ("project",): "project every token three ways",
            ("match",): "match queries with keys",
            ("mix",): "mix the values by the weights",
        }
    )
    graph.cluster_attrs[("match",)] = {"color": "#c0392b"}
    for key in ("w_q", "w_k", "w_v"):
        graph.node_of(tensors[key]).cluster = ("project",)
    for key, cluster in (
        ("q", "project"),
        ("k", "project"),
        ("v", "project"),
        ("k_t", "match"),
        ("scores_raw", "match"),
        ("scores", "match"),
        ("weights", "match"),
        ("mixed", "mix"),
        ("y", "mix"),
    ):
        graph.node_of(steps[key]).cluster = (cluster,)
    graph.node_of(tensors["w_o"]).cluster = ("mix",)
    ordered = [graph.node_of(tensors[key]) for key in ("w_q", "w_k", "w_v")]
    ordered += [graph.node_of(steps[key]) for key in ("q", "k", "v")]
    graph.nodes = [n for n in graph.nodes if n not in ordered] + ordered  # left to right: q, k, v
    source = graph.to_dot()
    written, actual, data, message = dot.render(source, path, chosen)
    return Drawing(source, graph, written, actual, data, message)


def attention_weights_figure(
    signal: numpy.ndarray,
    maps: list[numpy.ndarray],
    path: str | os.PathLike[str],
    title: str = "",
) -> Path:
    """The signal (L,) on top and one (T, T) attention map per layer below, written as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # ~0.5 s to import: only here
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.2 * len(maps), 4.6), dpi=110)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, len(maps), height_ratios=(1, 3))
    top = figure.add_subplot(grid[0, :])
    top.plot(numpy.asarray(signal).ravel(), color="#34495e")
    top.set_title(title or "the input signal", fontsize=10)
    top.set_xlabel("position in the signal", fontsize=8)
    for index, weights in enumerate(maps):
        axes = figure.add_subplot(grid[1, index])
        image = axes.imshow(weights, cmap="viridis", vmin=0.0)
        axes.set_title(f"layer {index + 1}: attention weights", fontsize=9)
        axes.set_xlabel("key token (looked at)", fontsize=8)
        axes.set_ylabel("query token (looking)", fontsize=8)
        figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    figure.tight_layout()
    target = Path(os.fspath(path))
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png")
    return target


def model_attention(model: Any, sample: numpy.ndarray) -> list[numpy.ndarray]:
    """A TransformerClassifier's attention maps (T, T) per layer, averaged over heads, for one sample."""
    if not hasattr(model, "attention_weights"):
        raise ValueError(
            f"model_attention: {type(model).__name__} has no attention_weights(); train "
            f"--model transformer"
        )
    model.eval()
    maps = model.attention_weights(Tensor(numpy.asarray(sample, dtype=numpy.float32)[None]))
    return [weights.data[0] for weights in maps]
