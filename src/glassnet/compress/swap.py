"""Putting a new module where an old one is registered, by its dotted name ("layer1.0.conv1")."""

from __future__ import annotations

from glassnet.compress.prune import CompressionError
from glassnet.nn.module import Module


def set_submodule(root: Module, name: str, new: Module) -> None:
    """Register `new` under the dotted `name` of `root` (the parent must exist)."""
    if not name:
        raise CompressionError("set_submodule: cannot replace the root module itself")
    parent_name, _, child = name.rpartition(".")
    parent = root.get_submodule(parent_name)
    if child not in parent._modules:
        raise CompressionError(
            f"set_submodule: {type(parent).__name__} '{parent_name}' has no child '{child}'"
        )
    setattr(parent, child, new)
