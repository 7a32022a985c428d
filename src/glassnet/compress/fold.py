"""BatchNorm folded into the layer before it, so that compression sees the weights inference uses.

Conv -> BatchNorm pairs go through `glassnet.nn.fusion.fuse_conv_bn` (found from one
recorded forward pass); a Linear followed directly by a BatchNorm1d in a Sequential (the
MLP's layout) is folded with the same formula, W' = W * s, b' = (b - mean) * s + beta with
s = gamma / sqrt(var + eps) (`fuse_conv_bn_weights` with the output dim first).
"""

from __future__ import annotations

import copy

import numpy as np

from glassnet.nn.container import Sequential
from glassnet.nn.fusion import fuse_conv_bn, fuse_conv_bn_weights
from glassnet.nn.linear import Identity, Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import _BatchNorm, has_batchnorm
from glassnet.tensor import Tensor


def _fold_linear_bn(model: Module) -> None:
    for module in list(model.modules()):
        if not isinstance(module, Sequential):
            continue
        children = list(module._modules.items())
        for (_, first), (name, second) in zip(children, children[1:]):
            if isinstance(first, Linear) and isinstance(second, _BatchNorm):
                if second.running_mean is None:
                    continue
                first.weight, first.bias = fuse_conv_bn_weights(
                    first.weight,
                    first.bias,
                    second.running_mean,
                    second.running_var,
                    second.eps,
                    second.weight,
                    second.bias,
                )
                setattr(module, name, Identity())


def fold_batchnorm(model: Module, input_shape: tuple[int, ...]) -> Module:
    """An eval-mode copy of `model` with every foldable BatchNorm folded (the model itself is untouched)."""
    folded = copy.deepcopy(model).eval()
    if not has_batchnorm(folded):
        return folded
    example = np.random.default_rng(0).standard_normal((4, *input_shape)).astype(np.float32)
    folded = fuse_conv_bn(folded, Tensor(example), inplace=True)
    _fold_linear_bn(folded)
    return folded
