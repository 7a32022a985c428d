"""Gradient clipping on an RNN whose gradients explode (Pascanu, Mikolov & Bengio 2013).

Norm clipping rescales the whole gradient g when its norm passes a threshold:

    g <- g * threshold / ||g||    if ||g|| > threshold

so the direction is kept and only the step's length is capped. Pascanu et al. pick the
threshold from "the average norm over a sufficiently large number of updates"; here: the
mean gradient norm over the first WARMUP updates of the same net trained without clipping.

The exploding net: a tanh RNN (hidden 32) whose recurrent matrix is drawn with gain 1.5,
W_hh ~ N(0, 1.5^2 / H): past the edge of chaos (gain 1), where the error signal grows as
it goes back in time. The premise is measured, not assumed: the ratio ||dL/dx_0|| /
||dL/dx_39|| at initialisation (above 1: the gradient grows on its way back), and the
largest gradient norm of the unclipped run against its median (the spikes). Both runs of a
seed start from the same weights and see the same batches of MNIST-1D (40 steps of one
feature, 10 classes); plain SGD with momentum, as in the paper.

The parts: `settings` <- `measure` (plain numbers) <- `judge` and `figures`; the prose is in
`notes/gradient_clipping.toml`.
"""

from __future__ import annotations

from glassnet.lab.kit.clock import Clock
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.gradient_clipping.figures import draw_clipping_curves
from glassnet.lab.topics.gradient_clipping.judge import judge_norm_clipping, pairs_table
from glassnet.lab.topics.gradient_clipping.measure import Pair, build, measure
from glassnet.lab.topics.gradient_clipping.settings import (
    BATCH,
    CONFIG,
    GAIN,
    HIDDEN,
    LR,
    MOMENTUM,
    WARMUP,
)

__all__ = ["CONFIG", "Pair", "build", "measure", "run"]


@experiment("gradient_clipping")
def run(mode: str, seed: int) -> Result:
    clock, config = Clock(), CONFIG[mode]
    pairs = measure(mode, seed)
    result = Result.start("gradient_clipping", mode, seed)
    judge_norm_clipping(result, pairs, mode)
    pairs_table(result, pairs, mode)
    draw_clipping_curves(result, pairs, mode)
    result.setup = result.say(
        "setup",
        hidden=HIDDEN,
        gain=GAIN,
        replicates=config["replicates"],
        lr=LR,
        momentum=MOMENTUM,
        batch=BATCH,
        steps=config["steps"],
        warmup=WARMUP,
        time=clock.note(),
    )
    return result
