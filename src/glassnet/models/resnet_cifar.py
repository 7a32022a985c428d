"""CIFAR ResNets and their plain twins: He, Zhang, Ren & Sun, "Deep Residual Learning for
Image Recognition", CVPR 2016, section 4.2.

The point: the *degradation problem*. A deeper plain net (plain56) trains to a higher
training error than a shallower one (plain20), which is not overfitting: the deeper one
could copy the shallow one and add identity layers, but SGD does not find that solution.
A residual block asks its layers for F(x) = H(x) - x instead of H(x); pushing F to zero
is easy, so depth stops hurting, and the gradient has an identity path
dL/dx = dL/dy (1 + dF/dx) through every block.

Architecture (6n + 2 weighted layers): a 3x3 conv with 16 filters, then three stages of
n blocks on 32x32, 16x16 and 8x8 maps with 16, 32 and 64 filters (the first block of
stages 2 and 3 has stride 2), global average pooling, a 10-way fully connected layer.
Each block is two 3x3 convs, each followed by BatchNorm; ReLU after the first and after
the addition.

Shortcuts where the shape changes (paper, section 3.3):
  - option A: identity on a stride-2 subsample, the new channels zero-padded; no
    parameters, so a ResNet has exactly its plain twin's parameter count. The paper's
    CIFAR nets use A: resnet20/32/44/56/110 have 0.27M / 0.46M / 0.66M / 0.85M / 1.7M.
  - option B: a 1x1 convolution (stride 2) + BatchNorm projects x to the new shape;
    identity elsewhere. Adds 2,752 parameters to every depth.
  - option C: projections on every block (the paper found it marginally better than B
    on ImageNet and not worth the cost).
"""

from __future__ import annotations

from typing import Any

from glassnet.models.input_check import check_input
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.activation import ReLU
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.layer_args import check_int
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d
from glassnet.nn.pooling import AdaptiveAvgPool2d
from glassnet.tensor import Tensor

SHORTCUTS = ("A", "B", "C", None)


class ZeroPadShortcut(Module):
    """Option A: y = [x[:, :, ::s, ::s], 0] — subsample by the stride, append zero channels.

    Parameter-free, so the residual net costs nothing over its plain twin. The zeros go
    after x's channels as in Facebook's fb.resnet.torch reproduction; padding both sides
    (another common version) differs only by a fixed channel order the next layers absorb.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        if out_channels < in_channels:
            raise ValueError(
                f"ZeroPadShortcut: out_channels ({out_channels}) must be >= in_channels "
                f"({in_channels}): option A can only add channels"
            )
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

    def forward(self, x: Tensor) -> Tensor:
        if self.stride != 1:
            x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.out_channels - self.in_channels))

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, stride={self.stride}"


def _projection(in_channels: int, out_channels: int, stride: int) -> Sequential:
    """Options B and C: 1x1 conv (stride s) + BN, named like torchvision's `downsample`."""
    return Sequential(
        Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), BatchNorm2d(out_channels)
    )


class CifarBasicBlock(Module):
    """Two 3x3 conv-BN layers; y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    shortcut: 'A' (zero-pad identity), 'B' (projection where the shape changes), 'C'
    (projection everywhere) or None: a plain block, y = relu(bn2(conv2(...))) with no
    addition — the "plain" baseline of the paper's figure 6.
    `downsample` is None for an identity shortcut (as torchvision names it).
    """

    def __init__(
        self, in_planes: int, planes: int, stride: int = 1, shortcut: str | None = "A"
    ) -> None:
        super().__init__()
        if shortcut not in SHORTCUTS:
            raise ValueError(
                f"CifarBasicBlock: shortcut={shortcut!r} is not valid; expected 'A', 'B', 'C' "
                "or None (plain)"
            )
        self.shortcut = shortcut
        self.conv1 = Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = BatchNorm2d(planes)
        self.relu = ReLU()
        self.conv2 = Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = BatchNorm2d(planes)
        reshaped = stride != 1 or in_planes != planes
        self.downsample: Module | None = None
        if shortcut == "C" or (shortcut == "B" and reshaped):
            self.downsample = _projection(in_planes, planes, stride)
        elif shortcut == "A" and reshaped:
            self.downsample = ZeroPadShortcut(in_planes, planes, stride)

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.shortcut is not None:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.relu(out)

    def extra_repr(self) -> str:
        return f"shortcut={self.shortcut!r}"


