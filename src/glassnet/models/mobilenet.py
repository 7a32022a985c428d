"""MobileNet (v1): Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto & Adam,
"MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
arXiv:1704.04861, 2017, table 1.

The point: factor a standard convolution into a depthwise conv (one k x k filter per
input channel, groups = in_channels: spatial filtering) and a pointwise 1x1 conv
(channel mixing). With M input channels, N output channels, a k x k kernel and an
F x F output map:

    standard:             k^2 * M * N * F^2   multiply-adds
    depthwise separable:  k^2 * M * F^2  +  M * N * F^2
    ratio:                1/N + 1/k^2

so a 3x3 layer costs 8 to 9 times less (for N = 512: 1/512 + 1/9 = 0.113) for about 1%
less ImageNet accuracy. 1.0 MobileNet-224 has 4.2M parameters and 569M multiply-adds;
95% of them are in the 1x1 convs, which lower to one plain GEMM each.

Two global knobs: the width multiplier alpha (`width_mult`) scales every layer's
channels, so cost and parameters fall about as alpha^2 (table 6: 0.75 -> 325M
multiply-adds and 2.6M parameters, 0.5 -> 149M and 1.3M, 0.25 -> 41M and 0.5M); the
resolution multiplier is just the input size: cost ~ rho^2, parameters unchanged (the
head pools globally).

small_input=True is the usual CIFAR variant: the stem conv has stride 1 instead of 2,
so a 32x32 image ends at 2x2 rather than 1x1 (same parameters).
"""

from __future__ import annotations

from typing import Any

from glassnet.models.input_check import check_input
from glassnet.nn import init
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.layer_args import check_int, check_number
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d
from glassnet.nn.pooling import AdaptiveAvgPool2d
from glassnet.tensor import Tensor

# Table 1 after the stem conv (32 channels, stride 2): (output channels, depthwise stride).
# The table's last depthwise layer says s2 on a 7x7 map whose output is 7x7; it is s1.
BLOCKS: tuple[tuple[int, int], ...] = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


class DepthwiseSeparableConv(Module):
    """Depthwise 3x3 conv (groups = in_channels) + BN + ReLU, then pointwise 1x1 conv + BN + ReLU.

    Replaces Conv2d(in_channels, out_channels, 3, stride, padding=1) at 1/N + 1/k^2 of its
    multiply-adds (N = out_channels, k = kernel_size) and the same fraction of its weights.
    """

    def __init__(
        self, in_channels: int, out_channels: int, stride: int = 1, kernel_size: int = 3
    ) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(
                f"DepthwiseSeparableConv: kernel_size must be odd, got kernel_size={kernel_size}"
            )
        self.depthwise = Conv2d(
            in_channels,
            in_channels,
            kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            groups=in_channels,
            bias=False,
        )
        self.bn1 = BatchNorm2d(in_channels)
        self.pointwise = Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = BatchNorm2d(out_channels)
        self.relu = ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.bn1(self.depthwise(x)))
        return self.relu(self.bn2(self.pointwise(x)))


def _scaled(channels: int, width_mult: float) -> int:
    return max(1, int(channels * width_mult))


class MobileNetV1(Module):
    """MobileNetV1(num_classes=1000, width_mult=1.0, in_channels=3, small_input=False).

    `features`: the stem conv 3x3/2 (32 alpha channels) + BN + ReLU, then the 13
    depthwise-separable blocks of table 1; `avgpool` global; `classifier` a Linear.
    224x224 input ends at 7x7 before the pool. Init as torchvision's MobileNetV2:
    kaiming_normal_ (fan_out) convs, BN weight 1 bias 0, Linear N(0, 0.01) with zero bias.
    """

    def __init__(
        self,
        num_classes: int = 1000,
        width_mult: float = 1.0,
        in_channels: int = 3,
        small_input: bool = False,
    ) -> None:
        super().__init__()
        check_int("MobileNetV1", "num_classes", num_classes, 1)
        check_int("MobileNetV1", "in_channels", in_channels, 1)
        if check_number("MobileNetV1", "width_mult", width_mult) <= 0:
            raise ValueError(f"MobileNetV1: width_mult must be > 0, got width_mult={width_mult!r}")
        self.in_channels, self.width_mult, self.small_input = in_channels, width_mult, small_input
        stem = _scaled(32, width_mult)
        layers: list[Module] = [
            Sequential(
                Conv2d(in_channels, stem, 3, stride=1 if small_input else 2, padding=1, bias=False),
                BatchNorm2d(stem),
                ReLU(inplace=True),
            )
        ]
        channels = stem
        for out, stride in BLOCKS:
            out = _scaled(out, width_mult)
            layers.append(DepthwiseSeparableConv(channels, out, stride))
            channels = out
        self.features = Sequential(*layers)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.classifier = Linear(channels, num_classes)
        for module in self.modules():
            if isinstance(module, Conv2d):
                init.kaiming_normal_(module.weight, mode="fan_out")
            elif isinstance(module, BatchNorm2d):
                init.ones_(module.weight)
                init.zeros_(module.bias)
            elif isinstance(module, Linear):
                init.normal_(module.weight, 0, 0.01)
                init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.in_channels, (None, None), f"(N, {self.in_channels}, H, W)")
        return self.classifier(self.avgpool(self.features(x)).flatten(1))

    def extra_repr(self) -> str:
        return f"width_mult={self.width_mult}, small_input={self.small_input}"


def mobilenet_v1(**kwargs: Any) -> MobileNetV1:
    """1.0 MobileNet-224: 4,231,976 parameters with 1000 classes, 569M multiply-adds at 224x224."""
    return MobileNetV1(**kwargs)


def mobilenet_v1_cifar(**kwargs: Any) -> MobileNetV1:
    """MobileNetV1 for 32x32 inputs: stride-1 stem, 10 classes by default."""
    kwargs.setdefault("num_classes", 10)
    return MobileNetV1(small_input=True, **kwargs)
