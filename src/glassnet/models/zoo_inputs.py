"""What every zoo builder checks first: the sample shape it can take, and options given twice.

A builder refuses, before building anything, a sample shape its architecture cannot take,
naming the model, the shape and what it needs (`refuse`); images are (C, H, W), sequences
(L,) or channels-first (C, L).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glassnet.models.layers import init_module
from glassnet.nn.module import Module

IMAGE = "image samples (C, H, W)"
SEQUENCE = "sequence samples (L,) or channels-first (C, L)"


def refuse(name: str, input_shape: tuple[int, ...], needs: str) -> ValueError:
    return ValueError(f"model {name!r} needs {needs}; got sample shape {input_shape}")


def image_shape(
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
        raise refuse(name, input_shape, needs)
    channels_, height, width = input_shape
    return channels_, height, width


def sequence_shape(
    name: str, input_shape: tuple[int, ...], needs: str = SEQUENCE
) -> tuple[int, int]:
    """(C, L) of a (L,) or (C, L) sample; (L,) is one channel."""
    if len(input_shape) == 1:
        return 1, input_shape[0]
    if len(input_shape) == 2:
        return input_shape[0], input_shape[1]
    raise refuse(name, input_shape, needs)


def initialised(model: Module, init: str | None, activation: str = "relu") -> Module:
    """The model, its Linear/Conv weights re-initialised by `init` when given (see layers.init_weight)."""
    init_module(model, init, activation)
    return model


def one_of(
    name: str, first: str, first_value: Any, second: str, second_value: Any, default: Any
) -> Any:
    """One option under two names (the train job's and the constructor's); both given must agree."""
    if first_value is not None and second_value is not None and first_value != second_value:
        raise ValueError(
            f"model {name!r}: {first}={first_value!r} and {second}={second_value!r} are the same "
            "option; give one"
        )
    return next((value for value in (first_value, second_value) if value is not None), default)


def one_width(name: str, hidden: Sequence[int] | int | None, default: int) -> int:
    if hidden is None:
        return default
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    if len(widths) != 1:
        raise ValueError(
            f"model {name!r}: its classifier has two hidden layers of one width; give one width "
            f"in hidden (e.g. 512), got hidden={widths}"
        )
    return int(widths[0])
