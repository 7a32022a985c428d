"""Model registry: `--model NAME` -> a constructor given the data's sample shape and class count.

A builder is `builder(input_shape, num_classes, **options) -> Module`, where
input_shape is one sample's shape without the batch dimension ((64,), (1, 8, 8),
(1, 40), (3, 32, 32)). Options a builder does not use are an error, so a typo in a
command line option never passes silently. Register more with `register_model`.

One exception: `glassnet train` passes activation='relu', its default, to every model.
A model whose nonlinearity its architecture fixes (a ResNet's ReLUs, an LSTM's gates)
has no `activation` option, and for it that default is dropped; any other activation is
refused. (The command line refuses an --activation given explicitly to such a model.)
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

from glassnet import nn
from glassnet.models.cnn import CNN
from glassnet.models.mlp import MLP

Builder = Callable[..., nn.Module]
MODELS: dict[str, Builder] = {}

# Defaults measured on digits (bench/train_digits.py): with BatchNorm the 256-128 MLP
# reaches ~98% test accuracy; without it, ~97%.
DEFAULT_MLP_HIDDEN = (256, 128)
# What `glassnet train` passes as `activation` when --activation is not given (train/job_config.py DEFAULTS).
IMPLIED_ACTIVATION = "relu"


def register_model(name: str, builder: Builder | None = None) -> Any:
    """Register `builder` under `name` (also usable as a decorator: `@register_model("lenet")`)."""

    def add(function: Builder) -> Builder:
        if name in MODELS and MODELS[name] is not function:
            raise ValueError(f"register_model: a model named {name!r} is already registered")
        MODELS[name] = function
        return function

    return add if builder is None else add(builder)


def available_models() -> tuple[str, ...]:
    return tuple(MODELS)


def _builder(name: str) -> Builder:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; available: {', '.join(MODELS)}")
    return MODELS[name]


def model_options(name: str) -> tuple[str, ...]:
    """The options model `name` takes (its builder's parameters after input_shape and num_classes)."""
    parameters = inspect.signature(_builder(name)).parameters
    return tuple(key for key in parameters if key not in ("input_shape", "num_classes"))


def build_model(
    name: str, input_shape: Sequence[int], num_classes: int, **options: Any
) -> nn.Module:
    """The model `name` for samples of `input_shape` and `num_classes` classes.

    Options set to None are dropped (the builder's default applies), and so is
    activation='relu' for a model without an `activation` option (see the module docstring).
    """
    builder = _builder(name)
    accepted = model_options(name)
    options = {key: value for key, value in options.items() if value is not None}
    if "activation" not in accepted and options.get("activation") == IMPLIED_ACTIVATION:
        del options["activation"]
    unknown = sorted(key for key in options if key not in accepted)
    if unknown:
        raise TypeError(
            f"model {name!r} does not take option(s) {', '.join(unknown)}; it takes "
            f"{', '.join(accepted) or 'no options'}"
        )
    return builder(tuple(int(size) for size in input_shape), int(num_classes), **options)


@register_model("mlp")
def mlp(
    input_shape: tuple[int, ...],
    num_classes: int,
    hidden: Sequence[int] = DEFAULT_MLP_HIDDEN,
    activation: str = "relu",
    init: str | None = None,
    batchnorm: bool = True,
    dropout: float = 0.0,
) -> MLP:
    """MLP over the flattened sample: [prod(input_shape), *hidden, num_classes]."""
    return MLP(
        [math.prod(input_shape), *hidden, num_classes],
        activation=activation,
        batchnorm=batchnorm,
        dropout=dropout,
        init=init,
    )


@register_model("cnn")
def cnn(
    input_shape: tuple[int, ...],
    num_classes: int,
    hidden: Sequence[int] = (128,),
    activation: str = "relu",
    init: str | None = None,
    batchnorm: bool = True,
    dropout: float = 0.0,
    channels: Sequence[int] = (32, 64),
) -> CNN:
    """CNN: Conv1d for (C, L) samples, Conv2d for (C, H, W); a flat (F,) sample is read as (1, F)."""
    if len(input_shape) == 1:
        raise ValueError(
            f"model 'cnn' needs samples with a channel axis, (C, L) or (C, H, W); got {input_shape} "
            "(reshape flat features to (1, F) for a 1-D CNN)"
        )
    return CNN(
        input_shape,
        num_classes,
        channels=channels,
        hidden=hidden,
        activation=activation,
        batchnorm=batchnorm,
        dropout=dropout,
        init=init,
    )
