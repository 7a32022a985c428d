"""The three losses of neural style transfer (Gatys, Ecker and Bethge, 2016).

With F the (C, M) feature maps of the picture being made at one layer (C channels,
M = H * W positions), P those of the content picture and S those of the style
picture, two normalisations are in use and both are offered:

- ``"tutorial"`` (PyTorch's neural-style tutorial, the default): G = F F^T / (C M),
  content loss = mean((F - P)^2), style loss = mean((G(F) - G(S))^2) over the C^2
  entries.
- ``"gatys"`` (the paper): G = F F^T unnormalised, content loss = 1/2 sum (F - P)^2,
  style loss = 1 / (4 C^2 M^2) sum (G(F) - G(S))^2.

The two style losses differ by a constant factor, gatys = C^2 / 4 x tutorial, so they
lead to the same picture once the style weight absorbs the factor.

The total-variation loss (Mahendran and Vedaldi, 2015) penalises differences of
neighbouring pixels and removes the high-frequency speckle an optimiser leaves.
"""

from __future__ import annotations

from typing import Literal

from glassnet.style.gram import gram
from glassnet.tensor import Tensor

Normalization = Literal["tutorial", "gatys"]
NORMALIZATIONS = ("tutorial", "gatys")


def _check(name: str, normalization: str) -> None:
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"{name}: normalization must be one of {NORMALIZATIONS}, got {normalization!r}"
        )


def _check_maps(name: str, features: Tensor) -> None:
    if features.ndim != 4:
        raise ValueError(
            f"{name}: features must be (N, C, H, W), got shape {tuple(features.shape)}"
        )


def gram_matrix(features: Tensor, normalization: Normalization = "tutorial") -> Tensor:
    """(N, C, H, W) feature maps -> (N, C, C) Gram matrices, F F^T / (C H W) or F F^T."""
    _check("gram_matrix", normalization)
    _check_maps("gram_matrix", features)
    batch, channels, height, width = features.shape
    matrix = gram(features.reshape(batch, channels, height * width))
    if normalization == "tutorial":
        return matrix / float(channels * height * width)
    return matrix


def content_loss(
    features: Tensor, target: Tensor, normalization: Normalization = "tutorial"
) -> Tensor:
    """mean((F - P)^2) ("tutorial") or 1/2 sum (F - P)^2 ("gatys")."""
    _check("content_loss", normalization)
    if tuple(features.shape) != tuple(target.shape):
        raise ValueError(
            f"content_loss: features {tuple(features.shape)} and target {tuple(target.shape)} differ"
        )
    squared = (features - target) ** 2
    return squared.mean() if normalization == "tutorial" else 0.5 * squared.sum()


def style_loss(
    features: Tensor, target_gram: Tensor, normalization: Normalization = "tutorial"
) -> Tensor:
    """Distance of the Gram matrix of `features` (N, C, H, W) to `target_gram` (N, C, C).

    "tutorial": mean((G - A)^2) with both Grams divided by C H W;
    "gatys": sum((G - A)^2) / (4 C^2 M^2) with unnormalised Grams (M = H W).
    `target_gram` must come from `gram_matrix` with the same normalisation.
    """
    _check("style_loss", normalization)
    _check_maps("style_loss", features)
    matrix = gram_matrix(features, normalization)
    if tuple(matrix.shape) != tuple(target_gram.shape):
        raise ValueError(
            f"style_loss: Gram matrix {tuple(matrix.shape)} of features {tuple(features.shape)} "
            f"and target Gram {tuple(target_gram.shape)} differ"
        )
    squared = (matrix - target_gram) ** 2
    if normalization == "tutorial":
        return squared.mean()
    channels, positions = features.shape[1], features.shape[2] * features.shape[3]
    return squared.sum() / float(4 * channels**2 * positions**2)


def total_variation_loss(image: Tensor, p: int = 2) -> Tensor:
    """mean |x[i+1, j] - x[i, j]|^p + mean |x[i, j+1] - x[i, j]|^p over a (N, C, H, W) image.

    p = 2 (squared differences, smooth) or p = 1 (absolute, keeps edges sharper).
    """
    if p not in (1, 2):
        raise ValueError(f"total_variation_loss: p must be 1 or 2, got {p!r}")
    _check_maps("total_variation_loss", image)
    down = image[:, :, 1:, :] - image[:, :, :-1, :]
    right = image[:, :, :, 1:] - image[:, :, :, :-1]
    if p == 1:
        return down.abs().mean() + right.abs().mean()
    return (down**2).mean() + (right**2).mean()
