"""Dtype conversion and the operand promotion every multi-input op shares."""

from __future__ import annotations

from typing import Any

from glassnet import dtypes
from glassnet.backend import Array, xp
from glassnet.function import Function
from glassnet.tensor import Tensor, to_array


class Cast(Function):
    """y = x converted to `dtype`;  dy/dx = 1 (the gradient is cast back to x's dtype)."""

    def forward(self, x: Array, dtype: dtypes.DType) -> Array:
        self.source = x.dtype
        return x.astype(dtype)

    def backward(self, grad: Array) -> Array:
        return grad.astype(self.source)


def to(self: Tensor, dtype: Any, *args: Any, **kwargs: Any) -> Tensor:
    """Return the tensor in `dtype` (itself when already so). Devices come with the GPU backend."""
    if isinstance(dtype, str) and dtype in ("cpu",):
        return self
    wanted = dtypes.as_dtype(dtype, "to")
    if wanted == self.dtype:
        return self
    return Cast.apply(self, dtype=wanted)


def as_operand(value: Any, dtype: dtypes.DType) -> Tensor:
    """A Tensor of `dtype` for an op's operand: casts Tensors (differentiably), wraps scalars."""
    if isinstance(value, Tensor):
        return value if value.dtype == dtype else Cast.apply(value, dtype=dtype)
    return Tensor(to_array(value, dtype, "operand"))


def promote(*operands: Any) -> tuple[Tensor, ...]:
    """Bring operands to their common dtype, as `torch.result_type` picks it."""
    first = operands[0]
    if all(
        isinstance(value, Tensor) and value.data.dtype == first.data.dtype for value in operands
    ):
        return operands  # the common case: nothing to convert
    common = dtypes.common_dtype(*operands)
    return tuple(as_operand(value, common) for value in operands)


def broadcast_operands(
    op: str, *operands: Any, names: tuple[str, ...] = ("input", "other")
) -> tuple[Tensor, ...]:
    """`promote`, then check that the shapes broadcast, naming the op and every shape if not."""
    tensors = promote(*operands)
    shapes = [tensor.data.shape for tensor in tensors]
    if any(shape != shapes[0] for shape in shapes):
        try:
            xp.broadcast_shapes(*shapes)
        except ValueError:
            described = ", ".join(f"{name} shape {shape}" for name, shape in zip(names, shapes))
            raise ValueError(f"{op}: shapes do not broadcast: {described}") from None
    return tensors


def to_float(value: Tensor) -> Tensor:
    """Integer and bool tensors become float32 for ops that only make sense in floats."""
    return value if value.dtype.kind == "f" else Cast.apply(value, dtype=dtypes.get_default_dtype())


Tensor.define_methods(
    to=to,
    type=lambda self, dtype: to(self, dtype),
    float=lambda self: to(self, dtypes.float32),
    double=lambda self: to(self, dtypes.float64),
    long=lambda self: to(self, dtypes.int64),
    int=lambda self: to(self, dtypes.int32),
    bool=lambda self: to(self, dtypes.bool_),
    type_as=lambda self, other: to(self, other.dtype),
)
