"""Transforms and augmentation with torchvision's names, on NumPy arrays and glassnet Tensors.

    Compose, ToTensor, Normalize, RandomCrop, RandomHorizontalFlip, RandomRotation,
    RandomResizedCrop, GaussianNoise, Cutout

Layouts. A uint8 NumPy array is an image as files and PIL give it, (H, W, C) or
(H, W); `ToTensor` turns it into a float32 (C, H, W) array in [0, 1]. Float NumPy
arrays and glassnet Tensors are (C, H, W). Every transform returns the kind and
layout it was given.

One image or a batch. `t(img)` transforms one image; `t.batch(imgs)` transforms N
of them (N, C, H, W) with N independent draws, without a Python loop over samples:
flips are one `where`, crops one gather from a strided view, rotations one batched
inverse mapping, resized crops one batched matmul, cutout one broadcast mask.

Randomness, and why it does not depend on the worker count. A transform holds no
generator and no state: each call draws its parameters from a NumPy Generator it is
handed, `t(img, generator=g)`; without one it uses the generator of the enclosing
`with use_generator(g):` block (a context variable, so private to each thread), and
without that `glassnet.random.default_generator()`. A pipeline makes sample `index`
of `epoch` reproducible by giving it its own stream, `sample_generator(seed, epoch,
index)`, a PCG64 seeded from SeedSequence([seed, epoch, index]): whichever worker
(thread or process) runs that sample, in whatever order, it draws the same numbers.
For a batch, `t.batch(imgs, generator=[g_0, ..., g_{N-1}])` draws sample i's
parameters from g_i and then applies them all vectorised, so it equals
`stack(t(imgs[i], generator=g_i))` exactly; `t.batch(imgs, generator=g)` draws all
N samples' parameters from g in one go (faster, reproducible from g, but not the
same numbers as per-sample streams).

Under the hood each random transform is `draw(n, image_size, generator)` ->
per-sample parameter arrays, then `apply_sample` (plain slicing, for one image) or
`apply_batch` (vectorised, for N); the tests check the two agree.
"""

from glassnet.data.transforms.base import Compose, InterpolationMode, Transform
from glassnet.data.transforms.convert import Normalize, ToTensor
from glassnet.data.transforms.crop_flip import RandomCrop, RandomHorizontalFlip
from glassnet.data.transforms.noise import Cutout, GaussianNoise
from glassnet.data.transforms.randomness import (
    current_generator,
    sample_generator,
    use_generator,
)
from glassnet.data.transforms.resized_crop import RandomResizedCrop
from glassnet.data.transforms.rotation import RandomRotation

__all__ = [
    "Compose",
    "Cutout",
    "GaussianNoise",
    "InterpolationMode",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRotation",
    "ToTensor",
    "Transform",
    "current_generator",
    "sample_generator",
    "use_generator",
]
