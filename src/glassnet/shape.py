"""Conv and pool arithmetic: output sizes, 'same' padding, receptive fields, a stage walk.

The notes' first question: given a CNN input, kernel size, padding and stride, what is
the output shape? Per spatial axis PyTorch computes

    out = floor((in + 2*p - d*(k-1) - 1) / s) + 1

where d*(k-1) + 1 is the span of the dilated kernel: the number of window positions
that fit in the padded input, one every s steps. Pools in ceil mode round up instead,
except that a last window may not start inside the right padding. Receptive field r and
jump j (the input distance between neighbouring outputs) grow per stage as

    r_out = r_in + (d*(k-1)) * j_in,    j_out = j_in * s.

Pure integer arithmetic: no Tensor is needed. The formula itself is written once, in
`glassnet.ops.im2col.output_size`, which the convolutions and pools use too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from glassnet.ops import im2col  # the output-size formula, shared with the convolution

__all__ = [
    "ShapeError",
    "Stage",
    "StageRecord",
    "STAGE_GRAMMAR",
    "conv_output_size",
    "pool_output_size",
    "same_padding",
    "tf_same_output_size",
    "receptive_field_step",
    "parse_input_shape",
    "parse_stage",
    "walk",
    "format_walk",
]

STAGE_GRAMMAR = """\
stages (2-D, for a CxHxW input):
  conv:OUT,kK[,sS][,pP|psame][,dD][,gG][,nobias]
  maxpool:kK[,sS][,pP][,dD][,ceil]
  avgpool:kK[,sS][,pP][,ceil]
stages (1-D, for a CxL input): conv1d:..., maxpool1d:..., avgpool1d:... (same options)

  OUT  output channels        k  kernel size          s  stride (pools: default k)
  p    zero padding per side  psame  pad to keep the size (stride 1 only, as PyTorch)
  d    dilation               g  groups               nobias  conv without bias
  ceil pool in ceil mode; 2-D stages take per-axis values as k3x5, s1x2, p1x2, d1x2"""

_AXES = {1: ("L",), 2: ("H", "W")}
_UNITS = {"H": "row", "W": "column", "L": "position"}
_KINDS = {
    "conv": ("conv", 2),
    "conv2d": ("conv", 2),
    "conv1d": ("conv", 1),
    "maxpool": ("maxpool", 2),
    "maxpool2d": ("maxpool", 2),
    "maxpool1d": ("maxpool", 1),
    "avgpool": ("avgpool", 2),
    "avgpool2d": ("avgpool", 2),
    "avgpool1d": ("avgpool", 1),
}
_OPTIONS = {
    "conv": ("OUT", "k", "s", "p", "psame", "pvalid", "d", "g", "nobias"),
    "maxpool": ("k", "s", "p", "d", "ceil"),
    "avgpool": ("k", "s", "p", "ceil"),
}
_TOKEN = re.compile(r"(k|s|p|d)(\d+(?:x\d+)?)|g(\d+)|(\d+)|(psame|pvalid|nobias|ceil)")


class ShapeError(ValueError):
    """An impossible stage or a malformed spec. The message is one line with the numbers."""


# -- the arithmetic ---------------------------------------------------------------------
def _padded(size: int, padding: int | tuple[int, int]) -> tuple[int, int, int]:
    left, right = (padding, padding) if isinstance(padding, int) else padding
    return left, right, size + left + right


def _check(
    size: int, kernel_size: int, stride: int, padding: int | tuple[int, int], dilation: int
) -> None:
    for name, value, least in (
        ("size", size, 1),
        ("kernel_size", kernel_size, 1),
        ("stride", stride, 1),
        ("dilation", dilation, 1),
    ):
        if value < least:
            raise ShapeError(f"{name} must be >= {least}, got {value}")
    if min(_padded(size, padding)[:2]) < 0:
        raise ShapeError(f"padding must be >= 0, got {padding}")


def _too_small(
    size: int, kernel_size: int, padding: int | tuple[int, int], dilation: int, out: int
) -> str:
    left, right, padded = _padded(size, padding)
    pads = f"2*{left}" if left == right else f"{left} + {right}"
    return (
        f"the dilated kernel spans {dilation}*({kernel_size}-1)+1 = {dilation * (kernel_size - 1) + 1}, "
        f"more than the padded input {size} + {pads} = {padded}: the output size would be {out}"
    )


def conv_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
) -> int:
    """floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1, as torch's ConvNd.

    `padding` may be a (left, right) pair, as 'same' padding with an even kernel needs.
    Raises ShapeError when the dilated kernel is larger than the padded input.
    """
    _check(size, kernel_size, stride, padding, dilation)
    left, right, _ = _padded(size, padding)
    out = im2col.output_size(size, kernel_size, stride, left, right, dilation)
    if out < 1:
        raise ShapeError(_too_small(size, kernel_size, padding, dilation, out))
    return out


def _pool_sizes(
    size: int, kernel_size: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> tuple[int, int]:
    """(output before the ceil-mode rule, output after it)."""
    _check(size, kernel_size, stride, padding, dilation)
    if padding > kernel_size // 2:
        raise ShapeError(
            f"padding {padding} is more than half the kernel: pools need p <= k//2 = "
            f"{kernel_size}//2 = {kernel_size // 2}"
        )
    raw = im2col.output_size(size, kernel_size, stride, padding, padding, dilation, ceil_mode)
    out = im2col.pool_output_size(size, kernel_size, stride, padding, dilation, ceil_mode)
    if out < 1:
        raise ShapeError(_too_small(size, kernel_size, padding, dilation, out))
    return raw, out


def pool_output_size(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output size of max/avg pooling, as torch computes it (stride defaults to kernel_size).

    floor((size + 2p - d(k-1) - 1)/s) + 1; with ceil_mode, ceil(...) + 1, minus one when that
    last window would start in the right padding ((out-1)*s >= size + p). Torch also
    requires p <= k//2. Raises ShapeError for both, and for a non-positive output.
    """
    stride = kernel_size if stride is None else stride
    return _pool_sizes(size, kernel_size, stride, padding, dilation, ceil_mode)[1]


