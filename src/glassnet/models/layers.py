"""Layer choices by name, shared by the model zoo: activations and weight initialisations.

The names are what `glassnet train --activation/--init` accept, so one table serves the
models and the command line (argparse lists these keys as the valid choices).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from glassnet import nn
from glassnet.nn import init as nn_init

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
}

# calculate_gain's name for each activation (GELU/SiLU/ELU behave like ReLU for the
# variance argument: they pass roughly the positive half).
_GAIN_NAME = {
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "elu": "relu",
    "gelu": "relu",
    "silu": "relu",
}

INITS = ("kaiming", "xavier", "normal", "zeros")
NORMAL_INIT_STD = 0.01  # the "small random numbers" of the notes: too small for deep nets


def check_choice(
    where: str,
    name: str,
    value: str | None,
    choices: tuple[str, ...] | dict,
    allow_none: bool = False,
) -> None:
    if value is None and allow_none:
        return
    if value not in choices:
        raise ValueError(
            f"{where}: {name} must be one of {', '.join(map(repr, choices))}, got {value!r}"
        )


def activation(name: str, where: str = "activation") -> nn.Module:
    """A fresh activation module for `name` (one of ACTIVATIONS)."""
    check_choice(where, "activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]()


def init_weight(weight: nn.Parameter, scheme: str, activation_name: str) -> None:
    """Initialise a Linear/Conv weight in place by scheme name, matched to the activation after it.

    kaiming: He normal, Var(W) = gain^2 / fan_in (gain^2 = 2 for ReLU): keeps the
        second moment of the signal through ReLU-like layers.
    xavier:  Glorot uniform, Var(W) = gain^2 * 2 / (fan_in + fan_out): balances the
        forward and backward variance; the classic choice for tanh and sigmoid.
    normal:  N(0, 0.01^2): the textbook "small random numbers"; the signal shrinks
        layer by layer, so deep stacks stall.
    zeros:   all zero: every unit of a layer computes the same thing and gets the same
        gradient, so symmetry is never broken (only the biases and last layer learn).
    """
    gain_name = _GAIN_NAME.get(activation_name, "relu")
    if scheme == "kaiming":
        nn_init.kaiming_normal_(weight, nonlinearity=gain_name)
    elif scheme == "xavier":
        nn_init.xavier_uniform_(weight, gain=nn_init.calculate_gain(gain_name))
    elif scheme == "normal":
        nn_init.normal_(weight, 0.0, NORMAL_INIT_STD)
    elif scheme == "zeros":
        nn_init.zeros_(weight)
    else:
        raise ValueError(f"init must be one of {', '.join(map(repr, INITS))}, got {scheme!r}")


def init_module(module: nn.Module, scheme: str | None, activation_name: str) -> None:
    """Apply `scheme` to every Linear/Conv weight under `module` and zero their biases (None: keep
    PyTorch's default init)."""
    if scheme is None:
        return
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            init_weight(layer.weight, scheme, activation_name)
            if layer.bias is not None:
                nn_init.zeros_(layer.bias)


def flat_size(shape: tuple[int, ...]) -> int:
    return int(math.prod(shape))
