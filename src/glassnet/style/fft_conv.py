"""Valid 2-D cross-correlation through the FFT, for the large filters of style transfer.

im2col costs C k^2 multiply-adds per output value, so a 23x23 filter bank costs 529x
a 1x1 one. Through the Fourier transform a convolution is a product, whatever k is:
the cost is a few FFTs of the picture's size per output map. For the random
multi-scale banks (k up to 23 on a 3-channel picture) this is several times faster
than im2col (bench/bench_style.py measures both).
"""

from __future__ import annotations

import numpy
import scipy.fft

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.tensor import Tensor


def fft_shape(height: int, width: int) -> tuple[int, int]:
    """The FFT size used for a (height, width) input: the next sizes FFTPACK does fast."""
    return scipy.fft.next_fast_len(height, real=True), scipy.fft.next_fast_len(width, real=True)


class Spectrum:
    """rfft2 of flipped filters zero-padded to an FFT shape: what `Conv2dFFT` multiplies by.

    Kept for filters that never change, so it is not recomputed at every evaluation.
    It is as large as O x C pictures of complex numbers (71 MB for 128 filters on a
    256 x 171 picture), so its conjugate is not kept too: the backward conjugates the
    smaller arrays instead.
    """

    def __init__(self, weight: Array, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.kernel = weight.shape[-2:]
        self.values = scipy.fft.rfft2(weight[:, :, ::-1, ::-1], s=shape)


def weight_spectrum(weight: Array, shape: tuple[int, int]) -> Spectrum:
    """The `Spectrum` of `weight` (O, C, kh, kw) for inputs whose FFT shape is `shape`."""
    return Spectrum(weight, shape)


class Conv2dFFT(Function):
    r"""y[n, o, i, j] = sum_{c, u, v} x[n, c, i + u, j + v] w[o, c, u, v]  (valid, stride 1).

    With x zero-padded to an L1 x L2 grid (L >= the input size) and w~ the flipped
    filter, the correlation is a circular convolution, a product of spectra::

        Y[n, o] = sum_c X[n, c] W~[o, c]            (X = rfft2(x), W~ = rfft2(flip w))
        y = irfft2(Y)[..., kh-1 : H, kw-1 : W]      (where no wrap-around reaches)

    Backward: with G = rfft2 of the gradient placed back at [kh-1 : H, kw-1 : W],
    dL/dx = irfft2(sum_o G[n, o] conj(W~[o, c]))[..., :H, :W] (a circular correlation)
    and dL/dw~ = irfft2(sum_n G[n, o] conj(X[n, c]))[..., :kh, :kw], flipped back.
    `spectrum` may pass W~ precomputed (`weight_spectrum`) for filters that never change.
    """

    def forward(self, x: Array, weight: Array, spectrum: Spectrum | None = None) -> Array:
        height, width = x.shape[-2:]
        kh, kw = weight.shape[-2:]
        shape = fft_shape(height, width)
        if spectrum is None:
            spectrum = weight_spectrum(weight, shape)
        x_spectrum = scipy.fft.rfft2(x, s=shape)
        products = numpy.einsum("ncij,ocij->noij", x_spectrum, spectrum.values)
        full = scipy.fft.irfft2(products, s=shape)
        self.save(x_spectrum, spectrum, (height, width, kh, kw), shape)
        return numpy.ascontiguousarray(full[:, :, kh - 1 : height, kw - 1 : width], dtype=x.dtype)

    def backward(self, grad: Array) -> tuple[Array | None, Array | None]:
        x_spectrum, spectrum, (height, width, kh, kw), shape = self.saved
        placed = numpy.zeros(grad.shape[:2] + shape, dtype=grad.dtype)
        placed[:, :, kh - 1 : height, kw - 1 : width] = grad
        grad_spectrum = scipy.fft.rfft2(placed)
        grad_x = grad_weight = None
        if self.needs_input_grad[0]:
            # sum_o G conj(W~) = conj(sum_o conj(G) W~): conjugates G (N x O maps), not W~
            summed = numpy.einsum("noij,ocij->ncij", grad_spectrum.conj(), spectrum.values).conj()
            grad_x = scipy.fft.irfft2(summed, s=shape)[:, :, :height, :width]
            grad_x = numpy.ascontiguousarray(grad_x, dtype=grad.dtype)
        if self.needs_input_grad[1]:
            summed = numpy.einsum("noij,ncij->ocij", grad_spectrum, x_spectrum.conj())
            flipped = scipy.fft.irfft2(summed, s=shape)[:, :, :kh, :kw]
            grad_weight = numpy.ascontiguousarray(flipped[:, :, ::-1, ::-1], dtype=grad.dtype)
        return grad_x, grad_weight


def conv2d_fft(input: Tensor, weight: Tensor, spectrum: Spectrum | None = None) -> Tensor:
    """Valid, stride-1 `conv2d(input, weight)` without bias, computed through the FFT.

    `spectrum`: `weight_spectrum(weight.numpy(), fft_shape(H, W))`, if already made.
    """
    if input.ndim != 4 or weight.ndim != 4 or input.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d_fft: input (N, C, H, W) and weight (O, C, kh, kw) must agree in C; "
            f"got {tuple(input.shape)} and {tuple(weight.shape)}"
        )
    if weight.shape[2] > input.shape[2] or weight.shape[3] > input.shape[3]:
        raise ValueError(
            f"conv2d_fft: the {weight.shape[2]}x{weight.shape[3]} filters are larger than the "
            f"{input.shape[2]}x{input.shape[3]} input"
        )
    if spectrum is not None and (
        spectrum.shape != fft_shape(*input.shape[2:]) or spectrum.kernel != weight.shape[2:]
    ):
        raise ValueError(
            f"conv2d_fft: the spectrum was made for {spectrum.kernel} filters on an FFT grid "
            f"{spectrum.shape}, not {tuple(weight.shape[2:])} filters on {tuple(input.shape[2:])}"
        )
    return Conv2dFFT.apply(input, weight, spectrum=spectrum)
