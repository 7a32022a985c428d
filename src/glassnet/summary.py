"""`summary(model, input_size)`: a torchinfo-like table of a model, from one real forward pass.

Each module call is a row: the layer (indented name and class), its output shape, its
parameters, its MACs (multiply-accumulates, see `glassnet.costs` for what counts), and
the receptive field and jump of its output where the input has spatial axes (see
`glassnet.shape` for the formulas). Rows deeper than `depth` are folded into their
visible parent, whose numbers then cover its whole subtree. Below the table: total and
trainable parameters, total MACs, and the memory of the input, of the forward pass'
outputs (the distinct tensors the innermost layers return), of the parameters and of
the buffers.

A parameter is counted once: where a later row uses a parameter that an earlier row
already counted (tied weights, or a module called twice) the row shows it as
"(+N shared)" and the totals leave it out. A depthwise conv followed by a 1x1 conv gets
a note comparing its MACs with the standard conv it replaces: the ratio is
1/C_out + 1/k^2 (MobileNet, Howard et al. 2017, section 3.1).

The pass runs in eval mode (dropout off, BatchNorm on its running statistics; pass
mode='train' or 'same' to change that) and leaves the model as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy

from glassnet import costs
from glassnet.nn.conv import Conv1d, Conv2d
from glassnet.nn.module import Module
from glassnet.tensor import Tensor
from glassnet.tracing import (
    Call,
    TraceError,
    as_input_list,
    forward_order,
    make_inputs,
    trace,
)

__all__ = ["summary", "Summary", "SummaryRow"]


@dataclass
class SummaryRow:
    """One row of the table. `params`/`macs` None print as '--' (a container with visible rows)."""

    label: str
    name: str
    class_name: str
    depth: int
    output_shapes: list[tuple[int, ...]]
    params: int | None
    shared_params: int
    macs: int | None
    macs_unknown: bool
    receptive_field: tuple[int, ...] | None
    jump: tuple[int, ...] | None
    call: Call = field(repr=False)


@dataclass
class Summary:
    """The rows and totals of `summary()`; str() gives the table."""

    model_name: str
    rows: list[SummaryRow]
    input_shapes: list[tuple[int, ...]]
    total_params: int
    trainable_params: int
    total_macs: int
    input_bytes: int
    activation_bytes: int
    param_bytes: int
    buffer_bytes: int
    notes: list[str]

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def as_dict(self) -> dict[str, Any]:
        """The totals and one dict per row (`glassnet summary --json`); a MAC count that no
        rule gives is None."""
        rows = [
            {
                "label": row.label,
                "name": row.name,
                "class_name": row.class_name,
                "depth": row.depth,
                "output_shapes": [list(shape) for shape in row.output_shapes],
                "params": row.params,
                "shared_params": row.shared_params,
                "macs": None if row.macs_unknown else row.macs,
                "receptive_field": None
                if row.receptive_field is None
                else list(row.receptive_field),
                "jump": None if row.jump is None else list(row.jump),
            }
            for row in self.rows
        ]
        return {
            "model_name": self.model_name,
            "input_shapes": [list(shape) for shape in self.input_shapes],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "input_bytes": self.input_bytes,
            "activation_bytes": self.activation_bytes,
            "param_bytes": self.param_bytes,
            "buffer_bytes": self.buffer_bytes,
            "notes": list(self.notes),
            "rows": rows,
        }

    def __str__(self) -> str:
        return _format(self)

    def __repr__(self) -> str:
        return _format(self)


def summary(
    model: Module,
    input_size: Sequence[Any] | None = None,
    input_data: Any = None,
    *,
    batch_size: int = 1,
    dtype: Any = None,
    depth: int = 3,
    mode: str = "eval",
    batch_dim: int | None = None,
) -> Summary:
    """Run `model` once on a batch of `batch_size` random inputs shaped `input_size` (no batch
    dim; a list of shapes for several inputs), or on `input_data`, and tabulate it.

    batch_dim: None (the default): `input_size` is one sample's shape, as `glassnet summary
    --input` takes it, and a batch of `batch_size` goes in front: (3, 32, 32) runs on
    (batch_size, 3, 32, 32). An int: torchinfo's convention, `input_size` includes the batch
    dimension at that position: summary(model, (16, 3, 32, 32), batch_dim=0) runs on
    (16, 3, 32, 32), and batch_dim=1 suits sequence-first inputs (L, N, H). batch_size is
    then taken from input_size and may not be given too. (torchinfo.summary's own batch_dim
    default, None, means the same as an int here: its input_size always holds the batch.)
    dtype: of the random inputs (default float32; int64 for token ids), one or one per input.
    depth: the deepest row shown (the model itself is depth 0).
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be a glassnet.nn.Module, got {type(model).__name__}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"summary: depth must be an int >= 0, got {depth!r}")
    if (input_size is None) == (input_data is None):
        raise ValueError(
            "summary: give exactly one of input_size (a shape without the batch dim, e.g. "
            "(3, 32, 32)) and input_data (the tensors to call the model with)"
        )
    if input_data is None and batch_dim is not None:
        args: list[Any] = _inputs_with_batch(input_size, batch_dim, batch_size, dtype)
    elif input_data is None:
        args = make_inputs(input_size, batch_size, dtype, "summary")
    else:  # float leaves get a grad-requiring alias, so the graph is recorded even for a frozen model
        args = [
            Tensor(item.data, requires_grad=True)
            if isinstance(item, Tensor)
            and item.is_leaf
            and item.dtype.kind == "f"
            and not item.requires_grad
            else item
            for item in as_input_list(input_data)
        ]
    try:
        result = trace(model, args, mode)
    except TraceError as error:
        raise TraceError(f"summary of {type(model).__name__}: {error}") from error.__cause__
    return _tabulate(model, result.calls, result.inputs, result.outputs, depth)


def _inputs_with_batch(
    input_size: Sequence[Any], batch_dim: int, batch_size: int, dtype: Any
) -> list[Tensor]:
    """Random inputs for shapes that hold the batch at `batch_dim` (torchinfo's input_size)."""
    if isinstance(batch_dim, bool) or not isinstance(batch_dim, int) or batch_dim < 0:
        raise ValueError(f"summary: batch_dim must be None or an int >= 0, got {batch_dim!r}")
    if batch_size != 1:
        raise ValueError(
            f"summary: with batch_dim={batch_dim}, input_size holds the batch size; got "
            f"batch_size={batch_size} too"
        )
    if not isinstance(input_size, Sequence) or not input_size:
        raise ValueError(
            f"summary: input_size must be a shape or a list of shapes, got {input_size!r}"
        )
    one = all(isinstance(n, (int, numpy.integer)) for n in input_size)
    shapes = [tuple(input_size)] if one else [tuple(shape) for shape in input_size]
    for shape in shapes:
        if len(shape) <= batch_dim:
            raise ValueError(
                f"summary: input_size {shape} has no dimension {batch_dim} to be the batch "
                f"(batch_dim={batch_dim})"
            )
    batches = {shape[batch_dim] for shape in shapes}
    if len(batches) > 1:
        raise ValueError(f"summary: the inputs' batch sizes differ at dim {batch_dim}: {shapes}")
    samples = [shape[:batch_dim] + shape[batch_dim + 1 :] for shape in shapes]
    tensors = make_inputs(samples, batches.pop(), dtype, "summary")
    if batch_dim == 0:
        return tensors
    return [
        Tensor(
            numpy.ascontiguousarray(numpy.moveaxis(tensor.data, 0, batch_dim)),
            requires_grad=tensor.requires_grad,
        )
        for tensor in tensors
    ]


# -- building the rows --------------------------------------------------------------------
def _subtree(call: Call) -> list[Call]:
    found, stack = [], [call]
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(reversed(item.children))
    return found


def _field_text(values: tuple[int, ...] | None) -> str:
    if not values:
        return "--"
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))


# per call id: parameters first counted there, parameters counted before, MACs (None: no rule)
CallCosts = tuple[dict[int, int], dict[int, int], dict[int, int | None]]


def _call_costs(calls: list[Call]) -> CallCosts:
    """Per call (by id): its parameters not seen before, those seen before, and its MACs."""
    seen: set[int] = set()
    new: dict[int, int] = {}
    shared: dict[int, int] = {}
    macs: dict[int, int | None] = {}
    for call in calls:  # entry order: a parameter is counted at its first use
        own = [p for _, p in call.module.named_parameters(recurse=False)]
        new[id(call)] = sum(p.numel() for p in own if id(p) not in seen)
        shared[id(call)] = sum(p.numel() for p in own if id(p) in seen)
        seen.update(id(p) for p in own)
        macs[id(call)] = costs.call_macs(call.module, call.inputs, call.outputs)
    return new, shared, macs


def _row(
    call: Call,
    depth: int,
    costs_of: CallCosts,
    fields: dict[Any, Any],
) -> SummaryRow:
    """The table row of one call; at the deepest level shown it sums its whole subtree."""
    new, shared, macs = costs_of
    folded = _subtree(call) if call.depth == depth or call.is_leaf else [call]
    expanded = len(folded) == 1 and not call.is_leaf
    params = sum(new[id(c)] for c in folded)
    shared_params = sum(shared[id(c)] for c in folded)
    known = [macs[id(c)] for c in folded if macs[id(c)] is not None]
    unknown = len(known) < len(folded)
    row_macs = sum(known)
    first = call.outputs[0] if call.outputs else None
    value = fields.get(costs.tensor_key(first)) if first is not None else None
    rf, jump = value if isinstance(value, tuple) else (None, None)
    local = call.name.rsplit(".", 1)[-1] if call.depth else type(call.module).__name__
    local += f" #{call.repeat + 1}" if call.repeat else ""
    label = "  " * call.depth + (f"{local} ({type(call.module).__name__})" if call.depth else local)
    return SummaryRow(
        label=label,
        name=call.name,
        class_name=type(call.module).__name__,
        depth=call.depth,
        output_shapes=[tuple(t.shape) for t in call.outputs],
        params=None if expanded and params == 0 and shared_params == 0 else params,
        shared_params=shared_params,
        macs=None if expanded and row_macs == 0 and not unknown else row_macs,
        macs_unknown=unknown,
        receptive_field=rf,
        jump=jump,
        call=call,
    )


def _notes(
    model: Module,
    calls: list[Call],
    costs_of: CallCosts,
) -> list[str]:
    """Footnotes: separable convs, shared parameters, uncounted MACs, uncalled modules."""
    new, shared, macs = costs_of
    notes = _separable_notes(calls, macs)
    if any(shared.values()):
        notes.append(
            "(+N shared): parameters an earlier row already counted (tied weights, or a module "
            "called again); the totals count them once"
        )
    unknown_layers = sorted({type(c.module).__name__ for c in calls if macs[id(c)] is None})
    if unknown_layers:
        notes.append(
            f"MACs of {', '.join(unknown_layers)} are not counted (no rule; add one with "
            f"glassnet.costs.register_macs)"
        )
    uncalled = sum(p.numel() for p in model.parameters()) - sum(new.values())
    if uncalled:
        notes.append(
            f"{uncalled:,} parameters belong to modules the forward pass did not call; the totals "
            f"include them"
        )
    return notes


def _tabulate(
    model: Module, calls: list[Call], inputs: list[Tensor], outputs: list[Tensor], depth: int
) -> Summary:
    costs_of = _call_costs(calls)
    fields = costs.receptive_fields(forward_order(outputs), outputs, inputs)
    rows = [_row(call, depth, costs_of, fields) for call in calls if call.depth <= depth]
    parameters = list(model.parameters())
    activations: dict[int, Tensor] = {}
    input_ids = {id(t) for t in inputs}
    for call in calls:
        if call.is_leaf:
            activations.update((id(t), t) for t in call.outputs if id(t) not in input_ids)
    return Summary(
        model_name=type(model).__name__,
        rows=rows,
        input_shapes=[tuple(t.shape) for t in inputs],
        total_params=sum(p.numel() for p in parameters),
        trainable_params=sum(p.numel() for p in parameters if p.requires_grad),
        total_macs=sum(v for v in costs_of[2].values() if v is not None),
        input_bytes=sum(t.data.nbytes for t in inputs),
        activation_bytes=sum(t.data.nbytes for t in activations.values()),
        param_bytes=sum(p.data.nbytes for p in parameters),
        buffer_bytes=sum(b.data.nbytes for b in model.buffers()),
        notes=_notes(model, calls, costs_of),
    )


def _separable_notes(calls: list[Call], macs: dict[int, int | None]) -> list[str]:
    """A depthwise conv and the 1x1 conv after it, against the standard conv they replace."""
    convs = [c for c in calls if c.is_leaf and isinstance(c.module, (Conv1d, Conv2d)) and c.outputs]
    notes = []
    for depthwise, pointwise in zip(convs, convs[1:]):
        dw, pw = depthwise.module, pointwise.module
        if not (
            dw.groups == dw.in_channels > 1
            and type(pw) is type(dw)
            and pw.groups == 1
            and set(pw.kernel_size) == {1}
            and pw.in_channels == dw.out_channels
        ):
            continue
        taps = 1
        for k in dw.kernel_size:
            taps *= k
        positions = depthwise.outputs[0].numel() // dw.out_channels  # batch * output pixels
        standard = positions * pw.out_channels * dw.in_channels * taps
        ours = macs[id(depthwise)] + macs[id(pointwise)]
        ratio = Fraction(ours, standard)
        kernel = dw.kernel_size[0] if len(set(dw.kernel_size)) == 1 else dw.kernel_size
        text = (
            f"{depthwise.label} + {pointwise.label}: depthwise-separable, {macs[id(depthwise)]:,} + "
            f"{macs[id(pointwise)]:,} = {ours:,} MACs vs {standard:,} for a standard "
            f"{type(dw).__name__}({dw.in_channels}, {pw.out_channels}, {kernel}): ratio {float(ratio):.4f}"
        )
        if dw.out_channels == dw.in_channels:
            text += f" = 1/{pw.out_channels} + 1/{taps}"
        notes.append(text)
    return notes


# -- the table ----------------------------------------------------------------------------
def _bytes(amount: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if amount >= size:
            return f"{amount:,} bytes ({amount / size:.2f} {unit})"
    return f"{amount:,} bytes"


def _count(amount: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if amount >= size:
            return f"{amount:,} ({amount / size:.2f} {unit})"
    return f"{amount:,}"


def _cells(row: SummaryRow, with_fields: bool) -> list[str]:
    shapes = " ".join(str(list(shape)) for shape in row.output_shapes) or "--"
    params = "--" if row.params is None else f"{row.params:,}"
    if row.shared_params:
        params += f" (+{row.shared_params:,} shared)"
    macs = "--" if row.macs is None else f"{row.macs:,}" + (" + ?" if row.macs_unknown else "")
    cells = [row.label, shapes, params, macs]
    if with_fields:
        cells += [_field_text(row.receptive_field), _field_text(row.jump)]
    return cells


def _format(result: Summary) -> str:
    with_fields = any(row.receptive_field for row in result.rows)
    header = ["Layer (type)", "Output shape", "Param #", "MACs"] + (
        ["RF", "Jump"] if with_fields else []
    )
    table = [header] + [_cells(row, with_fields) for row in result.rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]

    def line(
        cells: list[str],
    ) -> str:  # text left, numbers right; columns two spaces apart at least
        parts = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
        parts += [cell.rjust(width) for cell, width in zip(cells[2:], widths[2:])]
        return "  ".join(parts).rstrip()

    width = len(line(header))
    rule, thin = "=" * width, "-" * width
    lines = [rule, line(header), rule, *(line(cells) for cells in table[1:]), rule]
    inputs = ", ".join(str(list(shape)) for shape in result.input_shapes)
    lines += [
        f"Input shape: {inputs}",
        f"Total params: {result.total_params:,}",
        f"Trainable params: {result.trainable_params:,}",
        f"Non-trainable params: {result.non_trainable_params:,}",
        f"Total MACs: {_count(result.total_macs)}",
        thin,
        f"Input memory: {_bytes(result.input_bytes)}",
        f"Forward pass outputs (activations): {_bytes(result.activation_bytes)}",
        f"Parameter memory: {_bytes(result.param_bytes)}",
        f"Buffer memory: {_bytes(result.buffer_bytes)}",
        f"Estimated total: {_bytes(result.input_bytes + result.activation_bytes + result.param_bytes + result.buffer_bytes)}",
        rule,
    ]
    if result.notes:
        lines += ["Notes:", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines)
