"""Containers: `Sequential` (a chain), `ModuleList` (a list), `ModuleDict` (a dict) of modules.

They register what they hold, so the parameters of every module inside show up in
`parameters()` and `state_dict()` under keys "0.weight", "1.bias", ... or the dict's
keys, exactly as in PyTorch. A plain Python list of layers would hide them.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any

from glassnet.nn.module import Module, _addindent


def _absolute_index(container: Module, idx: int) -> int:
    """idx as a position in 0 .. len-1, accepting negative indices; a clear IndexError otherwise."""
    idx = operator.index(idx)
    size = len(container._modules)
    if not -size <= idx < size:
        raise IndexError(
            f"{type(container).__name__}: index {idx} is out of range for length {size}"
        )
    return idx % size


def _require_module(container: Module, module: Any, where: str) -> None:
    if not isinstance(module, Module):
        raise TypeError(
            f"{type(container).__name__}.{where}: expected a Module, got {type(module).__name__}"
        )


class Sequential(Module):
    """Modules applied one after another: forward(x) = m_n(...m_2(m_1(x))).

    Built from modules (`Sequential(a, b)`, named "0", "1", ...) or from an OrderedDict of
    named modules. Indexing gives a module; slicing gives a new Sequential of the same modules.
    """

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return next(islice(self._modules.values(), _absolute_index(self, idx), None))

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_absolute_index(self, idx)]
        setattr(self, key, module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        for key in keys[idx] if isinstance(idx, slice) else [keys[_absolute_index(self, idx)]]:
            delattr(self, key)
        # renumber so the names stay 0 .. len-1
        self._modules = OrderedDict(
            (str(i), module) for i, module in enumerate(self._modules.values())
        )

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                f"add operator supports only Sequential, but {type(other).__name__} is given"
            )
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(
                f"add operator supports only Sequential, but {type(other).__name__} is given"
            )
        return self.extend(list(other))

    def append(self, module: Module) -> Sequential:
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert a module before position `index` (negative counts from the end)."""
        _require_module(self, module, "insert")
        size = len(self._modules)
        if not -size <= index <= size:
            raise IndexError(f"Sequential.insert: index {index} is out of range for length {size}")
        if not self._numbered():
            raise ValueError(
                f"Sequential.insert needs the default names '0', '1', ...; "
                f"this one has {list(self._modules)}"
            )
        modules = list(self._modules.values())
        modules.insert(index + size if index < 0 else index, module)
        self._modules = OrderedDict((str(i), m) for i, m in enumerate(modules))
        return self

    def _numbered(self) -> bool:
        return list(self._modules) == [str(i) for i in range(len(self._modules))]

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        """Append every module of `sequential`."""
        for module in sequential:
            self.append(module)
        return self

    def pop(self, key: int | slice) -> Module:
        module = self[key]
        del self[key]
        return module

    def __dir__(self) -> list[str]:
        return [name for name in super().__dir__() if not name.isdigit()]


class ModuleList(Module):
    """A list of modules, registered so their parameters are found; indexing and iteration like a list.

    It has no forward: the owning module decides how to call its entries.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_absolute_index(self, idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, str(_absolute_index(self, idx)), module)

    def __delitem__(self, idx: int | slice) -> None:
        positions = (
            range(len(self._modules))[idx]
            if isinstance(idx, slice)
            else [_absolute_index(self, idx)]
        )
        for position in positions:
            delattr(self, str(position))
        self._modules = OrderedDict(
            (str(i), module) for i, module in enumerate(self._modules.values())
        )

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(list(chain(self, other)))

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append every module of an iterable."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}"
            )
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position `index`, as list.insert."""
        _require_module(self, module, "insert")
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules = OrderedDict((str(i), m) for i, m in enumerate(modules))

    def pop(self, key: int | slice) -> Module:
        module = self[key]
        del self[key]
        return module

    def __dir__(self) -> list[str]:
        return [name for name in super().__dir__() if not name.isdigit()]

    def __repr__(self) -> str:
        """Like PyTorch: runs of identical entries are shown once, as "(0-2): 3 x Linear(...)"."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        runs: list[list[Any]] = []  # [start, end, text]
        for index, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = index
            else:
                runs.append([index, index, text])
        lines = []
        for start, end, text in runs:
            line = (
                f"({start}): {text}"
                if start == end
                else f"({start}-{end}): {end - start + 1} x {text}"
            )
            lines.append(_addindent(line, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules by name, registered so their parameters are found; insertion order is kept."""

    def __init__(
        self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
    ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no key {key!r} (keys: {list(self._modules)})")
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Any:
        return self._modules.keys()

    def items(self) -> Any:
        return self._modules.items()

    def values(self) -> Any:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or overwrite entries from a mapping or from (name, module) pairs, keeping their order."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleDict.update should be called with an iterable of key/value pairs, "
                f"but got {type(modules).__name__}"
            )
        if isinstance(modules, (Mapping, ModuleDict)):
            for key, module in modules.items():
                self[key] = module
            return
        for position, pair in enumerate(modules):
            if not isinstance(pair, Iterable) or isinstance(pair, (str, Module)):
                raise TypeError(
                    f"ModuleDict update sequence element #{position} should be a (name, module) pair; "
                    f"is {type(pair).__name__}"
                )
            pair = list(pair)
            if len(pair) != 2:
                raise ValueError(
                    f"ModuleDict update sequence element #{position} has length {len(pair)}; "
                    "2 is required"
                )
            self[pair[0]] = pair[1]
