"""The zoo's builders for image models: (C, H, W) samples -> LeNet, VGG, ResNets, MobileNet, ShuffleNet.

Each returns `build(input_shape, num_classes, **options)` (zoo_registry.py registers them
under their --model names); `init` re-initialises every Linear/Conv weight (zoo_inputs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glassnet.models.lenet import LeNet5
from glassnet.models.lenet_digits import LeNetDigits
from glassnet.models.mobilenet import MobileNetV1
from glassnet.models.resnet import BasicBlock, Bottleneck, ResNet
from glassnet.models.resnet_cifar import CifarResNet
from glassnet.models.shufflenet import ShuffleNet
from glassnet.models.vgg import CFGS, VGG
from glassnet.models.zoo_inputs import image_shape, initialised, one_of, one_width, refuse

IMAGENET_MIN_SIZE = 32  # the stem and four stages halve the map 5 times: 32x32 ends at 1x1


def build_lenet5(
    input_shape: tuple[int, ...],
    num_classes: int,
    activation: str = "tanh",
    pooling: str = "avg",
    init: str | None = None,
) -> LeNet5:
    if len(input_shape) != 3 or input_shape[1:] not in ((28, 28), (32, 32)):
        raise refuse("lenet5", input_shape, "28x28 or 32x32 images, (C, 28, 28) or (C, 32, 32)")
    model = LeNet5(
        num_classes, input_shape[0], input_shape[1], activation=activation, pooling=pooling
    )
    return initialised(model, init, activation)


def build_lenet_digits(
    input_shape: tuple[int, ...],
    num_classes: int,
    activation: str = "relu",
    init: str | None = None,
) -> LeNetDigits:
    return LeNetDigits(image_shape("lenet_digits", input_shape, 4), num_classes, activation, init)


def vgg_builder(name: str, cfg: str) -> Callable[..., VGG]:
    pools = CFGS[cfg].count("M")
    least = 2**pools

    def build(
        input_shape: tuple[int, ...],
        num_classes: int,
        batchnorm: bool | None = None,
        batch_norm: bool | None = None,
        hidden: Sequence[int] | int | None = None,
        dropout: float = 0.5,
        init: str | None = None,
    ) -> VGG:
        channels, height, width = image_shape(
            name,
            input_shape,
            least,
            needs=f"images of at least {least}x{least} "
            f"({pools} max pools halve it to 1x1), (C, H, W) with H, W >= {least}",
        )
        norm = one_of(name, "batchnorm", batchnorm, "batch_norm", batch_norm, False)
        model = VGG(
            cfg,
            num_classes,
            batch_norm=norm,
            in_channels=channels,
            input_size=min(height, width),
            hidden_features=one_width(name, hidden, 512),
            dropout=dropout,
        )
        return initialised(model, init)

    return build


def cifar_builder(name: str, depth: int, plain: bool) -> Callable[..., CifarResNet]:
    if plain:

        def build(
            input_shape: tuple[int, ...], num_classes: int, init: str | None = None
        ) -> CifarResNet:
            channels, _, _ = image_shape(name, input_shape)
            return initialised(
                CifarResNet(depth, num_classes, shortcut=None, in_channels=channels), init
            )
    else:

        def build(
            input_shape: tuple[int, ...],
            num_classes: int,
            shortcut: str = "A",  # type: ignore[misc]
            init: str | None = None,
        ) -> CifarResNet:
            channels, _, _ = image_shape(name, input_shape)
            return initialised(
                CifarResNet(depth, num_classes, shortcut=shortcut, in_channels=channels), init
            )

    return build


def imagenet_builder(
    name: str, block: type[BasicBlock | Bottleneck], layers: list[int]
) -> Callable[..., ResNet]:
    least = IMAGENET_MIN_SIZE

    def build(input_shape: tuple[int, ...], num_classes: int, init: str | None = None) -> ResNet:
        image_shape(
            name,
            input_shape,
            least,
            channels=3,
            needs=f"3-channel images of at least {least}x{least}, "
            f"(3, H, W) with H, W >= {least} (its stem takes RGB and halves the map 5 times)",
        )
        return initialised(ResNet(block, layers, num_classes=num_classes), init)

    return build


def mobilenet_builder(name: str, small_input: bool) -> Callable[..., MobileNetV1]:
    def build(
        input_shape: tuple[int, ...],
        num_classes: int,
        width_mult: float = 1.0,
        init: str | None = None,
    ) -> MobileNetV1:
        channels, _, _ = image_shape(name, input_shape)
        model = MobileNetV1(
            num_classes, width_mult=width_mult, in_channels=channels, small_input=small_input
        )
        return initialised(model, init)

    return build


def shufflenet_builder(
    name: str, small_input: bool, width_mult: float, stage_repeats: tuple[int, int, int]
) -> Callable[..., ShuffleNet]:
    default_width, default_repeats = width_mult, stage_repeats

    def build(
        input_shape: tuple[int, ...],
        num_classes: int,
        groups: int = 3,
        width_mult: float = default_width,
        stage_repeats: Sequence[int] = default_repeats,
        init: str | None = None,
    ) -> ShuffleNet:
        channels, _, _ = image_shape(name, input_shape)
        model = ShuffleNet(
            groups,
            num_classes,
            width_mult,
            stage_repeats,
            in_channels=channels,
            small_input=small_input,
        )
        return initialised(model, init)

    return build
