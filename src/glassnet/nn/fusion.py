"""Folding BatchNorm into the convolution before it, for inference (PyTorch's `nn.utils.fusion`).

In eval mode a BatchNorm layer is an affine map per channel,
y = (x - running_mean) * s + beta with s = gamma / sqrt(running_var + eps). When x is a
convolution's output, x = W * input + b, the two collapse into one convolution:

    W' = W * s   (each output channel's filter scaled by its s)
    b' = (b - running_mean) * s + beta

The BatchNorm's two passes over its activations disappear (the bias add happens inside
the convolution, on blocks that are still in cache). The fused model computes the same
function up to rounding, but only in eval mode: training needs the batch statistics, so
fuse a copy for inference and keep training the original.

- `fuse_conv_bn_weights`, `fuse_conv_bn_eval`: PyTorch's functions, same arguments.
- `fuse_conv_bn(model, *example_inputs)`: every conv -> BN pair of a model, found by
  running the model once (PyTorch's `torch.fx` fuse finds them by symbolic tracing).
  A pair is folded only when the BatchNorm is the sole consumer of the conv's output in
  the recorded graph, each layer runs once per forward, and the fused copy reproduces
  the original's outputs on the example inputs.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from glassnet.autograd import topological_order
from glassnet.grad_mode import enable_grad, no_grad
from glassnet.nn.conv import _ConvNd
from glassnet.nn.linear import Identity
from glassnet.nn.module import Module
from glassnet.nn.normalization import _BatchNorm
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor

__all__ = ["fuse_conv_bn", "fuse_conv_bn_eval", "fuse_conv_bn_weights"]


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """(W', b') with W' = W * s and b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps).

    transpose=True is for a transposed convolution, whose weight holds the output channels
    in dim 1. Results keep the conv's dtypes and requires_grad flags, as in PyTorch (a bias made
    from nothing does not require grad).
    """
    weight = conv_w.data
    channels = bn_rm.data.shape[0]
    xp_zeros = bn_rm.data * 0
    bias = conv_b.data if conv_b is not None else xp_zeros
    gamma = bn_w.data if bn_w is not None else xp_zeros + 1
    beta = bn_b.data if bn_b is not None else xp_zeros
    if weight.shape[1 if transpose else 0] != channels:
        raise ValueError(
            f"fuse_conv_bn_weights: the conv has {weight.shape[1 if transpose else 0]} output channels "
            f"(weight shape {weight.shape}) but the BatchNorm has {channels}"
        )
    rsqrt = 1.0 / (bn_rv.data + bn_eps) ** 0.5
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (weight.ndim - 2)
    fused_w = (weight * (gamma * rsqrt).reshape(shape)).astype(weight.dtype)
    bias_dtype = conv_b.data.dtype if conv_b is not None else weight.dtype
    fused_b = ((bias - bn_rm.data) * rsqrt * gamma + beta).astype(bias_dtype)
    return (
        Parameter(fused_w, requires_grad=conv_w.requires_grad),
        Parameter(fused_b, requires_grad=conv_b.requires_grad if conv_b is not None else False),
    )


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of `conv` that computes bn(conv(x)) of the two eval-mode layers in one convolution."""
    if conv.training or bn.training:
        raise RuntimeError(
            f"fuse_conv_bn_eval: fusion only for eval! Call .eval() first "
            f"(conv.training={conv.training}, bn.training={bn.training})"
        )
    if getattr(bn, "running_mean", None) is None or getattr(bn, "running_var", None) is None:
        raise ValueError(
            f"fuse_conv_bn_eval: {type(bn).__name__} has no running statistics "
            "(track_running_stats=False uses batch statistics even in eval mode), so it cannot fold"
        )
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        conv.weight,
        conv.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
        transpose,
    )
    return fused


