"""LeNet-5: LeCun, Bottou, Bengio & Haffner, "Gradient-Based Learning Applied to Document
Recognition", Proc. IEEE 86(11), 1998, section II.B and figure 2.

The point: the three ideas that every CNN since keeps — local receptive fields,
shared weights (one 5x5 filter slides over the whole image, so C1 has 156 parameters
for 122,304 connections) and spatial subsampling — give a built-in, approximate
invariance to shifts and distortions that a fully connected net must learn from data.

Layers (input 1x32x32; MNIST's 28x28 digits were centred in a 32x32 field, which is
what padding=2 on C1 does for input_size=28):

    C1  conv 5x5, 6 maps      -> 6x28x28
    S2  2x2 subsampling       -> 6x14x14
    C3  conv 5x5, 16 maps     -> 16x10x10
    S4  2x2 subsampling       -> 16x5x5
    C5  conv 5x5, 120 maps    -> 120x1x1   (a conv: on a bigger input it would slide)
    F6  fully connected, 84
    output: num_classes

This is the now-standard reading, not a transcription. Differences from 1998, each
documented so no one mistakes it for the original:
  * S2/S4: the paper's subsampling sums each 2x2 window, times a trainable coefficient,
    plus a trainable bias, through a sigmoid. pooling='avg' (default) keeps the
    averaging without the extra 2 parameters per map; pooling='max' is the modern choice.
  * activation: the paper's squashing function is 1.7159 tanh(2x/3); activation='tanh'
    (default) uses plain tanh, activation='relu' the modern choice.
  * C3: the paper connects each C3 map to a subset of S2's maps (table I, 1,516
    parameters) to break symmetry and save computation; here C3 sees all 6 (2,416).
  * output: the paper's Euclidean RBF units become a linear layer giving logits for
    cross-entropy.
Parameters: 61,706 with 10 classes (the paper's net: about 60,000).
"""

from __future__ import annotations

from glassnet.models.input_check import check_input
from glassnet.nn.activation import ReLU, Tanh
from glassnet.nn.container import Sequential
from glassnet.nn.conv import Conv2d
from glassnet.nn.layer_args import check_choice, check_int
from glassnet.nn.linear import Flatten, Linear
from glassnet.nn.module import Module
from glassnet.nn.pooling import AvgPool2d, MaxPool2d
from glassnet.tensor import Tensor


class LeNet5(Module):
    """LeNet5(num_classes=10, in_channels=1, input_size=32, activation='tanh', pooling='avg').

    input_size: 32 (the paper's field) or 28 (MNIST as stored; C1 pads by 2). Input
    (N, in_channels, input_size, input_size); output (N, num_classes) logits.
    `features` holds C1..C5, `classifier` holds F6 and the output layer.
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        input_size: int = 32,
        activation: str = "tanh",
        pooling: str = "avg",
    ) -> None:
        super().__init__()
        check_int("LeNet5", "num_classes", num_classes, 1)
        check_int("LeNet5", "in_channels", in_channels, 1)
        if input_size not in (28, 32):
            raise ValueError(
                f"LeNet5: input_size must be 32 (the paper's 32x32 field) or 28 (MNIST, padded to "
                f"32 by C1), got input_size={input_size!r}"
            )
        check_choice("LeNet5", "activation", activation, ("tanh", "relu"))
        check_choice("LeNet5", "pooling", pooling, ("avg", "max"))
        self.in_channels, self.input_size = in_channels, input_size
        self.activation, self.pooling = activation, pooling
        act = Tanh if activation == "tanh" else ReLU
        pool = AvgPool2d if pooling == "avg" else MaxPool2d
        self.features = Sequential(
            Conv2d(in_channels, 6, 5, padding=(32 - input_size) // 2),
            act(),  # C1
            pool(2),  # S2
            Conv2d(6, 16, 5),
            act(),  # C3
            pool(2),  # S4
            Conv2d(16, 120, 5),
            act(),  # C5
        )
        self.classifier = Sequential(
            Flatten(),
            Linear(120, 84),
            act(),  # F6
            Linear(84, num_classes),  # output
        )

    def forward(self, x: Tensor) -> Tensor:
        size = self.input_size
        check_input(
            self, x, self.in_channels, (size, size), f"(N, {self.in_channels}, {size}, {size})"
        )
        return self.classifier(self.features(x))

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, activation={self.activation!r}, pooling={self.pooling!r}"
