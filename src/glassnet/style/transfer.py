"""Style transfer by optimisation: make a picture whose features match the content
picture's and whose Gram matrices match the style picture's (Gatys et al. 2016).

The objective, with every layer's loss divided by the size of its target so that the
weights mean the same for every extractor::

    L(x) = content_weight * sum_l |F_l(x) - F_l(c)|^2 / |F_l(c)|^2      (l: content layers)
         + style_weight   * sum_l |G_l(x) - G_l(s)|^2 / |G_l(s)|^2      (l: style layers)
         + tv_weight      * TV(x)

(|.|^2 the mean square; G the tutorial-normalised Gram matrix of losses.py). The
picture x starts from the content picture and is optimised directly, by L-BFGS with
a strong-Wolfe line search (the default) or Adam.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy

from glassnet import optim
from glassnet.grad_mode import no_grad
from glassnet.style.features import FeatureExtractor
from glassnet.style.images import resize_array
from glassnet.style.losses import content_loss, gram_matrix, style_loss, total_variation_loss
from glassnet.tensor import Tensor

OPTIMIZERS = ("lbfgs", "adam")
Progress = Callable[[int, dict[str, float]], None]


@dataclass
class TransferResult:
    """The picture made, (3, H, W) in [0, 1], and the losses at every evaluation."""

    image: numpy.ndarray
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def evaluations(self) -> int:
        return len(self.history)

    def style_reduction(self) -> float:
        """1 - final style loss / initial style loss (of the last stage's scale)."""
        stage = [row for row in self.history if row["stage"] == self.history[-1]["stage"]]
        return 1.0 - stage[-1]["style"] / stage[0]["style"]


class Objective:
    """The weighted loss of one content and one style picture under one extractor."""

    def __init__(
        self,
        features: FeatureExtractor,
        content: numpy.ndarray,
        style: numpy.ndarray,
        content_weight: float,
        style_weight: float,
        tv_weight: float,
    ) -> None:
        self.features = features
        self.weights = (content_weight, style_weight, tv_weight)
        with no_grad():
            content_maps = features(Tensor(content[None]))
            style_maps = features(Tensor(style[None]))
            self.content_targets = {
                name: content_maps[name].detach() for name in features.content_layers
            }
            self.style_targets = {
                name: gram_matrix(style_maps[name]).detach() for name in features.style_layers
            }
        self.content_scale = {
            name: 1.0 / max(float((t.data.astype(numpy.float64) ** 2).mean()), 1e-12)
            for name, t in self.content_targets.items()
        }
        self.style_scale = {
            name: 1.0 / max(float((t.data.astype(numpy.float64) ** 2).mean()), 1e-24)
            for name, t in self.style_targets.items()
        }

    def __call__(self, image: Tensor) -> tuple[Tensor, dict[str, float]]:
        """The total loss (a Tensor to differentiate) and its three parts as floats."""
        content_weight, style_weight, tv_weight = self.weights
        maps = self.features(image)
        content = sum(
            content_loss(maps[name], target) * self.content_scale[name]
            for name, target in self.content_targets.items()
        )
        style = sum(
            style_loss(maps[name], target) * self.style_scale[name]
            for name, target in self.style_targets.items()
        )
        tv = total_variation_loss(image)
        total = content * content_weight + style * style_weight + tv * tv_weight
        parts = {"content": float(content), "style": float(style), "tv": float(tv)}
        return total, {**parts, "total": float(total)}


def transfer(
    content: numpy.ndarray,
    style: numpy.ndarray,
    features: FeatureExtractor,
    *,
    content_weight: float = 1.0,
    style_weight: float = 100.0,
    tv_weight: float = 0.0,
    steps: int = 80,
    optimizer: str = "lbfgs",
    lr: float | None = None,
    coarse_to_fine: bool = False,
    progress: Progress | None = None,
) -> TransferResult:
    """Paint `content` (3, H, W) in the style of `style` (3, h, w); both in [0, 1].

    `steps` is the budget of loss evaluations (each one forward and backward); with
    `coarse_to_fine` a third of it goes to the picture at half size first, whose
    result, upsampled, starts the full-size stage. `progress(evaluation, losses)` is
    called after every evaluation.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"--optimizer {optimizer!r}: choose from {', '.join(OPTIMIZERS)}")
    if steps < 1:
        raise ValueError(f"--steps {steps}: need at least 1 evaluation")
    result = TransferResult(image=content)
    stages = [(content, style, steps)]
    if coarse_to_fine:
        small = [_half(content), _half(style)]
        coarse = max(1, steps // 3)
        stages = [(small[0], small[1], coarse), (content, style, max(1, steps - coarse))]
    for stage, (target, painting, budget) in enumerate(stages):
        start = target if stage == 0 else resize_array(result.image, *target.shape[1:])
        features.prepare(Tensor(painting[None]))
        objective = Objective(features, target, painting, content_weight, style_weight, tv_weight)
        image = _optimise(objective, start, budget, optimizer, lr, result, stage, progress)
        result.image = numpy.clip(image, 0.0, 1.0)
    return result


def _half(image: numpy.ndarray) -> numpy.ndarray:
    return resize_array(image, max(16, image.shape[1] // 2), max(16, image.shape[2] // 2))


def _optimise(
    objective: Objective,
    start: numpy.ndarray,
    budget: int,
    optimizer: str,
    lr: float | None,
    result: TransferResult,
    stage: int,
    progress: Progress | None,
) -> numpy.ndarray:
    image = Tensor(start[None].astype(numpy.float32).copy(), requires_grad=True)
    history = result.history

    def evaluate() -> Tensor:
        image.grad = None
        loss, parts = objective(image)
        loss.backward()
        history.append({"stage": stage, **parts})
        if progress is not None:
            progress(len(history), parts)
        return loss

    if optimizer == "lbfgs":
        solver: Any = optim.LBFGS(
            [image],
            lr=1 if lr is None else lr,
            max_iter=budget,
            max_eval=max(1, budget - 1),  # its line search may take one evaluation more
            history_size=50,
            tolerance_change=0.0,
            tolerance_grad=0.0,
            line_search_fn="strong_wolfe",
        )
        solver.step(evaluate)
    else:
        solver = optim.Adam([image], lr=0.02 if lr is None else lr)
        for _ in range(budget):
            solver.step(evaluate)
    return image.data[0]
