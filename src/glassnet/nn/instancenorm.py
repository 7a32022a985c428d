"""`InstanceNorm1d`, `InstanceNorm2d`: standardise each channel of each sample on its own.

PyTorch's defaults differ from BatchNorm's: affine=False and track_running_stats=False,
so by default the layer has no parameters and no buffers and behaves the same in
train and eval. With track_running_stats=True it keeps running_mean/running_var like
BatchNorm (averaged over the samples of each batch) and uses them in eval();
num_batches_tracked is kept in the state dict but, as in PyTorch, never counts.
Unbatched input ((C, L) for 1d, (C, H, W) for 2d) is accepted, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from glassnet import creation, dtypes
from glassnet.nn import functional as F
from glassnet.nn.layer_args import check_int, check_number, describe, factory_dtype
from glassnet.nn.module import Module
from glassnet.nn.normalization import _affine_parameters, _check_tensor, _reset_affine
from glassnet.tensor import Tensor


class _InstanceNorm(Module):
    _dims = 0

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        where = type(self).__name__
        dtype = factory_dtype(where, device, dtype)
        self.num_features = check_int(where, "num_features", num_features, 1)
        self.eps = check_number(where, "eps", eps, 0.0)
        self.momentum = check_number(where, "momentum", momentum)
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, (self.num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", creation.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        _check_tensor(self, input)
        if input.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(
                f"{describe(self)}: expected {self._dims + 1}D (unbatched) or {self._dims + 2}D input, "
                f"got input of shape {tuple(input.shape)}"
            )
        batched = input.ndim == self._dims + 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{describe(self)}: expected input with {self.num_features} channels (num_features) "
                f"in dim {input.ndim - self._dims - 1}, got input of shape {tuple(input.shape)}"
            )
        use_input_stats = self.training or not self.track_running_stats
        out = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_input_stats,
            self.momentum,
            self.eps,
        )
        return out if batched else out.squeeze(0)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L) or (C, L): statistics per sample and channel over L."""

    _dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W) or (C, H, W): statistics per sample and channel over H, W."""

    _dims = 2
