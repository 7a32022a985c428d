"""`Module`: the base of every layer and model, with PyTorch's names and semantics.

A Module owns three ordered dictionaries, filled by plain attribute assignment:

- `_parameters`: Parameters (`self.weight = Parameter(...)`), what optimisers update;
- `_buffers`: tensors that are state but not learned (`register_buffer`), e.g.
  BatchNorm's running mean; persistent ones are saved in the state dict;
- `_modules`: sub-Modules (`self.fc = Linear(...)`), giving the tree that
  `named_modules()`, `train()`, `to()` and `state_dict()` walk.

Calling a module runs its hooks around `forward` (see `hooks.py`). Names are dotted
paths through the tree ("layer1.0.weight"), so state dicts match PyTorch's key for
key when the attribute names match; dtype conversion and the state dict are in
`module_state.py` (`ModuleState`, a base of Module), hook registration in `hooks.py`
(`ModuleHooks`, the other base).
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from glassnet.nn.hooks import ModuleHooks, call_with_hooks
from glassnet.nn.module_state import ModuleState
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor

M = TypeVar("M", bound="Module")

_HOOK_DICTS = ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks")


def _not_initialised(module: Module, name: str) -> AttributeError:
    cls = type(module).__name__
    return AttributeError(
        f"{cls}.{name}: Module.__init__() was not called; add super().__init__() as the first line "
        f"of {cls}.__init__"
    )


def _addindent(text: str, spaces: int) -> str:
    """Indent every line after the first (PyTorch's layout for nested reprs)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line if line.strip() else "" for line in rest])


class Module(ModuleState, ModuleHooks):
    """Base class of all layers and models: subclass it, assign layers and Parameters, write forward()."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers_set: set[str]
    _modules: dict[str, Module | None]

    def __init__(self) -> None:
        set_plain = super().__setattr__
        set_plain("training", True)
        set_plain("_parameters", OrderedDict())
        set_plain("_buffers", OrderedDict())
        set_plain("_non_persistent_buffers_set", set())
        set_plain("_modules", OrderedDict())
        for name in _HOOK_DICTS:
            set_plain(name, OrderedDict())
        set_plain("_forward_pre_hooks_with_kwargs", set())
        set_plain("_forward_hooks_with_kwargs", set())
        set_plain("_forward_hooks_always_called", set())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if "_forward_hooks" not in self.__dict__:
            raise _not_initialised(self, "__call__")
        if (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
        ):
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # -- registration ----------------------------------------------------------------
    def _check_name(self, name: Any, kind: str, registry: dict[str, Any]) -> None:
        if "_parameters" not in self.__dict__:
            raise _not_initialised(self, name if isinstance(name, str) else kind)
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name cannot be the empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name cannot contain ".", got: {name}')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists on {type(self).__name__}")

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (saved in the state dict when persistent)."""
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(glassnet Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a Parameter (or None: a declared but absent parameter, e.g. bias=False)."""
        self._check_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(glassnet.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module, reachable as an attribute and walked by every recursive method."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path ("layer1.0.conv1"); "" is the module itself."""
        module = self
        walked = type(self).__name__
        for item in target.split(".") if target else []:
            child = module._modules.get(item)
            if not isinstance(child, Module):
                raise AttributeError(f"{walked} has no submodule `{item}` (looking up '{target}')")
            module, walked = child, f"{walked}.{item}"
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The Parameter at a dotted path ("layer1.0.weight")."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not isinstance(module._parameters.get(name), Parameter):
            raise AttributeError(
                f"{type(module).__name__} has no parameter `{name}` (looking up '{target}')"
            )
        return module._parameters[name]  # type: ignore[return-value]

    # -- attribute access -------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: registered tensors and modules live here
        state = self.__dict__
        if "_parameters" not in state:
            if name.startswith("__"):
                raise AttributeError(name)
            raise _not_initialised(self, name)
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in state[registry]:
                return state[registry][name]
        message = f"'{type(self).__name__}' object has no attribute '{name}'"
        if not name.startswith("__"):
            known = [*state["_parameters"], *state["_buffers"], *state["_modules"], *state]
            close = difflib.get_close_matches(
                name, [k for k in known if not k.startswith("_")], n=1
            )
            if close:
                message += f"; did you mean '{close[0]}'?"
        raise AttributeError(message)

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise _not_initialised(self, name)
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' of "
                    f"{type(self).__name__} (glassnet.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise _not_initialised(self, name)
            self._forget(name, keep="_modules")
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' of "
                    f"{type(self).__name__} (glassnet.nn.Module or None expected)"
                )
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' of "
                    f"{type(self).__name__} (glassnet Tensor or None expected)"
                )
            buffers[name] = value
        else:
            super().__setattr__(name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop `name` from every place except `keep`, so one name means one thing."""
        self.__dict__.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                self.__dict__[registry].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name: str) -> None:
        state = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in state.get(registry, ()):
                del state[registry][name]
                state["_non_persistent_buffers_set"].discard(name)
                return
        super().__delattr__(name)

    def __dir__(self) -> list[str]:
        names = [*super().__dir__(), *self._parameters, *self._buffers, *self._modules]
        return sorted(name for name in set(names) if not name[0].isdigit())

    # -- walking the tree ---------------------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every descendant, each module once by default."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        walk = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in walk:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) for every parameter; a shared one appears once (first name)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self: M, fn: Callable[[Module], Any]) -> M:
        """Call fn on every descendant, then on self (children first, as PyTorch; e.g. custom init)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- modes and gradients -------------------------------------------------------------
    def train(self: M, mode: bool = True) -> M:
        """Set training mode here and in every descendant (Dropout, BatchNorm behave differently)."""
        if not isinstance(mode, bool):
            raise ValueError(
                f"train(mode): mode is expected to be a bool, got {type(mode).__name__}"
            )
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self: M) -> M:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Switch gradient tracking of every parameter (False freezes the module)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's `.grad`: drop it (default) or fill it with zeros."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.data[...] = 0

    # -- repr ----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in repr; layers override it."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
