"""The deterministic steps: `ToTensor` (layout and scale) and `Normalize` (per-channel standardising)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

from glassnet import dtypes
from glassnet.data.transforms.base import Image, Transform
from glassnet.data.transforms.randomness import GeneratorArg
from glassnet.tensor import Tensor


def _to_chw(pic: Any, where: str, batched: bool) -> numpy.ndarray:
    if isinstance(pic, Tensor):
        raise TypeError(
            f"{where}: expected a NumPy array or a PIL image in (H, W, C) layout; got a glassnet "
            "Tensor, which is (C, H, W) already"
        )
    if type(pic).__module__.startswith("PIL"):
        pic = numpy.asarray(pic)
    if not isinstance(pic, numpy.ndarray):
        raise TypeError(f"{where}: expected a NumPy array or a PIL image; got {type(pic).__name__}")
    shape, base = pic.shape, 3 if batched else 2
    if pic.ndim == base:
        pic = pic[..., None]
    elif pic.ndim != base + 1:
        wanted = "(N, H, W, C) or (N, H, W)" if batched else "(H, W, C) or (H, W)"
        raise ValueError(f"{where}: expected {wanted}; got shape {shape}")
    # (3, 32, 32) would silently become a 32-channel image of height 3, as in torchvision.
    if pic.shape[-1] > 4 and pic.shape[-3] <= 4:
        raise ValueError(
            f"{where}: expected channels last, (H, W, C); got shape {shape}, which looks like "
            "(C, H, W) already"
        )
    return numpy.moveaxis(pic, -1, -3)


class ToTensor(Transform):
    """(H, W, C) image -> (C, H, W) array; uint8 is scaled to float32 in [0, 1] (x / 255).

    As torchvision's `ToTensor`: (H, W) becomes (1, H, W); other dtypes keep their
    values and dtype (a float image is not rescaled); bool becomes 0.0 / 1.0. Takes a
    NumPy array or a PIL image. Returns a NumPy array, not a glassnet Tensor: the
    pipeline stays array-based and the loader makes Tensors when it collates a batch.
    """

    def __call__(self, pic: Any, generator: numpy.random.Generator | None = None) -> numpy.ndarray:
        return self._convert(_to_chw(pic, "ToTensor", batched=False))

    def batch(self, pics: Any, generator: GeneratorArg = None) -> numpy.ndarray:
        """(N, H, W, C) or (N, H, W) -> (N, C, H, W)."""
        return self._convert(_to_chw(pics, "ToTensor.batch", batched=True))

    @staticmethod
    def _convert(chw: numpy.ndarray) -> numpy.ndarray:
        if chw.dtype == numpy.uint8:
            return chw.astype(dtypes.get_default_dtype()) / numpy.float32(255)
        if chw.dtype == numpy.bool_:
            return chw.astype(dtypes.get_default_dtype())
        return numpy.ascontiguousarray(chw)


class Normalize(Transform):
    """output[c] = (input[c] - mean[c]) / std[c] for each channel c, as torchvision's `Normalize`.

    Takes a float (..., C, H, W) image or batch (a NumPy array or a glassnet Tensor).
    With `inplace=True` the input's own buffer is overwritten and returned.
    """

    def __init__(
        self, mean: Sequence[float] | float, std: Sequence[float] | float, inplace: bool = False
    ) -> None:
        self.mean = tuple(numpy.atleast_1d(numpy.asarray(mean, dtype=numpy.float64)).tolist())
        self.std = tuple(numpy.atleast_1d(numpy.asarray(std, dtype=numpy.float64)).tolist())
        if not self.mean or not self.std:
            raise ValueError(
                f"Normalize: mean and std need at least one value; got mean={mean!r}, std={std!r}"
            )
        if any(value == 0 for value in self.std):
            raise ValueError(
                f"Normalize: std has a zero, which would divide by zero; got std={std!r}"
            )
        self.inplace = inplace

    def __call__(self, tensor: Image, generator: numpy.random.Generator | None = None) -> Image:
        array = tensor.data if isinstance(tensor, Tensor) else tensor
        if not isinstance(array, numpy.ndarray):
            raise TypeError(
                f"Normalize: expected a NumPy array or a glassnet Tensor; got {type(tensor).__name__}"
            )
        if array.dtype.kind != "f":
            raise TypeError(
                f"Normalize: expected a float image (apply ToTensor first); got dtype {array.dtype}"
            )
        if array.ndim < 3:
            raise ValueError(
                f"Normalize: expected an image of shape (..., C, H, W); got shape {array.shape}"
            )
        channels = array.shape[-3]
        for name, values in (("mean", self.mean), ("std", self.std)):
            if len(values) not in (1, channels):
                raise ValueError(
                    f"Normalize: {name} has {len(values)} values but the image of shape "
                    f"{array.shape} has {channels} channels"
                )
        mean = numpy.asarray(self.mean, dtype=array.dtype)[:, None, None]
        std = numpy.asarray(self.std, dtype=array.dtype)[:, None, None]
        if numpy.any(std == 0):  # a tiny std can underflow to zero in float32
            raise ValueError(
                f"Normalize: std {self.std} is zero in {array.dtype}, which would divide by zero"
            )
        if not self.inplace:
            out = (array - mean) / std
            return Tensor(out) if isinstance(tensor, Tensor) else out
        if isinstance(tensor, Tensor) and tensor.requires_grad:
            raise RuntimeError(
                "Normalize(inplace=True): the tensor requires grad; in-place preprocessing would "
                "corrupt its graph"
            )
        numpy.subtract(array, mean, out=array)
        numpy.divide(array, std, out=array)
        return tensor

    def batch(self, tensors: Image, generator: GeneratorArg = None) -> Image:
        """The same formula on (N, C, H, W): the channel axis is third from last either way."""
        return self(tensors)

    def extra_repr(self) -> str:
        return f"mean={list(self.mean)}, std={list(self.std)}, inplace={self.inplace}"
