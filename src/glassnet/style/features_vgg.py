"""VGG-19's convolutional layers as a style-transfer feature extractor: random or real weights.

The layout is torchvision's `vgg19().features`: sixteen 3x3 convolutions (padding 1)
with ReLUs, in five blocks of 64, 128, 256, 512, 512 channels, each block ending in a
2x2 pooling. Layers are named as in Gatys et al.: ``relu{block}_{index}``. Gatys'
choice is used: style from relu1_1, relu2_1, relu3_1, relu4_1, relu5_1, content from
relu4_2, and average pooling in place of max pooling.

Real weights come from a file the user converts once from torchvision (nothing is
downloaded at run time)::

    python -c "import torchvision, safetensors.torch as st; st.save_file({k: v for k, v in torchvision.models.vgg19(weights='DEFAULT').state_dict().items() if k.startswith('features.')}, 'vgg19.safetensors')"

and use as ``glassnet style ... --features vgg19:vgg19.safetensors``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy
import safetensors
from safetensors import SafetensorError

import glassnet.nn.functional as F
from glassnet.style.features import FeatureExtractor
from glassnet.tensor import Tensor

# (block, index, in_channels, out_channels) of each convolution, in order; a pool ends each block.
VGG19_CONVS = tuple(
    (block, index + 1, channels_in if index == 0 else channels, channels)
    for block, channels_in, channels, count in (
        (1, 3, 64, 2),
        (2, 64, 128, 2),
        (3, 128, 256, 4),
        (4, 256, 512, 4),
        (5, 512, 512, 4),
    )
    for index in range(count)
)
# ImageNet statistics that torchvision's VGG weights expect.
IMAGENET_MEAN = numpy.array([0.485, 0.456, 0.406], dtype=numpy.float32).reshape(1, 3, 1, 1)
IMAGENET_STD = numpy.array([0.229, 0.224, 0.225], dtype=numpy.float32).reshape(1, 3, 1, 1)
GATYS_STYLE = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
GATYS_CONTENT = ("relu4_2",)


def torchvision_indices() -> dict[str, int]:
    """Layer name -> index of its convolution in torchvision's `vgg19().features`."""
    indices, position, block_seen = {}, 0, 1
    for block, index, _, _ in VGG19_CONVS:
        if block != block_seen:
            position += 1  # the pooling layer that ended the previous block
            block_seen = block
        indices[f"relu{block}_{index}"] = position
        position += 2  # the convolution and its ReLU
    return indices


