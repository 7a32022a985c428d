"""MLP: the multilayer perceptron, a stack of Linear -> [BatchNorm1d] -> activation -> [Dropout].

    x (N, *) -> flatten -> [Linear(s_i, s_{i+1}) -> BN -> act -> dropout] * hidden -> Linear(s_-2, s_-1)

`sizes` lists every width including the input and the output: [64, 128, 64, 10] is
64 inputs, hidden layers of 128 and 64 units, 10 logits. Like torchvision's
`ops.MLP` it is a `Sequential`, so `state_dict()` keys are "1.weight", "2.weight", ...
BatchNorm goes between the Linear and the activation, as in Ioffe and Szegedy (2015);
the Linear before it keeps its bias (harmless, and it keeps the layer general).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from glassnet import nn
from glassnet.models.layers import ACTIVATIONS, INITS, check_choice, init_module
from glassnet.models.layers import activation as make_activation
from glassnet.tensor import Tensor


class MLP(nn.Sequential):
    """Fully connected classifier/regressor; input of any shape (N, *) is flattened first.

    Args:
        sizes: [in_features, hidden_1, ..., out_features]; at least two entries.
        activation: one of relu, tanh, sigmoid, leaky_relu, elu, gelu, silu.
        batchnorm: BatchNorm1d after each hidden Linear.
        dropout: Dropout(p) after each hidden activation (0 disables).
        init: kaiming | xavier | normal | zeros for the Linear weights (biases zeroed);
            None keeps PyTorch's default init.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        batchnorm: bool = False,
        dropout: float = 0.0,
        init: str | None = None,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least [in_features, out_features], got {sizes}")
        for position, size in enumerate(sizes):
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(
                    f"MLP: sizes must be positive integers, got {size!r} at index {position} of {sizes}"
                )
        check_choice("MLP", "activation", activation, ACTIVATIONS)
        check_choice("MLP", "init", init, INITS, allow_none=True)
        if not 0 <= dropout < 1:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        layers: list[nn.Module] = [nn.Flatten()]
        for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
            layers.append(nn.Linear(fan_in, fan_out))
            if batchnorm:
                layers.append(nn.BatchNorm1d(fan_out))
            layers.append(make_activation(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(sizes[-2], sizes[-1]))
        super().__init__(*layers)
        self.sizes = sizes
        init_module(self, init, activation)

    def forward(self, input: Tensor) -> Tensor:
        features = 1
        for size in input.shape[1:]:
            features *= size
        if input.ndim < 2 or features != self.sizes[0]:
            raise ValueError(
                f"MLP: expected input (N, *) with {self.sizes[0]} features per sample, got shape "
                f"{tuple(input.shape)} ({features if input.ndim >= 2 else '?'} features)"
            )
        return super().forward(input)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):  # a slice is a plain Sequential: it need not be an MLP any more
            return nn.Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)
