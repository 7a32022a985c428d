"""VGG for small images: Simonyan & Zisserman, "Very Deep Convolutional Networks for
Large-Scale Image Recognition", ICLR 2015, table 1.

The point: depth from stacks of 3x3 convs only. Two stacked 3x3 convs see a 5x5 field
and three see 7x7, but with C channels three 3x3 layers cost 3 * 9 C^2 = 27 C^2 weights
against 49 C^2 for one 7x7 layer, and put three non-linearities in its place. Each
2x2 max pool halves the map; the channel count doubles after it (64 .. 512) so the
work per layer stays about even.

Configurations (numbers are 3x3 conv widths, "M" a 2x2/2 max pool): the paper's A, B, D,
E (vgg11/13/16/19) and a small one for quick CPU runs ("S": 32-32-M-64-64-M-128-128-M).
Sized for 32x32 inputs (CIFAR): the features end at input_size / 2^pools per side
(1x1 for vgg11..19, 4x4 for vgg_small) and the three fully connected layers of the
paper shrink from 4096 to `hidden_features` (512) units. `avgpool` is an adaptive
average pool to that size, as torchvision's, so other input sizes also run.
batch_norm=True puts BatchNorm after every conv (the "_bn" variants; VGG predates BN
and trained the deep configurations by initialising them from the shallow one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glassnet.models.input_check import check_input
from glassnet.nn import init
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.dropout import Dropout
from glassnet.nn.layer_args import check_int
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d
from glassnet.nn.pooling import AdaptiveAvgPool2d, MaxPool2d
from glassnet.tensor import Tensor

CFGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],
    "S": [32, 32, "M", 64, 64, "M", 128, 128, "M"],
}


def make_layers(
    cfg: Sequence[int | str], batch_norm: bool = False, in_channels: int = 3
) -> Sequential:
    """torchvision's make_layers: conv3x3(pad 1) [+ BN] + ReLU per number, MaxPool2d(2, 2) per "M"."""
    layers: list[Module] = []
    for item in cfg:
        if item == "M":
            layers.append(MaxPool2d(kernel_size=2, stride=2))
            continue
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise ValueError(
                f"VGG: each cfg entry must be a positive int (conv width) or 'M' (max pool), "
                f"got {item!r} in cfg={list(cfg)}"
            )
        layers.append(Conv2d(in_channels, item, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(BatchNorm2d(item))
        layers.append(ReLU(inplace=True))
        in_channels = item
    return Sequential(*layers)


class VGG(Module):
    """VGG(cfg, num_classes=10, batch_norm=False, in_channels=3, input_size=32, hidden_features=512,
    dropout=0.5, init_weights=True).

    cfg: a key of CFGS ("A", "B", "D", "E", "S") or a list of widths and "M". The
    classifier is torchvision's: Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear.
    init_weights: torchvision's init (kaiming_normal_ fan_out for convs, N(0, 0.01) for
    linear layers, zero biases, BN weight 1).
    """

    def __init__(
        self,
        cfg: str | Sequence[int | str] = "S",
        num_classes: int = 10,
        batch_norm: bool = False,
        in_channels: int = 3,
        input_size: int = 32,
        hidden_features: int = 512,
        dropout: float = 0.5,
        init_weights: bool = True,
    ) -> None:
        super().__init__()
        if isinstance(cfg, str):
            if cfg not in CFGS:
                raise ValueError(
                    f"VGG: cfg={cfg!r} is not a known configuration; expected one of "
                    f"{', '.join(map(repr, CFGS))} or a list of widths and 'M'"
                )
            cfg = CFGS[cfg]
        widths = [item for item in cfg if item != "M"]
        if not widths:
            raise ValueError(f"VGG: cfg must contain at least one conv width, got cfg={list(cfg)}")
        check_int("VGG", "in_channels", in_channels, 1)
        check_int("VGG", "input_size", input_size, 1)
        pools = sum(1 for item in cfg if item == "M")
        side = input_size // 2**pools
        if side < 1:
            raise ValueError(
                f"VGG: input_size={input_size} is too small for {pools} max pools "
                f"(needs at least {2**pools})"
            )
        self.in_channels = in_channels
        self.features = make_layers(cfg, batch_norm, in_channels)
        self.avgpool = AdaptiveAvgPool2d((side, side))
        self.classifier = Sequential(
            Linear(widths[-1] * side * side, hidden_features),
            ReLU(True),
            Dropout(p=dropout),
            Linear(hidden_features, hidden_features),
            ReLU(True),
            Dropout(p=dropout),
            Linear(hidden_features, num_classes),
        )
        if init_weights:
            for module in self.modules():
                if isinstance(module, Conv2d):
                    init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                    if module.bias is not None:
                        init.constant_(module.bias, 0)
                elif isinstance(module, BatchNorm2d):
                    init.constant_(module.weight, 1)
                    init.constant_(module.bias, 0)
                elif isinstance(module, Linear):
                    init.normal_(module.weight, 0, 0.01)
                    init.constant_(module.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.in_channels, (None, None), f"(N, {self.in_channels}, H, W)")
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def vgg_small(**kwargs: Any) -> VGG:
    """A small VGG for CPU runs: 32-32-M-64-64-M-128-128-M, then 512-512-classes."""
    return VGG("S", **kwargs)


def vgg11(**kwargs: Any) -> VGG:
    """VGG-11, configuration A (8 convs + 3 fully connected)."""
    return VGG("A", **kwargs)


def vgg13(**kwargs: Any) -> VGG:
    """VGG-13, configuration B."""
    return VGG("B", **kwargs)


def vgg16(**kwargs: Any) -> VGG:
    """VGG-16, configuration D (the paper's 3x3-only 16-layer net)."""
    return VGG("D", **kwargs)


def vgg19(**kwargs: Any) -> VGG:
    """VGG-19, configuration E."""
    return VGG("E", **kwargs)


def vgg11_bn(**kwargs: Any) -> VGG:
    """VGG-11 with BatchNorm after every conv."""
    return VGG("A", batch_norm=True, **kwargs)


def vgg13_bn(**kwargs: Any) -> VGG:
    """VGG-13 with BatchNorm after every conv."""
    return VGG("B", batch_norm=True, **kwargs)


def vgg16_bn(**kwargs: Any) -> VGG:
    """VGG-16 with BatchNorm after every conv."""
    return VGG("D", batch_norm=True, **kwargs)


def vgg19_bn(**kwargs: Any) -> VGG:
    """VGG-19 with BatchNorm after every conv."""
    return VGG("E", batch_norm=True, **kwargs)
