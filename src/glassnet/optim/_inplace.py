"""In-place array arithmetic shared by the update rules, rounded as PyTorch rounds it."""

from __future__ import annotations

import numpy

from glassnet import dtypes
from glassnet.backend import Array, namespace
from glassnet.tensor import Tensor


def effective_grad(param: Array, grad: Array, weight_decay: float, maximize: bool) -> Array:
    """g = (-grad if maximize else grad) + weight_decay * param: the gradient the rule sees.

    L2 weight decay adds lambda * theta to the gradient (the gradient of
    lambda/2 * ||theta||^2). Returns `grad` itself when nothing changes, so callers
    must not write into the result; otherwise one new array.
    """
    if weight_decay == 0 and not maximize:
        return grad  # the common case, first
    xp = namespace(param)
    if weight_decay != 0:
        decayed = xp.multiply(param, weight_decay)
        if maximize:
            decayed -= grad
        else:
            decayed += grad
        return decayed
    return xp.negative(grad) if maximize else grad


def lerp_(target: Array, end: Array, weight: float, work: Array) -> None:
    """target += weight * (end - target), in place (PyTorch's `lerp_`, same rounding).

    For weight >= 0.5 PyTorch computes end - (end - target) * (1 - weight), which
    is exact at weight = 1; we follow it so the two frameworks round alike.
    """
    xp = namespace(target)
    xp.subtract(end, target, out=work)
    if weight < 0.5:
        work *= weight
        target += work
    else:
        work *= 1.0 - weight
        xp.subtract(end, work, out=target)


def add_scaled_product_(
    target: Array, first: Array, second: Array, value: float, work: Array
) -> None:
    """target += value * first * second, in place (PyTorch's `addcmul_`, same order)."""
    xp = namespace(target)
    if value == 1:
        xp.multiply(first, second, out=work)
    else:
        xp.multiply(first, value, out=work)
        work *= second
    target += work


def scalar_state(value: float) -> Tensor:
    """A 0-d tensor of the default dtype (float32) on the CPU: PyTorch's `step` and `mu_product`."""
    return Tensor(numpy.asarray(value, dtype=dtypes.get_default_dtype()))
