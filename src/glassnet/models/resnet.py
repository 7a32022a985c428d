"""ImageNet ResNets with torchvision's layout: He, Zhang, Ren & Sun, "Deep Residual Learning
for Image Recognition", CVPR 2016, table 1.

Module names, order and shapes are torchvision's (conv1, bn1, relu, maxpool,
layer1..layer4, avgpool, fc; blocks with conv1/bn1/conv2/bn2[/conv3/bn3] and a
`downsample` Sequential(conv1x1, BatchNorm2d)), so a torchvision state dict loads into
these models and theirs load ours, key for key: resnet18 has 122 entries. Parameter
counts equal torchvision's: resnet18 11,689,512; resnet34 21,797,672; resnet50
25,557,032; resnet101 44,549,160; resnet152 60,192,808.

The point of the bottleneck (resnet50+): a 1x1 conv reduces 256 channels to 64, the 3x3
conv works at 64, a 1x1 conv restores 256. Per position it costs 256*64 + 9*64*64 +
64*256 = 69,632 multiply-adds against 2 * 9*256*256 = 1,179,648 for two full 3x3 convs,
which is what makes 50-152 layers affordable. Shortcuts are identities except where the
shape changes, there a projection (the paper's option B). As in torchvision (and
"ResNet v1.5"), a bottleneck strides in its 3x3 conv, not in its first 1x1 conv.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from glassnet.nn import init
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d, GroupNorm
from glassnet.nn.pooling import AdaptiveAvgPool2d, MaxPool2d
from glassnet.tensor import Tensor


def conv3x3(
    in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1
) -> Conv2d:
    """3x3 convolution with padding = dilation (so stride 1 keeps the size), no bias (BN follows)."""
    return Conv2d(
        in_planes,
        out_planes,
        kernel_size=3,
        stride=stride,
        padding=dilation,
        groups=groups,
        bias=False,
        dilation=dilation,
    )


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> Conv2d:
    """1x1 convolution, no bias: mixes channels at each position (and subsamples with stride)."""
    return Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(Module):
    """Two 3x3 convs: y = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x)). resnet18/34."""

    expansion: int = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: Module | None = None,
        groups: int = 1,
        base_width: int = 64,
        dilation: int = 1,
        norm_layer: Callable[..., Module] | None = None,
    ) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError(
                f"BasicBlock only supports groups=1 and base_width=64, got groups={groups}, "
                f"base_width={base_width}"
            )
        if dilation > 1:
            raise NotImplementedError(
                f"BasicBlock: dilation > 1 is not supported (as in torchvision), "
                f"got dilation={dilation}"
            )
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(Module):
    """1x1 reduce, 3x3 (strided), 1x1 expand by 4: y = relu(bn3(conv3(...)) + downsample(x)). resnet50+.

    width = planes * base_width / 64 * groups (ResNeXt's cardinality and width when
    groups > 1; plain ResNet uses groups=1, base_width=64, so width = planes).
    """

    expansion: int = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: Module | None = None,
        groups: int = 1,
        base_width: int = 64,
        dilation: int = 1,
        norm_layer: Callable[..., Module] | None = None,
    ) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(Module):
    """torchvision's ResNet(block, layers, num_classes=1000, zero_init_residual=False, groups=1,
    width_per_group=64, replace_stride_with_dilation=None, norm_layer=None).

    Stem: 7x7/2 conv (64) + BN + ReLU + 3x3/2 max pool, so a 224x224 image reaches layer1
    at 56x56; layer2..4 halve it to 7x7; global average pooling; fc. Any input of at
    least 32x32 works (the average pool adapts). Convs start from kaiming_normal_ (fan_out,
    relu), norm layers from weight 1, bias 0, fc from Linear's default; zero_init_residual
    zeroes each block's last BN weight so every block starts as the identity.
    """

    def __init__(
        self,
        block: type[BasicBlock | Bottleneck],
        layers: Sequence[int],
        num_classes: int = 1000,
        zero_init_residual: bool = False,
        groups: int = 1,
        width_per_group: int = 64,
        replace_stride_with_dilation: Sequence[bool] | None = None,
        norm_layer: Callable[..., Module] | None = None,
    ) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = BatchNorm2d
        self._norm_layer = norm_layer
        if len(layers) != 4:
            raise ValueError(
                f"ResNet: layers must give 4 block counts (one per stage), got layers={list(layers)}"
            )
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError(
                "replace_stride_with_dilation should be None or a 3-element tuple, got "
                f"{replace_stride_with_dilation}"
            )
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = ReLU(inplace=True)
        self.maxpool = MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(
            block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0]
        )
        self.layer3 = self._make_layer(
            block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1]
        )
        self.layer4 = self._make_layer(
            block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2]
        )
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(512 * block.expansion, num_classes)

        for module in self.modules():
            if isinstance(module, Conv2d):
                init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, (BatchNorm2d, GroupNorm)):
                init.constant_(module.weight, 1)
                init.constant_(module.bias, 0)
        if zero_init_residual:
            for module in self.modules():
                if isinstance(module, Bottleneck):
                    init.constant_(module.bn3.weight, 0)
                elif isinstance(module, BasicBlock):
                    init.constant_(module.bn2.weight, 0)

    def _make_layer(
        self,
        block: type[BasicBlock | Bottleneck],
        planes: int,
        blocks: int,
        stride: int = 1,
        dilate: bool = False,
    ) -> Sequential:
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                norm_layer(planes * block.expansion),
            )
        layers = [
            block(
                self.inplanes,
                planes,
                stride,
                downsample,
                self.groups,
                self.base_width,
                previous_dilation,
                norm_layer,
            )
        ]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(
                block(
                    self.inplanes,
                    planes,
                    groups=self.groups,
                    base_width=self.base_width,
                    dilation=self.dilation,
                    norm_layer=norm_layer,
                )
            )
        return Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def _resnet(
    name: str,
    block: type[BasicBlock | Bottleneck],
    layers: list[int],
    weights: Any,
    kwargs: dict[str, Any],
) -> ResNet:
    if weights is not None:
        raise ValueError(
            f"{name}: pretrained weights are not shipped with glassnet (no network access); got "
            f"weights={weights!r}. Load a state dict with model.load_state_dict(...) instead."
        )
    kwargs.pop("progress", None)
    return ResNet(block, layers, **kwargs)


def resnet18(*, weights: Any = None, **kwargs: Any) -> ResNet:
    """ResNet-18: BasicBlock x [2, 2, 2, 2]; 11,689,512 parameters, 1.8 GMACs at 224x224."""
    return _resnet("resnet18", BasicBlock, [2, 2, 2, 2], weights, kwargs)


def resnet34(*, weights: Any = None, **kwargs: Any) -> ResNet:
    """ResNet-34: BasicBlock x [3, 4, 6, 3]; 21,797,672 parameters, 3.6 GMACs at 224x224."""
    return _resnet("resnet34", BasicBlock, [3, 4, 6, 3], weights, kwargs)


def resnet50(*, weights: Any = None, **kwargs: Any) -> ResNet:
    """ResNet-50: Bottleneck x [3, 4, 6, 3]; 25,557,032 parameters, 4.1 GMACs at 224x224."""
    return _resnet("resnet50", Bottleneck, [3, 4, 6, 3], weights, kwargs)


def resnet101(*, weights: Any = None, **kwargs: Any) -> ResNet:
    """ResNet-101: Bottleneck x [3, 4, 23, 3]; 44,549,160 parameters."""
    return _resnet("resnet101", Bottleneck, [3, 4, 23, 3], weights, kwargs)


def resnet152(*, weights: Any = None, **kwargs: Any) -> ResNet:
    """ResNet-152: Bottleneck x [3, 8, 36, 3]; 60,192,808 parameters."""
    return _resnet("resnet152", Bottleneck, [3, 8, 36, 3], weights, kwargs)
