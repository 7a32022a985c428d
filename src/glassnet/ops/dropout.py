"""Dropout: zero random units while training, scale the rest so the expected value is kept.

`dropout` drops single elements; `dropout1d/2d/3d` drop whole channels (one draw per
(sample, channel), shared by every position of that channel's feature map), which
suits convolutional features whose neighbours are strongly correlated.

The mask is drawn from glassnet's generator (`glassnet.manual_seed` makes it
reproducible) outside the `Function`, so `Dropout` itself is deterministic: given a
mask it is a plain product, which is what lets tests inject a mask
(`_dropout_with_mask`, or `Dropout.apply(x, mask=m, scale=s)`).
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.grad_mode import is_grad_enabled
from glassnet.random import default_generator
from glassnet.tensor import Tensor, to_array


class Dropout(Function):
    """y = x * mask * scale, with mask in {0, 1} and scale = 1 / (1 - p);  dy/dx = mask * scale.

    "Inverted" dropout: scaling the kept units at training time keeps E[y] = x, so at
    eval time the layer is the identity and nothing needs rescaling. The mask may be
    smaller than x (size-1 axes broadcast: whole channels for dropout2d).
    """

    def forward(self, x: Array, mask: Array | None = None, scale: float = 1.0) -> Array:
        self.scale = scale
        self.save(mask)
        y = x * mask
        y *= scale
        return y

    def backward(self, grad: Array) -> Array:
        (mask,) = self.saved
        grad_x = grad * mask
        grad_x *= self.scale
        return grad_x


def _check_p(p: float, op: str) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability p has to be between 0 and 1, but got p={p}")


def _apply_mask(input: Tensor, mask: Array, scale: float, inplace: bool, op: str) -> Tensor:
    """Multiply by mask * scale, in place on the data when asked and no graph is involved."""
    if inplace:
        if is_grad_enabled() and input.requires_grad:
            if input.is_leaf:
                raise RuntimeError(
                    f"{op}: inplace=True on a leaf tensor that requires grad; use inplace=False "
                    "or wrap the call in `with glassnet.no_grad():`"
                )
            # glassnet cannot rebase a non-leaf's history in place: return a new tensor instead
            return Dropout.apply(input, mask=mask, scale=scale)
        input.data *= mask
        input.data *= scale
        return input
    return Dropout.apply(input, mask=mask, scale=scale)


def _dropout_with_mask(input: Tensor, mask: Any, p: float) -> Tensor:
    """Dropout with a given keep-mask (True = keep), broadcastable to the input; for tests."""
    _check_p(p, "dropout")
    keep = to_array(mask, None, "dropout mask").astype(bool, copy=False)
    return Dropout.apply(input, mask=keep, scale=1.0 / (1.0 - float(p)) if p < 1 else 0.0)


def _draw(
    input: Tensor,
    p: float,
    training: bool,
    inplace: bool,
    mask_shape: tuple[int, ...],
    op: str,
) -> Tensor:
    """Shared body: the p=0 / eval shortcuts, p=1, and a fresh keep-mask of `mask_shape`."""
    _check_p(p, op)
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        return _apply_mask(input, input.data.dtype.type(0), 0.0, inplace, op)
    keep = default_generator().random(mask_shape, dtype="float32") >= p  # P(keep) = 1 - p
    return _apply_mask(input, keep, 1.0 / (1.0 - float(p)), inplace, op)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the others by 1 / (1 - p).

    Returns `input` itself when p == 0 or training is False. inplace=True changes the
    input's data when no gradient flows through it; on a non-leaf tensor that requires
    grad it returns a new tensor instead (glassnet cannot rewrite history in place).
    """
    return _draw(input, p, training, inplace, getattr(input, "shape", ()), "dropout")


def _feature_dropout(
    input: Tensor,
    p: float,
    training: bool,
    inplace: bool,
    batched: bool,
    op: str,
) -> Tensor:
    """One draw per (sample, channel): the mask has size 1 along every spatial axis."""
    shape = input.shape
    channel_axes = 2 if batched else 1
    mask_shape = tuple(shape[:channel_axes]) + (1,) * (len(shape) - channel_axes)
    return _draw(input, p, training, inplace, mask_shape, op)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p."""
    _check_p(p, "dropout1d")
    if input.ndim not in (2, 3):
        raise ValueError(
            f"dropout1d: Expected 2D or 3D input (N, C, L) or (C, L), but got shape {input.shape}"
        )
    return _feature_dropout(input, p, training, inplace, input.ndim == 3, "dropout1d")


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of an (N, C, H, W) input with probability p.

    As in PyTorch 2.13, a 3D input is read as (N, C, L) (with a warning), not (C, H, W).
    """
    _check_p(p, "dropout2d")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input; dropout2d expects 3D or 4D inputs "
            "(use dropout for others)",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L); use dropout1d instead",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace, True, "dropout2d")


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_p(p, "dropout3d")
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input; dropout3d expects 4D or 5D inputs "
            "(use dropout for others)",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace, input.ndim == 5, "dropout3d")


__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d"]
