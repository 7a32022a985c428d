"""A CxHxW (or CxL) shape pushed through stages, with every formula written out.

Per stage: the output size per axis (PyTorch's formula with the numbers filled in), the
parameters and multiply-accumulates of a conv, and the receptive field r and jump j.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from glassnet.shape.arithmetic import (
    ShapeError,
    conv_output_size,
    pool_sizes,
    receptive_field_step,
    same_padding,
    tf_same_output_size,
)
from glassnet.shape.stages import AXES, Stage, parse_stage

_UNITS = {"H": "row", "W": "column", "L": "position"}


@dataclass(frozen=True)
class StageRecord:
    """What one stage does to the shape, with every formula written out (index counts from 1)."""

    index: int
    stage: Stage
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    formulas: tuple[str, ...]
    params: int
    params_formula: str
    macs: int
    macs_formula: str
    receptive_field: tuple[int, ...]
    jump: tuple[int, ...]
    receptive_field_formulas: tuple[str, ...]
    notes: tuple[str, ...]


def _formula(
    axis: str,
    size: int,
    k: int,
    s: int,
    pad: tuple[int, int],
    d: int,
    ceil_mode: bool,
    raw: int,
    out: int,
) -> str:
    padded = f"{size} + 2*{pad[0]}" if pad[0] == pad[1] else f"{size} + {pad[0]} + {pad[1]}"
    text = (
        f"{axis}: {'ceil' if ceil_mode else 'floor'}(({padded} - {d}*({k}-1) - 1)/{s}) + 1 = {raw}"
    )
    if raw != out:
        text += (
            f", but that last window would start in the right padding "
            f"(({raw}-1)*{s} = {(raw - 1) * s} >= {size} + {pad[0]}), so {out}"
        )
    return text


def _count(amount: int, unit: str) -> str:
    return f"{amount} {unit}{'s' if amount != 1 else ''}"


def _stage_padding(
    stage: Stage, sizes: Sequence[int], notes: list[str]
) -> tuple[tuple[int, int], ...]:
    """(left, right) padding per axis; 'same' padding is worked out, with a note on TensorFlow's."""
    if stage.padding != "same":
        return tuple((p, p) for p in stage.padding)
    k, s, d, axes = stage.kernel_size, stage.stride, stage.dilation, AXES[stage.dims]
    if max(s) > 1:
        raise ShapeError(
            f"psame needs stride 1 (as PyTorch), got stride {'x'.join(map(str, s))}; "
            f"TensorFlow's SAME would give ceil(in/stride) = "
            f"{'x'.join(str(tf_same_output_size(n, m)) for n, m in zip(sizes, s))}"
        )
    pads = tuple(same_padding(kk, dd) for kk, dd in zip(k, d))
    split = ", ".join(f"{a}: {left} + {right}" for a, (left, right) in zip(axes, pads))
    tf = ", ".join(
        dict.fromkeys(f"ceil({n}/{m}) = {tf_same_output_size(n, m)}" for n, m in zip(sizes, s))
    )
    notes.append(
        f"psame pads d*(k-1) per axis, any odd one on the {'right' if stage.dims == 1 else 'bottom/right'}"
        f" ({split}); TensorFlow's SAME convention, for any stride: out = ceil(in/stride) = {tf}"
    )
    return pads


def _output_sizes(
    stage: Stage, sizes: Sequence[int], pads: tuple[tuple[int, int], ...], notes: list[str]
) -> tuple[list[str], list[int]]:
    """The formula with its numbers and the output size, per axis; a note on unread pixels."""
    formulas, outs, unread = [], [], []
    for axis, n, kk, ss, pad, dd in zip(
        AXES[stage.dims], sizes, stage.kernel_size, stage.stride, pads, stage.dilation
    ):
        try:
            if stage.kind == "conv":
                raw = out = conv_output_size(n, kk, ss, pad, dd)
            else:
                raw, out = pool_sizes(n, kk, ss, pad[0], dd, stage.ceil_mode)
        except ShapeError as error:
            raise ShapeError(f"{axis}: {error}") from None
        formulas.append(_formula(axis, n, kk, ss, pad, dd, stage.ceil_mode, raw, out))
        outs.append(out)
        left_over = (n + sum(pad) - dd * (kk - 1) - 1) % ss
        if left_over and not stage.ceil_mode:
            unread.append(_count(left_over, _UNITS[axis]))
    if unread:
        notes.append(f"the floor leaves the last {' and '.join(unread)} of the padded input unread")
    return formulas, outs


