"""Channel pruning: filters removed for real, giving a smaller dense model (Li et al. 2017; Liu et al. 2017).

    small, report = prune_channels(model, 0.5, criterion="l1")

For each coupled group (`channel_groups.find_groups`) the channels are ranked and the
lowest `fraction` of them removed (at least one kept), in every layer of the group:
the producers' filters and BatchNorm entries, the depthwise convs' filters, the consumers'
input channels (a Linear after Flatten loses `spatial` features per channel). A group that
a grouped conv produces or consumes loses the same number of channels from each of its
equal blocks (`Group.blocks`), so that every conv group keeps the same width.

Ranking (`criterion`):
    l1        Li et al. 2017: s_c = sum over the group's producers of ||W[c]||_1 (the filter's
              absolute sum), the weakest filters go.
    slimming  Liu et al. 2017 (network slimming): s_c = sum of |gamma_c| over the producers'
              BatchNorms; train with `SlimmingPenalty(lam)` first (L1 on the gammas,
              lam * sign(gamma) added to their gradients) so that many gammas go to ~0.
The fraction applies per group by default (every layer stays alive and the FLOP cut is
predictable); scope="global" ranks all channels together with one threshold, as the slimming
paper does (one channel of every group is always kept). keep_residual=True leaves the
residual streams whole and prunes only the channels inside the blocks (each block's first
conv), Li et al. 2017's choice for ResNets ("we only prune the first layer of each residual
block"): a cut stream channel is lost for every block at once.

`mask_channels` zeroes the same channels in place of removing them (BN gamma and beta = 0, so
those channels are exactly 0 after BatchNorm): before fine-tuning, the pruned model and the
masked one compute the same function. The pruned model saves as an ordinary state dict
(`glassnet.save(small.state_dict(), path)`); `shrink_to(base_model, state)` rebuilds the
smaller architecture from a fresh model and a saved state dict, ready for load_state_dict.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.compress.channel_groups import Group, find_groups, is_depthwise
from glassnet.compress.prune import CompressionError
from glassnet.compress.swap import set_submodule
from glassnet.models.resnet_cifar import CifarBasicBlock, ZeroPadShortcut
from glassnet.nn.conv import Conv2d
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm2d
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor
from glassnet.train.callbacks.base import Callback

CRITERIA = ("l1", "slimming")
SCOPES = ("group", "global")


@dataclass
class ChannelPlan:
    """The positions removed from each layer: outputs (conv, BN) and inputs (conv, Linear)."""

    out: dict[str, set[int]]
    inp: dict[str, set[int]]
    spatial: dict[str, int]
    removed: int
    total: int


def _scores(model: Module, group: Group, criterion: str) -> np.ndarray:
    idx = np.asarray(group.channels)
    total = np.zeros(len(idx))
    for conv_name, bn_name in group.producers:
        if criterion == "l1":
            w = model.get_submodule(conv_name).weight.data
            total += np.abs(w[idx]).reshape(len(idx), -1).sum(axis=1)
        else:
            if bn_name is None:
                raise CompressionError(
                    f"channel pruning: criterion 'slimming' needs a BatchNorm after '{conv_name}'"
                )
            total += np.abs(model.get_submodule(bn_name).weight.data[idx])
    return total


def _dropped_evenly(group: Group, scores: np.ndarray, fraction: float) -> set[int]:
    """The lowest-ranked `fraction` of each of the group's `blocks` equal blocks (>= 1 kept in each)."""
    size = len(scores) // group.blocks
    n = size - max(1, int(round((1 - fraction) * size)))
    gone = set()
    for start in range(0, len(scores), size):
        order = np.argsort(scores[start : start + size], kind="stable")[:n]
        gone |= {group.channels[start + i] for i in order}
    return gone


def _dropped(
    groups: list[Group], scores: list[np.ndarray], fraction: float, scope: str
) -> list[set[int]]:
    """Per group, the channel positions to remove (at least one channel of every group stays)."""
    if scope == "group":
        return [_dropped_evenly(g, s, fraction) for g, s in zip(groups, scores)]
    grouped = [g.producers[0][0] for g in groups if g.blocks > 1]
    if grouped:
        raise CompressionError(
            f"channel pruning: scope 'global' cannot keep the groups of a grouped conv even "
            f"(channels of {grouped[0]!r} feed or come from one); use scope 'group'"
        )
    # global: one threshold over every channel's score per producer (Liu et al.'s percentile)
    flat = [
        (float(s[i]) / len(g.producers), k, i)
        for k, (g, s) in enumerate(zip(groups, scores))
        for i in range(len(s))
    ]
    budget = int(round(fraction * len(flat)))
    left = [len(s) for s in scores]
    gone: list[set[int]] = [set() for _ in groups]
    for _, k, i in sorted(flat):
        if budget == 0:
            break
        if left[k] > 1:
            gone[k].add(groups[k].channels[i])
            left[k] -= 1
            budget -= 1
    return gone


