"""Vanishing and exploding gradients: per-layer gradient norms by depth, and why.

The notes: "when a network has too many layers, the earlier layers, because of the products
taken while differentiating, end up with weights and biases abnormally large or small".

Setup: MLPs of `depth` hidden layers of WIDTH units (Linear -> activation, zero biases, a
Linear output layer) on one fixed mini-batch of MNIST-1D, with sigmoid, tanh and ReLU, each
with its matched initialisation (Xavier for sigmoid and tanh, with PyTorch's gains 1 and
5/3; He for ReLU) and with too-large weights (every weight N(0, 1): the unscaled
`np.random.randn` of many tutorials, 8x the 1/sqrt(64) scale). `glassnet.diagnose.gradient_flow`
gives each weight's gradient norm ||dL/dW_l|| and the backward signal RMS(dL/dz_l) at each
Linear output z_l. The mechanism is checked quantitatively: back-propagation through one
layer computes delta_l = phi'(z_l) * (W_{l+1}^T delta_{l+1}), so, with the weights
independent of the signal, the RMS of the signal changes by the local factor

    f_l = RMS(phi'(z_l)) * sqrt(n_{l+1} * mean(W_{l+1}^2))

and the first-to-last ratio should be the product of the f_l. The factors use only the
forward pass and the weights, so agreement is a real test of "products of many factors".

The parts: `settings` <- `measure` (plain numbers) <- `judge` (one judge per claim) and
`figures`; the prose is in `notes/vanishing_exploding.toml`.
"""

from __future__ import annotations

from glassnet.lab.kit.clock import Clock
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.vanishing_exploding.figures import (
    draw_diagnose,
    draw_factor_product,
    draw_gradient_by_depth,
)
from glassnet.lab.topics.vanishing_exploding.judge import (
    cost_table,
    deepest_table,
    fates_table,
    judge_large_init_explodes,
    judge_product_of_factors,
    judge_too_many_layers,
    judge_weights_abnormal,
    setup,
    signal_table,
)
from glassnet.lab.topics.vanishing_exploding.measure import build, derivative, measure, profile
from glassnet.lab.topics.vanishing_exploding.settings import (
    ABNORMAL,
    ACTIVATIONS,
    DEPTHS,
    EXPLODES_DECADES,
    FINE_DECADES,
    GROWS_DECADES,
)

__all__ = [
    "ABNORMAL",
    "ACTIVATIONS",
    "DEPTHS",
    "EXPLODES_DECADES",
    "FINE_DECADES",
    "GROWS_DECADES",
    "build",
    "derivative",
    "measure",
    "profile",
    "run",
]


@experiment("vanishing_exploding")
def run(mode: str, seed: int) -> Result:
    clock = Clock()
    m = measure(mode, seed)
    result = Result.start("vanishing_exploding", mode, seed)
    result.setup = setup(result, m)
    signal_table(result, m)
    deepest_table(result, m)
    judge_too_many_layers(result, m)
    judge_product_of_factors(result, m)
    judge_large_init_explodes(result, m)
    fates_table(result, m)
    judge_weights_abnormal(result, m)
    draw_gradient_by_depth(result, m)
    draw_factor_product(result, m)
    draw_diagnose(result, m)
    cost_table(result, clock.cpu, clock.wall)
    return result
