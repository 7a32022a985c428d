"""Indexing by index tensors: gather, scatter, scatter_add, index_select, index_add, masked_fill,
one_hot.

gather and scatter are each other's adjoint: gather reads x[..., index[i], ...] along
`dim`, so its backward adds each gradient back onto the element it read (a scatter-add:
elements read twice get both gradients); scatter writes src into those places, so the
gradient of src is the gather of the output gradient, and the overwritten elements of
the input get none.
"""

from __future__ import annotations

from typing import Any

from glassnet import dtypes
from glassnet.backend import Array, namespace
from glassnet.function import Function
from glassnet.ops.cast import as_operand
from glassnet.ops.dims import wrap_dim
from glassnet.tensor import Tensor


def _positions(xp: Any, index: Array, axis: int) -> tuple[Array, ...]:
    """The full index tuple of every entry of `index` along `axis` (aranges on the other axes)."""
    grids = []
    for position, size in enumerate(index.shape):
        if position == axis:
            grids.append(index)
        else:
            shape = [1] * index.ndim
            shape[position] = size
            grids.append(xp.arange(size).reshape(shape))
    return tuple(grids)


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] (dim 0; likewise for any dim);  dL/dx = scatter-add of
    dL/dy onto the places that were read."""

    def forward(self, x: Array, index: Array, axis: int) -> Array:
        self.shape, self.axis = x.shape, axis
        positions = _positions(self.xp, index, axis)
        self.save(positions)
        return x[positions]

    def backward(self, grad: Array) -> Array:
        (positions,) = self.saved
        grad_x = self.xp.zeros(self.shape, dtype=grad.dtype)
        self.xp.add.at(grad_x, positions, grad)
        return grad_x


class Scatter(Function):
    """y = x, then y[index[i][j]][j] = src[i][j] (dim 0) or += for scatter_add;
    dL/dx = dL/dy (0 where overwritten),  dL/dsrc = gather(dL/dy, index)."""

    def forward(self, x: Array, src: Array | None, index: Array, axis: int, add: bool, value: Any):
        positions = _positions(self.xp, index, axis)
        self.add, self.index_shape = add, index.shape
        self.save(positions)
        y = x.copy()
        if src is None:
            y[positions] = value
        elif add:
            self.xp.add.at(y, positions, src[tuple(slice(0, n) for n in index.shape)])
        else:
            y[positions] = src[tuple(slice(0, n) for n in index.shape)]
        self.src_shape = None if src is None else src.shape
        return y

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        (positions,) = self.saved
        grad_x = grad
        if not self.add:
            grad_x = grad.copy()
            grad_x[positions] = 0
        grad_src = None
        if self.src_shape is not None and self.needs_input_grad[1]:
            grad_src = self.xp.zeros(self.src_shape, dtype=grad.dtype)
            grad_src[tuple(slice(0, n) for n in self.index_shape)] = grad[positions]
        return grad_x, grad_src


class IndexSelect(Function):
    """y = x[..., index, ...] (the entries `index` along `axis`);  dL/dx adds dL/dy back
    onto the selected entries (an entry picked twice gets both gradients)."""

    def forward(self, x: Array, index: Array, axis: int) -> Array:
        self.shape, self.key = x.shape, (slice(None),) * axis + (index,)
        return self.xp.take(x, index, axis=axis)

    def backward(self, grad: Array) -> Array:
        grad_x = self.xp.zeros(self.shape, dtype=grad.dtype)
        self.xp.add.at(grad_x, self.key, grad)
        return grad_x


class IndexAdd(Function):
    """y = x, then y[..., index[i], ...] += alpha * source[..., i, ...] along `axis` (repeats add up);
    dL/dx = dL/dy,  dL/dsource = alpha * dL/dy[..., index, ...]."""

    def forward(self, x: Array, source: Array, index: Array, axis: int, alpha: float) -> Array:
        self.key, self.alpha = (slice(None),) * axis + (index,), alpha
        y = x.copy()
        self.xp.add.at(y, self.key, source * alpha if alpha != 1 else source)
        return y

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        grad_source = grad[self.key] * self.alpha if self.needs_input_grad[1] else None
        return grad, grad_source


class MaskedFill(Function):
    """y = value where mask, else x;  dL/dx = dL/dy where not mask,  dL/dvalue = sum of dL/dy
    where mask."""

    def forward(self, x: Array, value: Array, mask: Array) -> Array:
        self.save(mask)
        return self.xp.where(mask, value, x)

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        (mask,) = self.saved
        grad_value = (grad * mask).sum() if self.needs_input_grad[1] else None
        return self.xp.where(mask, 0, grad), grad_value


def _index(op: str, input: Tensor, index: Any, axis: int, name: str = "index") -> Array:
    """`index` as an integer array of input's rank, its values checked against the dim's size."""
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must be an integer tensor (int64), got {index!r:.60}")
    data = index.data
    size = input.shape[axis] if input.ndim else 1
    if data.size and (data.min() < 0 or data.max() >= size):
        raise IndexError(
            f"{op}: {name} holds values in [{data.min()}, {data.max()}] but dim {axis} of the input "
            f"(shape {input.shape}) has size {size}"
        )
    return data


def _check_shapes(op: str, input: Tensor, index: Array, axis: int, src: Any = None) -> None:
    """index has input's rank and is no larger than input (off `dim`) and than src (everywhere)."""
    if index.ndim != max(input.ndim, 1) and index.size:
        raise ValueError(
            f"{op}: index must have as many dims as input: index shape {index.shape}, "
            f"input shape {input.shape}"
        )
    for position, size in enumerate(index.shape):
        if input.ndim and position != axis and size > input.shape[position]:
            raise ValueError(
                f"{op}: index shape {index.shape} is larger than input shape {input.shape} in dim "
                f"{position}"
            )
        if isinstance(src, Tensor) and src.ndim and size > src.shape[position]:
            raise ValueError(
                f"{op}: index shape {index.shape} is larger than src shape {src.shape} in dim {position}"
            )


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = input[index[i][j]][j] for dim 0 (likewise for every dim); out has index's shape."""
    axis = wrap_dim(dim, input.ndim, "gather")
    data = _index("gather", input, index, axis)
    _check_shapes("gather", input, data, axis)
    if input.ndim == 0:
        return Gather.apply(input.reshape(1), index=data.reshape(-1), axis=0).reshape(data.shape)
    return Gather.apply(input, index=data, axis=axis)


