"""The backward pass: one iterative walk of the graph in reverse topological order.

Nodes are `Function` objects (see `function.py`); a tensor made by an op points at
its node (`tensor._ctx`) and at which of the node's outputs it is (`_out_index`).
The walk is iterative, so a chain of any length works (micrograd's recursive walk
overflows the stack near 1,000 nodes). Gradients for non-leaf tensors live only in
a dictionary during the walk; leaves accumulate into `.grad` as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glassnet.backend import Array

if TYPE_CHECKING:
    from glassnet.function import Function
    from glassnet.tensor import Tensor


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum a broadcast gradient back to `shape`: the one place broadcasting is undone.

    If y = broadcast(x), then dL/dx sums dL/dy over every axis that broadcasting
    added (leading axes) or stretched (axes where x has size 1).
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(
        axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1
    )
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def topological_order(root: Function) -> list[Function]:
    """Nodes reachable from `root`, each before every node it depends on."""
    order: list[Function] = []
    visited: set[Function] = set()  # nodes hash by identity
    stack: list[tuple[Function, bool]] = [(root, False)]
    push, pop, mark = stack.append, stack.pop, visited.add
    while stack:
        node, expanded = pop()
        if expanded:
            order.append(node)  # post-order: after everything it depends on
            continue
        if node in visited:  # marked when expanded, not when pushed: a node pushed early
            continue  # may be reached again deeper down and must be ordered after that user
        mark(node)
        push((node, True))
        for parent in node.inputs:
            if parent is not None:
                ctx = parent._ctx
                if ctx is not None and ctx not in visited:
                    push((ctx, False))
    order.reverse()
    return order


def run_backward(root: Tensor, grad: Array, retain_graph: bool) -> None:
    """Propagate `grad` (dL/droot) to every leaf that requires grad."""
    start = root._ctx
    if start is None:
        root._accumulate(grad)
        return
    pending: dict[Function, list[Any]] = {start: [None] * start.n_outputs}
    pending[start][root._out_index] = grad
    for node in topological_order(start):
        output_grads = pending.pop(node, None)
        if output_grads is None:
            continue
        if node.released:
            raise RuntimeError(
                f"backward through {type(node).__name__} a second time: its saved arrays were freed "
                "by the first backward; pass retain_graph=True to the first call if you need two"
            )
        if node._output_hooks:
            output_grads = node.run_output_hooks(output_grads)
        input_grads = node.call_backward(output_grads)
        fresh = node.fresh_grads
        for tensor, input_grad in zip(node.inputs, input_grads):
            if input_grad is None or tensor is None or not tensor._requires_grad:
                continue
            data = tensor.data
            if input_grad.shape != data.shape:
                input_grad = unbroadcast(input_grad, data.shape)
            if input_grad.dtype != data.dtype:
                input_grad = input_grad.astype(data.dtype)
            ctx = tensor._ctx
            if ctx is None:
                tensor._accumulate(input_grad, fresh)
                continue
            slots = pending.get(ctx)
            if slots is None:
                slots = pending[ctx] = [None] * ctx.n_outputs
            previous = slots[tensor._out_index]
            slots[tensor._out_index] = input_grad if previous is None else previous + input_grad
        if not retain_graph:
            node.release()
