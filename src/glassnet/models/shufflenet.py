"""ShuffleNet (v1): Zhang, Zhou, Lin & Sun, "ShuffleNet: An Extremely Efficient Convolutional
Neural Network for Mobile Devices", CVPR 2018, table 1 and figure 2.

The point: in a MobileNet-style net the 1x1 convs carry almost all the cost. Group
convolution cuts a 1x1 conv's cost by the number of groups g, but stacked group convs
only ever see their own group's channels, and the representation splits into g
independent nets. The channel shuffle fixes that at zero cost: view the C = g * n
channels as a (g, n) grid, transpose it to (n, g) and flatten, so the next group conv
receives channels from every group of the previous one (figure 1).

A unit (figure 2) is a bottleneck: group 1x1 conv (to out/4 channels) + BN + ReLU,
channel shuffle, depthwise 3x3 conv + BN (no ReLU: the paper found it hurts after a
depthwise conv), group 1x1 conv + BN; then identity add and ReLU, or, with stride 2,
a 3x3/2 average-pooled shortcut *concatenated* with the main branch (cheaper than a
projection, and it widens the net for free). The first 1x1 conv of the net is not
grouped: 24 input channels are too few to split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glassnet.models.input_check import check_input
from glassnet.nn import init
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.layer_args import check_int, check_number, is_int
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d
from glassnet.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from glassnet.ops.shape import cat
from glassnet.tensor import Tensor

# Table 1: output channels of stages 2, 3, 4 for each number of groups (ShuffleNet 1x).
STAGE_CHANNELS: dict[int, tuple[int, int, int]] = {
    1: (144, 288, 576),
    2: (200, 400, 800),
    3: (240, 480, 960),
    4: (272, 544, 1088),
    8: (384, 768, 1536),
}


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """torch.nn.functional.channel_shuffle: (N, g * n, *) -> view (N, g, n, *) -> transpose -> (N, n * g, *).

    Output channel j * g + i is input channel i * n + j: the channels of each group are
    dealt out, one to each new group. Built from reshape and transpose, so the gradient
    is the inverse permutation, by the engine's own backward of those two ops.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"channel_shuffle: input must be a Tensor, got {type(input).__name__}")
    if not is_int(groups) or groups < 1:
        raise ValueError(f"channel_shuffle: groups must be a positive int, got groups={groups!r}")
    if input.ndim < 3:
        raise ValueError(
            f"channel_shuffle: expected input with > 2 dims (N, C, *), got input of shape "
            f"{tuple(input.shape)}"
        )
    batch, channels, *rest = input.shape
    if channels % groups:
        raise ValueError(
            f"channel_shuffle: number of channels must be divisible by groups; got {channels} "
            f"channels and {groups} groups (input shape {tuple(input.shape)})"
        )
    grid = input.reshape((batch, groups, channels // groups, *rest))
    return grid.transpose(1, 2).reshape(tuple(input.shape))


class ChannelShuffle(Module):
    """torch.nn.ChannelShuffle(groups): the module form of `channel_shuffle`."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = check_int("ChannelShuffle", "groups", groups, 1)

    def forward(self, input: Tensor) -> Tensor:
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class ShuffleNetUnit(Module):
    """ShuffleNetUnit(in_channels, out_channels, groups=3, stride=1, group_first_conv=True).

    stride 1: y = relu(x + branch(x)), needs out_channels == in_channels.
    stride 2: y = relu(cat[avgpool3x3/2(x), branch(x)]), the branch makes
    out_channels - in_channels channels. The bottleneck width is out_channels // 4;
    group_first_conv=False leaves conv1 dense (the first unit of the net).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        groups: int = 3,
        stride: int = 1,
        group_first_conv: bool = True,
    ) -> None:
        super().__init__()
        where = "ShuffleNetUnit"
        check_int(where, "groups", groups, 1)
        if stride not in (1, 2):
            raise ValueError(f"{where}: stride must be 1 or 2, got stride={stride!r}")
        branch = out_channels if stride == 1 else out_channels - in_channels
        if stride == 1 and out_channels != in_channels:
            raise ValueError(
                f"{where}: a stride-1 unit adds its input, so out_channels must equal in_channels; "
                f"got in_channels={in_channels}, out_channels={out_channels}"
            )
        if branch < 1:
            raise ValueError(
                f"{where}: a stride-2 unit concatenates its input, so out_channels must exceed "
                f"in_channels; got in_channels={in_channels}, out_channels={out_channels}"
            )
        mid = out_channels // 4
        first_groups = groups if group_first_conv else 1
        for name, value, split in (
            ("in_channels", in_channels, first_groups),
            ("bottleneck width out_channels // 4", mid, groups),
            ("branch width", branch, groups),
        ):
            if value < 1 or value % split:
                raise ValueError(
                    f"{where}: {name} ({value}) must be a positive multiple of groups ({split}); "
                    f"in_channels={in_channels}, out_channels={out_channels}, stride={stride}"
                )
        self.groups, self.stride = groups, stride
        self.conv1 = Conv2d(in_channels, mid, 1, groups=first_groups, bias=False)
        self.bn1 = BatchNorm2d(mid)
        self.conv2 = Conv2d(mid, mid, 3, stride=stride, padding=1, groups=mid, bias=False)
        self.bn2 = BatchNorm2d(mid)
        self.conv3 = Conv2d(mid, branch, 1, groups=groups, bias=False)
        self.bn3 = BatchNorm2d(branch)
        self.relu = ReLU(inplace=True)
        self.shortcut = AvgPool2d(3, stride=2, padding=1) if stride == 2 else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = channel_shuffle(out, self.groups)
        out = self.bn2(self.conv2(out))
        out = self.bn3(self.conv3(out))
        if self.shortcut is None:
            return self.relu(out + x)
        return self.relu(cat([self.shortcut(x), out], dim=1))

    def extra_repr(self) -> str:
        return f"groups={self.groups}, stride={self.stride}"


class ShuffleNet(Module):
    """ShuffleNet(groups=3, num_classes=1000, width_mult=1.0, stage_repeats=(3, 7, 3), in_channels=3,
    small_input=False).

    Stem: 3x3/2 conv (24 * width_mult channels) + BN + ReLU + 3x3/2 max pool; stages 2-4
    of 1 + stage_repeats[i] units (the first with stride 2) with table 1's widths times
    width_mult; global average pool; fc. At 224x224 the convs of ShuffleNet 1x cost
    143M, 140M, 137M, 133M, 137M multiply-adds for g = 1, 2, 3, 4, 8, table 2's
    complexities to the million (the fc adds 0.6-1.5M more); g = 3 has 1,865,728
    parameters. small_input=True (CIFAR) drops the stem's stride and the max pool, so
    32x32 ends at 4x4.
    """

    def __init__(
        self,
        groups: int = 3,
        num_classes: int = 1000,
        width_mult: float = 1.0,
        stage_repeats: Sequence[int] = (3, 7, 3),
        in_channels: int = 3,
        small_input: bool = False,
    ) -> None:
        super().__init__()
        if groups not in STAGE_CHANNELS:
            raise ValueError(
                f"ShuffleNet: groups={groups!r} is not in table 1; expected one of "
                f"{', '.join(map(str, STAGE_CHANNELS))}"
            )
        if check_number("ShuffleNet", "width_mult", width_mult) <= 0:
            raise ValueError(f"ShuffleNet: width_mult must be > 0, got width_mult={width_mult!r}")
        if len(stage_repeats) != 3:
            raise ValueError(
                f"ShuffleNet: stage_repeats must give 3 counts (stages 2, 3, 4), got "
                f"{list(stage_repeats)}"
            )
        check_int("ShuffleNet", "num_classes", num_classes, 1)
        check_int("ShuffleNet", "in_channels", in_channels, 1)
        self.groups, self.width_mult, self.in_channels = groups, width_mult, in_channels
        stem = int(24 * width_mult)
        self.conv1 = Sequential(
            Conv2d(in_channels, stem, 3, stride=1 if small_input else 2, padding=1, bias=False),
            BatchNorm2d(stem),
            ReLU(inplace=True),
        )
        self.maxpool: Module | None = None if small_input else MaxPool2d(3, stride=2, padding=1)
        channels = stem
        stages = []
        for index, (width, repeats) in enumerate(zip(STAGE_CHANNELS[groups], stage_repeats)):
            check_int("ShuffleNet", f"stage_repeats[{index}]", repeats, 0)
            out = int(width * width_mult)
            units = [ShuffleNetUnit(channels, out, groups, stride=2, group_first_conv=index > 0)]
            units += [ShuffleNetUnit(out, out, groups) for _ in range(repeats)]
            stages.append(Sequential(*units))
            channels = out
        self.stage2, self.stage3, self.stage4 = stages
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(channels, num_classes)
        for module in self.modules():
            if isinstance(module, Conv2d):
                init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, BatchNorm2d):
                init.ones_(module.weight)
                init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.in_channels, (None, None), f"(N, {self.in_channels}, H, W)")
        x = self.conv1(x)
        if self.maxpool is not None:
            x = self.maxpool(x)
        x = self.stage4(self.stage3(self.stage2(x)))
        return self.fc(self.avgpool(x).flatten(1))

    def extra_repr(self) -> str:
        return f"groups={self.groups}, width_mult={self.width_mult}"


def shufflenet(**kwargs: Any) -> ShuffleNet:
    """ShuffleNet 1x with g = 3 (table 1) for 224x224 inputs."""
    return ShuffleNet(**kwargs)


def shufflenet_cifar(**kwargs: Any) -> ShuffleNet:
    """A small ShuffleNet for 32x32 inputs: 0.5x widths, g = 3, stage_repeats (1, 3, 1), 10 classes."""
    kwargs.setdefault("num_classes", 10)
    kwargs.setdefault("width_mult", 0.5)
    kwargs.setdefault("stage_repeats", (1, 3, 1))
    return ShuffleNet(small_input=True, **kwargs)
