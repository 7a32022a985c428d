"""Gradient clipping: `clip_grad_norm_`, `clip_grad_value_` (and `get_total_norm`, `clip_grads_with_norm_`).

Exploding gradients: backpropagation multiplies one Jacobian per layer (per time
step in a recurrent net). When those factors are larger than one the gradient
grows exponentially with depth, and a single step can throw the weights off a
cliff of the loss surface. Pascanu, Mikolov and Bengio (2013) proposed to
rescale the whole gradient vector when its norm exceeds a threshold::

    if ||g|| > max_norm:  g <- g * max_norm / ||g||

which keeps the direction of the step and only bounds its length. Clipping each
value separately (`clip_grad_value_`) is cruder: it changes the direction too.
Call either after `loss.backward()` and before `optimizer.step()`.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

import numpy

from glassnet.backend import namespace, to_numpy
from glassnet.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(tensors: TensorOrTensors, where: str) -> list[Tensor]:
    if isinstance(tensors, Tensor):
        return [tensors]
    is_generator = isinstance(tensors, types.GeneratorType)
    tensors = list(tensors)
    if is_generator and not tensors:
        warnings.warn(
            f"{where}: `parameters` is an empty generator, no gradient clipping will occur.",
            stacklevel=3,
        )
    for index, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"{where}: parameters must be Tensors, item {index} is {type(tensor).__name__}"
            )
    return tensors


def _as_norm_type(norm_type: float | str, where: str) -> float:
    try:
        value = float(norm_type)  # accepts 'inf' like PyTorch
    except (TypeError, ValueError):
        raise ValueError(
            f"{where}: norm_type must be a number or 'inf', got {norm_type!r}"
        ) from None
    if math.isnan(value):
        raise ValueError(f"{where}: norm_type must be a number or 'inf', got {norm_type!r}")
    return value


def _vector_norm(array: numpy.ndarray, norm_type: float) -> numpy.ndarray:
    """||x||_p of the flattened array, as torch.linalg.vector_norm (0-d array of x's dtype)."""
    xp = namespace(array)
    flat = array.reshape(-1)
    if flat.size == 0:
        return xp.zeros((), dtype=array.dtype)
    return xp.asarray(xp.linalg.norm(flat, ord=norm_type), dtype=array.dtype)


def get_total_norm(
    tensors: TensorOrTensors,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The p-norm of all `tensors` viewed as one vector: ||(||t_1||_p, ..., ||t_n||_p)||_p (a 0-d Tensor).

    `norm_type` may be inf (largest absolute value). With `error_if_nonfinite`, a
    nan or inf total raises RuntimeError naming it and the first non-finite tensor.
    `foreach` is accepted for PyTorch compatibility; the result is the same.
    """
    tensors = _as_list(tensors, "get_total_norm")
    norm_type = _as_norm_type(norm_type, "get_total_norm")
    if not tensors:
        return Tensor(numpy.zeros((), dtype=numpy.float32))
    norms = [_vector_norm(tensor.data, norm_type) for tensor in tensors]
    xp = namespace(norms[0])
    dtype = numpy.result_type(*[norm.dtype for norm in norms])
    total = _vector_norm(xp.stack([xp.asarray(norm, dtype=dtype) for norm in norms]), norm_type)
    if error_if_nonfinite and not math.isfinite(float(to_numpy(total))):
        first = next(
            (index for index, norm in enumerate(norms) if not math.isfinite(float(to_numpy(norm)))),
            None,
        )
        where = (
            ""
            if first is None
            else (
                f"; the first non-finite one is tensor {first} of shape {tuple(tensors[first].shape)}"
            )
        )
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite "
            f"({float(to_numpy(total))}), so it cannot be clipped{where}. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor(total)


def clip_grads_with_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    total_norm: Tensor | float,
    foreach: bool | None = None,
) -> None:
    """Scale every `.grad` in place by min(1, max_norm / (total_norm + 1e-6)).

    The 1e-6 keeps the division finite when all gradients are zero.
    """
    parameters = _as_list(parameters, "clip_grads_with_norm_")
    max_norm = _check_limit(max_norm, "max_norm", "clip_grads_with_norm_")
    grads = [param.grad for param in parameters if param.grad is not None]
    if not grads:
        return
    total = (
        float(to_numpy(total_norm.data)) if isinstance(total_norm, Tensor) else float(total_norm)
    )
    scale = min(max_norm / (total + 1e-6), 1.0)  # nan stays nan, as in PyTorch
    if scale == 1.0:
        return  # multiplying by 1 is exact: skip the pass over memory
    for grad in grads:
        grad.data *= scale


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale all gradients together so that their total p-norm is at most `max_norm`.

    Returns the total norm *before* clipping (a 0-d Tensor), handy for logging:
    a norm that keeps hitting `max_norm` means the threshold, or the learning
    rate, is too low; sudden spikes are exploding gradients being caught.
    Gradients are scaled by min(1, max_norm / (total + 1e-6)), in place.
    """
    parameters = _as_list(parameters, "clip_grad_norm_")
    _check_limit(max_norm, "max_norm", "clip_grad_norm_")
    grads = [param.grad for param in parameters if param.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(
    parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient entry to [-clip_value, clip_value], in place.

    Cheaper than norm clipping but it changes the gradient's direction, since
    large components are cut while small ones are kept.
    """
    parameters = _as_list(parameters, "clip_grad_value_")
    clip_value = _check_limit(clip_value, "clip_value", "clip_grad_value_")
    for param in parameters:
        if param.grad is not None:
            grad = param.grad.data
            namespace(grad).clip(grad, -clip_value, clip_value, out=grad)


def _check_limit(value: float, name: str, where: str) -> float:
    if isinstance(value, Tensor):
        value = value.item()
    try:
        limit = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{where}: {name} must be a number, got {type(value).__name__} {value!r}"
        ) from None
    if not limit >= 0:
        raise ValueError(f"{where}: {name} must be >= 0, got {value!r}")
    return limit