def plan_channels(
    model: Module,
    fraction: float,
    criterion: str = "l1",
    scope: str = "group",
    keep_residual: bool = False,
) -> ChannelPlan:
    """Which channels `prune_channels`/`mask_channels` remove: the lowest-ranked `fraction`.

    scope "group": that share of every coupled group; "global": that share of all channels,
    ranked together by score per producer (network slimming's single threshold; only
    meaningful for comparable scores, i.e. criterion "slimming").
    """
    if not 0 <= fraction < 1:
        raise CompressionError(f"channel pruning: fraction must be in [0, 1), got {fraction!r}")
    if criterion not in CRITERIA:
        raise CompressionError(
            f"channel pruning: criterion must be l1 or slimming, got {criterion!r}"
        )
    if scope not in SCOPES:
        raise CompressionError(f"channel pruning: scope must be group or global, got {scope!r}")
    groups = [g for g in find_groups(model) if not (keep_residual and g.residual)]
    scores = [_scores(model, group, criterion) for group in groups]
    plan = ChannelPlan({}, {}, {}, 0, 0)
    for group, group_scores, gone in zip(groups, scores, _dropped(groups, scores, fraction, scope)):
        plan.removed, plan.total = plan.removed + len(gone), plan.total + len(group_scores)
        for conv_name, bn_name in group.producers + group.passthrough:
            for name in (conv_name, bn_name):
                if name is not None:
                    plan.out.setdefault(name, set()).update(gone)
        for conv_name, _ in group.passthrough:
            plan.inp.setdefault(conv_name, set()).update(gone)
        for name, spatial in group.consumers:
            plan.inp.setdefault(name, set()).update(gone)
            plan.spatial[name] = spatial
    return plan


