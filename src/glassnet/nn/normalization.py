"""Normalisation layers: `BatchNorm1d`, `BatchNorm2d`, `LayerNorm`, `GroupNorm`.

All standardise and then scale by weight (gamma, init 1) and shift by bias (beta,
init 0); they differ in which values share a mean and a variance (see
`glassnet.ops.norm`). BatchNorm is the one that behaves differently in training and
evaluation:

- train(): normalise with the batch's mean and biased variance, and update
  running_mean / running_var (the latter with the *unbiased* batch variance):
  running = (1 - momentum) * running + momentum * batch. momentum=None gives the
  cumulative average instead, factor 1 / num_batches_tracked, so after n batches the
  running stats are the plain mean of the n batch statistics.
- eval(): normalise with running_mean / running_var, so the output of one sample no
  longer depends on the rest of the batch.
- track_running_stats=False keeps no running stats and uses batch stats in both modes.

num_batches_tracked is an int64 buffer of shape (), saved in the state dict as PyTorch does.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from glassnet import creation, dtypes
from glassnet.grad_mode import no_grad
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.layer_args import check_int, check_number, describe, factory_dtype, is_int
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


def _affine_parameters(
    module: Module, shape: tuple[int, ...], affine: bool, bias: bool, dtype: Any
) -> None:
    """Register weight and bias (or None for each one that is switched off), as PyTorch orders them."""
    if affine:
        module.weight = Parameter(creation.empty(*shape, dtype=dtype))
        if bias:
            module.bias = Parameter(creation.empty(*shape, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module: Module) -> None:
    """gamma = 1, beta = 0: the layer starts as a pure standardisation."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


def _check_tensor(module: Module, input: Any) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{describe(module)}: input must be a Tensor, got {type(input).__name__}")


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; subclasses only say which input ranks they accept."""

    _ranks: tuple[int, ...] = ()
    _layout = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        where = type(self).__name__
        dtype = factory_dtype(where, device, dtype)
        self.num_features = check_int(where, "num_features", num_features, 1)
        check_number(where, "eps", eps, 0.0)
        if momentum is not None:
            check_number(where, "momentum", momentum)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (self.num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", creation.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input(self, input: Any) -> None:
        _check_tensor(self, input)
        if input.ndim not in self._ranks:
            ranks = " or ".join(f"{rank}D" for rank in self._ranks)
            raise ValueError(
                f"{describe(self)}: expected {ranks} input {self._layout}, got {input.ndim}D input "
                f"of shape {tuple(input.shape)}"
            )
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{describe(self)}: expected input with {self.num_features} channels (num_features) "
                f"in dim 1, got input of shape {tuple(input.shape)}"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            # a shape-() int64 array: += updates it in place, so the state dict sees the new count
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.data)
        # batch statistics in training, and in eval when there are no running stats to use
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        # the buffers are handed over only where they are read (eval) or updated (train + tracking)
        update = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if update else None,
            self.running_var if update else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

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
        # as PyTorch: a state dict from before num_batches_tracked existed (no version 2 metadata) loads,
        # keeping the current count
        version = local_metadata.get("version")
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and self.track_running_stats and key not in state_dict:
            state_dict[key] = self.num_batches_tracked.detach()
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


def has_batchnorm(model: Module) -> bool:
    """Whether any submodule normalises with batch statistics (a BatchNorm1d or BatchNorm2d)."""
    return any(isinstance(module, _BatchNorm) for module in model.modules())


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input, one mean and variance per channel C."""

    _ranks = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input, one mean and variance per channel over (N, H, W)."""

    _ranks = (4,)
    _layout = "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last len(normalized_shape) dims (no batch statistics, same in eval).

    weight and bias (elementwise_affine) have shape normalized_shape.
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("LayerNorm", device, dtype)
        if isinstance(normalized_shape, Integral):
            normalized_shape = (normalized_shape,)
        if not isinstance(normalized_shape, (tuple, list)) or not all(
            is_int(s) and s >= 0 for s in normalized_shape
        ):
            raise ValueError(
                f"LayerNorm: normalized_shape must be an int or a tuple of non-negative ints, "
                f"got normalized_shape={normalized_shape!r}"
            )
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        check_number("LayerNorm", "eps", eps, 0.0)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        _check_tensor(self, input)
        count = len(self.normalized_shape)
        if input.ndim < count or tuple(input.shape[input.ndim - count :]) != self.normalized_shape:
            raise ValueError(
                f"{describe(self)}: expected input of shape (*, "
                f"{', '.join(str(s) for s in self.normalized_shape)}) (ending in normalized_shape), "
                f"got input of shape {tuple(input.shape)}"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Normalise each sample's channels in num_groups groups (one mean and variance per sample and group).

    Independent of the batch size, so it suits small batches where BatchNorm's statistics
    are noisy; num_groups=1 is LayerNorm over (C, *), num_groups=C is InstanceNorm.
    weight and bias (affine) are per channel.
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("GroupNorm", device, dtype)
        self.num_groups = check_int("GroupNorm", "num_groups", num_groups, 1)
        self.num_channels = check_int("GroupNorm", "num_channels", num_channels, 1)
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                f"num_groups ({num_groups})"
            )
        check_number("GroupNorm", "eps", eps, 0.0)
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (self.num_channels,), affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        _check_tensor(self, input)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(
                f"{describe(self)}: expected input of shape (N, {self.num_channels}, *) "
                f"({self.num_channels} channels = num_channels), got input of shape "
                f"{tuple(input.shape)}"
            )
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
