"""`Function`: the base of every op. Forward and backward sit side by side.

A subclass implements `forward(*arrays, **options)` on raw arrays, saving what its
backward needs with `self.save(...)`, and `backward(*grads)` returning one gradient
per input (None where an input needs none). `apply` does the wrapping: Tensors in,
Tensors out, and the node is recorded only when grad mode is on and some input
requires grad. Broadcast gradients are reduced in `autograd.unbroadcast`, so a
backward may return a gradient with the broadcast shape.

A backward must not modify its incoming gradient in place: the same array may be
handed to several inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy

from glassnet.backend import Array, namespace
from glassnet.grad_mode import is_grad_enabled
from glassnet.tensor import Tensor


class Function:
    """One node of the graph: an op's forward, backward and the arrays it saved.

    The per-node defaults are class attributes (a node made by `apply` sets only what
    differs), so creating a node costs no `__init__` of its own.
    """

    xp: ModuleType
    needs_input_grad: tuple[bool, ...]
    saved: tuple[Array, ...] = ()
    inputs: tuple[Tensor | None, ...] = ()
    n_outputs = 1
    released = False
    _output_hooks: dict[int, list[Callable[[Tensor], Tensor | None]]] | None = None
    # True where backward returns, for every input, an array that nothing else holds (a fresh
    # GEMM or reduction result, never the incoming gradient, a saved array or a view of one):
    # a leaf whose `.grad` is None may then keep that array as its gradient instead of a copy.
    fresh_grads = False

    # -- what a subclass writes -------------------------------------------------
    def forward(self, *arrays: Any, **options: Any) -> Array | tuple[Array, ...]:
        raise NotImplementedError

    def backward(self, *grads: Array) -> Array | None | tuple[Array | None, ...]:
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def save(self, *arrays: Any) -> None:
        """Keep what backward needs; freed after backward unless retain_graph."""
        self.saved = arrays

    # -- the machinery ------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Tensor | None, **options: Any) -> Any:
        """Run forward on the inputs' arrays and wrap the result(s) as Tensors.

        One pass over the inputs collects their arrays and which need a gradient (the hot
        path of every op: about 2 us less per op than a pass per question).
        """
        arrays: list[Array | None] = []
        needs: list[bool] = []
        on_host = True
        for item in inputs:
            if item is None:
                arrays.append(None)
                needs.append(False)
                continue
            if type(item) is not Tensor and not isinstance(item, Tensor):
                raise TypeError(
                    f"{cls.__name__}: input {len(arrays)} must be a Tensor, got {type(item).__name__}"
                )
            array = item.data
            arrays.append(array)
            needs.append(item._requires_grad)
            on_host = on_host and type(array) is numpy.ndarray
        node = cls()
        node.xp = numpy if on_host else namespace(*(a for a in arrays if a is not None))
        node.needs_input_grad = tuple(needs)
        record = True in needs and is_grad_enabled()
        output = node.forward(*arrays, **options)
        if isinstance(output, tuple):
            node.n_outputs = len(output)
            node.output_meta = [(array.shape, array.dtype) for array in output]
            if record:
                node.inputs = inputs
            return tuple(
                _wrap(array, node if record else None, index) for index, array in enumerate(output)
            )
        if not record:
            return Tensor(output)
        node.inputs = inputs
        return _wrap(output, node, 0)

    def call_backward(self, output_grads: list[Array | None]) -> tuple[Array | None, ...]:
        """Call backward with one gradient per output (zeros for unused outputs)."""
        if self.n_outputs == 1:
            result = self.backward(output_grads[0])
        else:
            filled = [
                grad if grad is not None else self.xp.zeros(shape, dtype)
                for grad, (shape, dtype) in zip(output_grads, self.output_meta)
            ]
            result = self.backward(*filled)
        grads = result if isinstance(result, tuple) else (result,)
        if len(grads) != len(self.inputs):
            raise RuntimeError(
                f"{type(self).__name__}.backward returned {len(grads)} gradients for {len(self.inputs)} inputs"
            )
        return grads

    def add_output_hook(
        self, index: int, hook: Callable[[Tensor], Tensor | None]
    ) -> Callable[[], None]:
        hooks = self._output_hooks = self._output_hooks or {}
        hooks.setdefault(index, []).append(hook)
        return lambda: hooks[index].remove(hook) if hook in hooks[index] else None

    def run_output_hooks(self, grads: list[Array | None]) -> list[Array | None]:
        if not self._output_hooks:
            return grads
        grads = list(grads)
        for index, hooks in self._output_hooks.items():
            if grads[index] is None:
                continue
            for hook in list(hooks):
                replaced = hook(Tensor(grads[index]))
                if replaced is not None:
                    grads[index] = replaced.data
        return grads

    def release(self) -> None:
        """Free saved arrays and inputs once backward has used them."""
        self.saved = ()
        self.inputs = (None,) * len(self.inputs)
        self.released = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


def _wrap(array: Array, node: Function | None, index: int) -> Tensor:
    """Wrap one output; only floating outputs of a recorded node join the graph."""
    if node is None or array.dtype.kind != "f":
        return Tensor(array)
    out = Tensor(array)
    out._requires_grad = True  # floating, checked above: the setter's checks are not needed
    out._ctx = node
    out._out_index = index
    return out
