"""Module hooks: handles, the hooked call, and full backward hooks built from tensor-level nodes.

A forward pre-hook sees (module, args) before `forward` and may replace the args; a
forward hook sees (module, args, output) after it and may replace the output.

A full backward hook `hook(module, grad_input, grad_output)` needs the gradient of the
loss with respect to the module's outputs and to its tensor inputs, delivered together.
As in PyTorch, the call wraps them in identity nodes:

    inputs -> [identity A] -> forward(...) -> outputs -> [identity B] -> rest of the graph

The backward of B receives dL/d(outputs) (all outputs at once: B is one node with
several outputs) and stores it; the backward of A then receives dL/d(inputs) and calls
the hooks with both. A hook may return a replacement for grad_input, which is what
flows on to the inputs. Positional arguments that are not tensors requiring grad get
None in grad_input, and so do outputs that are not tensors requiring grad in
grad_output, and so does an output the loss does not use. Only a Tensor or a
tuple/list of Tensors as output is hooked. When no input requires grad (the first layer fed
with data), the hook runs from B's backward with grad_input all None, as in PyTorch.
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.grad_mode import is_grad_enabled
from glassnet.tensor import RemovableHandle as _TensorHandle
from glassnet.tensor import Tensor

if TYPE_CHECKING:
    from glassnet.nn.module import Module

_ids = itertools.count()


class RemovableHandle(_TensorHandle):
    """Returned by every `register_*_hook`: `.remove()` (or leaving a `with` block) takes the hook off."""

    def __init__(
        self,
        hooks: OrderedDict[int, Any],
        hook: Any,
        prepend: bool = False,
        extra: tuple[dict[int, Any] | set[int], ...] = (),
    ) -> None:
        self.id = next(_ids)
        hooks[self.id] = hook
        if prepend:
            hooks.move_to_end(self.id, last=False)

        def remove() -> None:
            hooks.pop(self.id, None)
            for flags in extra:
                flags.discard(self.id) if isinstance(flags, set) else flags.pop(self.id, None)

        super().__init__(remove)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class HookIdentity(Function):
    """y_i = x_i for every input;  the backward passes all gradients through `on_backward` at once."""

    def forward(
        self, *arrays: Array, on_backward: Callable[[list[Array]], list[Array | None]]
    ) -> tuple[Array, ...]:
        self.on_backward = on_backward
        return tuple(arrays)

    def backward(self, *grads: Array | None) -> tuple[Array | None, ...]:
        return tuple(self.on_backward(list(grads)))

    def call_backward(self, output_grads: list[Array | None]) -> tuple[Array | None, ...]:
        # unlike other nodes, keep None for outputs the loss did not use: the hooks see None there
        return self.backward(*output_grads)


def _check_replacement(
    module: Module, what: str, replaced: Any, original: tuple[Any, ...]
) -> tuple[Any, ...]:
    """A hook's replacement gradients: a tuple as long as the original, shapes unchanged."""
    if isinstance(replaced, Tensor):
        replaced = (replaced,)
    if not isinstance(replaced, (tuple, list)) or len(replaced) != len(original):
        count = len(replaced) if isinstance(replaced, (tuple, list)) else type(replaced).__name__
        raise RuntimeError(
            f"backward hook of {type(module).__name__} returned {count} values for {what}, "
            f"expected a tuple of {len(original)} (Tensor or None)"
        )
    for position, (new, old) in enumerate(zip(replaced, original)):
        if new is not None and old is not None and tuple(new.shape) != tuple(old.shape):
            raise RuntimeError(
                f"backward hook of {type(module).__name__} returned {what}[{position}] of shape "
                f"{tuple(new.shape)}, expected {tuple(old.shape)}"
            )
    return tuple(replaced)


