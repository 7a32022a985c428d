"""The shared machinery of transforms: image layouts, the `Transform` base class, `Compose`.

Layouts follow torchvision's two worlds. A uint8 NumPy array is an image as PIL and
image files give it: (H, W, C) or (H, W), channels last. Everything else (float
NumPy arrays, as `ToTensor` returns them, and glassnet Tensors of any dtype) is a
tensor image: (C, H, W), channels first. A batch adds a leading N. Internally every
transform works on one (N, C, H, W) view and hands back the caller's layout and kind.
"""

from __future__ import annotations

import enum
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy

from glassnet.data.transforms.randomness import (
    GeneratorArg,
    Params,
    current_generator,
    draw_params,
)
from glassnet.tensor import Tensor

Image = Any  # numpy.ndarray or glassnet Tensor
Finish = Callable[[numpy.ndarray], Image]


class InterpolationMode(str, enum.Enum):
    """torchvision's names for the sampling rule (only the two implemented here)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


def interpolation_mode(value: Any, where: str) -> InterpolationMode:
    try:
        return InterpolationMode(value.lower() if isinstance(value, str) else value)
    except ValueError:
        raise ValueError(
            f"{where}: interpolation must be 'nearest' or 'bilinear'; got {value!r}"
        ) from None


def unpack(img: Image, where: str, batched: bool) -> tuple[numpy.ndarray, Finish]:
    """View `img` as (N, C, H, W); also return the function that restores its layout and kind."""
    if isinstance(img, Tensor):
        array, channels_last, wrap = img.data, False, Tensor
    elif isinstance(img, numpy.ndarray):
        array, channels_last, wrap = img, img.dtype == numpy.uint8, None
    else:
        hint = (
            " (convert it with numpy.asarray first)"
            if type(img).__module__.startswith("PIL")
            else ""
        )
        raise TypeError(
            f"{where}: expected a NumPy array or a glassnet Tensor; got {type(img).__name__}{hint}"
        )
    shape, base = array.shape, 3 if batched else 2
    if array.ndim == base:  # no channel axis: (H, W) or (N, H, W)
        view = array[:, None] if batched else array[None, None]
        restore: Callable[[numpy.ndarray], numpy.ndarray] = (
            (lambda out: out[:, 0]) if batched else (lambda out: out[0, 0])
        )
    elif array.ndim == base + 1:
        if channels_last and shape[-1] > 4:
            raise ValueError(
                f"{where}: a uint8 NumPy array is read as a channels-last image ((H, W, C) like PIL), "
                f"but shape {shape} has {shape[-1]} channels; pass (C, H, W) data as a float array "
                "or a glassnet Tensor, or (H, W, C) with 1 to 4 channels"
            )
        if batched:
            view = array.transpose(0, 3, 1, 2) if channels_last else array
            restore = (
                (lambda out: out.transpose(0, 2, 3, 1)) if channels_last else (lambda out: out)
            )
        else:
            view = array.transpose(2, 0, 1)[None] if channels_last else array[None]
            restore = (
                (lambda out: out[0].transpose(1, 2, 0)) if channels_last else (lambda out: out[0])
            )
    else:
        layout = "(H, W, C)" if channels_last else "(C, H, W)"
        if batched:
            raise ValueError(
                f"{where}.batch: expected a batch of images, (N, {layout[1:]} or (N, H, W); "
                f"got shape {shape}"
            )
        hint = "; for a batch of images use .batch()" if array.ndim == 4 else ""
        raise ValueError(
            f"{where}: expected one image, {layout} or (H, W); got shape {shape}{hint}"
        )

    def finish(out: numpy.ndarray) -> Image:
        result = numpy.ascontiguousarray(restore(out))
        return wrap(result) if wrap is not None else result

    return view, finish


def cast_like(values: numpy.ndarray, dtype: numpy.dtype) -> numpy.ndarray:
    """Back to the image's dtype: integer images are rounded and clipped to their range."""
    if dtype.kind in "iu":
        info = numpy.iinfo(dtype)
        return numpy.clip(numpy.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype, copy=False)


def work_dtype(dtype: numpy.dtype, where: str) -> numpy.dtype:
    """The float dtype to interpolate in: the image's own float dtype, float32 for integers."""
    if dtype.kind == "f":
        return dtype
    if dtype.kind in "iu":
        return numpy.dtype(numpy.float32)
    raise TypeError(f"{where}: interpolation needs a numeric image; got dtype {dtype}")


