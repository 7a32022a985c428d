"""Judging an initialisation from the distribution of each layer's activations.

The notes: look at each layer's activations after initialisation; a good init gives a
uniform distribution over a fixed, stable, common interval; a fairly good result has mean
0 and variance 0.02 (tanh, ReLU). This experiment applies glassnet's diagnostics
(`glassnet.diagnose.activation_stats` and its alarms, the same as `glassnet diagnose`) to
an 8-hidden-layer MLP on the digits with good and bad inits, for tanh and ReLU, and then
trains every net to see whether the diagnosis at init predicted the outcome. It also
measures the shape (distance to a uniform distribution), the stability across layers and
the mean and variance of the activations of the two textbook-good pairs (Xavier + tanh,
He + ReLU).

The package: `settings` (modes, thresholds), `measure` (plain data), `tables`, `judge` (one
function per claim), `figures`, and this file, which runs them in order.
"""

from __future__ import annotations

from glassnet.lab.kit.costs import Costs, add_cost_table, timed
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.init_diagnosis import figures, measure
from glassnet.lab.topics.init_diagnosis.judge import judge_all
from glassnet.lab.topics.init_diagnosis.settings import BATCH, LRS, SEEDS, STEPS, TRAINS
from glassnet.lab.topics.init_diagnosis.tables import add_tables, diagnosis_rows

__all__ = ["run"]


@experiment("init_diagnosis")
def run(mode: str, seed: int) -> Result:
    result = Result.start("init_diagnosis", mode, seed)
    result.setup = result.say(
        "setup",
        batch=BATCH,
        steps=STEPS[mode],
        lrs=list(LRS[mode]),
        seeds=SEEDS[mode],
        trains=TRAINS,
    )
    costs: Costs = []
    measured = measure.measure(mode, seed, costs)
    rows = diagnosis_rows(measured)
    add_tables(result, measured, rows)
    judge_all(result, measured, rows)
    with timed(costs, Text("figures", "图")):
        figures.draw(result, measured)
    add_cost_table(result, costs)
    return result
