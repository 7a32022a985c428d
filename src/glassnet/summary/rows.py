"""From a traced forward pass to the rows and totals of a `Summary`.

Per call: the parameters it uses first (a parameter is counted once, at its first use;
later uses show as shared), its MACs by `glassnet.costs`' rules, and the receptive field
and jump of its output. Rows deeper than `depth` fold into their visible parent, which
then sums its subtree. The notes: depthwise-separable pairs against the standard conv,
shared parameters, layers without a MAC rule, parameters of modules never called.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from glassnet import costs
from glassnet.nn.conv import Conv1d, Conv2d
from glassnet.nn.module import Module
from glassnet.summary.result import Summary, SummaryRow
from glassnet.tensor import Tensor
from glassnet.tracing import Call, forward_order


def _subtree(call: Call) -> list[Call]:
    found, stack = [], [call]
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(reversed(item.children))
    return found


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


def tabulate(
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