def fill_values(fill: Any, channels: int, dtype: numpy.dtype, where: str) -> numpy.ndarray:
    """A fill given as one number or one per channel, as a (C,) array in `dtype`."""
    values = numpy.atleast_1d(numpy.asarray(fill, dtype=numpy.float64))
    if values.ndim != 1 or values.size not in (1, channels):
        raise ValueError(
            f"{where}: fill must be a number or one value per channel ({channels}); got {fill!r}"
        )
    if dtype.kind in "iu":
        info = numpy.iinfo(dtype)
        if values.min() < info.min or values.max() > info.max:  # astype would wrap 300 to 44
            raise ValueError(
                f"{where}: fill {fill!r} is outside the range [{info.min}, {info.max}] of {dtype} images"
            )
    return numpy.broadcast_to(values, (channels,)).astype(dtype)


def check_fill(fill: Any, where: str) -> Any:
    if isinstance(fill, numbers.Real):
        return fill
    if (
        isinstance(fill, Sequence)
        and all(isinstance(value, numbers.Real) for value in fill)
        and len(fill) > 0
    ):
        return tuple(fill)
    raise TypeError(f"{where}: fill must be a number or a sequence of numbers; got {fill!r}")


def check_probability(p: Any, where: str) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{where}: p must be a probability in [0, 1]; got {p!r}")
    return float(p)


def check_size(size: Any, where: str) -> tuple[int, int]:
    """An output size as torchvision takes it: an int (square) or (h, w)."""
    given = size
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    elif isinstance(size, Sequence) and len(size) == 1:
        size = (size[0], size[0])
    if not (
        isinstance(size, Sequence)
        and len(size) == 2
        and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in size)
    ):
        raise ValueError(
            f"{where}: size must be a positive int or a pair (h, w) of positive ints; got {given!r}"
        )
    return int(size[0]), int(size[1])


class Transform:
    """One preprocessing step: `t(img)` transforms one image, `t.batch(imgs)` a batch of them.

    A random transform implements three methods, on (C, H, W) / (N, C, H, W) arrays:
    `draw(n, image_size, generator)` returns every sample's parameters at once (arrays
    with a leading n); `apply_sample(image, params)` applies one sample's parameters
    with plain slicing; `apply_batch(images, params)` applies them all with one
    vectorised gather. Tests check that the two paths agree.
    """

    def __call__(self, img: Image, generator: numpy.random.Generator | None = None) -> Image:
        name = type(self).__name__
        view, finish = unpack(img, name, batched=False)
        params = self.draw(1, view.shape[1:], current_generator(generator, name))
        return finish(
            self.apply_sample(view[0], {key: value[0] for key, value in params.items()})[None]
        )

    def batch(self, imgs: Image, generator: GeneratorArg = None) -> Image:
        """Transform N images at once, each with its own parameters.

        `generator` is one Generator (all parameters drawn in one go) or one per sample
        (then sample i equals `t(imgs[i], generator=generator[i])` exactly).
        """
        name = type(self).__name__
        view, finish = unpack(imgs, name, batched=True)
        params = draw_params(
            lambda n, g: self.draw(n, view.shape[1:], g), len(view), generator, name
        )
        return finish(self.apply_batch(view, params))

    def draw(
        self, n: int, image_size: tuple[int, ...], generator: numpy.random.Generator
    ) -> Params:
        return {}

    def apply_sample(self, image: numpy.ndarray, params: dict[str, Any]) -> numpy.ndarray:
        raise NotImplementedError

    def apply_batch(self, images: numpy.ndarray, params: Params) -> numpy.ndarray:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class Compose(Transform):
    """Apply `transforms` in order, as torchvision's `Compose`.

    Random transforms draw from the same generator in turn, so `Compose(...)(img, g)`
    is reproducible from `g` alone. Plain callables are called with the image only;
    in `batch` they are called once per sample (the one place a batch loops).
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]]) -> None:
        if isinstance(transforms, (str, bytes)) or not isinstance(transforms, Sequence):
            raise TypeError(
                f"Compose: transforms must be a list of callables; got {type(transforms).__name__}"
            )
        for position, transform in enumerate(transforms):
            if not callable(transform):
                raise TypeError(f"Compose: transforms[{position}] is not callable: {transform!r}")
        self.transforms = list(transforms)

    def __call__(self, img: Image, generator: numpy.random.Generator | None = None) -> Image:
        for transform in self.transforms:
            img = (
                transform(img, generator=generator)
                if isinstance(transform, Transform)
                else transform(img)
            )
        return img

    def batch(self, imgs: Image, generator: GeneratorArg = None) -> Image:
        for transform in self.transforms:
            if isinstance(transform, Transform):
                imgs = transform.batch(imgs, generator=generator)
            else:
                stacked = numpy.stack([numpy.asarray(transform(img)) for img in imgs])
                imgs = Tensor(stacked) if isinstance(imgs, Tensor) else stacked
        return imgs

    def __repr__(self) -> str:
        lines = "".join(f"\n    {transform!r}" for transform in self.transforms)
        return f"Compose({lines}\n)"
