"""Pooling layers: `MaxPool1d/2d`, `AvgPool1d/2d`, `AdaptiveAvgPool1d/2d`, `AdaptiveMaxPool1d/2d`.

A pool summarises each window (kernel_size, moved by stride, default = kernel_size)
by its maximum or mean; it has no parameters. The output size per dim is
floor((n + 2 p - d (k - 1) - 1) / s) + 1 (ceil with ceil_mode). Adaptive pools take
the output size instead and choose windows [floor(i n / out), ceil((i + 1) n / out)),
which is how a network accepts inputs of any size before its classifier.

Arguments are stored as given, as PyTorch does (MaxPool2d(2).kernel_size == 2;
AvgPool1d turns them into 1-tuples), so reprs and attributes match PyTorch's.
"""

from __future__ import annotations

from typing import Any

from glassnet.nn import functional as F
from glassnet.nn.layer_args import check_sizes, is_int, ntuple
from glassnet.nn.module import Module
from glassnet.tensor import Tensor


def _check_window(
    where: str, dims: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any = 1
) -> None:
    check_sizes(where, "kernel_size", kernel_size, dims, 1)
    if stride is not None:
        check_sizes(where, "stride", stride, dims, 1)
    check_sizes(where, "padding", padding, dims, 0)
    check_sizes(where, "dilation", dilation, dims, 1)
    # the padding-versus-kernel rule is checked by F at forward, with the input shape at hand


def _check_output_size(where: str, dims: int, output_size: Any) -> None:
    values = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,)
    if len(values) not in (1, dims) or not all(v is None or (is_int(v) and v >= 1) for v in values):
        shape = "an int" if dims == 1 else f"an int or a tuple of {dims} ints or None"
        raise ValueError(
            f"{where}: output_size must be {shape} (positive), got output_size={output_size!r}"
        )


class _MaxPoolNd(Module):
    _dims = 0

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        _check_window(type(self).__name__, self._dims, kernel_size, stride, padding, dilation)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """Max over windows of an (N, C, L) or (C, L) input; return_indices also gives each argmax."""

    _dims = 1

    def forward(self, input: Tensor) -> Any:
        return F.max_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class MaxPool2d(_MaxPoolNd):
    """Max over windows of an (N, C, H, W) or (C, H, W) input; return_indices also gives each argmax."""

    _dims = 2

    def forward(self, input: Tensor) -> Any:
        return F.max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class AvgPool1d(Module):
    """Mean over windows of an (N, C, L) or (C, L) input; count_include_pad counts the zero padding."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        _check_window("AvgPool1d", 1, kernel_size, stride, padding)
        self.kernel_size = ntuple(kernel_size, 1)
        self.stride = ntuple(stride if stride is not None else kernel_size, 1)
        self.padding = ntuple(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over windows of an (N, C, H, W) or (C, H, W) input; divisor_override replaces the window size."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        _check_window("AvgPool2d", 2, kernel_size, stride, padding)
        if divisor_override is not None and (not is_int(divisor_override) or divisor_override == 0):
            raise ValueError(
                f"AvgPool2d: divisor_override must be a non-zero int or None, "
                f"got divisor_override={divisor_override!r}"
            )
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    _dims = 0

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        _check_output_size(type(self).__name__, self._dims, output_size)
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average an (N, C, L) input into (N, C, output_size), whatever L is."""

    _dims = 1

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average an (N, C, H, W) input into (N, C, *output_size); None keeps that input size."""

    _dims = 2

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    _dims = 0

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        _check_output_size(type(self).__name__, self._dims, output_size)
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max of an (N, C, L) input into (N, C, output_size), whatever L is."""

    _dims = 1

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max of an (N, C, H, W) input into (N, C, *output_size); None keeps that input size."""

    _dims = 2

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)