def same_padding(kernel_size: int, dilation: int = 1) -> tuple[int, int]:
    """(left, right) padding of PyTorch's padding='same' (stride 1): d*(k-1) in all, extra on the right."""
    total = dilation * (kernel_size - 1)
    return total // 2, total - total // 2


def tf_same_output_size(size: int, stride: int) -> int:
    """TensorFlow's 'SAME' convention: out = ceil(size / stride), for any stride."""
    return -(-size // stride)


def receptive_field_step(
    receptive_field: int, jump: int, kernel_size: int, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """(r_out, j_out) = (r_in + (d*(k-1)+1 - 1) * j_in, j_in * s)."""
    return receptive_field + dilation * (kernel_size - 1) * jump, jump * stride


# -- parsing ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    """One parsed stage: a conv or a pool, with per-axis geometry ('same' padding stays a word)."""

    text: str
    kind: str  # 'conv' | 'maxpool' | 'avgpool'
    dims: int  # spatial dims: 1 (CxL) or 2 (CxHxW)
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    out_channels: int | None = None
    groups: int = 1
    bias: bool = True
    ceil_mode: bool = False


def parse_input_shape(text: str) -> tuple[int, ...]:
    """'3x224x224' -> (3, 224, 224); 'CxL' for 1-D. No batch dim."""
    parts = text.strip().lower().split("x")
    if not all(part.isdigit() for part in parts) or len(parts) not in (2, 3):
        raise ShapeError(
            f"input '{text}': give CxHxW (2-D) or CxL (1-D) as positive integers joined by "
            f"'x', without the batch dim, e.g. 3x224x224"
        )
    shape = tuple(int(part) for part in parts)
    if min(shape) < 1:
        raise ShapeError(f"input '{text}': every size must be >= 1")
    return shape


def _axes_value(letter: str, text: str, dims: int) -> tuple[int, ...]:
    values = tuple(int(part) for part in text.split("x"))
    if len(values) == 1:
        return values * dims
    if len(values) != dims:
        raise ShapeError(
            f"'{letter}{text}' gives {len(values)} values but the stage has {dims} spatial dim(s)"
        )
    return values


def parse_stage(text: str) -> Stage:
    """Parse one stage spec such as 'conv:64,k7,s2,p3' or 'maxpool:k3,s2,p1,ceil' (see STAGE_GRAMMAR)."""
    name, colon, rest = text.strip().lower().partition(":")
    if not colon:
        raise ShapeError("expected kind:options, e.g. conv:64,k3 or maxpool:k2")
    if name not in _KINDS:
        raise ShapeError(
            f"unknown stage kind '{name}': use conv, maxpool, avgpool (2-D) "
            f"or conv1d, maxpool1d, avgpool1d (1-D)"
        )
    kind, dims = _KINDS[name]
    found: dict[str, object] = {}
    for token in filter(None, (part.strip() for part in rest.split(","))):
        match = _TOKEN.fullmatch(token)
        if match is None:
            key, value = token, None
        elif match[1]:
            key, value = match[1], _axes_value(match[1], match[2], dims)
        elif match[3]:
            key, value = "g", int(match[3])
        elif match[4]:
            key, value = "OUT", int(match[4])
        else:
            key = value = match[5]
        if key not in _OPTIONS[kind]:
            raise ShapeError(f"unknown option '{token}': {name} takes {','.join(_OPTIONS[kind])}")
        slot = "p" if key in ("psame", "pvalid") else key
        if slot in found:
            raise ShapeError(f"option '{token}' repeats an earlier {slot} option")
        if (
            key in ("k", "s", "d", "g", "OUT")
            and min(value if isinstance(value, tuple) else (value,)) < 1
        ):
            raise ShapeError(f"'{token}': {key} must be >= 1")
        found[slot] = value
    for key in ("OUT", "k") if kind == "conv" else ("k",):
        if key not in found:
            what = (
                "the output channels (a bare number, e.g. conv:64,k3)"
                if key == "OUT"
                else "a kernel size kK"
            )
            raise ShapeError(f"missing {what}")
    padding = found.get("p", (0,) * dims)
    return Stage(
        text=text.strip(),
        kind=kind,
        dims=dims,
        kernel_size=found["k"],
        stride=found.get("s", (1,) * dims if kind == "conv" else found["k"]),
        padding="same" if padding == "psame" else (0,) * dims if padding == "pvalid" else padding,
        dilation=found.get("d", (1,) * dims),
        out_channels=found.get("OUT"),
        groups=found.get("g", 1),
        bias="nobias" not in found,
        ceil_mode="ceil" in found,
    )


# -- the walk ---------------------------------------------------------------------------
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


def _step(
    index: int, stage: Stage, shape: tuple[int, ...], rf: tuple[int, ...], jump: tuple[int, ...]
) -> StageRecord:
    channels, sizes, axes = shape[0], shape[1:], _AXES[stage.dims]
    if len(sizes) != stage.dims:
        wanted = "CxL" if stage.dims == 1 else "CxHxW"
        raise ShapeError(
            f"{stage.kind}{'1d' if stage.dims == 1 else ''} needs a {wanted} input, "
            f"but its input is {'x'.join(map(str, shape))}"
        )
    k, s, d, notes = stage.kernel_size, stage.stride, stage.dilation, []
    if stage.padding == "same":
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
    else:
        pads = tuple((p, p) for p in stage.padding)
    formulas, outs, unread = [], [], []
    for axis, n, kk, ss, pad, dd in zip(axes, sizes, k, s, pads, d):
        try:
            if stage.kind == "conv":
                raw = out = conv_output_size(n, kk, ss, pad, dd)
            else:
                raw, out = _pool_sizes(n, kk, ss, pad[0], dd, stage.ceil_mode)
        except ShapeError as error:
            raise ShapeError(f"{axis}: {error}") from None
        formulas.append(_formula(axis, n, kk, ss, pad, dd, stage.ceil_mode, raw, out))
        outs.append(out)
        left_over = (n + sum(pad) - dd * (kk - 1) - 1) % ss
        if left_over and not stage.ceil_mode:
            unread.append(_count(left_over, _UNITS[axis]))
    if unread:
        notes.append(f"the floor leaves the last {' and '.join(unread)} of the padded input unread")
    params, params_formula, macs, macs_formula = 0, "0", 0, "0"
    out_channels = channels
    if stage.kind == "conv":
        out_channels, groups = stage.out_channels, stage.groups
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
        axes = _AXES[record.stage.dims]
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
