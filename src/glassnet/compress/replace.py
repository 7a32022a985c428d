"""Efficient layers as swaps: a k x k Conv2d replaced by a cheaper block with the same input and output shapes.

    small, names = replace(model, "separable")          # every k x k conv with groups=1

Blocks (C_in -> C_out, kernel k, the conv's stride, padding and dilation kept):
    bottleneck   1x1 (C_in -> m) + BN + ReLU, k x k (m -> m) + BN + ReLU, 1x1 (m -> C_out), m = C_out / ratio
                 (He et al. 2016's bottleneck; Szegedy et al.'s 1x1 reductions)
    separable    depthwise k x k (groups = C_in) + BN + ReLU, pointwise 1x1 (C_in -> C_out)
                 (Howard et al. 2017): weights k^2 C_in + C_in C_out = (1/C_out + 1/k^2) of k^2 C_in C_out
    grouped      k x k with groups = g: 1/g of the weights and MACs; with shuffle=True followed by a
                 channel shuffle (Zhang et al. 2018) so that the next grouped layer mixes the groups

The block's last layer keeps the conv's bias, so a BatchNorm after the conv still follows it.
The weights are new (initialised as PyTorch does): train or fine-tune after.
"""

from __future__ import annotations

import copy

from glassnet.compress.prune import CompressionError
from glassnet.compress.swap import set_submodule
from glassnet.models.shufflenet import ChannelShuffle
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d

KINDS = ("bottleneck", "separable", "grouped")


def _geometry(conv: Conv2d) -> dict:
    return {"stride": conv.stride, "padding": conv.padding, "dilation": conv.dilation}


def bottleneck(conv: Conv2d, ratio: int = 4) -> Sequential:
    """1x1 reduce to C_out // ratio, k x k, 1x1 expand to C_out."""
    if ratio < 1:
        raise CompressionError(f"bottleneck: ratio must be >= 1, got {ratio!r}")
    mid = max(1, conv.out_channels // ratio)
    return Sequential(
        Conv2d(conv.in_channels, mid, 1, bias=False),
        BatchNorm2d(mid),
        ReLU(),
        Conv2d(mid, mid, conv.kernel_size, bias=False, **_geometry(conv)),
        BatchNorm2d(mid),
        ReLU(),
        Conv2d(mid, conv.out_channels, 1, bias=conv.bias is not None),
    )


def depthwise_separable(conv: Conv2d) -> Sequential:
    """Depthwise k x k (groups = C_in), BN, ReLU, pointwise 1x1 to C_out."""
    return Sequential(
        Conv2d(
            conv.in_channels, conv.in_channels, conv.kernel_size, groups=conv.in_channels,
            bias=False, **_geometry(conv),
        ),
        BatchNorm2d(conv.in_channels),
        ReLU(),
        Conv2d(conv.in_channels, conv.out_channels, 1, bias=conv.bias is not None),
    )  # fmt: skip


def grouped(conv: Conv2d, groups: int = 4, shuffle: bool = True) -> Module:
    """The same conv with `groups` groups, then a channel shuffle (unless shuffle=False)."""
    if conv.in_channels % groups or conv.out_channels % groups:
        raise CompressionError(
            f"grouped: groups={groups} must divide both in_channels ({conv.in_channels}) and "
            f"out_channels ({conv.out_channels})"
        )
    layer = Conv2d(
        conv.in_channels, conv.out_channels, conv.kernel_size, groups=groups,
        bias=conv.bias is not None, **_geometry(conv),
    )  # fmt: skip
    return Sequential(layer, ChannelShuffle(groups)) if shuffle else layer


def _swap(conv: Conv2d, kind: str, ratio: int, groups: int, shuffle: bool) -> Module | None:
    if kind == "bottleneck":
        return bottleneck(conv, ratio)
    if kind == "separable":
        return depthwise_separable(conv)
    if conv.in_channels % groups or conv.out_channels % groups:
        return None
    return grouped(conv, groups, shuffle)


def replace(
    model: Module,
    kind: str,
    names: list[str] | None = None,
    ratio: int = 4,
    groups: int = 4,
    shuffle: bool = True,
) -> tuple[Module, list[str]]:
    """A copy of `model` with its k x k (k > 1, groups=1) convs, or the named ones, swapped for `kind` blocks.

    Returns (the new model, the names swapped). Without `names`, a conv that cannot take the
    swap (grouped: channels not divisible by `groups`) is kept; a named one is an error.
    """
    if kind not in KINDS:
        raise CompressionError(f"replace: kind must be one of {', '.join(KINDS)}; got {kind!r}")
    convs = {
        name: m
        for name, m in model.named_modules()
        if isinstance(m, Conv2d) and m.groups == 1 and m.kernel_size != (1, 1)
    }
    if names is not None:
        missing = [name for name in names if name not in convs]
        if missing:
            raise CompressionError(
                f"replace: {missing} are not k x k convs with groups=1 of {type(model).__name__}"
            )
        convs = {name: convs[name] for name in names}
    new, swapped = copy.deepcopy(model), []
    for name, conv in convs.items():
        block = _swap(conv, kind, ratio, groups, shuffle)
        if block is None and names is not None:
            grouped(conv, groups)  # raises, naming the channels
        if block is not None:
            set_submodule(new, name, block)
            swapped.append(name)
    return new, swapped
