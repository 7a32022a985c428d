"""The zoo in the registry: `--model NAME` for every architecture of glassnet.models that fits the data.

Each builder is `builder(input_shape, num_classes, **options)`, like `mlp` and `cnn` in
registry.py. It refuses, before building anything, a sample shape the architecture
cannot take, naming the model, the shape and what it needs; in_channels, input_size and
length come from the sample shape.

Options are the constructors' own names (shortcut, width_mult, groups, stage_repeats,
hidden_size, num_layers, bidirectional, ...) plus those `glassnet train` passes to every
model, where they mean something here:
    init        replaces the model's own initialisation of every Linear/Conv weight
                (layers.init_module: kaiming, xavier, normal or zeros; biases zeroed;
                BatchNorm untouched). Convolutional models only.
    hidden      VGG: the width of its two hidden fully connected layers (one value);
                recurrent nets: one width per stacked layer, all equal (64,64 = 2 layers).
    batchnorm   VGG: BatchNorm after every conv (torchvision's `batch_norm` works too).
    dropout     VGG: the classifier's dropout (default 0.5); recurrent: between layers.
    activation  LeNet-5 only: 'tanh' (the paper's squashing) or 'relu'.
The other models have no `activation`: their architecture fixes it (ReLU in the ResNets,
VGG, MobileNet, ShuffleNet and the 1-D nets; sigmoid gates and tanh in LSTM and GRU; tanh
in the plain RNN).

Sample layouts are glassnet's datasets': images (C, H, W), sequences (L,) or
channels-first (C, L) (MNIST-1D is (1, 40)). A recurrent net reads (C, L) as L steps of C
features (the batch is transposed to (N, L, C) at its door), so the same data serves
cnn1d, resnet1d and lstm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from glassnet.models.layers import init_module
from glassnet.models.lenet import LeNet5
from glassnet.models.lenet_digits import LeNetDigits
from glassnet.models.mobilenet import MobileNetV1
from glassnet.models.registry import register_model
from glassnet.models.resnet import BasicBlock, Bottleneck, ResNet
from glassnet.models.resnet1d import CNN1d, ResNet1d
from glassnet.models.resnet_cifar import CifarResNet
from glassnet.models.rnn_classifier import RNNClassifier
from glassnet.models.shufflenet import ShuffleNet
from glassnet.models.transformer import TransformerClassifier
from glassnet.models.vgg import CFGS, VGG
from glassnet.nn.module import Module
from glassnet.tensor import Tensor

IMAGE = "image samples (C, H, W)"
SEQUENCE = "sequence samples (L,) or channels-first (C, L)"
CIFAR_DEPTHS = (20, 32, 44, 56, 110)
VGG_CFGS = {"vgg_small": "S", "vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}
IMAGENET_RESNETS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2]),
    "resnet34": (BasicBlock, [3, 4, 6, 3]),
    "resnet50": (Bottleneck, [3, 4, 6, 3]),
}
IMAGENET_MIN_SIZE = 32  # the stem and four stages halve the map 5 times: 32x32 ends at 1x1
RNN_HIDDEN_SIZE = 64  # RNNClassifier's default; the GRU baseline of the MNIST-1D paper
REGISTERED: list[str] = []


def _refuse(name: str, input_shape: tuple[int, ...], needs: str) -> ValueError:
    return ValueError(f"model {name!r} needs {needs}; got sample shape {input_shape}")


def _image(
    name: str,
    input_shape: tuple[int, ...],
    min_size: int = 1,
    channels: int | None = None,
    needs: str = IMAGE,
) -> tuple[int, int, int]:
    """(C, H, W) of an image sample with H, W >= min_size (and C == channels when given), else a ValueError."""
    if (
        len(input_shape) != 3
        or min(input_shape[1:]) < min_size
        or (channels is not None and input_shape[0] != channels)
    ):
        raise _refuse(name, input_shape, needs)
    channels_, height, width = input_shape
    return channels_, height, width


def _sequence(name: str, input_shape: tuple[int, ...], needs: str = SEQUENCE) -> tuple[int, int]:
    """(C, L) of a (L,) or (C, L) sample; (L,) is one channel."""
    if len(input_shape) == 1:
        return 1, input_shape[0]
    if len(input_shape) == 2:
        return input_shape[0], input_shape[1]
    raise _refuse(name, input_shape, needs)


def _initialised(model: Module, init: str | None, activation: str = "relu") -> Module:
    """The model, its Linear/Conv weights re-initialised by `init` when given (see layers.init_weight)."""
    init_module(model, init, activation)
    return model


def _register(name: str, builder: Callable[..., Module], doc: str) -> None:
    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = doc
    register_model(name, builder)
    REGISTERED.append(name)


def _lenet5(
    input_shape: tuple[int, ...],
    num_classes: int,
    activation: str = "tanh",
    pooling: str = "avg",
    init: str | None = None,
) -> LeNet5:
    if len(input_shape) != 3 or input_shape[1:] not in ((28, 28), (32, 32)):
        raise _refuse("lenet5", input_shape, "28x28 or 32x32 images, (C, 28, 28) or (C, 32, 32)")
    model = LeNet5(
        num_classes, input_shape[0], input_shape[1], activation=activation, pooling=pooling
    )
    return _initialised(model, init, activation)


_register("lenet5", _lenet5, "LeNet-5 (LeCun et al. 1998) for (C, 28, 28) or (C, 32, 32) images.")


def _lenet_digits(
    input_shape: tuple[int, ...],
    num_classes: int,
    activation: str = "relu",
    init: str | None = None,
) -> LeNetDigits:
    return LeNetDigits(_image("lenet_digits", input_shape, 4), num_classes, activation, init)


_register(
    "lenet_digits",
    _lenet_digits,
    "LeNet-like CNN for small images such as 8x8 digits (conv 6, conv 16, FC 120-84; 19,518 weights).",
)


def _one_of(
    name: str, first: str, first_value: Any, second: str, second_value: Any, default: Any
) -> Any:
    """One option under two names (the train job's and the constructor's); both given must agree."""
    if first_value is not None and second_value is not None and first_value != second_value:
        raise ValueError(
            f"model {name!r}: {first}={first_value!r} and {second}={second_value!r} are the same "
            "option; give one"
        )
    return next((value for value in (first_value, second_value) if value is not None), default)


def _one_width(name: str, hidden: Sequence[int] | int | None, default: int) -> int:
    if hidden is None:
        return default
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    if len(widths) != 1:
        raise ValueError(
            f"model {name!r}: its classifier has two hidden layers of one width; give one width "
            f"in hidden (e.g. 512), got hidden={widths}"
        )
    return int(widths[0])


def _vgg_builder(name: str, cfg: str) -> Callable[..., VGG]:
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
        channels, height, width = _image(
            name,
            input_shape,
            least,
            needs=f"images of at least {least}x{least} "
            f"({pools} max pools halve it to 1x1), (C, H, W) with H, W >= {least}",
        )
        norm = _one_of(name, "batchnorm", batchnorm, "batch_norm", batch_norm, False)
        model = VGG(
            cfg,
            num_classes,
            batch_norm=norm,
            in_channels=channels,
            input_size=min(height, width),
            hidden_features=_one_width(name, hidden, 512),
            dropout=dropout,
        )
        return _initialised(model, init)

    return build


for _name, _cfg in VGG_CFGS.items():
    _register(
        _name,
        _vgg_builder(_name, _cfg),
        f"VGG configuration {_cfg!r} (Simonyan & Zisserman 2015) for "
        f"(C, H, W) images, H, W >= {2 ** CFGS[_cfg].count('M')}.",
    )


def _cifar_builder(name: str, depth: int, plain: bool) -> Callable[..., CifarResNet]:
    if plain:

        def build(
            input_shape: tuple[int, ...], num_classes: int, init: str | None = None
        ) -> CifarResNet:
            channels, _, _ = _image(name, input_shape)
            return _initialised(
                CifarResNet(depth, num_classes, shortcut=None, in_channels=channels), init
            )
    else:

        def build(
            input_shape: tuple[int, ...],
            num_classes: int,
            shortcut: str = "A",  # type: ignore[misc]
            init: str | None = None,
        ) -> CifarResNet:
            channels, _, _ = _image(name, input_shape)
            return _initialised(
                CifarResNet(depth, num_classes, shortcut=shortcut, in_channels=channels), init
            )

    return build


for _depth in CIFAR_DEPTHS:
    _register(
        f"resnet{_depth}",
        _cifar_builder(f"resnet{_depth}", _depth, plain=False),
        f"CIFAR ResNet-{_depth} (He et al. 2016, 6n+2 layers) for any (C, H, W); shortcut 'A', 'B' or 'C'.",
    )
for _depth in CIFAR_DEPTHS:
    _register(
        f"plain{_depth}",
        _cifar_builder(f"plain{_depth}", _depth, plain=True),
        f"ResNet-{_depth} without shortcuts: the plain net of He et al. 2016's degradation experiment.",
    )


def _imagenet_builder(
    name: str, block: type[BasicBlock | Bottleneck], layers: list[int]
) -> Callable[..., ResNet]:
    least = IMAGENET_MIN_SIZE

    def build(input_shape: tuple[int, ...], num_classes: int, init: str | None = None) -> ResNet:
        _image(
            name,
            input_shape,
            least,
            channels=3,
            needs=f"3-channel images of at least {least}x{least}, "
            f"(3, H, W) with H, W >= {least} (its stem takes RGB and halves the map 5 times)",
        )
        return _initialised(ResNet(block, layers, num_classes=num_classes), init)

    return build


for _name, (_block, _layers) in IMAGENET_RESNETS.items():
    _register(
        _name,
        _imagenet_builder(_name, _block, _layers),
        f"torchvision's {_name} ({_block.__name__} x {_layers}) for (3, H, W) images, H, W >= 32.",
    )


def _cnn1d(
    input_shape: tuple[int, ...], num_classes: int, channels: int = 25, init: str | None = None
) -> CNN1d:
    in_channels, length = _sequence("cnn1d", input_shape)
    if length < 3:
        raise _refuse(
            "cnn1d",
            input_shape,
            "sequences of at least 3 steps (its first conv has 5 taps, padding 1)",
        )
    return _initialised(CNN1d(num_classes, in_channels, length, channels), init)


def _resnet1d(
    input_shape: tuple[int, ...],
    num_classes: int,
    layers: Sequence[int] = (2, 2, 2),
    widths: Sequence[int] = (32, 64, 128),
    kernel_size: int = 3,
    init: str | None = None,
) -> ResNet1d:
    in_channels, _ = _sequence("resnet1d", input_shape)
    return _initialised(ResNet1d(layers, widths, num_classes, in_channels, kernel_size), init)


_register("cnn1d", _cnn1d, "MNIST-1D's ConvBase (Greydanus 2020) for (L,) or (C, L) sequences.")
_register(
    "resnet1d", _resnet1d, "A 1-D ResNet (3 stages of 2 blocks) for (L,) or (C, L) sequences."
)


def _mobilenet_builder(name: str, small_input: bool) -> Callable[..., MobileNetV1]:
    def build(
        input_shape: tuple[int, ...],
        num_classes: int,
        width_mult: float = 1.0,
        init: str | None = None,
    ) -> MobileNetV1:
        channels, _, _ = _image(name, input_shape)
        model = MobileNetV1(
            num_classes, width_mult=width_mult, in_channels=channels, small_input=small_input
        )
        return _initialised(model, init)

    return build


_register(
    "mobilenet_v1",
    _mobilenet_builder("mobilenet_v1", False),
    "MobileNetV1 (Howard et al. 2017) for (C, H, W) images (224x224 in the paper).",
)
_register(
    "mobilenet_v1_cifar",
    _mobilenet_builder("mobilenet_v1_cifar", True),
    "MobileNetV1 with a stride-1 stem, for small (C, H, W) images such as 32x32.",
)


def _shufflenet_builder(
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
        channels, _, _ = _image(name, input_shape)
        model = ShuffleNet(
            groups,
            num_classes,
            width_mult,
            stage_repeats,
            in_channels=channels,
            small_input=small_input,
        )
        return _initialised(model, init)

    return build


_register(
    "shufflenet",
    _shufflenet_builder("shufflenet", False, 1.0, (3, 7, 3)),
    "ShuffleNet 1x (Zhang et al. 2018) for (C, H, W) images (224x224 in the paper).",
)
_register(
    "shufflenet_cifar",
    _shufflenet_builder("shufflenet_cifar", True, 0.5, (1, 3, 1)),
    "A small ShuffleNet (0.5x, stage repeats 1-3-1, no stem stride) for small images such as 32x32.",
)


class SequenceClassifier(RNNClassifier):
    """RNNClassifier over glassnet's channels-first sequences: a batch (N, C, L) is read as L steps of C features.

    A batch (N, L) of one-channel sequences passes as it is (RNNClassifier reads it as
    L steps of 1 feature). Anything else 3-D must have input_size channels.
    """

    def forward(self, x: Tensor) -> Tensor:
        if isinstance(x, Tensor) and x.ndim == 3:
            if x.shape[1] != self.input_size:
                raise ValueError(
                    f"SequenceClassifier: expected channels-first sequences (N, {self.input_size}, L), "
                    f"got input of shape {tuple(x.shape)}"
                )
            x = x.transpose(1, 2)
        return super().forward(x)


def _recurrent_builder(name: str, cell: str) -> Callable[..., SequenceClassifier]:
    def build(
        input_shape: tuple[int, ...],
        num_classes: int,
        hidden: Sequence[int] | int | None = None,
        hidden_size: int | None = None,
        num_layers: int | None = None,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> SequenceClassifier:
        features, _ = _sequence(name, input_shape, f"{SEQUENCE}, read as L steps of C features")
        if hidden is not None:
            if hidden_size is not None or num_layers is not None:
                raise ValueError(
                    f"model {name!r}: give hidden (one width per stacked layer) or hidden_size and "
                    f"num_layers, not both; got hidden={hidden!r}, hidden_size={hidden_size!r}, "
                    f"num_layers={num_layers!r}"
                )
            widths = [hidden] if isinstance(hidden, int) else [int(width) for width in hidden]
            if not widths or len(set(widths)) != 1:
                raise ValueError(
                    f"model {name!r}: stacked recurrent layers share one width; hidden must repeat "
                    f"one width (e.g. 64,64 for two layers), got hidden={widths}"
                )
            hidden_size, num_layers = widths[0], len(widths)
        return SequenceClassifier(
            features,
            hidden_size or RNN_HIDDEN_SIZE,
            num_classes,
            cell=cell,
            num_layers=1 if num_layers is None else num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
        )

    return build


for _name, _title in (("lstm", "an LSTM"), ("gru", "a GRU"), ("rnn", "a tanh RNN")):
    _register(
        _name,
        _recurrent_builder(_name, _name),
        f"RNNClassifier with {_title} over (L,) or (C, L) sequences, "
        "classifying from the last layer's final hidden state.",
    )


def _transformer(
    input_shape: tuple[int, ...],
    num_classes: int,
    hidden: Sequence[int] | int | None = None,
    dropout: float | None = None,
    d_model: int | None = None,
    nhead: int = 4,
    num_layers: int = 2,
    dim_feedforward: int | None = None,
    patch_size: int = 4,
) -> TransformerClassifier:
    channels, length = _sequence("transformer", input_shape)
    widths = [32] if hidden is None else [hidden] if isinstance(hidden, int) else list(hidden)
    if len(widths) != 1:
        raise ValueError(
            f"model 'transformer': hidden is the one token width (d_model) of every layer, e.g. 32; "
            f"got hidden={widths}"
        )
    width = d_model or int(widths[0])
    return TransformerClassifier(
        channels,
        length,
        num_classes,
        d_model=width,
        nhead=nhead,
        num_layers=num_layers,
        dim_feedforward=dim_feedforward or 2 * width,
        dropout=0.1 if dropout is None else dropout,
        patch_size=patch_size,
    )


_register(
    "transformer",
    _transformer,
    "TransformerClassifier: patch tokens, 2 pre-norm encoder layers of width 32 (hidden), 4 heads, "
    "over (L,) or (C, L) sequences.",
)

ZOO_MODELS: tuple[str, ...] = tuple(REGISTERED)
