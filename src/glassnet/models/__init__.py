"""The model zoo, and a registry from `--model` names to builders for a data set's sample shape.

    build_model("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(128, 64))
    build_model("resnet20", (3, 32, 32), 10)      # CIFAR ResNet-20, 269,722 parameters
    build_model("lstm", (1, 40), 10, hidden=[64])  # MNIST-1D: 40 steps of 1 feature

The constructors (`resnet20()`, `vgg11(batch_norm=True)`, `MobileNetV1(width_mult=0.5)`...)
take PyTorch's / torchvision's arguments; the registry's builders derive in_channels,
input sizes and lengths from the sample shape and refuse shapes a model cannot take.
`ZOO_MODELS` lists the registered names beyond mlp and cnn. The constructors `shufflenet()`,
`resnet1d()` and `rnn_classifier()` stay in their modules (glassnet.models.shufflenet.shufflenet):
exported here they would hide the modules of the same name.
"""

from glassnet.models.cnn import CNN
from glassnet.models.layers import ACTIVATIONS, INITS
from glassnet.models.lenet import LeNet5
from glassnet.models.mlp import MLP
from glassnet.models.mobilenet import (
    DepthwiseSeparableConv,
    MobileNetV1,
    mobilenet_v1,
    mobilenet_v1_cifar,
)
from glassnet.models.registry import (
    MODELS,
    available_models,
    build_model,
    model_options,
    register_model,
)
from glassnet.models.resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
)
from glassnet.models.resnet1d import CNN1d, ResNet1d, cnn1d
from glassnet.models.resnet_cifar import (
    CifarBasicBlock,
    CifarResNet,
    ZeroPadShortcut,
    plain20,
    plain32,
    plain44,
    plain56,
    plain110,
    resnet20,
    resnet32,
    resnet44,
    resnet56,
    resnet110,
    resnet1202,
)
from glassnet.models.rnn_classifier import RNNClassifier
from glassnet.models.shufflenet import (
    ChannelShuffle,
    ShuffleNet,
    ShuffleNetUnit,
    channel_shuffle,
    shufflenet_cifar,
)
from glassnet.models.transformer import TransformerClassifier
from glassnet.models.vgg import (
    VGG,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
    vgg_small,
)
from glassnet.models.zoo_registry import (
    ZOO_MODELS,
    SequenceClassifier,
)  # registers the zoo's builders

__all__ = [
    "TransformerClassifier",
    "ACTIVATIONS",
    "CNN",
    "INITS",
    "MLP",
    "MODELS",
    "VGG",
    "ZOO_MODELS",
    "BasicBlock",
    "Bottleneck",
    "CNN1d",
    "ChannelShuffle",
    "CifarBasicBlock",
    "CifarResNet",
    "DepthwiseSeparableConv",
    "LeNet5",
    "MobileNetV1",
    "RNNClassifier",
    "ResNet",
    "ResNet1d",
    "SequenceClassifier",
    "ShuffleNet",
    "ShuffleNetUnit",
    "ZeroPadShortcut",
    "available_models",
    "build_model",
    "channel_shuffle",
    "cnn1d",
    "mobilenet_v1",
    "mobilenet_v1_cifar",
    "model_options",
    "plain20",
    "plain32",
    "plain44",
    "plain56",
    "plain110",
    "register_model",
    "resnet18",
    "resnet20",
    "resnet32",
    "resnet34",
    "resnet44",
    "resnet50",
    "resnet56",
    "resnet101",
    "resnet110",
    "resnet152",
    "resnet1202",
    "shufflenet_cifar",
    "vgg11",
    "vgg11_bn",
    "vgg13",
    "vgg13_bn",
    "vgg16",
    "vgg16_bn",
    "vgg19",
    "vgg19_bn",
    "vgg_small",
]
