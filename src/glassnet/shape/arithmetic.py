"""The conv and pool arithmetic of one spatial axis: output sizes, 'same' padding, receptive fields.

The output-size formula itself is written once, in `glassnet.ops.im2col.output_size`,
which the convolutions and pools use too; these functions check their arguments and
explain an impossible size in one line.
"""

from __future__ import annotations

from glassnet.ops import im2col


class ShapeError(ValueError):
    """An impossible stage or a malformed spec. The message is one line with the numbers."""


# -- the arithmetic ---------------------------------------------------------------------
def _padded(size: int, padding: int | tuple[int, int]) -> tuple[int, int, int]:
    left, right = (padding, padding) if isinstance(padding, int) else padding
    return left, right, size + left + right


def _check(
    size: int, kernel_size: int, stride: int, padding: int | tuple[int, int], dilation: int
) -> None:
    for name, value, least in (
        ("size", size, 1),
        ("kernel_size", kernel_size, 1),
        ("stride", stride, 1),
        ("dilation", dilation, 1),
    ):
        if value < least:
            raise ShapeError(f"{name} must be >= {least}, got {value}")
    if min(_padded(size, padding)[:2]) < 0:
        raise ShapeError(f"padding must be >= 0, got {padding}")


def _too_small(
    size: int, kernel_size: int, padding: int | tuple[int, int], dilation: int, out: int
) -> str:
    left, right, padded = _padded(size, padding)
    pads = f"2*{left}" if left == right else f"{left} + {right}"
    return (
        f"the dilated kernel spans {dilation}*({kernel_size}-1)+1 = {dilation * (kernel_size - 1) + 1}, "
        f"more than the padded input {size} + {pads} = {padded}: the output size would be {out}"
    )


def conv_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
) -> int:
    """floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1, as torch's ConvNd.

    `padding` may be a (left, right) pair, as 'same' padding with an even kernel needs.
    Raises ShapeError when the dilated kernel is larger than the padded input.
    """
    _check(size, kernel_size, stride, padding, dilation)
    left, right, _ = _padded(size, padding)
    out = im2col.output_size(size, kernel_size, stride, left, right, dilation)
    if out < 1:
        raise ShapeError(_too_small(size, kernel_size, padding, dilation, out))
    return out


def pool_sizes(
    size: int, kernel_size: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> tuple[int, int]:
    """(output before the ceil-mode rule, output after it)."""
    _check(size, kernel_size, stride, padding, dilation)
    if padding > kernel_size // 2:
        raise ShapeError(
            f"padding {padding} is more than half the kernel: pools need p <= k//2 = "
            f"{kernel_size}//2 = {kernel_size // 2}"
        )
    raw = im2col.output_size(size, kernel_size, stride, padding, padding, dilation, ceil_mode)
    out = im2col.pool_output_size(size, kernel_size, stride, padding, dilation, ceil_mode)
    if out < 1:
        raise ShapeError(_too_small(size, kernel_size, padding, dilation, out))
    return raw, out


def pool_output_size(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output size of max/avg pooling, as torch computes it (stride defaults to kernel_size).

    floor((size + 2p - d(k-1) - 1)/s) + 1; with ceil_mode, ceil(...) + 1, minus one when that
    last window would start in the right padding ((out-1)*s >= size + p). Torch also
    requires p <= k//2. Raises ShapeError for both, and for a non-positive output.
    """
    stride = kernel_size if stride is None else stride
    return pool_sizes(size, kernel_size, stride, padding, dilation, ceil_mode)[1]


def same_padding(kernel_size: int, dilation: int = 1) -> tuple[int, int]:
    """(left, right) padding of PyTorch's padding='same' (stride 1): d*(k-1) in all, extra on the right."""
    total = dilation * (kernel_size - 1)
    return total // 2, total - total // 2


def tf_same_output_size(size: int, stride: int) -> int:
    """TensorFlow's 'SAME' convention: out = ceil(size / stride), for any stride."""
    return -(-size // stride)


def receptive_field_step(
    receptive_field: int, jump: int, kernel_size: int, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """(r_out, j_out) = (r_in + (d*(k-1)+1 - 1) * j_in, j_in * s)."""
    return receptive_field + dilation * (kernel_size - 1) * jump, jump * stride
