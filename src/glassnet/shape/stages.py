"""Stage specs of `glassnet shape`: 'conv:64,k7,s2,p3', 'maxpool:k3,s2,p1,ceil', ... parsed into Stages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from glassnet.shape.arithmetic import ShapeError

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

AXES = {1: ("L",), 2: ("H", "W")}  # the spatial axes' names, per dims
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
