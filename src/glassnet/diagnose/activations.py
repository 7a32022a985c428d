"""Activation statistics: what each layer outputs for one batch, to judge an initialisation.

The notes' advice, "judge an initialisation by the distribution of each layer's
activations" (Glorot & Bengio 2010 plot exactly this), made measurable: one forward pass
with a forward hook on every module (`glassnet.tracing.trace`; the mode, and what is
restored afterwards, are described in `glassnet.diagnose.inputs`), and for every *leaf*
module call (a module with no sub-module calls: Linear, BatchNorm, Tanh, ...) its output's

    mean, std            over every element, in float64; std is the population std (ddof=0)
    saturated            sigmoid: share of outputs (one unit for one sample) with y < 0.01
                         or y > 0.99, where the gradient y(1 - y) < 0.0099, under 4% of its
                         maximum 0.25;
                         tanh: share with |y| > 0.99, where 1 - y^2 < 0.02 (2% of its max 1)
    dead                 ReLU: share of units that are 0 for every sample of the batch: no
                         gradient reaches their weights from this batch. A unit is one index
                         of axis 1: a feature of (N, F), a channel of (N, C, L) / (N, C, H, W)
    zeros                ReLU: share of outputs that are exactly 0 (about 1/2 for a healthy one)
    histogram            numpy.histogram(values, bins) of the finite values: counts, bin_edges

Non-finite values (NaN, inf) are counted in `nonfinite` and left out of every other number.

Activations called as functions (`F.relu(x)` inside a forward) have no module to hook.
They are found in the autograd graph instead: every node of an activation op (sigmoid,
tanh, relu, ...) whose output is not already a leaf module's output becomes a row named
after the module call that ran it ('layer1.0:relu', then 'layer1.0:relu#2'; the model
itself for code in its own forward), with class 'F.relu' and so on. Limits: only ops the
graph records are seen (the input is made to require grad so the graph always exists),
and a fused op that computes an activation inside itself (an LSTM's gates) shows none.
For a module returning several tensors (an LSTM's `output, (h, c)`), the first floating
tensor is the one measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy

from glassnet import nn
from glassnet.backend import to_numpy
from glassnet.diagnose.inputs import check_mode, check_model, effective_mode, preserved, split_batch
from glassnet.nn.module import Module
from glassnet.ops import activation as activation_ops
from glassnet.tensor import Tensor
from glassnet.tracing import Call, attribute_nodes, forward_order, trace

SIGMOID_LOW, SIGMOID_HIGH = 0.01, 0.99
TANH_BOUND = 0.99

# module class -> kind; the op class -> kind covers functional calls (and modules wrapping them)
MODULE_KINDS: tuple[tuple[type[Module], str], ...] = (
    (nn.Sigmoid, "sigmoid"),
    (nn.Tanh, "tanh"),
    (nn.ReLU, "relu"),
    (nn.LeakyReLU, "leaky_relu"),
    (nn.ELU, "elu"),
    (nn.GELU, "gelu"),
    (nn.SiLU, "silu"),
    (nn.Softplus, "softplus"),
    (nn.PReLU, "prelu"),
    (nn.Hardtanh, "hardtanh"),
)
FUNCTION_KINDS: dict[type, str] = {
    activation_ops.Sigmoid: "sigmoid",
    activation_ops.Tanh: "tanh",
    activation_ops.ReLU: "relu",
    activation_ops.LeakyReLU: "leaky_relu",
    activation_ops.ELU: "elu",
    activation_ops.GELU: "gelu",
    activation_ops.SiLU: "silu",
    activation_ops.Softplus: "softplus",
    activation_ops.PReLU: "prelu",
    activation_ops.Hardtanh: "hardtanh",
}


@dataclass
class LayerStats:
    """One row: the output of one leaf module call (or of one functional activation)."""

    index: int  # position in the table, from 1, in forward order
    name: str  # dotted module name ('3', 'layer1.0.relu'); '#2' marks a repeated call
    class_name: str  # 'Tanh', 'Linear', or 'F.relu' for a functional activation
    kind: str | None  # activation kind ('sigmoid', 'tanh', 'relu', ...), None for other layers
    shape: tuple[int, ...]
    numel: int
    mean: float
    std: float
    min: float
    max: float
    nonfinite: int  # NaN and inf count (left out of every other number)
    saturated: float | None  # sigmoid/tanh only: share of outputs near the bounds
    dead: float | None  # ReLU only: share of units (axis 1) that are 0 for the whole batch
    zeros: float | None  # ReLU only: share of outputs that are exactly 0
    counts: numpy.ndarray = field(repr=False)  # histogram counts (finite values)
    bin_edges: numpy.ndarray = field(repr=False)  # len(counts) + 1 edges
    functional: bool = False

    @property
    def label(self) -> str:
        """'layer 7 (Tanh)': how alarms and plots name the row."""
        return f"layer {self.name} ({self.class_name})"


def _share(mask: numpy.ndarray) -> float:
    return float(mask.mean()) if mask.size else math.nan


def layer_stats(
    values: Any,
    *,
    index: int = 1,
    name: str = "",
    class_name: str = "",
    kind: str | None = None,
    bins: int | str = 50,
    functional: bool = False,
) -> LayerStats:
    """The statistics of one layer output (any array or Tensor): see the module docstring."""
    array = to_numpy(values.data if isinstance(values, Tensor) else numpy.asarray(values))
    finite_mask = numpy.isfinite(array)
    finite = array[finite_mask].astype(numpy.float64)
    nonfinite = int(array.size - finite.size)
    counts, edges = numpy.histogram(finite, bins=bins)
    if finite.size:
        mean, std, low, high = (
            float(finite.mean()),
            float(finite.std()),
            float(finite.min()),
            float(finite.max()),
        )
    else:
        mean = std = low = high = math.nan
    saturated = dead = zeros = None
    if kind == "sigmoid":
        saturated = _share((finite < SIGMOID_LOW) | (finite > SIGMOID_HIGH))
    elif kind == "tanh":
        saturated = _share(numpy.abs(finite) > TANH_BOUND)
    elif kind == "relu":
        zero = array == 0
        zeros = _share(zero)
        if array.ndim >= 2:
            other_axes = tuple(axis for axis in range(array.ndim) if axis != 1)
            dead = _share(zero.all(axis=other_axes))
    return LayerStats(
        index,
        name,
        class_name,
        kind,
        tuple(array.shape),
        int(array.size),
        mean,
        std,
        low,
        high,
        nonfinite,
        saturated,
        dead,
        zeros,
        counts,
        edges,
        functional,
    )


def _percent(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def _number(value: float) -> str:
    return f"{value:.3g}"


class ActivationStats:
    """The rows of `activation_stats` (a sequence of LayerStats) and how they were measured."""

    def __init__(self, rows: list[LayerStats], batch_size: int, mode: str, bins: int | str) -> None:
        self.rows = rows
        self.batch_size = batch_size
        self.mode = mode
        self.bins = bins

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[LayerStats]:
        return iter(self.rows)

    def __getitem__(self, key: int | str) -> LayerStats:
        """A row by position, or by layer name ('3', 'layer1.0.relu')."""
        if isinstance(key, str):
            for row in self.rows:
                if row.name == key:
                    return row
            raise KeyError(
                f"no layer named {key!r}; layers: {', '.join(row.name for row in self.rows)}"
            )
        return self.rows[key]

    def activations(self) -> list[LayerStats]:
        """The rows of activation layers (modules and functional calls), in forward order."""
        return [row for row in self.rows if row.kind is not None]

    COLUMNS = (
        "#",
        "layer",
        "class",
        "output shape",
        "mean",
        "std",
        "saturated",
        "dead",
        "zeros",
        "non-finite",
    )

    def table_rows(self) -> list[tuple[str, ...]]:
        """Each row as the strings of COLUMNS (shared by the plain and the rich table)."""
        return [
            (
                str(row.index),
                row.name,
                row.class_name,
                "x".join(map(str, row.shape)),
                _number(row.mean),
                _number(row.std),
                _percent(row.saturated),
                _percent(row.dead),
                _percent(row.zeros),
                str(row.nonfinite) if row.nonfinite else "",
            )
            for row in self.rows
        ]

    def legend(self) -> str:
        return (
            f"one batch of {self.batch_size}, mode {self.mode}. saturated: sigmoid y < {SIGMOID_LOW} or "
            f"> {SIGMOID_HIGH}, tanh |y| > {TANH_BOUND}; dead: units (axis 1) that are 0 for every sample; "
            "zeros: outputs exactly 0"
        )

    def format_table(self) -> str:
        """A plain-text table, one line per layer, with the thresholds in its last line."""
        cells = [self.COLUMNS, *self.table_rows()]
        widths = [max(len(line[column]) for line in cells) for column in range(len(self.COLUMNS))]
        left = {1, 2}  # names read better left-aligned; numbers right-aligned
        lines = [
            "  ".join(
                text.ljust(width) if column in left else text.rjust(width)
                for column, (text, width) in enumerate(zip(line, widths))
            ).rstrip()
            for line in cells
        ]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join([*lines, self.legend()])

    def __repr__(self) -> str:
        return (
            f"ActivationStats({len(self.rows)} layers, batch {self.batch_size}, mode {self.mode!r})"
        )


def _module_kind(module: Module, tensor: Tensor) -> str | None:
    for cls, kind in MODULE_KINDS:
        if isinstance(module, cls):
            return kind
    return FUNCTION_KINDS.get(
        type(tensor._ctx)
    )  # a custom module whose output is, say, F.relu(...)


def _first_float(tensors: list[Tensor]) -> Tensor | None:
    return next((tensor for tensor in tensors if tensor.dtype.kind == "f"), None)


def _functional(
    calls: list[Call], roots: list[Tensor], taken: set[int]
) -> tuple[list[tuple[int, Call, Tensor]], dict[int, int]]:
    """Activation-op outputs in the graph that no leaf row covers: (graph position, owning call, tensor)."""
    order = forward_order(roots)
    position = {id(node): place for place, node in enumerate(order)}
    outputs: dict[int, Tensor] = {}
    for tensor in [*roots, *(t for node in order for t in node.inputs if t is not None)]:
        if (
            tensor._ctx is not None
            and type(tensor._ctx) in FUNCTION_KINDS
            and id(tensor) not in taken
        ):
            outputs.setdefault(id(tensor._ctx), tensor)
    if not outputs:
        return [], position
    owner = attribute_nodes(calls)
    found = [
        (position[node_id], owner[node_id], tensor)
        for node_id, tensor in outputs.items()
        if node_id in owner
    ]
    return sorted(found, key=lambda item: item[0]), position


def _check_bins(bins: Any, where: str) -> None:
    if isinstance(bins, bool) or not (
        isinstance(bins, str) or (isinstance(bins, int) and bins >= 1)
    ):
        raise ValueError(
            f"{where}: bins must be a positive int or a numpy.histogram rule such as 'auto', got {bins!r}"
        )


def _merged_rows(
    measured: list[tuple[Call, Tensor]],
    extra: list[tuple[int, Call, Tensor]],
    position: dict[int, int],
    bins: int | str,
) -> list[LayerStats]:
    """The leaf rows in call order, each functional row before the first leaf made after it."""
    rows: list[LayerStats] = []
    seen: dict[str, int] = {}

    def add(name: str, class_name: str, kind: str | None, tensor: Tensor, functional: bool) -> None:
        rows.append(
            layer_stats(
                tensor,
                index=len(rows) + 1,
                name=name,
                class_name=class_name,
                kind=kind,
                bins=bins,
                functional=functional,
            )
        )

    def add_functional(owner: Call, found: Tensor) -> None:
        kind = FUNCTION_KINDS[type(found._ctx)]
        name = f"{owner.label}:{kind}"
        seen[name] = seen.get(name, 0) + 1
        add(name if seen[name] == 1 else f"{name}#{seen[name]}", f"F.{kind}", kind, found, True)

    reached = -1
    pending = iter(extra)
    upcoming = next(pending, None)
    for call, tensor in measured:
        reached = max(reached, position.get(id(tensor._ctx), reached))
        while upcoming is not None and upcoming[0] < reached:
            add_functional(*upcoming[1:])
            upcoming = next(pending, None)
        add(
            call.label, type(call.module).__name__, _module_kind(call.module, tensor), tensor, False
        )
    while upcoming is not None:
        add_functional(*upcoming[1:])
        upcoming = next(pending, None)
    return rows


def activation_stats(
    model: Module, batch: Any, bins: int | str = 50, mode: str = "same"
) -> ActivationStats:
    """Per-layer output statistics for one forward pass of `batch` through `model`.

    Args:
        model: any glassnet Module.
        batch: the input Tensor/array, or an (input, target, ...) tuple as a DataLoader yields
            (the target is ignored).
        bins: passed to numpy.histogram for each layer (a count or a rule such as 'auto').
        mode: 'same' (the model's current mode), 'train' or 'eval'; see
            `glassnet.diagnose.inputs`. Flags, buffers and the RNG are restored afterwards.

    Returns an ActivationStats: a sequence of LayerStats rows in forward order (leaf module
    calls, plus functional activations found in the graph), with `format_table()`.
    """
    where = "activation_stats"
    check_model(model, where)
    check_mode(mode, where)
    _check_bins(bins, where)
    inputs, _ = split_batch(batch, where)
    if inputs.dtype.kind == "f":
        inputs.requires_grad = True  # a detached copy: the graph exists even for a frozen model
    ran_in = effective_mode(model, mode)
    with preserved(model, mode):
        traced = trace(model, [inputs], mode="same")
    leaves = [call for call in traced.calls if call.is_leaf]
    measured = [(call, _first_float(call.outputs)) for call in leaves]
    measured = [(call, tensor) for call, tensor in measured if tensor is not None]
    extra, position = _functional(
        traced.calls, traced.outputs, {id(tensor) for _, tensor in measured}
    )
    rows = _merged_rows(measured, extra, position, bins)
    return ActivationStats(rows, int(inputs.shape[0]) if inputs.ndim else 1, ran_in, bins)
