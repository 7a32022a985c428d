"""Conv arithmetic: the textbook formula against the shapes glassnet's layers actually produce.

The notes ask: given the input, kernel size, padding and stride, what is the output shape?
The standard answer, per spatial axis, is

    out = floor((W - K + 2P) / S) + 1.

This experiment draws random configurations (input size, kernel, stride, padding, and,
in later families, dilation, ceil mode and TensorFlow's 'SAME' padding), builds the real
layer (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d), runs a zero input of that size through it
and compares the output's shape with each formula. A configuration where the formula
gives an output size below 1 agrees when the layer refuses it (raises). Every rule is
exact integer arithmetic, so each verdict asks for agreement on every configuration.

The parts: `settings` (and the formulas) <- `measure` (plain counts) <- `judge` (one judge per
claim) and `figures`; the prose is in `notes/conv_arithmetic.toml`.
"""

from __future__ import annotations

from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.conv_arithmetic.figures import draw_output_vs_input
from glassnet.lab.topics.conv_arithmetic.judge import (
    examples_table,
    families_table,
    judge_ceil_mode,
    judge_dilation,
    judge_floor_formula,
    judge_pool_floor,
    judge_tf_same,
)
from glassnet.lab.topics.conv_arithmetic.measure import ceil_edge_cases, measure
from glassnet.lab.topics.conv_arithmetic.settings import (
    COUNTS,
    MAX_SIZE,
    ceil_mode_formula,
    dilated_formula,
    naive_ceil_formula,
    notes_formula,
    tf_same_padding,
)

__all__ = [
    "COUNTS",
    "ceil_edge_cases",
    "ceil_mode_formula",
    "dilated_formula",
    "measure",
    "naive_ceil_formula",
    "notes_formula",
    "run",
    "tf_same_padding",
]


@experiment("conv_arithmetic")
def run(mode: str, seed: int) -> Result:
    m = measure(mode, seed)
    families = m["families"]
    result = Result.start("conv_arithmetic", mode, seed)
    result.setup = result.say("setup", count=m["count"], max_size=MAX_SIZE)
    families_table(result, families)
    examples_table(result, m["examples"])
    judge_floor_formula(result, families["conv"])
    judge_dilation(result, families["dilated"])
    judge_pool_floor(result, families["pool"])
    judge_ceil_mode(result, families["ceil"])
    judge_tf_same(result, m)
    draw_output_vs_input(result, m["figure"])
    return result