class VGGFeatures(FeatureExtractor):
    """VGG-19's `features` up to the deepest layer in use, with given weights (fixed)."""

    def __init__(
        self,
        weights: dict[str, tuple[numpy.ndarray, numpy.ndarray]],
        name: str,
        style_layers: tuple[str, ...] = GATYS_STYLE,
        content_layers: tuple[str, ...] = GATYS_CONTENT,
        width: float = 1.0,
    ) -> None:
        self.name = name
        self.weights = weights
        self.style_layers, self.content_layers = style_layers, content_layers
        order = list(torchvision_indices())
        self.depth = max(order.index(layer) for layer in style_layers + content_layers) + 1
        self.width = width

    def with_layers(
        self, style_layers: tuple[str, ...], content_layers: tuple[str, ...]
    ) -> VGGFeatures:
        """The same network (shared weights) reporting other layers; it runs only as deep as they need."""
        known = torchvision_indices()
        unknown = [name for name in style_layers + content_layers if name not in known]
        if unknown:
            raise ValueError(f"{self.name}: unknown layers {unknown}; VGG-19 has {list(known)}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.style_layers, copy.content_layers = tuple(style_layers), tuple(content_layers)
        order = list(known)
        copy.depth = (
            max(order.index(layer) for layer in copy.style_layers + copy.content_layers) + 1
        )
        return copy

    def describe(self) -> str:
        return f"{self.name}: VGG-19 layout, style {', '.join(self.style_layers)}, content {', '.join(self.content_layers)}"

    def forward(self, image: Tensor) -> dict[str, Tensor]:
        wanted = set(self.style_layers + self.content_layers)
        x = (image - Tensor(IMAGENET_MEAN)) / Tensor(IMAGENET_STD)
        maps, block_seen = {}, 1
        for block, index, _, _ in VGG19_CONVS[: self.depth]:
            if block != block_seen:
                x = F.avg_pool2d(x, 2)
                block_seen = block
            name = f"relu{block}_{index}"
            weight, bias = self.weights[name]
            x = F.relu(F.conv2d(x, Tensor(weight), Tensor(bias), padding=1))
            if name in wanted:
                maps[name] = x
        return maps


class WeightsError(ValueError):
    """A weights file that is missing, unreadable or not VGG-19's `features` layout."""


def load_vgg19(path: str | os.PathLike[str]) -> VGGFeatures:
    """VGG-19 from a safetensors file holding torchvision's `features.N.weight/bias` tensors."""
    file = Path(path)
    if not file.is_file():
        raise WeightsError(
            f"{file}: no such weights file (see `glassnet style --help` to make one)"
        )
    try:
        with safetensors.safe_open(file, framework="numpy") as opened:
            tensors = {key: opened.get_tensor(key) for key in opened.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"{file}: cannot read it as a safetensors file ({error})") from None
    weights = {}
    for (_, _, channels_in, channels_out), (name, position) in zip(
        VGG19_CONVS, torchvision_indices().items()
    ):
        weight_key, bias_key = f"features.{position}.weight", f"features.{position}.bias"
        if weight_key not in tensors or bias_key not in tensors:
            raise WeightsError(
                f"{file}: not VGG-19's features layout: no {weight_key!r}/{bias_key!r} ({name})"
            )
        weight, bias = tensors[weight_key], tensors[bias_key]
        expected = (channels_out, channels_in, 3, 3)
        if weight.shape != expected or bias.shape != (channels_out,):
            raise WeightsError(
                f"{file}: not VGG-19's features layout: {weight_key} has shape {weight.shape}, "
                f"{bias_key} {bias.shape}; VGG-19's {name} needs {expected} and ({channels_out},)"
            )
        weights[name] = (weight.astype(numpy.float32), bias.astype(numpy.float32))
    return VGGFeatures(weights, name=f"vgg19:{file}")


class RandomVGG(VGGFeatures):
    r"""VGG-19's layout with random weights (He, Wang and Hopcroft, 2016).

    Channels are `width` x VGG-19's (default 1/4: 16 .. 128, for speed), weights
    He-normal (std sqrt(2 / fan_in), which keeps the activations' scale through ReLU
    layers), biases zero. Per-layer normalisation: each layer's weights are scaled by
    one number so that its mean ReLU output on the picture given to `calibrate` is 1,
    so every layer speaks at the same volume. One number per layer, not per filter:
    rescaling filters one by one (as Gatys et al. did for trained VGG) multiplies
    random filters that barely fire by large factors, which makes the pixels'
    optimisation badly conditioned (content reconstructions from relu2_1 on failed).
    """

    def __init__(self, width: float = 0.25, seed: int = 0) -> None:
        rng = numpy.random.default_rng(seed)
        weights = {}
        for block, index, channels_in, channels_out in VGG19_CONVS:
            fan_in = 3 if channels_in == 3 else max(1, round(channels_in * width))
            fan_out = max(1, round(channels_out * width))
            weight = rng.standard_normal((fan_out, fan_in, 3, 3)) * numpy.sqrt(2.0 / (fan_in * 9))
            weights[f"relu{block}_{index}"] = (
                weight.astype(numpy.float32),
                numpy.zeros(fan_out, dtype=numpy.float32),
            )
        super().__init__(weights, name="vgg-random", width=width)
        self.calibrated = False

    def prepare(self, style: Tensor) -> None:
        """Calibrate on the style picture, once."""
        if not self.calibrated:
            self.calibrate(style)

    def calibrate(self, image: Tensor) -> None:
        """Scale each layer so that its mean ReLU output on `image` is 1 (layers in use)."""
        x = (image - Tensor(IMAGENET_MEAN)) / Tensor(IMAGENET_STD)
        block_seen = 1
        for block, index, _, _ in VGG19_CONVS[: self.depth]:
            if block != block_seen:
                x = F.avg_pool2d(x, 2)
                block_seen = block
            name = f"relu{block}_{index}"
            weight, bias = self.weights[name]
            out = F.relu(F.conv2d(x, Tensor(weight), Tensor(bias), padding=1))
            mean = float(out.data.astype(numpy.float64).mean())
            scale = numpy.float32(1.0 / mean if mean > 1e-12 else 1.0)
            self.weights[name] = (weight * scale, bias * scale)
            x = out * Tensor(numpy.asarray(scale))
        self.calibrated = True
