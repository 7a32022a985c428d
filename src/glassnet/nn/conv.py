"""`Conv1d`, `Conv2d`: learnable cross-correlations over (N, C, L) and (N, C, H, W) inputs.

Output size per spatial dim: floor((n + 2 p - d (k - 1) - 1) / s + 1). Each output
channel of group g sees in_channels / groups input channels, so weight has shape
(out_channels, in_channels / groups, *kernel_size) and costs groups times fewer
multiplications than a dense conv (groups = in_channels is a depthwise conv).

padding='same' keeps the size (stride 1 only; an odd total puts the extra pad after),
'valid' means none. padding_mode 'reflect', 'replicate' or 'circular' pads with F.pad
first and convolves without padding, exactly as PyTorch. Default initialisation is
PyTorch's: kaiming_uniform_(a=sqrt(5)) for the weight, i.e. U(+-1/sqrt(fan_in)) with
fan_in = in_channels / groups * prod(kernel_size), and the same bound for the bias.
"""

from __future__ import annotations

from typing import Any

from glassnet import creation
from glassnet.nn import functional as F
from glassnet.nn.layer_args import (
    check_choice,
    check_int,
    check_sizes,
    describe,
    factory_dtype,
    ntuple,
)
from glassnet.nn.linear import reset_fan_in_uniform
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _checked_padding(where: str, padding: Any, stride: tuple[int, ...], dims: int) -> Any:
    """'same' (stride 1 only) or 'valid' as given, else one padding per spatial dim."""
    if isinstance(padding, str):
        check_choice(where, "padding", padding, ("same", "valid"))
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError(
                f"{where}: padding='same' is not supported for strided convolutions "
                f"(stride={stride}); use stride 1 or an explicit padding"
            )
        return padding
    check_sizes(where, "padding", padding, dims, 0)
    return ntuple(padding, dims)


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, parameters, initialisation, repr and the forward checks."""

    _dims = 0
    _layout = ""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where, dims = type(self).__name__, self._dims
        dtype = factory_dtype(where, device, dtype)
        self.in_channels = check_int(where, "in_channels", in_channels, 1)
        self.out_channels = check_int(where, "out_channels", out_channels, 1)
        self.groups = check_int(where, "groups", groups, 1)
        if in_channels % groups:
            raise ValueError(
                f"{where}: in_channels ({in_channels}) must be divisible by groups ({groups})"
            )
        if out_channels % groups:
            raise ValueError(
                f"{where}: out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        for name, value, minimum in (
            ("kernel_size", kernel_size, 1),
            ("stride", stride, 1),
            ("dilation", dilation, 1),
        ):
            check_sizes(where, name, value, dims, minimum)
        self.kernel_size = ntuple(kernel_size, dims)
        self.stride = ntuple(stride, dims)
        self.dilation = ntuple(dilation, dims)
        self.padding: Any = _checked_padding(where, padding, self.stride, dims)
        self.padding_mode = check_choice(where, "padding_mode", padding_mode, PADDING_MODES)
        self.output_padding = (0,) * dims
        self.transposed = False
        self._reversed_padding_repeated_twice = self._pad_widths()
        self.weight = Parameter(
            creation.empty(
                self.out_channels, self.in_channels // self.groups, *self.kernel_size, dtype=dtype
            )
        )
        if bias:
            self.bias = Parameter(creation.empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _pad_widths(self) -> list[int]:
        """F.pad's widths (last dim first, before/after): 'same' splits d (k - 1), extra after."""
        if self.padding == "valid":
            return [0, 0] * self._dims
        if self.padding == "same":
            widths = []
            for k, d in reversed(list(zip(self.kernel_size, self.dilation))):
                total = d * (k - 1)
                widths += [total // 2, total - total // 2]
            return widths
        return [p for p in reversed(self.padding) for _ in range(2)]

    def reset_parameters(self) -> None:
        reset_fan_in_uniform(self.weight, self.bias)

    def _check_input(self, input: Any) -> None:
        """The layer's own words for the two common mistakes: wrong rank, wrong channel count."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{describe(self)}: input must be a Tensor, got {type(input).__name__}")
        dims = self._dims
        if input.ndim not in (dims + 1, dims + 2):
            raise ValueError(
                f"{describe(self)}: expected {dims + 1}-D or {dims + 2}-D input {self._layout}, "
                f"got input of shape {tuple(input.shape)}"
            )
        channels = input.shape[-dims - 1]
        if channels != self.in_channels:
            raise ValueError(
                f"{describe(self)}: expected input with {self.in_channels} channels (in_channels) "
                f"in dim {input.ndim - dims - 1}, got {channels} channels "
                f"(input shape {tuple(input.shape)}, weight shape {tuple(self.weight.shape)})"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        conv = F.conv1d if self._dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) input, giving (N, C_out, L_out)."""

    _dims = 1
    _layout = "(N, C, L) or (C, L)"  # the constructor is _ConvNd's, PyTorch's arguments


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) input, giving (N, C_out, H_out, W_out)."""

    _dims = 2
    _layout = "(N, C, H, W) or (C, H, W)"  # the constructor is _ConvNd's
