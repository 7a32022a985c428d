"""Pictures of models: the autograd graph as Graphviz DOT/SVG/PNG, and one LSTM cell step.

- `draw_graph(output)`: the engine's own graph behind a tensor (op level), or a model's
  module calls (level='module', with model= and input_data= or input_size=);
- `draw_lstm_cell(path)`: one LSTM step from a real forward pass, gates labelled.

SVG and PNG need Graphviz's `dot` program; without it the DOT file is written and a
`GraphvizWarning` says how to install it.
"""

from glassnet.viz.dot import GraphvizWarning
from glassnet.viz.graph import Drawing, Edge, Graph, Node, build_op_graph, draw_graph
from glassnet.viz.lstm_cell import draw_lstm_cell, lstm_cell_step

__all__ = [
    "draw_graph",
    "draw_lstm_cell",
    "lstm_cell_step",
    "build_op_graph",
    "Drawing",
    "Graph",
    "Node",
    "Edge",
    "GraphvizWarning",
]
