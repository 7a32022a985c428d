"""What a layer costs and what it sees: MACs per module call, receptive field per tensor.

MACs (multiply-accumulates) count the products of weights with inputs, for the whole
batch, nothing else:

    Conv1d/Conv2d   out_elements * (in_channels / groups) * prod(kernel_size)
    Linear          out_elements * in_features   (= rows * out_features * in_features)
    RNN/LSTM/GRU    batch * seq_len * sum(numel(weight_ih_*) + numel(weight_hh_*))
                    (every gate of every layer and direction: one product per weight)
    RNN/LSTM/GRU cells: batch * (numel(weight_ih) + numel(weight_hh))
    ConvTranspose1d/2d  in_elements * (out_channels / groups) * prod(kernel_size)
    MultiheadAttention  the q, k, v projections (N L E^2 + N S E kdim + N S E vdim) and the
                    two attention products N L S E (Q K^T and A V); out_proj is its child Linear

Biases, normalisation, activations, pooling, dropout and embeddings count 0: their work
is a few operations per output element, small next to the products (torchinfo also
counts bias and normalisation parameters as mult-adds; here only the products count).
So for convolutions and linear layers FLOPs = 2 * MACs exactly as
`torch.utils.flop_counter.FlopCounterMode` counts them. A layer of another type that
holds parameters has no known count (None); `register_macs` adds a rule.

Receptive field r and jump j per spatial axis follow `glassnet.shape.receptive_field_step`
through the recorded graph: a convolution or pool maps (r, j) to (r + d(k-1) j, j s);
ops that keep the spatial size (activations, BatchNorm, the residual add, channel
concatenation, the channel shuffle, padding) keep the largest r of their spatial inputs,
provided their jumps agree; strided slicing x[..., ::2, ::2] multiplies j by the step.
Anything else (flatten, linear, adaptive pooling to a smaller size, recurrent layers)
leaves the field undefined from there on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from glassnet.nn.activation import PReLU
from glassnet.nn.attention import MultiheadAttention
from glassnet.nn.conv import Conv1d, Conv2d
from glassnet.nn.conv_transpose import ConvTranspose1d, ConvTranspose2d
from glassnet.nn.instancenorm import _InstanceNorm
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import GroupNorm, LayerNorm, _BatchNorm
from glassnet.nn.sparse import Embedding
from glassnet.shape import receptive_field_step
from glassnet.tensor import Tensor

if TYPE_CHECKING:
    from glassnet.function import Function

MacsRule = Callable[[Module, Sequence[Tensor], Sequence[Tensor]], int]
Field = tuple[tuple[int, ...], tuple[int, ...]]  # (receptive field, jump) per spatial axis


# -- MACs ---------------------------------------------------------------------------------
def _conv_macs(module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> int:
    return (
        outputs[0].numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    )


def _linear_macs(module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> int:
    return outputs[0].numel() * module.in_features


def _recurrent_weights(module: Module) -> int:
    return sum(
        p.numel()
        for name, p in module.named_parameters(recurse=False)
        if name.startswith("weight_")
    )


def _rnn_macs(module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> int:
    shape = inputs[0].shape
    if len(shape) == 3:  # (L, N, F) or batch first (N, L, F)
        steps = shape[0] * shape[1]
    else:  # unbatched (L, F)
        steps = shape[0]
    return steps * _recurrent_weights(module)


def _cell_macs(module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> int:
    batch = inputs[0].shape[0] if inputs[0].ndim == 2 else 1
    return batch * _recurrent_weights(module)


def _conv_transpose_macs(
    module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]
) -> int:
    """Every input element times every weight of its channel: the transpose of conv's count."""
    per_input = (module.out_channels // module.groups) * math.prod(module.kernel_size)
    return inputs[0].numel() * per_input


def _attention_macs(module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> int:
    query, key = inputs[0], inputs[1]
    width = module.embed_dim
    queries = query.numel() // query.shape[-1]  # N L (or L unbatched)
    keys = key.numel() // key.shape[-1]  # N S
    batch = 1 if query.ndim == 2 else query.shape[0 if module.batch_first else 1]
    sources = keys // batch
    projections = queries * width * width + keys * width * (module.kdim + module.vdim)
    return projections + 2 * queries * sources * width


MACS_RULES: dict[type, MacsRule] = {
    Conv1d: _conv_macs,
    Conv2d: _conv_macs,
    Linear: _linear_macs,
    ConvTranspose1d: _conv_transpose_macs,
    ConvTranspose2d: _conv_transpose_macs,
    MultiheadAttention: _attention_macs,
}
# the recurrent bases by name: a model holding one has imported them, and others need not
_RECURRENT_RULES: dict[tuple[str, str], MacsRule] = {
    ("glassnet.nn.recurrent", "RNNBase"): _rnn_macs,
    ("glassnet.nn.recurrent_cell", "RNNCellBase"): _cell_macs,
}


def register_macs(module_type: type, rule: MacsRule) -> None:
    """Count MACs of `module_type` (and subclasses) as rule(module, input_tensors, output_tensors)."""
    if not (isinstance(module_type, type) and issubclass(module_type, Module)):
        raise TypeError(
            f"register_macs: module_type must be a Module subclass, got {module_type!r}"
        )
    if not callable(rule):
        raise TypeError(f"register_macs: rule must be callable, got {type(rule).__name__}")
    MACS_RULES[module_type] = rule


def call_macs(module: Module, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> int | None:
    """MACs of one call of `module` itself (not its children); None when there is no rule for a
    module that holds parameters of its own."""
    for cls in type(module).__mro__:
        rule = MACS_RULES.get(cls) or _RECURRENT_RULES.get((cls.__module__, cls.__name__))
        if rule is not None:
            return int(rule(module, inputs, outputs)) if inputs and outputs else 0
    has_weights = any(True for _ in module.named_parameters(recurse=False))
    return None if has_weights and not _weightless_kind(module) else 0


# layers whose parameters scale, shift or look up rather than multiply-accumulate: counted as 0
WEIGHTLESS: tuple[type, ...] = (
    _BatchNorm,
    LayerNorm,
    GroupNorm,
    Embedding,
    PReLU,
    _InstanceNorm,
)


def _weightless_kind(module: Module) -> bool:
    return isinstance(module, WEIGHTLESS)


# -- receptive fields ---------------------------------------------------------------------
NEUTRAL = "neutral"  # a parameter or constant: no spatial position of its own
_WINDOWS = ("Convolution", "MaxPool", "AvgPool")
_ADAPTIVE = ("AdaptiveAvgPool", "AdaptiveMaxPool")
_MIXING = ("Linear", "MatMul", "LSTMLayer", "GRULayer", "RNNLayer", "Embedding")


def _node_shapes(
    order: Sequence[Function], roots: Sequence[Tensor]
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Output shape of every (node, output index) that some tensor shows."""
    shapes: dict[tuple[int, int], tuple[int, ...]] = {}
    for node in order:
        for index, meta in enumerate(getattr(node, "output_meta", ()) or ()):
            shapes[(id(node), index)] = tuple(meta[0])
        for tensor in node.inputs:
            if tensor is not None and tensor._ctx is not None:
                shapes[(id(tensor._ctx), tensor._out_index)] = tuple(tensor.shape)
    for tensor in roots:
        if tensor._ctx is not None:
            shapes[(id(tensor._ctx), tensor._out_index)] = tuple(tensor.shape)
    return shapes


def tensor_key(tensor: Tensor) -> Any:
    return (id(tensor._ctx), tensor._out_index) if tensor._ctx is not None else id(tensor)


def receptive_fields(
    order: Sequence[Function], roots: Sequence[Tensor], inputs: Sequence[Tensor]
) -> dict[Any, Any]:
    """(receptive field, jump) per tensor key (see `tensor_key`), None where undefined.

    `order` is the graph in forward order; `inputs` are the model inputs: a batched
    input of rank 2 + s starts with r = j = 1 on its s spatial axes, rank 2 or less has none.
    """
    fields: dict[Any, Any] = {}
    for tensor in inputs:  # an input made by earlier ops is still where the fields start
        spatial = tensor.ndim - 2
        fields[tensor_key(tensor)] = ((1,) * spatial, (1,) * spatial) if spatial >= 1 else None
    starts = set(fields)
    shapes = _node_shapes(order, roots)
    for node in order:
        values = []
        for tensor in node.inputs:
            if tensor is None:
                continue
            key = tensor_key(tensor)
            values.append(
                (tensor, fields.get(key, NEUTRAL) if tensor._ctx is None else fields.get(key))
            )
        for index in range(node.n_outputs):
            if (id(node), index) not in starts:
                fields[(id(node), index)] = _node_field(
                    node, index, values, shapes.get((id(node), index))
                )
    return fields


def _node_field(
    node: Function, index: int, values: list[tuple[Tensor, Any]], out_shape: tuple[int, ...] | None
) -> Any:
    name = type(node).__name__
    spatial = [(tensor, value) for tensor, value in values if value is not NEUTRAL]
    if not spatial:
        return NEUTRAL
    if name == "HookIdentity":  # output i is input i
        spatial = [values[index]] if values[index][1] is not NEUTRAL else []
        return spatial[0][1] if spatial else NEUTRAL
    if any(value is None for _, value in spatial) or out_shape is None or name in _MIXING:
        return None
    (first, (rf, jump)) = spatial[0]
    dims = len(rf)
    if name in _WINDOWS or name in _ADAPTIVE:
        g = getattr(node, "geometry", None)
        if g is None or dims > 2 or first is not values[0][0]:
            return None
        if name in _ADAPTIVE:
            same = (g.out_height, g.out_width)[-dims:] == (g.height, g.width)[-dims:]
            return (rf, jump) if same else None
        steps = [
            receptive_field_step(r, j, k, s, d)
            for r, j, k, s, d in zip(
                rf, jump, g.kernel[-dims:], g.stride[-dims:], g.dilation[-dims:]
            )
        ]
        return tuple(r for r, _ in steps), tuple(j for _, j in steps)
    if name == "Index":
        return _index_field(node, first, rf, jump)
    if name == "Pad":  # a shift of positions: the field and the jump stay
        return rf, jump
    if (
        any(
            tuple(tensor.shape[-dims:]) != tuple(out_shape[-dims:]) or len(value[0]) != dims
            for tensor, value in spatial
        )
        or len(out_shape) < dims
    ):
        return None
    if len({value[1] for _, value in spatial}) != 1:
        return None
    return tuple(max(value[0][axis] for _, value in spatial) for axis in range(dims)), jump


def _index_field(node: Function, tensor: Tensor, rf: tuple[int, ...], jump: tuple[int, ...]) -> Any:
    """x[key] with plain slices on the spatial axes: the field stays, the jump grows by the step."""
    key = node.saved[0] if node.saved else None
    key = key if isinstance(key, tuple) else (key,)
    if any(
        item is None or not isinstance(item, (slice, int, type(Ellipsis))) or isinstance(item, bool)
        for item in key
    ):
        return None
    if key.count(Ellipsis) > 1:
        return None
    if Ellipsis in key:
        at = key.index(Ellipsis)
        key = key[:at] + (slice(None),) * (tensor.ndim - len(key) + 1) + key[at + 1 :]
    key = key + (slice(None),) * (tensor.ndim - len(key))
    dims = len(rf)
    steps = []
    for item in key[-dims:]:
        if not isinstance(item, slice) or (item.step is not None and item.step < 1):
            return None
        steps.append(item.step or 1)
    return rf, tuple(j * s for j, s in zip(jump, steps))
