"""1-D convolutional nets for sequences such as MNIST-1D (Greydanus, "Scaling down Deep
Learning", 2020; 40-sample signals, 10 classes).

The point: the same inductive biases as in 2-D — local filters shared along the
sequence, then subsampling — fit 1-D signals too. On MNIST-1D the paper reports
logistic regression ~32%, an MLP ~68% and a small CNN ~94% test accuracy: the
translated, sheared templates are exactly what weight sharing is good at.

  * `CNN1d`: the paper's `ConvBase` — three Conv1d layers (25 channels; kernel 5, 3, 3;
    stride 2; padding 1) with ReLU, flattened into one linear layer. Length 40 becomes
    19, 10, 5, so the linear layer reads 25 * 5 = 125 features.
  * `ResNet1d`: He et al. 2016's residual blocks in 1-D (two 3-tap convs with BN,
    identity shortcut, a 1x1 conv + BN projection where the shape changes: option B),
    global average pooling over time, then fc. Any length works.

Both take (N, in_channels, L); with in_channels=1 they also take (N, L), the layout
MNIST-1D is stored in, and read it as (N, 1, L).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glassnet.models.input_check import check_input
from glassnet.nn import init
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv1d
from glassnet.nn.layer_args import check_int
from glassnet.nn.linear import Flatten, Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm1d
from glassnet.nn.pooling import AdaptiveAvgPool1d
from glassnet.tensor import Tensor


def _as_channels_first(model: Module, x: Any, in_channels: int, length: int | None) -> Tensor:
    """(N, L) -> (N, 1, L) when in_channels == 1; then the usual (N, C, L) check."""
    if isinstance(x, Tensor) and x.ndim == 2 and in_channels == 1:
        x = x.unsqueeze(1)
    check_input(
        model,
        x,
        in_channels,
        (length,),
        f"(N, {in_channels}, {length or 'L'})"
        + (f" or (N, {length or 'L'})" if in_channels == 1 else ""),
    )
    return x


def _conv_length(length: int, kernel: int, stride: int, padding: int) -> int:
    return (length + 2 * padding - kernel) // stride + 1


class CNN1d(Module):
    """CNN1d(num_classes=10, in_channels=1, length=40, channels=25): MNIST-1D's ConvBase.

    Three stride-2 convs (kernel 5, 3, 3; padding 1) with ReLU, Flatten, Linear. The
    linear layer's input is sized for `length`, so other lengths are refused at the door.
    """

    def __init__(
        self, num_classes: int = 10, in_channels: int = 1, length: int = 40, channels: int = 25
    ) -> None:
        super().__init__()
        for name, value in (
            ("num_classes", num_classes),
            ("in_channels", in_channels),
            ("length", length),
            ("channels", channels),
        ):
            check_int("CNN1d", name, value, 1)
        self.in_channels, self.length = in_channels, length
        out = length
        for kernel in (5, 3, 3):
            out = _conv_length(out, kernel, 2, 1)
            if out < 1:
                raise ValueError(
                    f"CNN1d: length={length} is too short for the kernel-5 stride-2 first conv "
                    "(needs at least 3)"
                )
        self.features = Sequential(
            Conv1d(in_channels, channels, 5, stride=2, padding=1),
            ReLU(),
            Conv1d(channels, channels, 3, stride=2, padding=1),
            ReLU(),
            Conv1d(channels, channels, 3, stride=2, padding=1),
            ReLU(),
        )
        self.flatten = Flatten()
        self.fc = Linear(channels * out, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = _as_channels_first(self, x, self.in_channels, self.length)
        return self.fc(self.flatten(self.features(x)))

    def extra_repr(self) -> str:
        return f"length={self.length}"


class BasicBlock1d(Module):
    """y = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)), with 1-D convs of `kernel_size` taps."""

    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, kernel_size: int = 3) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(
                f"BasicBlock1d: kernel_size must be odd so that padding keeps the length, "
                f"got kernel_size={kernel_size}"
            )
        padding = kernel_size // 2
        self.conv1 = Conv1d(
            inplanes, planes, kernel_size, stride=stride, padding=padding, bias=False
        )
        self.bn1 = BatchNorm1d(planes)
        self.relu = ReLU()
        self.conv2 = Conv1d(planes, planes, kernel_size, padding=padding, bias=False)
        self.bn2 = BatchNorm1d(planes)
        self.downsample: Module | None = None
        if stride != 1 or inplanes != planes:
            self.downsample = Sequential(
                Conv1d(inplanes, planes, 1, stride=stride, bias=False), BatchNorm1d(planes)
            )

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet1d(Module):
    """ResNet1d(layers=(2, 2, 2), widths=(32, 64, 128), num_classes=10, in_channels=1, kernel_size=3).

    A stem conv (width widths[0], stride 1) + BN + ReLU, then one stage per entry of
    `layers` (stride 1 for the first, 2 after), global average pooling over time, fc.
    On MNIST-1D the lengths go 40 -> 40 -> 20 -> 10. Init as torchvision's ResNet.
    """

    def __init__(
        self,
        layers: Sequence[int] = (2, 2, 2),
        widths: Sequence[int] = (32, 64, 128),
        num_classes: int = 10,
        in_channels: int = 1,
        kernel_size: int = 3,
    ) -> None:
        super().__init__()
        if len(layers) != len(widths) or not layers:
            raise ValueError(
                f"ResNet1d: layers and widths must have the same non-zero length, got "
                f"layers={list(layers)}, widths={list(widths)}"
            )
        for index, (count, width) in enumerate(zip(layers, widths)):
            check_int("ResNet1d", f"layers[{index}]", count, 1)
            check_int("ResNet1d", f"widths[{index}]", width, 1)
        check_int("ResNet1d", "in_channels", in_channels, 1)
        self.in_channels = in_channels
        self.conv1 = Conv1d(
            in_channels, widths[0], kernel_size, padding=kernel_size // 2, bias=False
        )
        self.bn1 = BatchNorm1d(widths[0])
        self.relu = ReLU()
        inplanes = widths[0]
        stages = []
        for stage, (count, width) in enumerate(zip(layers, widths)):
            blocks = []
            for index in range(count):
                blocks.append(
                    BasicBlock1d(inplanes, width, 2 if stage > 0 and index == 0 else 1, kernel_size)
                )
                inplanes = width
            stages.append(Sequential(*blocks))
        self.layers = Sequential(*stages)
        self.avgpool = AdaptiveAvgPool1d(1)
        self.fc = Linear(widths[-1], num_classes)
        for module in self.modules():
            if isinstance(module, Conv1d):
                init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, BatchNorm1d):
                init.ones_(module.weight)
                init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tensor:
        x = _as_channels_first(self, x, self.in_channels, None)
        x = self.layers(self.relu(self.bn1(self.conv1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def cnn1d(**kwargs: Any) -> CNN1d:
    """MNIST-1D's ConvBase: 25 channels, 3 stride-2 convs, one linear layer (5,210 parameters)."""
    return CNN1d(**kwargs)


def resnet1d(**kwargs: Any) -> ResNet1d:
    """A small 1-D ResNet: 3 stages of 2 BasicBlock1d, widths 32/64/128 (for MNIST-1D)."""
    return ResNet1d(**kwargs)
