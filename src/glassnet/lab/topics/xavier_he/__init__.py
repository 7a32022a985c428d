"""Xavier vs He: which initialisation keeps the signal alive through depth, for tanh and for ReLU.

A layer y = W x with fan_in inputs gives Var(y) = fan_in Var(W) Var(x) (zero-mean weights,
independent inputs), and on the way back Var(dx) = fan_out Var(W) Var(dy). Xavier (Glorot &
Bengio 2010) takes Var(W) = 2 / (fan_in + fan_out): both factors about 1 for an activation
with slope 1 at 0, such as tanh. ReLU zeroes half its inputs and halves the second moment,
so He (He et al. 2015) takes Var(W) = 2 / fan_in; with Xavier a ReLU stack loses a factor
sqrt(2) of std per layer.

Four measurements:

1. the std of every layer's activations at init through 16 hidden layers of 256 units
   (digits as input), for tanh and ReLU, with Xavier, Xavier with gain 5/3, He,
   N(0, 0.01^2) and the notes' snippet;
2. fan_in and fan_out measured as variance gains (forward: Var(y) / (Var(x) Var(W));
   backward: Var(dx) / (Var(dy) Var(W)) at interior positions), against the notes'
   "number of output channels";
3. training a 10-layer tanh net with each init, and a 30-layer plain ReLU net with He and
   with Xavier (He et al. 2015, figure 3), each init at its best learning rate of one grid;
4. the notes' snippet np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2), which draws
   from U[0, 1): every weight positive, mean 1 / sqrt(2 fan_in) (its CS231n original uses
   randn, which is He init).

The package: `settings` (modes, thresholds), `measure` (plain data), `tables`, `judge` (one
function per claim), `figures`, and this file, which runs them in order.
"""

from __future__ import annotations

from glassnet.lab.kit.costs import Costs, add_cost_table, timed
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.xavier_he import figures, measure
from glassnet.lab.topics.xavier_he.judge import judge_all
from glassnet.lab.topics.xavier_he.settings import LRS, SEEDS, STEPS
from glassnet.lab.topics.xavier_he.tables import add_tables

__all__ = ["run"]


@experiment("xavier_he")
def run(mode: str, seed: int) -> Result:
    (tanh_steps, relu_steps), (tanh_lrs, relu_lrs) = STEPS[mode], LRS[mode]
    result = Result.start("xavier_he", mode, seed)
    result.setup = result.say(
        "setup",
        seeds=SEEDS[mode],
        tanh_steps=tanh_steps,
        relu_steps=relu_steps,
        tanh_lrs=list(tanh_lrs),
        relu_lrs=list(relu_lrs),
    )
    costs: Costs = []
    measured = measure.measure(mode, seed, costs)
    add_tables(result, measured)
    judge_all(result, measured)
    with timed(costs, Text("figures", "图")):
        figures.draw(result, measured)
    add_cost_table(result, costs)
    return result
