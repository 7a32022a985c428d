"""Ordering: sort, argsort and topk.

The values of a sort are a gather of the input at the sorted positions, so their
gradient goes back to the element each value came from (`Gather`'s backward); the
indices are integers outside the graph. Ties keep their input order (a stable sort),
which is what PyTorch gives with stable=True; PyTorch's default may order ties
differently, and both are correct.
"""

from __future__ import annotations

from glassnet.backend import Array, namespace
from glassnet.ops.gather import Gather
from glassnet.ops.reduce import ValuesIndices
from glassnet.ops.shape import _dim
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
    axis = _dim(dim, input.ndim, "sort")
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
    axis = _dim(-1 if dim is None else dim, input.ndim, "topk")
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


__all__ = ["sort", "argsort", "topk"]

Tensor.define_methods(sort=sort, argsort=argsort, topk=topk)