class BackwardHook:
    """The state of one hooked call: which arguments/outputs were wrapped and dL/d(outputs)."""

    def __init__(
        self, module: Module, hooks: list[Callable[..., Any]], pre_hooks: list[Callable[..., Any]]
    ) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.n_inputs = 0
        self.input_positions: list[int] = []
        self.grad_output: tuple[Tensor | None, ...] | None = None

    @staticmethod
    def _wrap(
        values: list[Any], on_backward: Callable[[list[Array]], list[Array | None]]
    ) -> list[int]:
        positions = [
            i for i, value in enumerate(values) if isinstance(value, Tensor) and value.requires_grad
        ]
        if positions and is_grad_enabled():
            wrapped = HookIdentity.apply(*(values[i] for i in positions), on_backward=on_backward)
            for position, tensor in zip(positions, wrapped):
                values[position] = tensor
            return positions
        return []

    def setup_input(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(args)
        self.n_inputs = len(values)
        self.input_positions = self._wrap(values, self._input_backward)
        return tuple(values)

    def setup_output(self, result: Any) -> Any:
        values = (
            [result]
            if isinstance(result, Tensor)
            else list(result)
            if isinstance(result, (tuple, list))
            else None
        )
        if values is None:
            warnings.warn(
                f"backward hooks of {type(self.module).__name__} are not called: its output should be a "
                f"Tensor or a tuple of Tensors, but it is {type(result).__name__}",
                stacklevel=4,
            )
            return result
        self.output_positions = self._wrap(values, self._output_backward)
        self.n_outputs = len(values)
        if isinstance(result, Tensor):
            return values[0]
        return type(result)(values)

    def _spread(
        self, grads: list[Array], positions: list[int], size: int
    ) -> tuple[Tensor | None, ...]:
        spread: list[Tensor | None] = [None] * size
        for position, grad in zip(positions, grads):
            spread[position] = None if grad is None else Tensor(grad)
        return tuple(spread)

    def _output_backward(self, grads: list[Array]) -> list[Array | None]:
        grad_output = self._spread(grads, self.output_positions, self.n_outputs)
        for hook in self.pre_hooks:
            replaced = hook(self.module, grad_output)
            if replaced is not None:
                grad_output = _check_replacement(self.module, "grad_output", replaced, grad_output)
        self.grad_output = grad_output
        if not self.input_positions:  # nothing upstream requires grad: call the hooks now
            self._call_hooks((None,) * self.n_inputs)
        return [
            None if grad_output[p] is None else grad_output[p].data for p in self.output_positions
        ]

    def _input_backward(self, grads: list[Array]) -> list[Array | None]:
        grad_input = self._call_hooks(self._spread(grads, self.input_positions, self.n_inputs))
        return [None if grad_input[p] is None else grad_input[p].data for p in self.input_positions]

    def _call_hooks(self, grad_input: tuple[Tensor | None, ...]) -> tuple[Tensor | None, ...]:
        grad_output = (
            self.grad_output
            if self.grad_output is not None
            else (None,) * getattr(self, "n_outputs", 0)
        )
        for hook in self.hooks:
            replaced = hook(self.module, grad_input, grad_output)
            if replaced is not None:
                grad_input = _check_replacement(self.module, "grad_input", replaced, grad_input)
        return grad_input


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`module(*args, **kwargs)` with its forward pre-hooks, forward hooks and backward hooks."""
    for hook_id, hook in list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_pre_hooks_with_kwargs:
            replaced = hook(module, args, kwargs)
            if replaced is not None:
                if not (isinstance(replaced, tuple) and len(replaced) == 2):
                    raise RuntimeError(
                        f"forward pre-hook of {type(module).__name__} registered with_kwargs=True must return "
                        f"None or (new_args, new_kwargs), got {type(replaced).__name__}"
                    )
                args, kwargs = replaced
        else:
            replaced = hook(module, args)
            if replaced is not None:
                args = replaced if isinstance(replaced, tuple) else (replaced,)

    backward_hook = None
    if module._backward_hooks or module._backward_pre_hooks:
        backward_hook = BackwardHook(
            module, list(module._backward_hooks.values()), list(module._backward_pre_hooks.values())
        )
        args = backward_hook.setup_input(args)

    result = None
    called: set[int] = set()
    try:
        result = module.forward(*args, **kwargs)
        for hook_id, hook in list(module._forward_hooks.items()):
            called.add(hook_id)
            if hook_id in module._forward_hooks_with_kwargs:
                replaced = hook(module, args, kwargs, result)
            else:
                replaced = hook(module, args, result)
            if replaced is not None:
                result = replaced
    except Exception:
        # hooks registered with always_call=True run even when forward raised
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called and hook_id not in called:
                try:
                    if hook_id in module._forward_hooks_with_kwargs:
                        hook(module, args, kwargs, result)
                    else:
                        hook(module, args, result)
                except Exception as error:  # the forward's own error is the one to report
                    warnings.warn(
                        f"forward hook with always_call=True raised {error!r} while "
                        f"{type(module).__name__}.forward was failing",
                        stacklevel=2,
                    )
        raise

    if backward_hook is not None:
        result = backward_hook.setup_output(result)
    return result


class ModuleHooks:
    """The hook registration methods of `Module` (a base of it): each returns a handle."""

    _forward_pre_hooks: OrderedDict[int, Any]
    _forward_hooks: OrderedDict[int, Any]
    _backward_hooks: OrderedDict[int, Any]
    _backward_pre_hooks: OrderedDict[int, Any]
    _forward_pre_hooks_with_kwargs: set[int]
    _forward_hooks_with_kwargs: set[int]
    _forward_hooks_always_called: set[int]

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
