"""CNN: a small convolutional classifier for 1-D signals (C, L) or images (C, H, W).

    x -> [Conv(k, padding k//2) -> [BatchNorm] -> act -> MaxPool(2)] * len(channels)
      -> flatten -> [Linear -> act -> Dropout] * len(hidden) -> Linear(num_classes)

Each block keeps the size with 'same'-style padding and halves it with the pool, so
an 8x8 digit becomes 4x4 then 2x2 with the default two blocks, and a length-40
MNIST-1D signal 20 then 10. The convolutions share weights across positions (few
parameters, translation equivariance); the pools add a little translation invariance.
A conv followed by BatchNorm has no bias: BN's beta does that job.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from glassnet import nn
from glassnet.models.layers import ACTIVATIONS, INITS, check_choice, init_module
from glassnet.models.layers import activation as make_activation
from glassnet.tensor import Tensor

_LAYERS = {
    1: (nn.Conv1d, nn.BatchNorm1d, nn.MaxPool1d),
    2: (nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d),
}


def _check_arguments(
    input_shape: tuple[int, ...],
    num_classes: int,
    channels: Sequence[int],
    hidden: Sequence[int],
    kernel_size: int,
    activation: str,
    dropout: float,
    init: str | None,
) -> None:
    """One line naming the first bad argument of CNN, with its value."""
    if len(input_shape) - 1 not in _LAYERS:
        raise ValueError(
            f"CNN: input_shape must be (C, L) or (C, H, W) without the batch dimension, got "
            f"{input_shape}"
        )
    if (
        not channels
        or any(c < 1 for c in channels)
        or any(h < 1 for h in hidden)
        or num_classes < 1
    ):
        raise ValueError(
            f"CNN: channels, hidden and num_classes must be positive, got channels={list(channels)}, "
            f"hidden={list(hidden)}, num_classes={num_classes}"
        )
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(
            f"CNN: kernel_size must be odd (so padding k//2 keeps the size), got {kernel_size}"
        )
    check_choice("CNN", "activation", activation, ACTIVATIONS)
    check_choice("CNN", "init", init, INITS, allow_none=True)
    if not 0 <= dropout < 1:
        raise ValueError(f"CNN: dropout must be in [0, 1), got {dropout}")
    smallest = 2 ** len(channels)
    if min(input_shape[1:]) < smallest:
        raise ValueError(
            f"CNN: {len(channels)} pooling blocks halve the size {len(channels)} times, so the input "
            f"needs at least {smallest} along each axis; got input_shape {input_shape}"
        )


class CNN(nn.Sequential):
    """Conv blocks then a fully connected head.

    Args:
        input_shape: one sample's shape without the batch: (C, L) -> Conv1d, (C, H, W) -> Conv2d.
        num_classes: outputs (logits).
        channels: output channels of each conv block.
        hidden: widths of the hidden Linear layers of the head.
        kernel_size: odd kernel size of every conv (padding kernel_size // 2 keeps the size).
        activation, init: by name, as in `MLP`.
        batchnorm: BatchNorm after each conv.
        dropout: Dropout(p) after each hidden Linear of the head.
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        channels: Sequence[int] = (32, 64),
        hidden: Sequence[int] = (128,),
        kernel_size: int = 3,
        activation: str = "relu",
        batchnorm: bool = True,
        dropout: float = 0.0,
        init: str | None = None,
    ) -> None:
        input_shape = tuple(int(size) for size in input_shape)
        _check_arguments(
            input_shape, num_classes, channels, hidden, kernel_size, activation, dropout, init
        )
        conv, norm, pool = _LAYERS[len(input_shape) - 1]
        spatial = list(input_shape[1:])
        layers: list[nn.Module] = []
        previous = input_shape[0]
        for width in channels:
            layers.append(
                conv(previous, width, kernel_size, padding=kernel_size // 2, bias=not batchnorm)
            )
            if batchnorm:
                layers.append(norm(width))
            layers += [make_activation(activation), pool(2)]
            spatial = [size // 2 for size in spatial]
            previous = width
        layers.append(nn.Flatten())
        features = previous
        for size in spatial:
            features *= size
        for width in hidden:
            layers += [nn.Linear(features, width), make_activation(activation)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            features = width
        layers.append(nn.Linear(features, num_classes))
        super().__init__(*layers)
        self.input_shape = input_shape
        init_module(self, init, activation)

    def forward(self, input: Tensor) -> Tensor:
        if tuple(input.shape[1:]) != self.input_shape:
            raise ValueError(
                f"CNN: expected input (N, {', '.join(map(str, self.input_shape))}), got shape "
                f"{tuple(input.shape)}"
            )
        return super().forward(input)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return nn.Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)
