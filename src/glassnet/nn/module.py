"""`Module`: the base of every layer and model, with PyTorch's names and semantics.

A Module owns three ordered dictionaries, filled by plain attribute assignment:

- `_parameters`: Parameters (`self.weight = Parameter(...)`), what optimisers update;
- `_buffers`: tensors that are state but not learned (`register_buffer`), e.g.
  BatchNorm's running mean; persistent ones are saved in the state dict;
- `_modules`: sub-Modules (`self.fc = Linear(...)`), giving the tree that
  `named_modules()`, `train()`, `to()` and `state_dict()` walk.

Calling a module runs its hooks around `forward` (see `hooks.py`). Names are dotted
paths through the tree ("layer1.0.weight"), so state dicts match PyTorch's key for
key when the attribute names match.
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import numpy

from glassnet import dtypes
from glassnet.nn import state_dict as state_io
from glassnet.nn.hooks import RemovableHandle, call_with_hooks
from glassnet.nn.parameter import Parameter
from glassnet.nn.state_dict import IncompatibleKeys
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


class Module:
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

    # -- dtype ---------------------------------------------------------------------------
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

    # -- hooks ---------------------------------------------------------------------------
    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """hook(module, args) -> None or new args, before forward (with_kwargs: hook(module, args, kwargs))."""
        flags = self._forward_pre_hooks_with_kwargs
        handle = RemovableHandle(self._forward_pre_hooks, hook, prepend, extra=(flags,))
        if with_kwargs:
            flags.add(handle.id)
        return handle

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """hook(module, args, output) -> None or a replacement output, after forward.

        with_kwargs: hook(module, args, kwargs, output). always_call: also run it when forward raises.
        """
        kwargs_flags, always_flags = (
            self._forward_hooks_with_kwargs,
            self._forward_hooks_always_called,
        )
        handle = RemovableHandle(
            self._forward_hooks, hook, prepend, extra=(kwargs_flags, always_flags)
        )
        if with_kwargs:
            kwargs_flags.add(handle.id)
        if always_call:
            always_flags.add(handle.id)
        return handle

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """hook(module, grad_output) -> None or a replacement grad_output, when dL/d(outputs) is known."""
        return RemovableHandle(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """hook(module, grad_input, grad_output) -> None or a replacement grad_input.

        grad_output holds dL/d(each output), grad_input dL/d(each positional input), None
        where an input is not a tensor requiring grad; see `hooks.py` for the mechanism.
        """
        return RemovableHandle(self._backward_hooks, hook, prepend)

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
