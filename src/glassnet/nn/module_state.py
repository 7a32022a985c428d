"""Module's state as arrays: dtype conversion (`to`, `float`, `double`) and the state dict.

`ModuleState` is a part of `Module` (nn/module.py), kept in its own file: everything here
walks the tree of parameters and buffers to convert, save or load their arrays. Keys are
dotted paths through the tree ("layer1.0.weight"), as in PyTorch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy

from glassnet import dtypes
from glassnet.nn import state_dict as state_io
from glassnet.nn.state_dict import IncompatibleKeys
from glassnet.tensor import Tensor

if TYPE_CHECKING:
    from glassnet.nn.module import Module

M = TypeVar("M", bound="Module")


class ModuleState:
    """The dtype and state-dict methods of `Module` (see the module docstring)."""

    _parameters: dict[str, Any]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Any]

    def _apply(self: M, fn: Callable[[Any], Any]) -> M:
        """Replace the array of every parameter, gradient and buffer by fn(array), keeping the objects.

        The Parameter objects stay the same, so an optimiser that holds them keeps working.
        """
        for module in self.children():
            module._apply(fn)
        for param in self._parameters.values():
            if param is not None:
                param.data = fn(param.data)
                if param.grad is not None:
                    param.grad.data = fn(param.grad.data)
        for buffer in self._buffers.values():
            if buffer is not None:
                buffer.data = fn(buffer.data)
        return self

    def to(self: M, *args: Any, **kwargs: Any) -> M:
        """`to(dtype)`, `to(device)`, `to(tensor)`: convert floating parameters and buffers in place.

        Integer buffers (e.g. BatchNorm's num_batches_tracked) keep their dtype, as in PyTorch.
        Only the CPU device exists until the GPU backend lands.
        """
        dtype = _parse_to(args, kwargs)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(
                f"Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
            )
        return self._apply(
            lambda array: (
                array.astype(dtype) if array.dtype.kind == "f" and array.dtype != dtype else array
            )
        )

    def float(self: M) -> M:
        return self.to(dtypes.float32)

    def double(self: M) -> M:
        return self.to(dtypes.float64)

    def cpu(self: M) -> M:
        return self

    # -- state dict ----------------------------------------------------------------------
    def _save_to_state_dict(
        self, destination: dict[str, Any], prefix: str, keep_vars: bool
    ) -> None:
        state_io.save_local(self, destination, prefix, keep_vars)

    def state_dict(
        self, destination: dict[str, Any] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Tensor]:
        """An ordered dict of every parameter and persistent buffer by dotted name.

        Values are detached tensors sharing memory with the module (copy them to keep a
        snapshot), or the Parameters themselves with keep_vars=True.
        """
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        return destination

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Load this module's own tensors (PyTorch's signature, so layers can override it)."""
        state_io.load_local(
            self,
            state_dict,
            prefix,
            bool(local_metadata.get("assign_to_params_buffers")),
            missing_keys,
            unexpected_keys,
            error_msgs,
        )

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> IncompatibleKeys:
        """Copy values from `state_dict` into this module's tensors, in place.

        Values may be glassnet Tensors, NumPy arrays or torch tensors; they are cast to
        each tensor's dtype. strict=True raises on missing or unexpected keys; a shape
        mismatch or a value that is not an array raises always. assign=True makes each
        tensor take the loaded array itself (and its dtype) instead of copying into it.
        Returns (missing_keys, unexpected_keys).
        """
        return state_io.load_tree(self, state_dict, strict, assign)


def _parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> numpy.dtype | None:
    """The dtype asked for by `Module.to(...)` (None: no change); devices other than the CPU are refused."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy"}
    if unknown:
        raise TypeError(f"Module.to() got unexpected keyword argument(s) {sorted(unknown)}")
    device = kwargs.get("device")
    dtype = kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str) and arg.split(":")[0] in ("cpu", "cuda", "mps", "meta"):
            device = arg
        elif arg is not None and type(arg).__name__ == "device":  # a torch.device
            device = str(arg)
        elif arg is not None:
            dtype = arg
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(
            f"Module.to(): device {str(device)!r} is not available; glassnet runs on the CPU (NumPy)"
        )
    return None if dtype is None else dtypes.as_dtype(dtype, "Module.to")
