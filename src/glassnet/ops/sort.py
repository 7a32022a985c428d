"""Ordering: sort, argsort, topk, kthvalue, median and unique.

The values of a sort are a gather of the input at the sorted positions, so their
gradient goes back to the element each value came from (`Gather`'s backward); the
indices are integers outside the graph. Ties keep their input order (a stable sort),
which is what PyTorch gives with stable=True; PyTorch's default may order ties
differently, and both are correct.
"""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array, namespace
from glassnet.ops.dims import wrap_dim
from glassnet.ops.extremum import ValuesIndices
from glassnet.ops.gather import Gather
from glassnet.tensor import Tensor


def _order(data: Array, axis: int, descending: bool) -> Array:
    """Stable sorted positions along axis; descending keeps ties in input order too."""
    xp = namespace(data)
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    if data.dtype.kind == "b" or data.dtype.kind == "u":
        data = data.astype(xp.int64)
    if data.dtype.kind == "f":  # NaN counts as the largest value, as in PyTorch
        keyed = xp.where(data != data, -xp.inf, -data)
        return xp.argsort(keyed, axis=axis, kind="stable")
    return xp.argsort(-data, axis=axis, kind="stable")


def _gathered(input: Tensor, order: Array, axis: int) -> ValuesIndices:
    if input.ndim == 0:
        return ValuesIndices(input.clone(), Tensor(order.reshape(())))
    return ValuesIndices(Gather.apply(input, index=order, axis=axis), Tensor(order))


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> ValuesIndices:
    """(values, indices): input sorted along dim, and where each value came from."""
    axis = wrap_dim(dim, input.ndim, "sort")
    data = input.data if input.ndim else input.data.reshape(1)
    return _gathered(input, _order(data, axis, descending), axis)


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    """The indices that sort input along dim (int64, no gradient)."""
    return sort(input, dim, descending, stable=stable).indices


def topk(
    input: Tensor, k: int, dim: int | None = None, largest: bool = True, sorted: bool = True
) -> ValuesIndices:
    """(values, indices) of the k largest (or smallest) entries along dim (the last when None).

    Always returned in sorted order (sorted=False allows any order, so this is one of them).
    """
    axis = wrap_dim(-1 if dim is None else dim, input.ndim, "topk")
    size = input.shape[axis] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= size:
        raise ValueError(
            f"topk: k must be an int in [0, {size}] (the size of dim {axis} of input shape "
            f"{input.shape}), got k={k!r}"
        )
    data = input.data if input.ndim else input.data.reshape(1)
    order = _order(data, axis, descending=largest)
    xp = namespace(data)
    return _gathered(input, xp.take(order, xp.arange(k), axis=axis), axis)


def _order_statistic(op: str, input: Tensor, k: int, dim: int, keepdim: bool) -> ValuesIndices:
    """The k-th smallest (1-based) along dim: values (a gather, so differentiable) and indices."""
    axis = wrap_dim(dim, input.ndim, op)
    data = input.data if input.ndim else input.data.reshape(1)
    xp = namespace(data)
    order = xp.take(_order(data, axis, descending=False), [k - 1], axis=axis)
    values, indices = _gathered(input, order, axis)
    if keepdim or input.ndim == 0:
        return ValuesIndices(values.reshape(input.shape) if input.ndim == 0 else values, indices)
    return ValuesIndices(values.squeeze(axis), Tensor(indices.data.squeeze(axis)))


def kthvalue(input: Tensor, k: int, dim: int | None = None, keepdim: bool = False) -> ValuesIndices:
    """(values, indices) of the k-th smallest entry (k from 1) along dim (the last when None)."""
    dim = -1 if dim is None else dim
    size = input.shape[wrap_dim(dim, input.ndim, "kthvalue")] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= size:
        raise ValueError(f"kthvalue: k must be an int in [1, {size}], got k={k!r}")
    return _order_statistic("kthvalue", input, k, dim, keepdim)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median ((n - 1) // 2-th smallest, as PyTorch): of all values when dim is None
    (a 0-d tensor), else (values, indices) along dim."""
    if input.numel() == 0:
        raise ValueError(f"median: cannot take the median of an empty tensor (shape {input.shape})")
    if dim is None:
        flat = input.reshape(-1)
        return _order_statistic("median", flat, (flat.shape[0] + 1) // 2, 0, False).values
    size = input.shape[wrap_dim(dim, input.ndim, "median")] if input.ndim else 1
    return _order_statistic("median", input, (size + 1) // 2, dim, keepdim)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values (sorted); with return_inverse, where each element went; with
    return_counts, how often each occurs. Not differentiable (a set of values)."""
    xp = namespace(input.data)
    axis = None if dim is None else wrap_dim(dim, input.ndim, "unique")
    values, inverse, counts = xp.unique(
        input.data, return_inverse=True, return_counts=True, axis=axis
    )
    result = [Tensor(values)]
    if return_inverse:
        shape = input.shape if axis is None else (input.shape[axis],)
        result.append(Tensor(inverse.reshape(shape).astype(xp.int64)))
    if return_counts:
        result.append(Tensor(counts.astype(xp.int64)))
    return result[0] if len(result) == 1 else tuple(result)


__all__ = ["sort", "argsort", "topk", "kthvalue", "median", "unique"]

Tensor.define_methods(
    sort=sort, argsort=argsort, topk=topk, kthvalue=kthvalue, median=median, unique=unique
)
