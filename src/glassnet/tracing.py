"""Tracing one forward pass: a record per module call, and the graph nodes each call made.

`summary()` and the module-level drawing both need, for one forward pass, which module
was called (in what order, inside which other call) with which tensors, and what it
returned. Forward pre-hooks and forward hooks on every module record that; the hooks are
removed again however the forward ends.

Which `Function` nodes of the autograd graph belong to which call ("attribution"): a call
owns every node reachable backward from its outputs without crossing one of its inputs
or a node that another call already owns. Calls are visited in the order they finish,
inner before outer, so each node goes to the innermost call that made it; the ops a
container runs itself (the residual `out + x` of a ResNet block, a `flatten`) go to the
container.

The pass runs in eval mode by default (mode='eval': no dropout, BatchNorm reads its
running statistics) with grad mode on, so the graph is recorded; every module's training
flag and every buffer (running statistics, counters) are restored afterwards, so tracing
leaves the model as it found it.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy

from glassnet import dtypes
from glassnet.grad_mode import enable_grad
from glassnet.nn.layer_args import describe
from glassnet.nn.module import Module
from glassnet.tensor import Tensor

if TYPE_CHECKING:
    from glassnet.function import Function

MODES = ("eval", "train", "same")


class TraceError(ValueError):
    """The forward pass failed; the message names the innermost layer that was running."""


@dataclass(eq=False)
class Call:
    """One call of one module during the traced forward pass."""

    index: int  # order of entry: a parent before its children
    name: str  # dotted path in the model, '' for the model itself
    module: Module
    depth: int  # 0 for the model itself
    parent: Call | None
    repeat: int  # earlier calls of the same module object (0 for its first call)
    inputs: list[Tensor]
    children: list[Call] = field(default_factory=list)
    output: Any = None
    outputs: list[Tensor] = field(default_factory=list)
    exit_index: int = -1
    nodes: list[Function] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        """No module call happened inside this one."""
        return not self.children

    @property
    def label(self) -> str:
        """'conv1', 'layer1.0' or the class name for the model; '#2' marks a second call."""
        text = self.name or type(self.module).__name__
        return text if self.repeat == 0 else f"{text} #{self.repeat + 1}"


@dataclass
class Trace:
    """The calls of one forward pass (entry order), its inputs and its output."""

    model: Module
    calls: list[Call]
    inputs: list[Tensor]
    output: Any

    @property
    def outputs(self) -> list[Tensor]:
        return list(flatten_tensors(self.output))


def flatten_tensors(value: Any) -> Iterator[Tensor]:
    """Every Tensor inside nested tuples, lists and dicts, in order."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from flatten_tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from flatten_tensors(item)


def _shapes(tensors: Sequence[Tensor]) -> str:
    return ", ".join(str(tuple(t.shape)) for t in tensors) or "no tensors"


def make_inputs(
    input_size: Sequence[Any], batch_size: int = 1, dtype: Any = None, where: str = "summary"
) -> list[Tensor]:
    """One tensor per input shape, with a batch dim of `batch_size` in front.

    `input_size` is one shape (3, 32, 32) or a sequence of shapes, without the batch dim.
    Float inputs are standard normal from a fixed local generator (the global seed is not
    touched) and require grad, so the graph is recorded even for a frozen model; integer
    inputs (token ids) are zeros.
    """
    if (
        isinstance(input_size, (int, numpy.integer))
        or not isinstance(input_size, Sequence)
        or not input_size
    ):
        raise ValueError(
            f"{where}: input_size must be a shape such as (3, 32, 32) or a list of shapes, "
            f"got {input_size!r}"
        )
    shapes = (
        [input_size]
        if all(isinstance(n, (int, numpy.integer)) for n in input_size)
        else list(input_size)
    )
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, numpy.integer))
        or batch_size < 1
    ):
        raise ValueError(f"{where}: batch_size must be a positive int, got {batch_size!r}")
    types = list(dtype) if isinstance(dtype, (list, tuple)) else [dtype] * len(shapes)
    if len(types) != len(shapes):
        raise ValueError(f"{where}: {len(types)} dtypes for {len(shapes)} input shapes")
    generator = numpy.random.default_rng(0)
    tensors = []
    for position, (shape, kind) in enumerate(zip(shapes, types)):
        if not isinstance(shape, Sequence) or not all(
            isinstance(n, (int, numpy.integer)) and not isinstance(n, bool) and n >= 1
            for n in shape
        ):
            raise ValueError(
                f"{where}: input shape {position} must be positive ints without the batch dim, "
                f"e.g. (3, 32, 32); got {shape!r}"
            )
        wanted = dtypes.get_default_dtype() if kind is None else dtypes.as_dtype(kind, where)
        full = (int(batch_size), *(int(n) for n in shape))
        if wanted.kind == "f":
            tensors.append(
                Tensor(generator.standard_normal(full).astype(wanted), requires_grad=True)
            )
        else:
            tensors.append(Tensor(numpy.zeros(full, dtype=wanted)))
    return tensors


