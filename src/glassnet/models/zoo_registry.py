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

The builders live in zoo_images.py and zoo_sequences.py, their shared checks in
zoo_inputs.py; this file registers them, in the order `available_models()` lists them.
"""

from __future__ import annotations

from collections.abc import Callable

from glassnet.models.registry import register_model
from glassnet.models.resnet import BasicBlock, Bottleneck
from glassnet.models.vgg import CFGS
from glassnet.models.zoo_images import (
    build_lenet5,
    build_lenet_digits,
    cifar_builder,
    imagenet_builder,
    mobilenet_builder,
    shufflenet_builder,
    vgg_builder,
)
from glassnet.models.zoo_sequences import (
    SequenceClassifier,
    build_cnn1d,
    build_resnet1d,
    build_transformer,
    recurrent_builder,
)
from glassnet.nn.module import Module

__all__ = ["ZOO_MODELS", "SequenceClassifier"]  # SequenceClassifier lives in zoo_sequences.py

CIFAR_DEPTHS = (20, 32, 44, 56, 110)
VGG_CFGS = {"vgg_small": "S", "vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}
IMAGENET_RESNETS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2]),
    "resnet34": (BasicBlock, [3, 4, 6, 3]),
    "resnet50": (Bottleneck, [3, 4, 6, 3]),
}
REGISTERED: list[str] = []


def _register(name: str, builder: Callable[..., Module], doc: str) -> None:
    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = doc
    register_model(name, builder)
    REGISTERED.append(name)


_register(
    "lenet5", build_lenet5, "LeNet-5 (LeCun et al. 1998) for (C, 28, 28) or (C, 32, 32) images."
)

_register(
    "lenet_digits",
    build_lenet_digits,
    "LeNet-like CNN for small images such as 8x8 digits (conv 6, conv 16, FC 120-84; 19,518 weights).",
)

for _name, _cfg in VGG_CFGS.items():
    _register(
        _name,
        vgg_builder(_name, _cfg),
        f"VGG configuration {_cfg!r} (Simonyan & Zisserman 2015) for "
        f"(C, H, W) images, H, W >= {2 ** CFGS[_cfg].count('M')}.",
    )

for _depth in CIFAR_DEPTHS:
    _register(
        f"resnet{_depth}",
        cifar_builder(f"resnet{_depth}", _depth, plain=False),
        f"CIFAR ResNet-{_depth} (He et al. 2016, 6n+2 layers) for any (C, H, W); shortcut 'A', 'B' or 'C'.",
    )
for _depth in CIFAR_DEPTHS:
    _register(
        f"plain{_depth}",
        cifar_builder(f"plain{_depth}", _depth, plain=True),
        f"ResNet-{_depth} without shortcuts: the plain net of He et al. 2016's degradation experiment.",
    )

for _name, (_block, _layers) in IMAGENET_RESNETS.items():
    _register(
        _name,
        imagenet_builder(_name, _block, _layers),
        f"torchvision's {_name} ({_block.__name__} x {_layers}) for (3, H, W) images, H, W >= 32.",
    )

_register(
    "cnn1d", build_cnn1d, "MNIST-1D's ConvBase (Greydanus 2020) for (L,) or (C, L) sequences."
)
_register(
    "resnet1d", build_resnet1d, "A 1-D ResNet (3 stages of 2 blocks) for (L,) or (C, L) sequences."
)

_register(
    "mobilenet_v1",
    mobilenet_builder("mobilenet_v1", False),
    "MobileNetV1 (Howard et al. 2017) for (C, H, W) images (224x224 in the paper).",
)
_register(
    "mobilenet_v1_cifar",
    mobilenet_builder("mobilenet_v1_cifar", True),
    "MobileNetV1 with a stride-1 stem, for small (C, H, W) images such as 32x32.",
)

_register(
    "shufflenet",
    shufflenet_builder("shufflenet", False, 1.0, (3, 7, 3)),
    "ShuffleNet 1x (Zhang et al. 2018) for (C, H, W) images (224x224 in the paper).",
)
_register(
    "shufflenet_cifar",
    shufflenet_builder("shufflenet_cifar", True, 0.5, (1, 3, 1)),
    "A small ShuffleNet (0.5x, stage repeats 1-3-1, no stem stride) for small images such as 32x32.",
)

for _name, _title in (("lstm", "an LSTM"), ("gru", "a GRU"), ("rnn", "a tanh RNN")):
    _register(
        _name,
        recurrent_builder(_name, _name),
        f"RNNClassifier with {_title} over (L,) or (C, L) sequences, "
        "classifying from the last layer's final hidden state.",
    )

_register(
    "transformer",
    build_transformer,
    "TransformerClassifier: patch tokens, 2 pre-norm encoder layers of width 32 (hidden), 4 heads, "
    "over (L,) or (C, L) sequences.",
)

ZOO_MODELS: tuple[str, ...] = tuple(REGISTERED)
