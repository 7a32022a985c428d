"""`Tensor`: an array, its gradient, and the node of the graph that made it.

Most methods (`exp`, `sum`, `reshape`, `__add__`, ...) are attached by the op
modules in `glassnet/ops/` with `Tensor.define_methods`, next to the `Function`
that computes them, so each op lives in one place.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy

from glassnet import dtypes
from glassnet.autograd import run_backward
from glassnet.backend import Array, namespace, to_numpy
from glassnet.grad_mode import is_grad_enabled

if TYPE_CHECKING:
    from glassnet.function import Function

Hook = Callable[["Tensor"], "Tensor | None"]


class RemovableHandle:
    """Returned by `register_hook`; `.remove()` takes the hook off again."""

    def __init__(self, remove: Callable[[], None]) -> None:
        self._remove = remove

    def remove(self) -> None:
        self._remove()


def to_array(data: Any, dtype: Any = None, where: str = "tensor") -> Array:
    """Convert Python data or an array to a supported array, with PyTorch's dtype rules.

    NumPy arrays keep their dtype; Python floats become float32, Python ints int64.
    """
    if isinstance(data, Tensor):
        data = data.data
    wanted = dtypes.as_dtype(dtype, where) if dtype is not None else None
    if hasattr(data, "__array_namespace__") or isinstance(data, numpy.ndarray):
        array = data
    elif isinstance(data, numpy.generic):
        array = numpy.asarray(data)
    else:
        if type(data).__module__.startswith("torch"):
            data = data.detach().cpu().numpy()
            array = numpy.asarray(data)
        else:
            try:
                array = numpy.asarray(data, dtype=wanted)
            except (ValueError, TypeError) as error:
                raise TypeError(
                    f"{where}: cannot make a tensor from {type(data).__name__}: {error}"
                ) from None
            if wanted is not None:
                pass
            elif array.dtype == numpy.float64:
                array = array.astype(dtypes.get_default_dtype())
            elif array.dtype.kind in "iu" and array.dtype != numpy.uint8:
                array = array.astype(numpy.int64)
    if wanted is not None and array.dtype != wanted:
        return array.astype(wanted)
    dtypes.as_dtype(array.dtype, where)  # rejects unsupported dtypes, naming them
    return array


class Tensor:
    """An n-dimensional array that can record the ops applied to it."""

    __slots__ = (
        "data",
        "grad",
        "_requires_grad",
        "_ctx",
        "_out_index",
        "_hooks",
        "_retains_grad",
        "__weakref__",
    )
    __array_ufunc__ = None  # numpy scalars and arrays defer to Tensor's reflected operators

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        self.data: Array = (
            data if isinstance(data, numpy.ndarray) else to_array(data, None, "Tensor")
        )
        self.grad: Tensor | None = None
        self._requires_grad = False
        self._ctx: Function | None = None
        self._out_index = 0
        self._hooks: list[Hook] | None = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad = True

    # -- attaching op methods ---------------------------------------------------
    @classmethod
    def define_methods(cls, **methods: Callable[..., Any]) -> None:
        """Attach functions as methods; the op modules call this for their ops."""
        for name, function in methods.items():
            setattr(cls, name, function)

    # -- properties -------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.data.dtype.kind != "f":
            raise RuntimeError(
                f"only floating point tensors can require gradients, this one is {self.data.dtype}"
            )
        if not value and self._ctx is not None:
            raise RuntimeError(
                "requires_grad can only be switched off on a leaf tensor; use .detach()"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> numpy.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def device(self) -> str:
        return "cpu" if namespace(self.data) is numpy else "cuda"

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self) -> Function | None:
        return self._ctx

    def dim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    # -- leaving the graph ------------------------------------------------------
    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory, like PyTorch)."""
        return Tensor(self.data)

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors convert to a Python scalar, this one has shape {self.shape}"
            )
        return self.data.reshape(()).item()

    def numpy(self) -> numpy.ndarray:
        if self._requires_grad:
            raise RuntimeError("numpy(): the tensor requires grad; call tensor.detach().numpy()")
        return to_numpy(self.data)

    def tolist(self) -> Any:
        return to_numpy(self.data).tolist()

    # -- crossing into other libraries (NumPy's __array__, the DLPack protocol) --------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> numpy.ndarray:
        """`numpy.asarray(t)` shares memory with a CPU tensor; `numpy.array(t)` copies.

        NumPy 2's protocol: copy=True always copies, copy=False refuses to (a dtype change
        or a GPU tensor needs one), copy=None copies only when it must.
        """
        on_host = isinstance(self.data, numpy.ndarray)
        changes = dtype is not None and numpy.dtype(dtype) != self.data.dtype
        if copy is False and (changes or not on_host):
            raise ValueError(
                f"numpy.asarray(tensor, copy=False): a copy is needed (tensor {self.dtype} on "
                f"{self.device}, asked for dtype {dtype})"
            )
        array = to_numpy(self.data)
        if changes:
            return array.astype(dtype)
        return array.copy() if copy and on_host else array

    def __dlpack__(self, **kwargs: Any) -> Any:
        """The DLPack capsule of the data (no copy): `torch.from_dlpack(t)`, `numpy.from_dlpack(t)`.

        Like `detach()`: the consumer shares the memory but not the graph.
        """
        return self.data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.data.__dlpack_device__()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.item())

    __hash__ = object.__hash__

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[index] for index in range(self.data.shape[0]))  # type: ignore[index]

    def __repr__(self) -> str:
        body = numpy.array2string(
            to_numpy(self.data), separator=", ", prefix="tensor(", precision=4
        )
        extras = []
        if self.data.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_):
            extras.append(f"dtype=glassnet.{self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # -- autograd ---------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) * gradient into every leaf's `.grad`."""
        if not self._requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): gradient can be implied only for a scalar output; this tensor has shape "
                    f"{self.shape}, so pass gradient= with that shape"
                )
            grad = namespace(self.data).ones_like(self.data)
        else:
            grad = to_array(gradient, self.data.dtype, "backward(gradient=)")
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward(): gradient has shape {grad.shape} but the tensor has shape {self.shape}"
                )
        run_backward(self, grad, retain_graph)

    def _accumulate(self, grad: Array, fresh: bool = False) -> None:
        """Leaf gradient: run hooks, then add into `.grad` (PyTorch's accumulation). A first
        gradient becomes `.grad` as a copy (callers may scale `.grad` in place), or as itself
        when `fresh` (nothing else holds it, Function.fresh_grads) and no hook has seen it."""
        if self._hooks:
            fresh = False  # a hook may have kept the array it was shown
            for hook in list(self._hooks):
                replaced = hook(Tensor(grad))
                if replaced is not None:
                    grad = replaced.data
        if self.grad is None:
            self.grad = Tensor(grad if fresh else grad.copy())
        else:
            self.grad.data += grad

    def register_hook(self, hook: Hook) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a replacement."""
        if not self._requires_grad:
            raise RuntimeError(
                "register_hook(): cannot register a hook on a tensor that does not require grad"
            )
        if self._ctx is not None:
            return RemovableHandle(self._ctx.add_output_hook(self._out_index, hook))
        hooks = self._hooks = self._hooks or []
        hooks.append(hook)
        return RemovableHandle(lambda: hooks.remove(hook) if hook in hooks else None)

    def retain_grad(self) -> None:
        """Keep `.grad` on a non-leaf tensor too (it is freed after backward otherwise)."""
        if self._ctx is None or self._retains_grad:
            return
        self._retains_grad = True
        reference = weakref.ref(self)

        def keep(grad: Tensor) -> None:
            tensor = reference()
            if tensor is not None:
                tensor.grad = (
                    Tensor(grad.data.copy())
                    if tensor.grad is None
                    else Tensor(tensor.grad.data + grad.data)
                )

        self._ctx.add_output_hook(self._out_index, keep)

    # -- in-place updates (for tensors outside the graph: optimisers, init) ------
    def _check_inplace(self, op: str) -> None:
        if is_grad_enabled() and (self._requires_grad or self._ctx is not None):
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad while grad mode is on; "
                "wrap it in `with glassnet.no_grad():` or use the out-of-place op"
            )

    def _operand(self, other: Any, op: str) -> Array:
        value = other.data if isinstance(other, Tensor) else other
        result = dtypes.common_dtype(self, other if isinstance(other, Tensor) else value)
        if not numpy.can_cast(result, self.data.dtype, casting="same_kind"):
            raise RuntimeError(
                f"{op}: result type {result} cannot be stored in a {self.data.dtype} tensor"
            )
        return value

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        self._check_inplace("add_")
        value = self._operand(other, "add_")
        self.data += value if alpha == 1 else value * alpha
        return self

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        self._check_inplace("sub_")
        value = self._operand(other, "sub_")
        self.data -= value if alpha == 1 else value * alpha
        return self

    def mul_(self, other: Any) -> Tensor:
        self._check_inplace("mul_")
        self.data *= self._operand(other, "mul_")
        return self

    def div_(self, other: Any) -> Tensor:
        self._check_inplace("div_")
        if self.data.dtype.kind != "f":
            raise RuntimeError(
                f"div_: true division cannot be stored in a {self.data.dtype} tensor"
            )
        self.data /= self._operand(other, "div_")
        return self

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        self._check_inplace("clamp_")
        namespace(self.data).clip(self.data, min, max, out=self.data)
        return self

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        self._check_inplace("fill_")
        self.data[...] = value.data if isinstance(value, Tensor) else value
        return self

    def copy_(self, source: Any) -> Tensor:
        """Copy `source` (broadcast to this shape, cast to this dtype) into this tensor."""
        self._check_inplace("copy_")
        array = to_array(source, None, "copy_")
        try:
            self.data[...] = namespace(self.data).broadcast_to(array, self.data.shape)
        except ValueError:
            raise ValueError(
                f"copy_: source of shape {array.shape} does not broadcast to {self.shape}"
            ) from None
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_inplace("__setitem__")
        self.data[index_key(key)] = value.data if isinstance(value, Tensor) else value


def index_item(item: Any) -> Any:
    """One item of an index: Tensors and lists become arrays; uint8 tensors are masks, as in PyTorch."""
    if isinstance(item, Tensor):
        return item.data.astype(bool) if item.data.dtype.kind == "u" else item.data
    if isinstance(item, list):
        return numpy.asarray(item) if item else numpy.zeros(0, dtype=numpy.int64)
    return item


def index_key(key: Any) -> Any:
    """An index as NumPy reads it, shared by `x[key]` and `x[key] = value`."""
    if isinstance(key, tuple):
        return tuple(index_item(item) for item in key)
    return index_item(key)