def _scatter(
    op: str, input: Tensor, dim: int, index: Tensor, src: Any, value: Any, add: bool
) -> Tensor:
    axis = wrap_dim(dim, input.ndim, op)
    data = _index(op, input, index, axis)
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src  # scatter(input, dim, index, 2.0): the value overload
    if src is None and value is None:
        raise TypeError(f"{op}: give src (a tensor) or value (a number)")
    _check_shapes(op, input, data, axis, src)
    if src is not None:
        src = as_operand(src, input.dtype)
    return Scatter.apply(input, src, index=data, axis=axis, add=add, value=value)


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Tensor:
    """A copy of input with input[index[i][j]][j] = src[i][j] (dim 0); src may be a number.

    Where index repeats a place, which write wins is unspecified (as in PyTorch).
    """
    if reduce is not None:
        raise ValueError(f"scatter: reduce={reduce!r} is not supported; use scatter_add")
    return _scatter("scatter", input, dim, index, src, value, add=False)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of input with input[index[i][j]][j] += src[i][j] (dim 0); repeats add up."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__}")
    return _scatter("scatter_add", input, dim, index, src, None, add=True)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries `index` (a 1-D integer tensor) of input along `dim`."""
    axis = wrap_dim(dim, input.ndim, "index_select")
    data = _index("index_select", input, index, axis)
    if data.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D, got shape {data.shape}")
    if input.ndim == 0:
        return IndexSelect.apply(input.reshape(1), index=data.reshape(-1), axis=0).reshape(())
    return IndexSelect.apply(input, index=data.reshape(-1), axis=axis)


def index_add(
    input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1
) -> Tensor:
    """A copy of input with alpha * source[..., i, ...] added to input[..., index[i], ...] along dim."""
    axis = wrap_dim(dim, input.ndim, "index_add")
    data = _index("index_add", input, index, axis)
    if data.ndim != 1:
        raise ValueError(f"index_add: index must be 1-D, got shape {data.shape}")
    expected = input.shape[:axis] + (data.size,) + input.shape[axis + 1 :]
    if not isinstance(source, Tensor) or source.shape != expected:
        got = source.shape if isinstance(source, Tensor) else type(source).__name__
        raise ValueError(
            f"index_add: source must have shape {expected} (input shape {input.shape} with dim "
            f"{axis} of the index's length {data.size}), got {got}"
        )
    return IndexAdd.apply(
        input, as_operand(source, input.dtype), index=data, axis=axis, alpha=alpha
    )


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """value where mask is True, input elsewhere; mask broadcasts to input's shape."""
    if not isinstance(mask, Tensor) or mask.dtype.kind != "b":
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {mask!r:.60}")
    xp = namespace(input.data)
    try:
        shape = xp.broadcast_shapes(mask.shape, input.shape)
    except ValueError:
        shape = None
    if shape != input.shape:
        raise ValueError(
            f"masked_fill: mask shape {mask.shape} does not broadcast to input shape {input.shape}"
        )
    if isinstance(value, Tensor) and value.ndim:
        raise ValueError(
            f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}"
        )
    return MaskedFill.apply(input, as_operand(value, input.dtype), mask=mask.data)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each value's position.

    num_classes=-1 means max(tensor) + 1. Not differentiable (integers in, integers out).
    """
    if not isinstance(tensor, Tensor) or tensor.dtype.kind not in "iu":
        raise TypeError(f"one_hot: tensor must be an integer tensor (int64), got {tensor!r:.60}")
    data = tensor.data
    xp = namespace(data)
    if num_classes == -1:
        if data.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(data.max()) + 1
    if data.size and (data.min() < 0 or data.max() >= num_classes):
        raise ValueError(
            f"one_hot: class values must be in [0, {num_classes}), got values in "
            f"[{data.min()}, {data.max()}] (num_classes={num_classes})"
        )
    return Tensor((data[..., None] == xp.arange(num_classes)).astype(dtypes.int64))


__all__ = [
    "gather",
    "scatter",
    "scatter_add",
    "index_select",
    "index_add",
    "masked_fill",
    "one_hot",
]

Tensor.define_methods(
    gather=gather,
    scatter=scatter,
    scatter_add=scatter_add,
    index_select=index_select,
    index_add=index_add,
    masked_fill=masked_fill,
)
