"""The style_transfer topic: measure (plain numbers and pictures, no prose).

Three measurements of `glassnet.style.experiments` on the two photographs scikit-learn
ships: content reconstructions from each depth of a random VGG-19, style (texture)
reconstructions from layer sets of growing depth, and a sweep of the style/content
weight ratio of a whole transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

from glassnet.lab.kit.clock import Clock
from glassnet.lab.topics.style_transfer.settings import (
    CONTENT_PICTURE,
    DEPTH_LAYERS,
    RATIOS,
    SIZE,
    STEPS,
    STYLE_PICTURE,
)
from glassnet.style.experiments import (
    Reconstruction,
    SweepPoint,
    content_by_depth,
    style_by_depth,
    weight_sweep,
)
from glassnet.style.features_vgg import RandomVGG
from glassnet.style.images import load_image
from glassnet.tensor import Tensor


@dataclass
class Measured:
    """Everything the judges and figures need."""

    size: int
    steps: int
    content: list[Reconstruction]
    style: list[Reconstruction]
    sweep: list[SweepPoint]
    content_picture: object
    style_picture: object
    cpu_seconds: float


def measure(mode: str, seed: int) -> Measured:
    """Run the three measurements at the mode's picture size and evaluation budget."""
    clock = Clock()
    size, steps = SIZE[mode], STEPS[mode]
    content = load_image(CONTENT_PICTURE, size)
    style = load_image(STYLE_PICTURE, size)
    by_content = content_by_depth(content, DEPTH_LAYERS, steps=steps, seed=seed)
    by_style = style_by_depth(style, DEPTH_LAYERS, steps=steps, seed=seed)
    features = RandomVGG(width=1.0, seed=seed)
    features.calibrate(Tensor(content[None]))
    sweep = weight_sweep(content, style, features, RATIOS, steps=steps)
    return Measured(size, steps, by_content, by_style, sweep, content, style, clock.cpu)
