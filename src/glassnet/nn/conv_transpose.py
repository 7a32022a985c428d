"""`ConvTranspose1d`, `ConvTranspose2d`: learnable transposed convolutions (upsampling layers).

Output size per spatial dim: (n - 1) s - 2 p + d (k - 1) + output_padding + 1, so a
stride-2 layer doubles the size (k = 4, p = 1, or k = 3, p = 1, output_padding = 1).
The weight is laid out (in_channels, out_channels / groups, *kernel_size), the transpose
of a conv's, and initialised as PyTorch does: kaiming_uniform_(a=sqrt(5)), so
U(+-1/sqrt(fan_in)) with fan_in = out_channels / groups * prod(kernel_size) (PyTorch
reads fan_in off dim 1 of the weight), and the same bound for the bias.
`forward(input, output_size)` picks the output_padding that gives output_size.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class _ConvTransposeNd(Module):
    """What ConvTranspose1d and ConvTranspose2d share: arguments, parameters, init, repr."""

    _dims = 0

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where, dims = type(self).__name__, self._dims
        options = dict(
            stride=stride, padding=padding, output_padding=output_padding, groups=groups,
            bias=bias, dilation=dilation, padding_mode=padding_mode,
        )  # fmt: skip
        dtype = factory_dtype(where, device, dtype)
        self.in_channels = check_int(where, "in_channels", in_channels, 1)
        self.out_channels = check_int(where, "out_channels", out_channels, 1)
        self.groups = check_int(where, "groups", options["groups"], 1)
        for name, count in (("in_channels", in_channels), ("out_channels", out_channels)):
            if count % self.groups:
                raise ValueError(
                    f"{where}: {name} ({count}) must be divisible by groups ({self.groups})"
                )
        for name, value, minimum in (
            ("kernel_size", kernel_size, 1),
            ("stride", options["stride"], 1),
            ("padding", options["padding"], 0),
            ("output_padding", options["output_padding"], 0),
            ("dilation", options["dilation"], 1),
        ):
            check_sizes(where, name, value, dims, minimum)
        self.kernel_size = ntuple(kernel_size, dims)
        self.stride = ntuple(options["stride"], dims)
        self.padding = ntuple(options["padding"], dims)
        self.output_padding = ntuple(options["output_padding"], dims)
        self.dilation = ntuple(options["dilation"], dims)
        self.padding_mode = check_choice(where, "padding_mode", options["padding_mode"], ("zeros",))
        self.transposed = True
        self.weight = Parameter(
            creation.empty(
                self.in_channels, self.out_channels // self.groups, *self.kernel_size, dtype=dtype
            )
        )
        if options["bias"]:
            self.bias = Parameter(creation.empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_fan_in_uniform(self.weight, self.bias)

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """The output_padding that makes the output output_size (PyTorch's rule)."""
        if output_size is None:
            return self.output_padding
        wanted = tuple(output_size)[-self._dims :]
        extra = []
        for dim, size in enumerate(wanted):
            n = input.shape[input.ndim - self._dims + dim]
            smallest = (
                (n - 1) * self.stride[dim]
                - 2 * self.padding[dim]
                + self.dilation[dim] * (self.kernel_size[dim] - 1)
                + 1
            )
            if not smallest <= size < smallest + max(self.stride[dim], self.dilation[dim]):
                raise ValueError(
                    f"{describe(self)}: output_size {tuple(output_size)} is not reachable from input "
                    f"shape {tuple(input.shape)}: dim {dim} can be {smallest} to "
                    f"{smallest + max(self.stride[dim], self.dilation[dim]) - 1}"
                )
            extra.append(size - smallest)
        return tuple(extra)

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{describe(self)}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (self._dims + 1, self._dims + 2):
            raise ValueError(
                f"{describe(self)}: expected {self._dims + 1}-D or {self._dims + 2}-D input, got "
                f"input of shape {tuple(input.shape)}"
            )
        channels = input.shape[-self._dims - 1]
        if channels != self.in_channels:
            raise ValueError(
                f"{describe(self)}: expected input with {self.in_channels} channels (in_channels), "
                f"got {channels} (input shape {tuple(input.shape)})"
            )
        op = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        extra = self._output_padding(input, output_size)
        return op(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            extra,
            self.groups,
            self.dilation,
        )

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution over (N, C_in, L) or (C_in, L), giving (N, C_out, L_out)."""

    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution over (N, C_in, H, W) or (C_in, H, W), giving (N, C_out, H_out, W_out)."""

    _dims = 2
