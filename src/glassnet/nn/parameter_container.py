"""`ParameterList` and `ParameterDict`: containers that register every Parameter they hold.

A plain Python list of Parameters on a Module is invisible to `parameters()` and
`state_dict()` (so an optimiser would never update them); these containers register
each entry under its index ('0', '1', ...) or key, as PyTorch's do. A Tensor that is
not yet a Parameter is wrapped into one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


def _as_parameter(where: str, value: Any) -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{where}: entries must be Parameters or Tensors, got {type(value).__name__}")


def _describe(name: str, value: Parameter) -> str:
    size = "x".join(str(n) for n in value.shape)
    return f"({name}): Parameter containing: [{value.dtype} of size {size}]"


class ParameterList(Module):
    """A list of Parameters, each registered as '0', '1', ...; indexing and iteration like a list."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        for value in values or ():
            self.append(value)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def __getitem__(self, index: int) -> Parameter:
        size = len(self)
        if not -size <= index < size:
            raise IndexError(f"ParameterList: index {index} is out of range for {size} parameters")
        return self._parameters[str(index % size)]

    def __setitem__(self, index: int, value: Any) -> None:
        self[index]  # the range check
        setattr(self, str(index % len(self)), _as_parameter("ParameterList", value))

    def append(self, value: Any) -> ParameterList:
        setattr(self, str(len(self)), _as_parameter("ParameterList", value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_describe(name, value) for name, value in self._parameters.items())


class ParameterDict(Module):
    """A dict of Parameters, each registered under its key; insertion order is kept."""

    def __init__(
        self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
    ) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise KeyError(
                f"ParameterDict: no parameter {key!r}; keys are {list(self._parameters)}"
            )
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: keys must be strings, got {type(key).__name__}")
        setattr(self, key, _as_parameter("ParameterDict", value))

    def __delitem__(self, key: str) -> None:
        self[key]  # the existence check
        delattr(self, key)

    def keys(self) -> Iterable[str]:
        return self._parameters.keys()

    def values(self) -> Iterable[Parameter]:
        return self._parameters.values()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        return self._parameters.items()

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(_describe(name, value) for name, value in self._parameters.items())
