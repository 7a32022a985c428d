"""Which channels must be pruned together: the coupled groups of a model, as a dependency graph would find.

A `Group` is a set of channel positions shared by some layers' outputs (producers: a conv
and its BatchNorm), some depthwise convs that carry them through (passthrough: channel c in
is channel c out, its BatchNorm too) and some layers' inputs (consumers: a conv's input
channels, or a Linear's input features after Flatten, `spatial` features per channel).
Removing position c of a group removes it from every one of those layers at once.

Two kinds of model are understood:
- chains: models whose leaves run in registration order (Sequential, CNN, MLP heads,
  MobileNetV1 and its DepthwiseSeparableConv blocks). After a conv that is not depthwise:
  its BN, channel-wise layers (activations, pooling, dropout, Flatten), depthwise convs
  (carried through), then the consuming conv or Linear. An unknown layer in the way ends the
  search: those channels are kept.
- grouped convs (1 < groups, not depthwise), as producer or consumer: a conv with g groups
  sees its channels as g contiguous blocks (output block j is computed from input block j
  only), and every group must keep the same width, so a Group touching it has `blocks` =
  the least common multiple of the g's involved, and the channels are dropped evenly: the
  same number from each block (the lowest-ranked within the block).
- the CIFAR ResNets (models.resnet_cifar): each block's inner channels (conv1 -> bn1 ->
  conv2) are a group; the residual stream is coupled by the additions: stream channel c is
  the same channel in the stem, in every block's conv2/bn2 and in the next block's input.
  The option-A shortcut zero-pads stage s's stream into stage s+1's first channels, so the
  stream splits into one group per range of new channels ([0, 16), [16, 32), [32, 64) for
  ResNet-20), each spanning every stage from the one that creates it to the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from glassnet.compress.prune import CompressionError
from glassnet.models.mobilenet import DepthwiseSeparableConv, MobileNetV1
from glassnet.models.resnet_cifar import CifarBasicBlock, CifarResNet
from glassnet.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softplus,
    Tanh,
)
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.dropout import Dropout, Dropout2d
from glassnet.nn.linear import Flatten, Identity, Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d
from glassnet.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

ACTIVATIONS = (ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Hardtanh)  # elementwise
CHANNELWISE = (
    *ACTIVATIONS,
    MaxPool2d,
    AvgPool2d,
    AdaptiveAvgPool2d,
    Dropout,
    Dropout2d,
    Identity,
    Flatten,
)
CHAIN_CONTAINERS = (Sequential, DepthwiseSeparableConv, MobileNetV1)


@dataclass
class Group:
    """Channel positions `channels` coupled across the named layers."""

    channels: list[int]
    producers: list[tuple[str, str | None]] = field(default_factory=list)  # (conv, its BN)
    passthrough: list[tuple[str, str | None]] = field(default_factory=list)  # depthwise + BN
    consumers: list[tuple[str, int]] = field(default_factory=list)  # (conv or Linear, spatial)
    blocks: int = 1  # drop the same number of channels from each of this many equal blocks
    residual: bool = False  # a residual stream: channels joined by additions


def is_depthwise(conv: Conv2d) -> bool:
    return conv.groups == conv.in_channels == conv.out_channels and conv.groups > 1


def is_grouped(conv: Conv2d) -> bool:
    """A grouped conv that is not depthwise: 1 < groups, channels cut per group evenly."""
    return conv.groups > 1 and not is_depthwise(conv)


def _chain_group(leaves: list[tuple[str, Module]], start: int) -> Group | None:
    name, conv = leaves[start]
    group = Group(list(range(conv.out_channels)), blocks=conv.groups)
    at = start + 1
    bn = leaves[at][0] if at < len(leaves) and isinstance(leaves[at][1], BatchNorm2d) else None
    group.producers.append((name, bn))
    at += bn is not None
    flattened = False
    while at < len(leaves):
        here, module = leaves[at]
        if isinstance(module, CHANNELWISE):
            flattened |= isinstance(module, Flatten)
            at += 1
        elif isinstance(module, Conv2d) and is_depthwise(module) and not flattened:
            after = leaves[at + 1] if at + 1 < len(leaves) else (None, None)
            dw_bn = after[0] if isinstance(after[1], BatchNorm2d) else None
            group.passthrough.append((here, dw_bn))
            at += 2 if dw_bn else 1
        elif isinstance(module, Conv2d) and not flattened:  # not depthwise: a consumer
            group.consumers.append((here, 1))
            group.blocks = math.lcm(group.blocks, module.groups)
            return group
        elif (
            isinstance(module, Linear) and flattened and module.in_features % conv.out_channels == 0
        ):
            group.consumers.append((here, module.in_features // conv.out_channels))
            return group
        else:
            return None
    return None


def chain_groups(model: Module) -> list[Group]:
    leaves = [(name, m) for name, m in model.named_modules() if not m._modules and name]
    groups = []
    for index, (_, module) in enumerate(leaves):
        if isinstance(module, Conv2d) and not is_depthwise(module):
            group = _chain_group(leaves, index)
            if group is not None:
                groups.append(group)
    return groups


def _blocks(model: CifarResNet) -> list[tuple[str, CifarBasicBlock]]:
    return [(n, m) for n, m in model.named_modules() if isinstance(m, CifarBasicBlock)]


def resnet_groups(model: CifarResNet) -> list[Group]:
    blocks = _blocks(model)
    groups = [
        Group(
            list(range(b.conv1.out_channels)), [(f"{n}.conv1", f"{n}.bn1")], [], [(f"{n}.conv2", 1)]
        )
        for n, b in blocks
    ]
    if model.shortcut is None:  # plain net: no additions, each conv2's output is its own group
        outputs = [Group(list(range(model.conv1.out_channels)), [("conv1", "bn1")])]
        outputs += [
            Group(list(range(b.conv2.out_channels)), [(f"{n}.conv2", f"{n}.bn2")])
            for n, b in blocks
        ]
        for index, group in enumerate(
            outputs
        ):  # the stem feeds block 0, block i block i+1, the last fc
            group.consumers.append(
                (f"{blocks[index][0]}.conv1" if index < len(blocks) else "fc", 1)
            )
        return groups + outputs
    edges = sorted({model.conv1.out_channels} | {b.conv2.out_channels for _, b in blocks})
    low = 0
    for high in edges:
        stream = Group(list(range(low, high)), residual=True)
        if high <= model.conv1.out_channels:
            stream.producers.append(("conv1", "bn1"))
        for n, b in blocks:
            if high <= b.conv2.out_channels:
                stream.producers.append((f"{n}.conv2", f"{n}.bn2"))
                if isinstance(b.downsample, Sequential):  # option B/C projection
                    stream.producers.append((f"{n}.downsample.0", f"{n}.downsample.1"))
            if high <= b.conv1.in_channels:
                stream.consumers.append((f"{n}.conv1", 1))
                if isinstance(b.downsample, Sequential):
                    stream.consumers.append((f"{n}.downsample.0", 1))
        stream.consumers.append(("fc", 1))
        groups.append(stream)
        low = high
    return groups


def find_groups(model: Module) -> list[Group]:
    """The coupled channel groups of `model` (see the module docstring for what is understood)."""
    if isinstance(model, CifarResNet):
        return resnet_groups(model)
    odd = [
        f"{name} ({type(m).__name__})"
        for name, m in model.named_modules()
        if m._modules and not isinstance(m, CHAIN_CONTAINERS)
    ]
    if odd:
        raise CompressionError(
            f"channel pruning: {type(model).__name__} has containers whose data flow is not a "
            f"chain: {odd[:3]}; supported are chains (Sequential, MobileNetV1) and CIFAR ResNets"
        )
    groups = chain_groups(model)
    if not groups:
        raise CompressionError(
            f"channel pruning: {type(model).__name__} has no conv whose output channels can be removed"
        )
    return groups
