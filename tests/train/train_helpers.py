"""Small deterministic problems for the trainer tests."""

from __future__ import annotations

import numpy

import glassnet
from glassnet import nn
from glassnet.models import MLP


def make_problem(
    samples: int = 120, features: int = 6, classes: int = 3, seed: int = 0
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Gaussian inputs with labels a fixed linear rule picks: learnable, not trivial."""
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((samples, features)).astype(numpy.float32)
    weights = numpy.random.default_rng(99).standard_normal((features, classes))
    return x, (x @ weights).argmax(1).astype(numpy.int64)


def small_model(seed: int = 0, **kwargs) -> MLP:
    glassnet.manual_seed(seed)
    return MLP([6, 16, 3], **kwargs)


def weights(model: nn.Module) -> dict[str, numpy.ndarray]:
    return {key: value.data.copy() for key, value in model.state_dict().items()}
