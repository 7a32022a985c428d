"""Option checks shared by the optimizers: numbers, non-negative rates, Adam's betas.

Errors use PyTorch's wording ("Invalid learning rate: ...") with the optimizer's name first.
"""

from __future__ import annotations

import numbers
from typing import Any

from glassnet.tensor import Tensor


def as_scalar(owner: str, name: str, value: Any) -> float:
    """An option as a Python float; a one-element Tensor is accepted as in PyTorch."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(f"{owner}: Tensor {name} must be 1-element, got shape {value.shape}")
        return float(value.item())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    return value  # type: ignore[return-value]


def check_non_negative(owner: str, options: dict[str, Any], *names: str) -> None:
    """ValueError naming the first option that is negative or NaN (PyTorch's wording).

    One-element Tensors become Python floats in `options`.
    """
    labels = {"lr": "learning rate", "eps": "epsilon value"}
    for name in names:
        value = options[name] = as_scalar(owner, name, options[name])
        if not value >= 0.0:
            raise ValueError(
                f"{owner}: Invalid {labels.get(name, name + ' value')}: {value} ({name} must be >= 0)"
            )


def check_betas(owner: str, betas: Any) -> tuple[float, float]:
    """The two decay rates of Adam-like optimizers, each in [0, 1)."""
    try:
        first, second = betas
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}") from None
    result = []
    for index, beta in enumerate((first, second)):
        beta = as_scalar(owner, f"betas[{index}]", beta)
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"{owner}: Invalid beta parameter at index {index}: {beta} (each beta must be in [0, 1))"
            )
        result.append(beta)
    return (result[0], result[1])


def check_supported(owner: str, options: dict[str, Any]) -> None:
    """Refuse PyTorch's kernel options that have no meaning in glassnet.

    `foreach` is accepted and ignored: every update is already one vectorised
    array expression per parameter.
    """
    reasons = {
        "capturable": "it keeps state on the GPU for CUDA graph capture",
        "differentiable": "glassnet updates .data outside the autograd graph",
        "fused": "glassnet has no fused optimizer kernels",
    }
    for key, why in reasons.items():
        if options.get(key):
            raise ValueError(
                f"{owner}: {key}={options[key]!r} is not supported ({why}); leave it at its default"
            )