def as_input_list(input_data: Any) -> list[Any]:
    """A Tensor, or a tuple/list of positional arguments, as the list of arguments to call the model with."""
    if isinstance(input_data, (tuple, list)):
        return list(input_data)
    return [input_data]


@contextlib.contextmanager
def module_state_kept(model: Module, mode: str) -> Iterator[None]:
    """Run the body in `mode` ('train', 'eval' or 'same': as the model is); afterwards every
    module's training flag and buffer values (BatchNorm's running statistics) are as before."""
    modules = list(model.modules())
    flags = [module.training for module in modules]
    buffers = [
        (module, name, buffer.data.copy())
        for module in modules
        for name, buffer in module._buffers.items()
        if buffer is not None
    ]
    try:
        if mode != "same":
            model.train(mode == "train")
        yield
    finally:
        for module, flag in zip(modules, flags):
            module.training = flag
        for module, name, saved in buffers:
            current = module._buffers.get(name)
            if current is not None and current.data.shape == saved.shape:
                current.data[...] = saved


def trace(model: Module, args: Sequence[Any], mode: str = "eval") -> Trace:
    """Call `model(*args)` once with hooks on every module; return the calls in entry order."""
    if not isinstance(model, Module):
        raise TypeError(f"expected a glassnet.nn.Module, got {type(model).__name__}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    names = {id(module): name for name, module in model.named_modules()}
    calls: list[Call] = []
    stack: list[Call] = []
    counts: dict[int, int] = {}
    exits = itertools.count()

    def enter(module: Module, call_args: tuple[Any, ...], call_kwargs: dict[str, Any]) -> None:
        parent = stack[-1] if stack else None
        repeat = counts.get(id(module), 0)
        counts[id(module)] = repeat + 1
        call = Call(
            len(calls),
            names.get(id(module), "?"),
            module,
            0 if parent is None else parent.depth + 1,
            parent,
            repeat,
            list(flatten_tensors((call_args, call_kwargs))),
        )
        if parent is not None:
            parent.children.append(call)
        calls.append(call)
        stack.append(call)

    def leave(
        module: Module, call_args: tuple[Any, ...], call_kwargs: dict[str, Any], output: Any
    ) -> None:
        call = stack.pop()
        call.output, call.outputs, call.exit_index = (
            output,
            list(flatten_tensors(output)),
            next(exits),
        )

    handles = []
    try:
        with module_state_kept(model, mode):
            for module in model.modules():
                handles.append(module.register_forward_pre_hook(enter, with_kwargs=True))
                handles.append(module.register_forward_hook(leave, with_kwargs=True))
            with enable_grad():
                try:
                    output = model(*args)
                except Exception as error:
                    failing = stack[-1] if stack else None
                    raise TraceError(_failure(model, failing, args, error)) from error
    finally:
        for handle in handles:
            handle.remove()
    inputs = list(flatten_tensors(list(args)))
    return Trace(model, calls, inputs, output)


def _failure(model: Module, call: Call | None, args: Sequence[Any], error: Exception) -> str:
    reason = " ".join(str(error).splitlines()) or type(error).__name__
    if call is None or call.depth == 0:
        where = f"{type(model).__name__}.forward"
        shapes = _shapes(list(flatten_tensors(list(args))))
    else:
        where = f"layer '{call.label}' ({describe(call.module)})"
        shapes = _shapes(call.inputs)
    return f"forward pass failed in {where}, called with input shape(s) {shapes}: {reason}"


def attribute_nodes(calls: Sequence[Call]) -> dict[int, Call]:
    """Give each graph node made during the pass to the innermost call that made it (see the module doc).

    Fills `call.nodes` and returns {id(node): call}.
    """
    owner: dict[int, Call] = {}
    for call in sorted(calls, key=lambda c: c.exit_index):
        boundary = {id(tensor) for tensor in call.inputs}
        stack = [t._ctx for t in call.outputs if t._ctx is not None and id(t) not in boundary]
        visited: set[int] = set()
        while stack:  # through the inner calls' nodes too: the container's own ops lie behind them
            node = stack.pop()
            if id(node) in visited:
                continue
            visited.add(id(node))
            if id(node) not in owner:
                owner[id(node)] = call
                call.nodes.append(node)
            for tensor in node.inputs:
                if tensor is not None and tensor._ctx is not None and id(tensor) not in boundary:
                    stack.append(tensor._ctx)
    return owner


def forward_order(roots: Sequence[Tensor]) -> list[Function]:
    """Every node behind `roots`, each after all the nodes it reads from (no recursion)."""
    from glassnet.autograd import topological_order

    order: list[Function] = []
    seen: set[int] = set()
    for root in roots:
        if root._ctx is None or id(root._ctx) in seen:
            continue
        for node in reversed(topological_order(root._ctx)):
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
    return order