class CifarResNet(Module):
    """The 6n + 2 layer CIFAR ResNet (He et al. 2016, section 4.2), or its plain twin.

    depth: 6n + 2 (20, 32, 44, 56, 110, 1202 in the paper); shortcut: 'A' (the paper's
    choice), 'B', 'C', or None for the plain net. Convs start from He-normal
    (kaiming_normal_, fan_out, relu), BatchNorm from weight 1 and bias 0; with
    zero_init_residual each block's last BN weight starts at 0, so every residual block
    begins as the identity (Goyal et al. 2017). Input (N, in_channels, H, W), any H, W
    (the paper: 32x32); output (N, num_classes) logits.
    """

    def __init__(
        self,
        depth: int = 20,
        num_classes: int = 10,
        shortcut: str | None = "A",
        in_channels: int = 3,
        widths: tuple[int, int, int] = (16, 32, 64),
        zero_init_residual: bool = False,
    ) -> None:
        super().__init__()
        check_int("CifarResNet", "depth", depth, 8)
        if (depth - 2) % 6:
            raise ValueError(
                f"CifarResNet: depth must be 6n + 2 (20, 32, 44, 56, 110, ...), got depth={depth}"
            )
        if shortcut not in SHORTCUTS:
            raise ValueError(
                f"CifarResNet: shortcut={shortcut!r} is not valid; expected 'A', 'B', 'C' or None "
                "(plain)"
            )
        if len(widths) != 3:
            raise ValueError(f"CifarResNet: widths must give 3 stage widths, got widths={widths!r}")
        self.depth, self.shortcut, self.in_channels = depth, shortcut, in_channels
        blocks = (depth - 2) // 6
        self.conv1 = Conv2d(in_channels, widths[0], 3, stride=1, padding=1, bias=False)
        self.bn1 = BatchNorm2d(widths[0])
        self.relu = ReLU()
        planes = widths[0]
        stages = []
        for stage, width in enumerate(widths):
            layers = []
            for index in range(blocks):
                stride = 2 if stage > 0 and index == 0 else 1
                layers.append(CifarBasicBlock(planes, width, stride, shortcut))
                planes = width
            stages.append(Sequential(*layers))
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(widths[-1], num_classes)
        for module in self.modules():
            if isinstance(module, Conv2d):
                init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, BatchNorm2d):
                init.ones_(module.weight)
                init.zeros_(module.bias)
        if zero_init_residual:
            for module in self.modules():
                if isinstance(module, CifarBasicBlock):
                    init.zeros_(module.bn2.weight)

    def forward(self, x: Tensor) -> Tensor:
        check_input(self, x, self.in_channels, (None, None), f"(N, {self.in_channels}, H, W)")
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))

    def extra_repr(self) -> str:
        return f"depth={self.depth}, shortcut={self.shortcut!r}"


def _resnet(depth: int, kwargs: dict[str, Any]) -> CifarResNet:
    kwargs.setdefault("shortcut", "A")
    return CifarResNet(depth, **kwargs)


def _plain(depth: int, kwargs: dict[str, Any]) -> CifarResNet:
    if kwargs.get("shortcut") is not None:
        raise ValueError(
            f"plain{depth}: a plain net has no shortcuts, got shortcut={kwargs['shortcut']!r}"
        )
    kwargs["shortcut"] = None
    return CifarResNet(depth, **kwargs)


def resnet20(**kwargs: Any) -> CifarResNet:
    """ResNet-20 (n = 3): 0.27M parameters (269,722 with option A and 10 classes); 8.75% CIFAR-10 error."""
    return _resnet(20, kwargs)


def resnet32(**kwargs: Any) -> CifarResNet:
    """ResNet-32 (n = 5): 0.46M parameters; 7.51% CIFAR-10 error in the paper."""
    return _resnet(32, kwargs)


def resnet44(**kwargs: Any) -> CifarResNet:
    """ResNet-44 (n = 7): 0.66M parameters; 7.17% CIFAR-10 error in the paper."""
    return _resnet(44, kwargs)


def resnet56(**kwargs: Any) -> CifarResNet:
    """ResNet-56 (n = 9): 0.85M parameters; 6.97% CIFAR-10 error in the paper."""
    return _resnet(56, kwargs)


def resnet110(**kwargs: Any) -> CifarResNet:
    """ResNet-110 (n = 18): 1.7M parameters; 6.43% CIFAR-10 error in the paper (best of 5)."""
    return _resnet(110, kwargs)


def resnet1202(**kwargs: Any) -> CifarResNet:
    """ResNet-1202 (n = 200): 19.4M parameters; 7.93% error — worse than 110 layers: overfitting."""
    return _resnet(1202, kwargs)


def plain20(**kwargs: Any) -> CifarResNet:
    """Plain-20: ResNet-20 without shortcuts (same 0.27M parameters)."""
    return _plain(20, kwargs)


def plain32(**kwargs: Any) -> CifarResNet:
    """Plain-32: ResNet-32 without shortcuts."""
    return _plain(32, kwargs)


def plain44(**kwargs: Any) -> CifarResNet:
    """Plain-44: ResNet-44 without shortcuts."""
    return _plain(44, kwargs)


def plain56(**kwargs: Any) -> CifarResNet:
    """Plain-56: ResNet-56 without shortcuts; higher *training* error than plain-20 (figure 6: degradation)."""
    return _plain(56, kwargs)


def plain110(**kwargs: Any) -> CifarResNet:
    """Plain-110: ResNet-110 without shortcuts; its error is above 60% (figure 6 caption, not plotted)."""
    return _plain(110, kwargs)