def _keep(size: int, gone: set[int], spatial: int = 1) -> np.ndarray:
    channels = [c for c in range(size // spatial) if c not in gone]
    return np.asarray([c * spatial + j for c in channels for j in range(spatial)], dtype=np.int64)


def _grouped_weight(conv: Conv2d, out: np.ndarray, inp: np.ndarray) -> np.ndarray:
    """Rows `out`; in each group's rows, the kept input channels of that group (local indices)."""
    g, width_out, width_in = (
        conv.groups,
        conv.out_channels // conv.groups,
        conv.in_channels // conv.groups,
    )
    rows = []
    for j in range(g):
        mine_out = out[(out >= j * width_out) & (out < (j + 1) * width_out)]
        mine_in = inp[(inp >= j * width_in) & (inp < (j + 1) * width_in)] - j * width_in
        if len(mine_out) != len(out) // g or len(mine_in) != len(inp) // g:
            raise CompressionError(
                f"channel pruning: a grouped conv (groups={g}) must keep the same number of "
                f"channels in every group; got {len(mine_out)} out of {len(out)} outputs and "
                f"{len(mine_in)} of {len(inp)} inputs in group {j}"
            )
        rows.append(conv.weight.data[mine_out][:, mine_in])
    return np.concatenate(rows)


def _conv(conv: Conv2d, out: np.ndarray, inp: np.ndarray) -> Conv2d:
    depthwise = is_depthwise(conv)
    groups = len(out) if depthwise else conv.groups
    if depthwise:
        weight = conv.weight.data[out]
    elif groups > 1:
        weight = _grouped_weight(conv, out, inp)
    else:
        weight = conv.weight.data[out][:, inp]
    new = Conv2d(
        len(inp), len(out), conv.kernel_size, conv.stride, conv.padding, conv.dilation, groups,
        conv.bias is not None, conv.padding_mode, dtype=conv.weight.data.dtype,
    )  # fmt: skip
    new.weight = Parameter(weight.copy())
    if conv.bias is not None:
        new.bias = Parameter(conv.bias.data[out].copy())
    return new


def _batchnorm(bn: BatchNorm2d, keep: np.ndarray) -> BatchNorm2d:
    new = copy.deepcopy(bn)
    new.num_features = len(keep)
    for name in ("weight", "bias"):
        if getattr(bn, name) is not None:
            setattr(new, name, Parameter(getattr(bn, name).data[keep].copy()))
    for name in ("running_mean", "running_var"):
        if getattr(bn, name) is not None:
            new.register_buffer(name, Tensor(getattr(bn, name).data[keep].copy()))
    return new


def _linear(layer: Linear, keep: np.ndarray) -> Linear:
    new = Linear(
        len(keep), layer.out_features, layer.bias is not None, dtype=layer.weight.data.dtype
    )
    new.weight = Parameter(layer.weight.data[:, keep].copy())
    if layer.bias is not None:
        new.bias = Parameter(layer.bias.data.copy())
    return new


def _fix_shortcuts(model: Module) -> None:
    for block in model.modules():
        if isinstance(block, CifarBasicBlock) and isinstance(block.downsample, ZeroPadShortcut):
            block.downsample.in_channels = block.conv1.in_channels
            block.downsample.out_channels = block.bn2.num_features


def apply_plan(model: Module, plan: ChannelPlan) -> Module:
    """A copy of `model` with the planned channels removed."""
    new = copy.deepcopy(model)
    for name in sorted(set(plan.out) | set(plan.inp)):
        module = model.get_submodule(name)
        gone_out, gone_in = plan.out.get(name, set()), plan.inp.get(name, set())
        if isinstance(module, Conv2d):
            replacement: Module = _conv(
                module, _keep(module.out_channels, gone_out), _keep(module.in_channels, gone_in)
            )
        elif isinstance(module, BatchNorm2d):
            replacement = _batchnorm(module, _keep(module.num_features, gone_out))
        elif isinstance(module, Linear):
            replacement = _linear(module, _keep(module.in_features, gone_in, plan.spatial[name]))
        else:
            raise CompressionError(f"channel pruning: cannot cut {name} ({type(module).__name__})")
        set_submodule(new, name, replacement)
    _fix_shortcuts(new)
    return new


def prune_channels(
    model: Module,
    fraction: float,
    criterion: str = "l1",
    scope: str = "group",
    keep_residual: bool = False,
) -> tuple[Module, ChannelPlan]:
    """(a smaller dense copy of `model`, the plan): `fraction` of each coupled group's channels removed."""
    plan = plan_channels(model, fraction, criterion, scope, keep_residual)
    return apply_plan(model, plan), plan


def mask_channels(model: Module, plan: ChannelPlan) -> Module:
    """A copy of `model` with the planned channels zeroed after BatchNorm (filters and gamma, beta = 0)."""
    new = copy.deepcopy(model)
    for name, gone in plan.out.items():
        module = new.get_submodule(name)
        idx = np.asarray(sorted(gone), dtype=np.int64)
        for tensor in (module.weight, module.bias):
            if tensor is not None:
                tensor.data[idx] = 0
    return new


def weight_shapes(model: Module) -> dict[str, list[int]]:
    """name -> weight shape of every Conv2d, BatchNorm2d and Linear (what `shrink_to` needs)."""
    return {
        name: list(m.weight.shape)
        for name, m in model.named_modules()
        if isinstance(m, (Conv2d, BatchNorm2d, Linear)) and m.weight is not None
    }


def _first_of_each(size: int, blocks: int, keep: int) -> np.ndarray:
    """The first keep/blocks positions of each of `blocks` equal blocks of range(size)."""
    width = size // blocks
    return np.concatenate([np.arange(j * width, j * width + keep // blocks) for j in range(blocks)])


def shrink_to(model: Module, state: dict[str, Any]) -> Module:
    """Rebuild `model` (a fresh instance of the original architecture) with the widths in `state`.

    `state`: a saved state dict, or {layer name: weight shape} (`weight_shapes`). Every
    Conv2d, BatchNorm2d and Linear whose saved weight is smaller is replaced by one of the
    saved shape (load_state_dict then fills it).
    """
    shapes = {
        key.removesuffix(".weight"): list(np.shape(value.data if isinstance(value, Tensor) else value))
        for key, value in state.items()
        if key.endswith(".weight")
    } if any(key.endswith(".weight") for key in state) else dict(state)  # fmt: skip
    for name, module in list(model.named_modules()):
        if name not in shapes or not isinstance(module, (Conv2d, BatchNorm2d, Linear)):
            continue
        shape = tuple(shapes[name])
        if shape == tuple(module.weight.shape):
            continue
        if isinstance(module, Conv2d):
            depthwise, g = is_depthwise(module), module.groups
            out = (
                np.arange(shape[0])
                if depthwise
                else _first_of_each(module.out_channels, g, shape[0])
            )
            inp = out if depthwise else _first_of_each(module.in_channels, g, shape[1] * g)
            set_submodule(model, name, _conv(module, out, inp))
        elif isinstance(module, BatchNorm2d):
            set_submodule(model, name, _batchnorm(module, np.arange(shape[0])))
        else:
            set_submodule(model, name, _linear(module, np.arange(shape[1])))
    _fix_shortcuts(model)
    return model


class SlimmingPenalty(Callback):
    """Network slimming's sparsity term: adds lam * sign(gamma) to every BatchNorm2d gamma's gradient.

    That is the subgradient of lam * sum |gamma| (Liu et al. 2017, eq. 1), applied just before
    each optimizer step, as the authors' code does.
    """

    def __init__(self, lam: float = 1e-4) -> None:
        if not lam >= 0:
            raise CompressionError(f"SlimmingPenalty: lam must be >= 0, got {lam!r}")
        self.lam = lam

    def on_before_optimizer_step(self, batch: int, logs: Any) -> None:
        for module in self.model.modules():
            if isinstance(module, BatchNorm2d) and module.weight is not None:
                grad = module.weight.grad
                if grad is not None:
                    grad.data += self.lam * np.sign(module.weight.data)
