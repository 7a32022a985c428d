"""Binary-weight networks (BWN, Rastegari et al. 2016): W ~ alpha * sign(W), 1 bit per weight.

For one output channel with n weights, the alpha and B in {-1, +1}^n minimising
||W - alpha B||^2 are

    B = sign(W),    alpha = mean |W| = ||W||_1 / n

Training keeps real-valued weights theta and uses W = alpha(theta) sign(theta) in the
forward pass; sign() has zero gradient almost everywhere, so the backward uses the
straight-through estimator, clipped as in the paper (and BinaryConnect):

    dL/dtheta = dL/dW * 1{|theta| <= 1}

The first and last layers stay in full precision (they are small and the most sensitive;
the XNOR-Net paper does the same). Storage: the signs packed 8 per byte plus one float32
alpha per output channel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


def binarize(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(alpha per output channel, signs as bool (True = +1)); sign(0) counts as +1."""
    w = np.asarray(weight)
    alpha = np.abs(w).reshape(w.shape[0], -1).mean(axis=1)
    return alpha, w >= 0


def binary_weight(alpha: np.ndarray, positive: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """alpha * sign, alpha broadcast over each output channel."""
    signs = np.where(positive, 1.0, -1.0)
    return (alpha.reshape(-1, *([1] * (positive.ndim - 1))) * signs).astype(dtype)


@dataclass
class BinaryWeight:
    alpha: np.ndarray  # (out,) float32
    bits: np.ndarray  # packed signs, uint8 (numpy.packbits of the flattened bool array)
    shape: tuple[int, ...]

    @classmethod
    def of(cls, weight: np.ndarray) -> BinaryWeight:
        alpha, positive = binarize(weight)
        return cls(alpha.astype(np.float32), np.packbits(positive.ravel()), tuple(weight.shape))

    def dense(self) -> np.ndarray:
        count = int(np.prod(self.shape))
        positive = np.unpackbits(self.bits, count=count).astype(bool).reshape(self.shape)
        return binary_weight(self.alpha, positive)


class BinaryProxy:
    """BWN training of one layer: W = alpha sign(theta); dL/dtheta = dL/dW * 1{|theta| <= 1}."""

    def __init__(self, layer: Module) -> None:
        self.weight = layer.weight
        self.parameter = Parameter(layer.weight.data.copy())

    def project(self) -> None:
        alpha, positive = binarize(self.parameter.data)
        self.weight.data[...] = binary_weight(alpha, positive, self.weight.data.dtype)

    def backprop(self) -> None:
        inside = (np.abs(self.parameter.data) <= 1.0).astype(self.parameter.data.dtype)
        self.parameter.grad = Tensor(self.weight.grad.data * inside)
