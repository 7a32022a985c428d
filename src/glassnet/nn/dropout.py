"""Dropout modules: `Dropout` (elements), `Dropout1d/2d/3d` (whole channels).

In training each element (or channel) is zeroed with probability p and the survivors
are scaled by 1 / (1 - p), so the expected activation is unchanged and eval() can use
the network as it is: in evaluation mode these layers return their input. Masks come
from `glassnet.random.default_generator()` (reset by glassnet.manual_seed).
"""

from __future__ import annotations

from glassnet.nn import functional as F
from glassnet.nn.layer_args import check_number
from glassnet.nn.module import Module
from glassnet.tensor import Tensor


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        where = type(self).__name__
        check_number(where, "p", p)
        if not 0 <= p <= 1:
            raise ValueError(
                f"{where}: dropout probability p has to be between 0 and 1, but got p={p}"
            )
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p in training, scaling the rest by 1 / (1 - p)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) input: neighbouring values are correlated, so single
    zeros would be filled in by their neighbours and regularise little."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole feature maps of (N, C, H, W) input (3-D input is read as (N, C, L), as PyTorch 2.13)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)
