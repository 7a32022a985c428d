"""Zero initialisation: why not, when it is fine, and whether "the gradient vanishes" is the reason.

With every weight 0 (or every weight of a layer equal), the hidden units of a layer compute
the same function of the input, receive the same gradient, and so stay equal after every
update: the layer behaves like a single unit however wide it is. With tanh or ReLU the
all-zero net is worse still: every hidden output is 0 and so is every weight gradient, so
only the output biases learn (the class frequencies). A network with no hidden layer has
no such problem: each output unit has its own target, so zero is as good a start as any
for this convex problem (softmax regression).

Measured on the 8x8 digits (standardised), SGD with momentum 0.9, lr 0.05, batches of 64:

- softmax regression and a 1-hidden-layer sigmoid net from zero vs Xavier init;
- a 2-hidden-layer MLP (64-32-32-10) with tanh, ReLU and sigmoid from zeros, from a
  constant (every weight 1/fan_in) and from the standard random init (Xavier for tanh and
  sigmoid, He for ReLU): accuracy, the weight-gradient norms of the hidden layers before
  the first step and after the last, how different the units of each hidden layer are
  after training (`unit_spread`: 0 means bitwise equal) and the rank of the hidden
  activations;
- the symmetric runs again in float64, and (quick/full) a float64 run whose constant init
  is perturbed by a relative 1e-12. Why float64: with this machine's OpenBLAS, identical
  columns of a float32 matrix product come out different in the last bits (measured:
  ~1e-7 relative), while in float64 they come out bitwise equal; so float32 rounding can
  seed an asymmetry that training may then amplify.

The parts: `settings` <- `measure` (plain numbers) <- `judge` (one judge per claim) <-
`figures`; the prose is in `notes/zero_init.toml`.
"""

from __future__ import annotations

from glassnet.lab.kit.costs import add_cost_table, timed
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.zero_init.figures import draw_first_layer, draw_loss_curves, draw_symmetry
from glassnet.lab.topics.zero_init.judge import (
    judge_not_all_zero,
    judge_single_layer_ok,
    judge_symmetry,
    judge_zero_vanishing,
    runs_table,
    setup,
)
from glassnet.lab.topics.zero_init.measure import measure
from glassnet.lab.topics.zero_init.settings import (
    ACTIVATIONS,
    GAP_HOLDS,
    SINGLE_HOLDS,
    VANISHED,
)

__all__ = ["ACTIVATIONS", "GAP_HOLDS", "SINGLE_HOLDS", "VANISHED", "measure", "run"]


@experiment("zero_init")
def run(mode: str, seed: int) -> Result:
    m = measure(mode, seed)
    result = Result.start("zero_init", mode, seed)
    result.setup = setup(result, m)
    runs_table(result, m)
    judge_not_all_zero(result, m)
    judge_single_layer_ok(result, m)
    judge_zero_vanishing(result, m)
    judge_symmetry(result, m)
    costs = [(result.text(f"cost_{part}"), cpu, wall) for part, cpu, wall in m["costs"]]
    with timed(costs, result.text("cost_figures")):
        draw_loss_curves(result, m)
        draw_symmetry(result, m)
        draw_first_layer(result, m)
    add_cost_table(result, costs)
    return result
