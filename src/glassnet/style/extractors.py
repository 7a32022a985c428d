"""`make_features(spec)`: the CLI's names for the three feature extractors."""

from __future__ import annotations

from glassnet.style.features import FeatureExtractor, MultiScaleBanks
from glassnet.style.features_vgg import RandomVGG, load_vgg19

FEATURE_CHOICES = "multiscale (default), vgg-random, vgg19:PATH"


def make_features(spec: str, seed: int = 0) -> FeatureExtractor:
    """`multiscale`, `vgg-random` or `vgg19:PATH` -> a feature extractor."""
    if spec == "multiscale":
        return MultiScaleBanks(seed=seed)
    if spec == "vgg-random":
        return RandomVGG(seed=seed)
    if spec.startswith("vgg19:"):
        return load_vgg19(spec.removeprefix("vgg19:"))
    raise ValueError(f"--features {spec!r}: unknown feature extractor; use {FEATURE_CHOICES}")
