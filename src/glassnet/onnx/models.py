"""ONNX converters of containers and of the zoo's models: each mirrors its module's forward.

A model whose forward is more than "call the children in order" (a residual add, a
flatten between the pool and the classifier, a channel shuffle, a transpose at the
door) gets one converter that writes the same steps; its layers go through their own
converters. The residual blocks are converted by type, one converter per block class.
"""

from __future__ import annotations

from typing import Any

import numpy

from glassnet import nn
from glassnet.models.cnn import CNN
from glassnet.models.lenet import LeNet5
from glassnet.models.mlp import MLP
from glassnet.models.mobilenet import DepthwiseSeparableConv, MobileNetV1
from glassnet.models.resnet import BasicBlock, Bottleneck, ResNet
from glassnet.models.resnet1d import BasicBlock1d, CNN1d, ResNet1d
from glassnet.models.resnet_cifar import CifarBasicBlock, CifarResNet, ZeroPadShortcut
from glassnet.models.rnn_classifier import RNNClassifier
from glassnet.models.shufflenet import ChannelShuffle, ShuffleNet, ShuffleNetUnit, channel_shuffle
from glassnet.models.vgg import VGG
from glassnet.models.zoo_registry import SequenceClassifier
from glassnet.onnx.graph import GraphBuilder, Value
from glassnet.onnx.layers import flatten_value
from glassnet.onnx.registry import child_path, convert, register_converter
from glassnet.ops.shape import cat

INT64_MAX = numpy.iinfo(numpy.int64).max


def _sub(g: GraphBuilder, module: nn.Module, path: str, name: str, *inputs: Any) -> Any:
    """Convert the child `name` of `module` (as `module.name(*inputs)` in its forward)."""
    return convert(g, getattr(module, name), child_path(path, name), *inputs)


def _chain(g: GraphBuilder, module: nn.Module, path: str, names: str, x: Value) -> Value:
    """module.c(module.b(module.a(x))) for names 'a b c'."""
    for name in names.split():
        x = _sub(g, module, path, name, x)
    return x


def _add(g: GraphBuilder, a: Value, b: Value, path: str) -> Value:
    return g.node("Add", [a.name, b.name], child_path(path, "add"), a.tensor + b.tensor)


def _flat(g: GraphBuilder, x: Value, path: str) -> Value:
    """x.flatten(1): what the classifiers do between the pool and the last Linear."""
    return flatten_value(g, x, child_path(path, "flatten"), x.tensor.flatten(1))


def _unsqueeze(g: GraphBuilder, x: Value, axis: int, path: str) -> Value:
    axes = g.ints([axis], child_path(path, "axes"))
    return g.node(
        "Unsqueeze", [x.name, axes], child_path(path, "unsqueeze"), x.tensor.unsqueeze(axis)
    )


@register_converter(nn.Sequential, MLP, CNN)
def sequential(g: GraphBuilder, module: nn.Sequential, path: str, x: Value) -> Value:
    """The children in order (MLP and CNN only check their input's shape before that)."""
    for name, child in module._modules.items():
        x = convert(g, child, child_path(path, name), x)
    return x


