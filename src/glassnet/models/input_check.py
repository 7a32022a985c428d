"""One loud check the zoo's models share: is this input a batch the model was built for?

A model built for a fixed input (LeNet-5's 32x32 field, a VGG head sized for 32x32)
says so at its door, naming itself, the expected and the actual shape, instead of
letting a layer deep inside fail with a shape that no longer looks like the input.
Models that accept any spatial size check only rank and channels here; their layers
check the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glassnet.tensor import Tensor


def check_input(
    model: Any,
    input: Any,
    channels: int,
    spatial: Sequence[int | None],
    layout: str,
) -> None:
    """Raise unless `input` is a Tensor (N, channels, *spatial); a None in `spatial` accepts any size.

    `layout` is the expected shape in words, e.g. "(N, 1, 32, 32)", quoted in the error.
    """
    name = type(model).__name__
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}: input must be a Tensor shaped {layout}, got {type(input).__name__}"
        )
    rank = 2 + len(spatial)
    if input.ndim != rank:
        raise ValueError(
            f"{name}: expected a {rank}-D input {layout}, got {input.ndim}-D input of shape "
            f"{tuple(input.shape)}"
        )
    actual = tuple(input.shape)
    wrong_channels = actual[1] != channels
    wrong_size = any(want is not None and got != want for want, got in zip(spatial, actual[2:]))
    if wrong_channels or wrong_size:
        what = "channels" if wrong_channels else "spatial size"
        raise ValueError(f"{name}: expected input {layout}, got shape {actual} (wrong {what})")
