"""Activation functions: the notes' pros and cons of sigmoid, tanh, ReLU, Leaky ReLU and ELU, measured.

Five experiments, each feeding several claims:

  mechanics   every activation (glassnet's op, float32) and its autograd derivative on a
              grid of 600,001 points in [-30, 30]: range, value above 0, zeros, the size of
              the non-saturated region, the derivative's largest jump (smoothness);
  gradients   a 10-hidden-layer MLP at initialisation, one backward pass on MNIST-1D
              (diagnose.gradient_flow): the first layer's weight gradient over the last's,
              with each activation's own fan-in init (gain: sigmoid 1, tanh 5/3, ReLU
              sqrt 2) and with PyTorch's default init;
  training    the same 40-100-100-10 MLP with each activation, plus sigmoid(x) - 0.5 (the
              slope of sigmoid, the mean of tanh: the control that separates 'zero-mean'
              from 'steeper'), trained on MNIST-1D with SGD + momentum 0.9 over a small
              learning-rate grid and several seeds: training loss per epoch, test
              accuracy, the update-to-weight ratio ||dW|| / ||W|| of real steps, dead units,
              saturation and how far each unit's output is from zero-mean;
  cost        the arithmetic of each activation in place on 1e6 float32 values, CPU ns per
              element with one thread, and its operation count (this decides the cost
              claims); glassnet's forward + backward per element and the time of one
              training step of the MLP beside it;
  output      sigmoid's range as a probability: a linear model on a binary MNIST-1D task
              with sigmoid + MSE, identity + MSE and sigmoid + BCE outputs (`probability`).

Convergence speed is the mean training loss over the epochs (the area under the loss
curve): lower means it got there sooner. Every threshold below was written before the
experiment ran, and is printed with its verdict.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet.lab.kit import activations as T
from glassnet.lab.kit.costs import Costs, timed
from glassnet.lab.kit.data import Split, mnist1d
from glassnet.lab.kit.machine import load_average, one_blas_thread
from glassnet.lab.kit.stats import geometric_mean, mean_std
from glassnet.lab.registry import experiment
from glassnet.lab.report.formatting import pm
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.activations import figures, numbers, timing
from glassnet.lab.topics.activations.judge import judge_all
from glassnet.lab.topics.activations.measure import (
    PLANS,
    Context,
    Plan,
    at_init,
    best_lr,
    mechanics,
    train_all,
)
from glassnet.lab.topics.activations.probability import output_probe
from glassnet.lab.topics.activations.settings import (
    ACTIVATION_SIZE,
    ARITHMETIC_SIZE,
    CENTRED,
    COMMON_LR,
    COSTLY,
    FACTOR_CLOSE,
    FACTOR_SAME,
    HIDDEN,
    OFF_CENTRE,
    SATURATED,
    STACK_DEPTH,
    TRAINED,
    VANISH,
)


def measure_all(plan: Plan, seed: int, seeds: list[int], parts: Costs) -> tuple[Split, dict]:
    """Everything the claims need, each part timed into `parts` (CPU and wall seconds)."""
    data = mnist1d(n_train=plan.n_train, n_val=500, val_at="end")
    found: dict = {}
    with timed(parts, "mechanics on the grid"):
        found["grid"] = {name: mechanics(name) for name in T.ACTIVATIONS}
    with timed(parts, "deep-stack gradients"):
        found["stacks"] = {
            (name, init): [
                T.stack_gradients(
                    name, STACK_DEPTH, plan.stack_width, data.x_val, data.y_val, seed + k, init
                )
                for k in range(plan.stack_seeds)
            ]
            for name in T.ACTIVATIONS
            for init in ("kaiming", None)
        }
    with timed(parts, "training"):
        found["init"] = at_init(data, seeds), at_init(data, seeds, weight_std=1.0)
        found["trained"] = train_all(plan, data, seeds)
    with timed(parts, "output probe (sigmoid's range)"):
        found["probe"] = output_probe(data, seeds, plan.probe_steps)
    with timed(parts, "cost per element and per step"):
        found["costs"] = {
            size: timing.time_per_element(
                size, plan.repeats if size == ACTIVATION_SIZE else max(3, plan.repeats // 8)
            )
            for size in (ACTIVATION_SIZE, plan.big_elements)
            if size
        }
        found["arithmetic"] = timing.arithmetic_cost(ARITHMETIC_SIZE, plan.arithmetic_repeats)
        found["steps"] = {
            name: timing.step_time([40, *HIDDEN, 10], name, 100, plan.repeats)
            for name in T.ACTIVATIONS
        }
    return data, found


@experiment("activations", exclusive=True)
def run(mode: str, seed: int) -> Result:
    plan = PLANS[mode]
    seeds = [seed + k for k in range(plan.seeds)]
    parts: Costs = []
    with one_blas_thread():
        data, found = measure_all(plan, seed, seeds, parts)
    result = Result.start("activations", mode, seed)
    result.setup = numbers.setup_text(result, plan, data, seeds)
    trained = found["trained"]
    best = {name: best_lr(trained, name, plan.lrs, plan.epochs) for name in TRAINED}
    context = Context(
        plan,
        found["grid"],
        found["stacks"],
        *found["init"],
        trained,
        best,
        found["costs"],
        found["steps"],
        found["arithmetic"],
        found["probe"],
    )
    judge_all(result, context)
    figures.tables(result, context)
    figures.figures(result, context)
    result.add_table(
        result.text("parts_title"),
        [result.text(key) for key in ("col_part", "col_cpu_s", "col_wall_s")],
        [[part, round(cpu, 2), round(wall, 2)] for part, cpu, wall in parts],
        note=result.say("parts_note", load_average=load_average()),
    )
    return result