@register_converter(BasicBlock, BasicBlock1d, CifarBasicBlock)
def basic_block(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); a plain CIFAR block has no addition."""
    plain = isinstance(module, CifarBasicBlock) and module.shortcut is None
    identity = x if module.downsample is None or plain else _sub(g, module, path, "downsample", x)
    out = _chain(g, module, path, "conv1 bn1 relu conv2 bn2", x)
    return _sub(g, module, path, "relu", out if plain else _add(g, out, identity, path))


@register_converter(Bottleneck)
def bottleneck(g: GraphBuilder, module: Bottleneck, path: str, x: Value) -> Value:
    identity = x if module.downsample is None else _sub(g, module, path, "downsample", x)
    out = _chain(g, module, path, "conv1 bn1 relu conv2 bn2 relu conv3 bn3", x)
    return _sub(g, module, path, "relu", _add(g, out, identity, path))


@register_converter(ZeroPadShortcut)
def zero_pad_shortcut(g: GraphBuilder, module: ZeroPadShortcut, path: str, x: Value) -> Value:
    """Option A: x[:, :, ::s, ::s] (a Slice with steps), then zero channels appended (a Pad)."""
    y = module(x.tensor)
    name = x.name
    if module.stride != 1:
        inputs = [
            name,
            g.ints([0, 0], f"{path}.starts"),
            g.ints([INT64_MAX, INT64_MAX], f"{path}.ends"),
            g.ints([2, 3], f"{path}.slice_axes"),
            g.ints([module.stride, module.stride], f"{path}.steps"),
        ]
        (name,) = g.nodes_out("Slice", inputs, f"{path}.subsample", 1)
    extra = module.out_channels - module.in_channels
    pads = g.ints([0, 0, 0, 0, 0, extra, 0, 0], f"{path}.pads")
    return g.node("Pad", [name, pads], path, y, mode="constant")


def _door_1d(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    """CNN1d and ResNet1d read a 2-D batch (N, L) as (N, 1, L)."""
    return _unsqueeze(g, x, 1, path) if len(x.shape) == 2 and module.in_channels == 1 else x


@register_converter(CNN1d)
def cnn1d(g: GraphBuilder, module: CNN1d, path: str, x: Value) -> Value:
    x = _sub(g, module, path, "features", _door_1d(g, module, path, x))
    return _chain(g, module, path, "flatten fc", x)


@register_converter(ResNet1d)
def resnet1d(g: GraphBuilder, module: ResNet1d, path: str, x: Value) -> Value:
    x = _chain(g, module, path, "conv1 bn1 relu layers avgpool", _door_1d(g, module, path, x))
    return _sub(g, module, path, "fc", _flat(g, x, path))


@register_converter(ResNet)
def resnet(g: GraphBuilder, module: ResNet, path: str, x: Value) -> Value:
    names = "conv1 bn1 relu maxpool layer1 layer2 layer3 layer4 avgpool"
    return _sub(g, module, path, "fc", _flat(g, _chain(g, module, path, names, x), path))


@register_converter(CifarResNet)
def cifar_resnet(g: GraphBuilder, module: CifarResNet, path: str, x: Value) -> Value:
    names = "conv1 bn1 relu layer1 layer2 layer3 avgpool"
    return _sub(g, module, path, "fc", _flat(g, _chain(g, module, path, names, x), path))


@register_converter(LeNet5)
def lenet5(g: GraphBuilder, module: LeNet5, path: str, x: Value) -> Value:
    return _chain(g, module, path, "features classifier", x)


@register_converter(VGG)
def vgg(g: GraphBuilder, module: VGG, path: str, x: Value) -> Value:
    x = _chain(g, module, path, "features avgpool", x)
    return _sub(g, module, path, "classifier", _flat(g, x, path))


@register_converter(DepthwiseSeparableConv)
def depthwise_separable(g: GraphBuilder, module: Any, path: str, x: Value) -> Value:
    return _chain(g, module, path, "depthwise bn1 relu pointwise bn2 relu", x)


@register_converter(MobileNetV1)
def mobilenet_v1(g: GraphBuilder, module: MobileNetV1, path: str, x: Value) -> Value:
    x = _chain(g, module, path, "features avgpool", x)
    return _sub(g, module, path, "classifier", _flat(g, x, path))


def shuffle_value(g: GraphBuilder, x: Value, groups: int, path: str) -> Value:
    """(N, g*n, *) -> Reshape (N, g, n, -1) -> Transpose (0, 2, 1, 3) -> Reshape back to x's shape."""
    channels = x.shape[1]
    split = g.ints([0, groups, channels // groups, -1], f"{path}.split")
    (grouped,) = g.nodes_out("Reshape", [x.name, split], f"{path}.grouped", 1)
    (swapped,) = g.nodes_out("Transpose", [grouped], f"{path}.swapped", 1, perm=[0, 2, 1, 3])
    (shape,) = g.nodes_out("Shape", [x.name], f"{path}.shape", 1)
    return g.node("Reshape", [swapped, shape], path, channel_shuffle(x.tensor, groups))


@register_converter(ChannelShuffle)
def channel_shuffle_module(g: GraphBuilder, module: ChannelShuffle, path: str, x: Value) -> Value:
    return shuffle_value(g, x, module.groups, path)


@register_converter(ShuffleNetUnit)
def shufflenet_unit(g: GraphBuilder, module: ShuffleNetUnit, path: str, x: Value) -> Value:
    """relu(x + branch(x)) at stride 1; relu(cat[avgpool(x), branch(x)]) at stride 2."""
    out = _chain(g, module, path, "conv1 bn1 relu", x)
    out = shuffle_value(g, out, module.groups, child_path(path, "shuffle"))
    out = _chain(g, module, path, "conv2 bn2 conv3 bn3", out)
    if module.shortcut is None:
        return _sub(g, module, path, "relu", _add(g, out, x, path))
    pooled = _sub(g, module, path, "shortcut", x)
    joined = g.node(
        "Concat",
        [pooled.name, out.name],
        child_path(path, "cat"),
        cat([pooled.tensor, out.tensor], dim=1),
        axis=1,
    )
    return _sub(g, module, path, "relu", joined)


@register_converter(ShuffleNet)
def shufflenet(g: GraphBuilder, module: ShuffleNet, path: str, x: Value) -> Value:
    x = _sub(g, module, path, "conv1", x)
    if module.maxpool is not None:
        x = _sub(g, module, path, "maxpool", x)
    x = _chain(g, module, path, "stage2 stage3 stage4 avgpool", x)
    return _sub(g, module, path, "fc", _flat(g, x, path))


def _last_layer(g: GraphBuilder, h_n: Value, index: int, path: str) -> Value:
    """h_n[index] (a Gather with a scalar index drops the axis, as indexing does)."""
    at = g.constant(numpy.int64(index), f"{path}.index")
    return g.node("Gather", [h_n.name, at], path, h_n.tensor[index], axis=0)


@register_converter(RNNClassifier, SequenceClassifier)
def rnn_classifier(g: GraphBuilder, module: RNNClassifier, path: str, x: Value) -> Value:
    """fc(h_n[-1]), or fc(cat[h_n[-2], h_n[-1]]) when bidirectional (see RNNClassifier.forward)."""
    if isinstance(module, SequenceClassifier) and len(x.shape) == 3:  # (N, C, L) -> (N, L, C)
        x = g.node(
            "Transpose",
            [x.name],
            child_path(path, "steps"),
            x.tensor.transpose(1, 2),
            perm=[0, 2, 1],
        )
    if len(x.shape) == 2:
        x = _unsqueeze(g, x, -1, path)
    _, state = _sub(g, module, path, "rnn", x)
    h_n = state[0] if isinstance(state, tuple) else state
    final = _last_layer(g, h_n, -1, child_path(path, "last"))
    if module.bidirectional:
        first = _last_layer(g, h_n, -2, child_path(path, "last_forward"))
        tensor = cat([first.tensor, final.tensor], dim=1)
        final = g.node(
            "Concat", [first.name, final.name], child_path(path, "final"), tensor, axis=1
        )
    return _sub(g, module, path, "fc", final)
