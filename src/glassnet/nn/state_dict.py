"""Saving and loading a Module's tensors by name: the state dict.

A state dict is an ordered mapping from dotted names ("0.weight",
"layer1.bn.running_mean") to tensors: every Parameter and every persistent buffer,
parent before children, in registration order, so keys equal PyTorch's for the same
structure. Loading copies values into the existing tensors in place (an optimiser
holding them keeps working) and accepts glassnet Tensors, NumPy arrays and torch
tensors (recognised by type, so torch is never imported here).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy

from glassnet.backend import Array, namespace
from glassnet.tensor import Tensor

if TYPE_CHECKING:
    from glassnet.nn.module import Module


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict` returns: keys the module expected but did not get, and the reverse."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


def is_torch_tensor(value: Any) -> bool:
    """True for torch.Tensor and its subclasses (Parameter, Buffer), without importing torch."""
    return any(
        cls.__name__ == "Tensor" and cls.__module__.startswith("torch")
        for cls in type(value).__mro__
    )


def as_array(value: Any) -> Array | None:
    """The array behind a glassnet Tensor, a NumPy array or a torch tensor; None for anything else."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, numpy.ndarray):
        return value
    if is_torch_tensor(value):
        value = value.detach().cpu()
        if str(value.dtype) == "torch.bfloat16":  # NumPy has no bfloat16
            value = value.float()
        return value.numpy()
    if hasattr(value, "__array_namespace__"):  # a CuPy array
        return value
    return None


def local_state(module: Module) -> dict[str, Tensor]:
    """This module's own parameters and persistent buffers (not its children's), skipping None."""
    state = {name: param for name, param in module._parameters.items() if param is not None}
    for name, buffer in module._buffers.items():
        if buffer is not None and name not in module._non_persistent_buffers_set:
            state[name] = buffer
    return state


def save_local(module: Module, destination: dict[str, Any], prefix: str, keep_vars: bool) -> None:
    """Add this module's own tensors to `destination`; detached (sharing memory) unless keep_vars."""
    for name, tensor in local_state(module).items():
        destination[prefix + name] = tensor if keep_vars else tensor.detach()


def load_local(
    module: Module,
    state_dict: dict[str, Any],
    prefix: str,
    assign: bool,
    missing_keys: list[str],
    unexpected_keys: list[str],
    error_msgs: list[str],
) -> None:
    """Copy this module's own tensors from `state_dict`, recording missing/unexpected keys and errors.

    The checks and messages follow PyTorch's `Module._load_from_state_dict`: a value that
    is not tensor-like or has another shape is an error even when strict=False.
    """
    own = local_state(module)
    for name, tensor in own.items():
        key = prefix + name
        if key not in state_dict:
            missing_keys.append(key)
            continue
        value = state_dict[key]
        array = as_array(value)
        if array is None:
            error_msgs.append(
                f'While copying the parameter named "{key}", expected a glassnet Tensor, NumPy array or torch '
                f"tensor from checkpoint but received {type(value).__name__}"
            )
            continue
        if tuple(array.shape) != tuple(tensor.shape):
            error_msgs.append(
                f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} from checkpoint, "
                f"the shape in current model is {tuple(tensor.shape)}."
            )
            continue
        xp = namespace(tensor.data)
        if not assign:
            tensor.data[...] = xp.asarray(array)  # casts to the module's dtype, like torch's copy_
            continue
        if tensor.requires_grad and array.dtype.kind != "f":
            error_msgs.append(
                f"While assigning {key}: the parameter requires grad but the checkpoint holds {array.dtype}"
            )
            continue
        array = xp.asarray(array)
        tensor.data = array if array.flags.writeable else array.copy()

    for key in state_dict:
        if not key.startswith(prefix):
            continue
        head, dot, _ = key[len(prefix) :].partition(".")
        if (dot and head not in module._modules) or (not dot and head not in own):
            unexpected_keys.append(key)


def load_tree(
    root: Module, state_dict: Mapping[str, Any], strict: bool, assign: bool
) -> IncompatibleKeys:
    """`root.load_state_dict`: each module loads its own keys via `_load_from_state_dict`, then its children.

    Errors are gathered over the whole tree and raised together, as PyTorch does, so one
    message lists every missing key, unexpected key and shape mismatch.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"load_state_dict: expected a dict-like state_dict, got {type(state_dict).__name__}"
        )
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    metadata = {"assign_to_params_buffers": True} if assign else {}

    def load(module: Module, local: dict[str, Any], prefix: str) -> None:
        module._load_from_state_dict(
            local, prefix, dict(metadata), True, missing, unexpected, errors
        )
        for name, child in module._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                load(
                    child,
                    {k: v for k, v in local.items() if k.startswith(child_prefix)},
                    child_prefix,
                )

    load(root, OrderedDict(state_dict), "")
    if strict:
        if unexpected:
            errors.insert(
                0,
                "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)
                ),
            )
        if missing:
            errors.insert(
                0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing))
            )
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(root).__name__}:\n\t" + "\n\t".join(errors)
        )
    return IncompatibleKeys(missing, unexpected)
