"""XNOR-Net (Rastegari et al. 2016): binary weights AND binary inputs, with the input scale K.

A layer's input I is replaced by sign(I), its weight by alpha sign(W) (BWN, binarize.py),
so the product is a count of agreeing signs (XNOR + popcount in hardware). The lost
input magnitude comes back as K, one scale per output position:

    Linear:  K_n = mean_j |I_nj|                                 (one per sample)
    Conv2d:  A = mean over channels of |I|,  K = A * k  with k the (kh x kw) box filter
             1/(kh kw), same stride and padding as the conv     (one per output pixel)

    y = (sign(I) (*) sign(W)) * alpha * K + b

sign() (here +1 for x > 0, else -1) is trained through with the straight-through estimator, clipped:
dL/dI = dL/dsign(I) * 1{|I| <= 1} (`SignSTE`). K is treated as a constant in the backward
pass (the paper lets gradient flow through it; its contribution is small). As in the
paper, the first and last layers stay in full precision.

The binarisation is attached with forward hooks on the layer (`attach_xnor`), so the
model's structure and state-dict keys do not change; `glassnet.compress.load` re-attaches
them for layers whose method is "xnor".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.function import Function
from glassnet.nn.conv import Conv2d
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.tensor import Tensor

Array = Any


class SignSTE(Function):
    """y = +1 if x > 0 else -1;  backward (straight-through, clipped): grad * 1{|x| <= 1}.

    Zero maps to -1 here (BWN's weights use +1): a ReLU's output is >= 0, and with
    sign(0) = +1 every such input would become +1 and carry nothing; this way it keeps
    one bit, active or not. (XNOR-Net's own block puts BatchNorm before the sign to
    centre the inputs; the nets here have no BatchNorm there.)
    """

    def forward(self, x: Array) -> Array:
        self.save(x)
        return self.xp.where(x > 0, 1.0, -1.0).astype(x.dtype)

    def backward(self, grad: Array) -> Array:
        (x,) = self.saved
        return grad * (self.xp.abs(x) <= 1.0).astype(grad.dtype)


def input_scale(x: np.ndarray, layer: Module) -> np.ndarray:
    """K: (N, 1) for a Linear's (N, F) input; (N, 1, H', W') for a Conv2d's (N, C, H, W) input."""
    magnitude = np.abs(x)
    if isinstance(layer, Linear):
        return magnitude.mean(axis=-1, keepdims=True)
    if not isinstance(layer, Conv2d) or isinstance(layer.padding, str) or layer.groups != 1:
        raise ValueError(f"XNOR: only Linear and Conv2d (numeric padding, groups 1), got {layer}")
    a = magnitude.mean(axis=1, keepdims=True)
    (ph, pw), (kh, kw), (sh, sw) = layer.padding, layer.kernel_size, layer.stride
    a = np.pad(a, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = np.lib.stride_tricks.sliding_window_view(a, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    return windows.mean(axis=(-2, -1))


def _before(module: Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
    x = args[0]
    module._xnor_scale = input_scale(x.data, module)
    return (SignSTE.apply(x), *args[1:])


def _after(module: Module, args: tuple[Any, ...], output: Tensor) -> Tensor:
    scale = Tensor(module._xnor_scale.astype(output.data.dtype))
    if module.bias is None:
        return output * scale
    bias = module.bias.reshape(1, -1, *([1] * (output.ndim - 2)))
    return (output - bias) * scale + bias


def attach_xnor(layer: Module) -> list[Any]:
    """Binarise `layer`'s input (sign, STE) and scale its output by K; returns the hook handles."""
    if not isinstance(layer, (Linear, Conv2d)):
        raise ValueError(f"XNOR: only Linear and Conv2d layers, got {type(layer).__name__}")
    return [layer.register_forward_pre_hook(_before), layer.register_forward_hook(_after)]