def _conv_costs(stage: Stage, channels: int, outs: list[int]) -> tuple[int, str, int, str]:
    """(params, their formula, MACs, their formula) of a conv stage."""
    k, out_channels, groups = stage.kernel_size, stage.out_channels, stage.groups
    for what, number in (("input", channels), ("output", out_channels)):
        if number % groups:
            raise ShapeError(f"{what} channels {number} are not divisible by groups {groups}")
    fan_in = channels // groups * math.prod(k)
    params = out_channels * fan_in + (out_channels if stage.bias else 0)
    in_part = f"({channels}/{groups})" if groups > 1 else str(channels)
    params_formula = f"{out_channels}*{in_part}*{'*'.join(map(str, k))}"
    params_formula += f" + {out_channels}" if stage.bias else ""
    macs = out_channels * math.prod(outs) * fan_in
    macs_formula = (
        f"{'*'.join(map(str, (out_channels, *outs)))} outputs * "
        f"{'*'.join(map(str, (channels // groups, *k)))}"
    )
    return params, params_formula, macs, macs_formula


def _step(
    index: int, stage: Stage, shape: tuple[int, ...], rf: tuple[int, ...], jump: tuple[int, ...]
) -> StageRecord:
    channels, sizes = shape[0], shape[1:]
    if len(sizes) != stage.dims:
        wanted = "CxL" if stage.dims == 1 else "CxHxW"
        raise ShapeError(
            f"{stage.kind}{'1d' if stage.dims == 1 else ''} needs a {wanted} input, "
            f"but its input is {'x'.join(map(str, shape))}"
        )
    k, s, d, notes = stage.kernel_size, stage.stride, stage.dilation, []
    pads = _stage_padding(stage, sizes, notes)
    formulas, outs = _output_sizes(stage, sizes, pads, notes)
    params, params_formula, macs, macs_formula = 0, "0", 0, "0"
    out_channels = channels
    if stage.kind == "conv":
        out_channels = stage.out_channels
        params, params_formula, macs, macs_formula = _conv_costs(stage, channels, outs)
    steps = [receptive_field_step(r, j, kk, ss, dd) for r, j, kk, ss, dd in zip(rf, jump, k, s, d)]
    rf_formulas = tuple(
        f"r = {r} + {dd}*({kk}-1)*{j} = {r_out}, j = {j}*{ss} = {j_out}"
        for r, j, kk, ss, dd, (r_out, j_out) in zip(rf, jump, k, s, d, steps)
    )
    return StageRecord(
        index=index,
        stage=stage,
        input_shape=shape,
        output_shape=(out_channels, *outs),
        padding=pads,
        formulas=tuple(formulas),
        params=params,
        params_formula=params_formula,
        macs=macs,
        macs_formula=macs_formula,
        receptive_field=tuple(r for r, _ in steps),
        jump=tuple(j for _, j in steps),
        receptive_field_formulas=rf_formulas,
        notes=tuple(notes),
    )


def walk(input_shape: Sequence[int], stages: Iterable[Stage | str]) -> list[StageRecord]:
    """Push a CxHxW (or CxL) shape through the stages; one StageRecord per stage.

    Raises ShapeError with one line naming the stage (index from 1, and its text) and the
    numbers that make it impossible or malformed.
    """
    shape = tuple(int(n) for n in input_shape)
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ShapeError(f"input {shape}: give (C, H, W) or (C, L) with every size >= 1")
    rf, jump = (1,) * (len(shape) - 1), (1,) * (len(shape) - 1)
    records = []
    for index, stage in enumerate(stages, start=1):
        text = stage if isinstance(stage, str) else stage.text
        try:
            record = _step(
                index, parse_stage(stage) if isinstance(stage, str) else stage, shape, rf, jump
            )
        except ShapeError as error:
            raise ShapeError(f"stage {index} '{text.strip()}': {error}") from None
        records.append(record)
        shape, rf, jump = record.output_shape, record.receptive_field, record.jump
    return records


def _shape_text(shape: Sequence[int]) -> str:
    return "x".join(map(str, shape))


def format_walk(input_shape: Sequence[int], records: Sequence[StageRecord]) -> list[str]:
    """The readable report of a walk, one list item per line; the last is 'output: CxHxW'."""
    lines = [f"input: {_shape_text(input_shape)}"]
    for record in records:
        lines.append(f"stage {record.index}: {record.stage.text}")
        lines.extend(f"  {formula}" for formula in record.formulas)
        if record.stage.kind == "conv":
            counts = (
                f"params {record.params:,} = {record.params_formula}   "
                f"MACs {record.macs:,} = {record.macs_formula}"
            )
        else:
            counts = "params 0   MACs 0 (no weights)"
        lines.append(f"  -> {_shape_text(record.output_shape)}   {counts}")
        axes = AXES[record.stage.dims]
        steps = dict.fromkeys(record.receptive_field_formulas)
        why = (
            next(iter(steps))
            if len(steps) == 1
            else "; ".join(
                f"{axis}: {formula}" for axis, formula in zip(axes, record.receptive_field_formulas)
            )
        )
        lines.append(
            f"  receptive field {_shape_text(record.receptive_field)}, jump "
            f"{_shape_text(record.jump)}   ({why})"
        )
        lines.extend(f"  note: {note}" for note in record.notes)
    output = records[-1].output_shape if records else tuple(input_shape)
    lines.append(
        f"total: params {sum(r.params for r in records):,}, MACs {sum(r.macs for r in records):,}"
    )
    lines.append(f"output: {_shape_text(output)}")
    return lines
