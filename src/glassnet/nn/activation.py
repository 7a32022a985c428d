"""Activation modules: `Sigmoid, Tanh, ReLU, LeakyReLU, ELU, GELU, SiLU, Softplus, PReLU, Hardtanh,
Softmax, LogSoftmax`, each a thin wrapper over its function in `glassnet.nn.functional`.

The formulas, their gradients and what they mean for training (saturation, dead
units) are in the docstrings of `glassnet.ops.activation`. Only PReLU has a
parameter: its negative slope, learned, 0.25 at first (He et al. 2015).
`inplace=True` is accepted for PyTorch compatibility; the ops return a new tensor.
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet import creation
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.layer_args import (
    check_choice,
    check_int,
    check_number,
    describe,
    factory_dtype,
    is_int,
)
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


def _inplace_repr(inplace: bool, first: bool = True) -> str:
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class Sigmoid(Module):
    """1 / (1 + exp(-x)); saturates (gradient < 0.007 for |x| > 5)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) = 2 sigmoid(2x) - 1: zero-centred, saturates like the sigmoid."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class ReLU(Module):
    """max(0, x): gradient 1 for x > 0, so no saturation there; a unit stuck at x < 0 is dead."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class LeakyReLU(Module):
    """max(0, x) + negative_slope * min(0, x): a small gradient for x < 0 keeps units alive."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        check_number("LeakyReLU", "negative_slope", negative_slope)
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_repr(self.inplace, first=False)}"


class ELU(Module):
    """x for x > 0, alpha * (exp(x) - 1) otherwise: smooth, with negative outputs that pull the mean to 0."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        check_number("ELU", "alpha", alpha)
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace, first=False)}"


class GELU(Module):
    """x * Phi(x) (approximate='tanh': the tanh formula of Hendrycks and Gimpel)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = check_choice("GELU", "approximate", approximate, ("none", "tanh"))

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x) (swish)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, a smooth ReLU; linear above beta x > threshold for stability."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if check_number("Softplus", "beta", beta) == 0:
            raise ValueError(
                "Softplus: beta must be non-zero (the output is divided by beta), got beta=0"
            )
        check_number("Softplus", "threshold", threshold)
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """max(0, x) + a * min(0, x) with a learned slope a: one for all channels, or one per channel (dim 1)."""

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        dtype = factory_dtype("PReLU", device, dtype)
        self.num_parameters = check_int("PReLU", "num_parameters", num_parameters, 1)
        check_number("PReLU", "init", init)
        self.init = init
        self.weight = Parameter(creation.empty(self.num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{describe(self)}: input must be a Tensor, got {type(input).__name__}")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if self.num_parameters != 1 and channels != self.num_parameters:
            raise ValueError(
                f"{describe(self)}: one slope per channel needs {self.num_parameters} channels in "
                f"dim 1, got input of shape {tuple(input.shape)}"
            )
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardtanh(Module):
    """x clipped to [min_val, max_val]; gradient 1 inside, 0 outside."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn(
                "keyword argument `min_value` is deprecated and renamed to `min_val`",
                FutureWarning,
                stacklevel=2,
            )
            min_val = min_value
        if max_value is not None:
            warnings.warn(
                "keyword argument `max_value` is deprecated and renamed to `max_val`",
                FutureWarning,
                stacklevel=2,
            )
            max_val = max_value
        check_number("Hardtanh", "min_val", min_val)
        check_number("Hardtanh", "max_val", max_val)
        if max_val <= min_val:
            raise ValueError(
                f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})"
            )
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace, first=False)}"


class _SoftmaxLike(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        if dim is not None and not is_int(dim):
            raise ValueError(f"{type(self).__name__}: dim must be an int or None, got dim={dim!r}")
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxLike):
    """exp(x_i) / sum_j exp(x_j) along `dim`: a probability distribution (dim=None: PyTorch's legacy choice)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)


class LogSoftmax(_SoftmaxLike):
    """x_i - logsumexp(x) along `dim`: log-probabilities, computed without overflow; pairs with NLLLoss."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)
