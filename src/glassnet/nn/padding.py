"""Padding modules: `ZeroPad2d`, `ConstantPad2d`, `ReflectionPad2d`, `ReplicationPad2d` (F.pad).

padding is an int (all four sides) or (left, right, top, bottom), F.pad's order: the
last dim first. Reflection mirrors without repeating the edge (needs padding < size).
"""

from __future__ import annotations

from typing import Any

from glassnet.nn import functional as F
from glassnet.nn.layer_args import check_number, check_sizes, ntuple
from glassnet.nn.module import Module
from glassnet.tensor import Tensor


class _Pad2d(Module):
    _mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        check_sizes(type(self).__name__, "padding", padding, 4, 0)
        self.padding = ntuple(padding, 4)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        if self._mode == "constant":
            return F.pad(input, list(self.padding), value=self.value)
        return F.pad(input, list(self.padding), mode=self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    """Pad the last two dims with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ConstantPad2d(_Pad2d):
    """Pad the last two dims with `value`."""

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, check_number("ConstantPad2d", "value", value))

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ReflectionPad2d(_Pad2d):
    """Pad the last two dims with their mirror image (the edge itself not repeated)."""

    _mode = "reflect"

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReplicationPad2d(_Pad2d):
    """Pad the last two dims by repeating the edge values."""

    _mode = "replicate"

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)
