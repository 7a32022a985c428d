"""The converter registry: one function per module type writes that module's ONNX nodes.

    @register_converter(nn.Linear)
    def linear(g, module, path, x):   # g: GraphBuilder, x: Value
        ...                           # returns the output Value (or a tuple, as forward does)

A converter calls `convert(g, child, f"{path}.name", x)` for its submodules, so a new
layer (ConvTranspose, MultiheadAttention) is one more converter, and a model with a
custom forward gets one converter that mirrors that forward. A module is looked up by
its exact type, then by the nearest registered base class whose `forward` it does not
override (a subclass that only adds methods converts like its base).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassnet.nn.module import Module

Converter = Callable[..., Any]
CONVERTERS: dict[type, Converter] = {}


class UnsupportedLayerError(TypeError):
    """A module of the model has no ONNX converter."""


def register_converter(*types: type) -> Callable[[Converter], Converter]:
    """Register the decorated function as the ONNX converter of these module types."""

    def add(function: Converter) -> Converter:
        for kind in types:
            CONVERTERS[kind] = function
        return function

    return add


def converter_for(module: Module, path: str) -> Converter:
    """The converter of `module` (at `path` in the model), or UnsupportedLayerError naming both."""
    kind = type(module)
    if kind in CONVERTERS:
        return CONVERTERS[kind]
    for base in kind.__mro__[1:]:
        if base in CONVERTERS and kind.forward is base.forward:
            return CONVERTERS[base]
    raise UnsupportedLayerError(
        f"ONNX export: layer '{path or '<model>'}' ({kind.__module__}.{kind.__qualname__}) has no "
        "ONNX converter; add one with glassnet.onnx.register_converter"
    )


def convert(g: Any, module: Module, path: str, *inputs: Any) -> Any:
    """Write `module`'s nodes into `g` for `inputs` (Values); return its output Value(s)."""
    return converter_for(module, path)(g, module, path, *inputs)


def child_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