def fuse_conv_bn(
    model: Module, *example_inputs: Any, inplace: bool = False, rtol: float = 1e-3
) -> Module:
    """Fold every BatchNorm that directly follows a convolution into it (eval-mode models only).

    Runs the model once on `example_inputs` to see which layer feeds which; each folded
    BatchNorm becomes an `Identity`. Returns the fused copy (or `model` itself with
    inplace=True). Raises if the fused model's outputs on the examples differ from the
    original's by more than `rtol` of their largest magnitude: a use of a conv's output
    that the graph does not record (`.detach()`, `.numpy()`, comparisons) would do that.
    """
    if model.training:
        raise RuntimeError(
            "fuse_conv_bn: fusion only for eval! Call model.eval() first (the fused model has no "
            "BatchNorm layers left to train)"
        )
    if not example_inputs:
        raise ValueError(
            "fuse_conv_bn: pass at least one example input, e.g. fuse_conv_bn(model, "
            "glassnet.randn(1, 3, 32, 32)): the model is run once to see which layer feeds which"
        )
    target = model if inplace else copy.deepcopy(model)
    inputs = [
        Tensor(x.data.copy(), requires_grad=True)
        if isinstance(x, Tensor) and x.dtype.kind == "f"
        else x
        for x in example_inputs
    ]
    calls, outputs = _record(target, inputs)
    reference = [out.data.copy() for out in outputs]
    for conv, bn in _foldable_pairs(calls, _uses(outputs)):
        conv.weight, conv.bias = fuse_conv_bn_weights(
            conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
        )
        _replace(target, bn, Identity())
    with no_grad():
        fused = [out.data for out in _flat_tensors(target(*example_inputs))]
    _check_same_outputs(fused, reference, rtol)
    return target


def _foldable_pairs(calls: dict, uses: dict[int, int]) -> list[tuple[Module, Module]]:
    """(conv, BatchNorm) where the BatchNorm's input is that conv's output and nothing else's."""
    producer = {
        id(out): module for module, (_, out) in calls.items() if isinstance(module, _ConvNd)
    }
    pairs = []
    for module, (bn_input, _) in calls.items():
        conv = producer.get(id(bn_input))
        if (
            isinstance(module, _BatchNorm)
            and conv is not None
            and uses[id(bn_input)] == 1
            and module.running_mean is not None
            and type(conv)._dims == len(bn_input.shape) - 2
        ):
            pairs.append((conv, module))
    return pairs


def _check_same_outputs(fused: list, reference: list, rtol: float) -> None:
    for index, (got, want) in enumerate(zip(fused, reference)):
        scale = float(abs(want).max()) if want.size else 0.0
        if got.shape != want.shape or float(abs(got - want).max(initial=0.0)) > rtol * max(
            scale, 1e-12
        ):
            raise RuntimeError(
                f"fuse_conv_bn: the fused model's output {index} differs from the original's "
                f"(max |difference| {float(abs(got - want).max()):.3g}, largest |value| {scale:.3g}): "
                "a conv output is probably used outside the recorded graph (detach, numpy, a "
                "comparison); fuse those layers by hand with fuse_conv_bn_eval"
            )


def _flat_tensors(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _flat_tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _flat_tensors(item)]
    return []


def _record(
    model: Module, inputs: list[Any]
) -> tuple[dict[Module, tuple[Tensor, Tensor]], list[Tensor]]:
    """One forward with the graph recorded: (input, output) of each conv and BN called exactly once."""
    seen: dict[Module, list[tuple[Any, Any]]] = defaultdict(list)

    def hook(module: Module, args: tuple[Any, ...], output: Any) -> None:
        seen[module].append((args[0] if args else None, output))

    handles = [
        module.register_forward_hook(hook)
        for module in model.modules()
        if isinstance(module, (_ConvNd, _BatchNorm))
    ]
    try:
        with enable_grad():
            outputs = _flat_tensors(model(*inputs))
    finally:
        for handle in handles:
            handle.remove()
    calls = {
        module: records[0]
        for module, records in seen.items()
        if len(records) == 1
        and isinstance(records[0][0], Tensor)
        and isinstance(records[0][1], Tensor)
    }
    return calls, outputs


def _uses(outputs: list[Tensor]) -> dict[int, int]:
    """How many graph nodes (and model outputs) read each tensor, by id."""
    nodes: dict[int, Any] = {}
    for out in outputs:
        if out._ctx is not None:
            nodes.update((id(node), node) for node in topological_order(out._ctx))
    uses: dict[int, int] = defaultdict(int)
    for out in outputs:
        uses[id(out)] += 1
    for node in nodes.values():
        for tensor in node.inputs:
            if tensor is not None:
                uses[id(tensor)] += 1
    return uses


def _replace(root: Module, old: Module, new: Module) -> None:
    """Put `new` wherever `old` is registered as a submodule."""
    for module in root.modules(remove_duplicate=False):
        for name, child in list(module._modules.items()):
            if child is old:
                setattr(module, name, new)
