"""BatchNorm: its four steps, and what it does (and does not do) for training, measured.

The four steps, on a batch of x (one column per feature):

    mu = mean(x)        var = mean((x - mu)^2)        x_hat = (x - mu) / sqrt(var + eps)        y = gamma x_hat + beta

are computed by hand and compared with nn.BatchNorm1d. Then MLPs on MNIST-1D (4 hidden
ReLU layers of 64, PyTorch's default init, plain SGD, batch 64) are trained with and
without BN over a learning-rate grid: the steps to reach TARGET training accuracy and the
largest learning rate that still reaches it. Variants test the notes' tips (BN also on
the input or on the output layer; BN statistics frozen instead of taken from every
batch) and the explanation, internal covariate shift, as Santurkar et al. 2018 test it:
BN followed by a random per-unit scale and shift redrawn at every step (at two strengths;
the milder one whose drift reaches the plain net's own is judged) re-injects the shift BN
removes; if the shift were why BN trains faster, that would undo the speed-up. Beside it,
their loss-landscape measures along the gradient. Two checks of definitions close it:
what BN without gamma and beta can represent (expressiveness.py), and epsilon. The notes'
one-line definition, "a standardisation into a fixed range", is checked on two inputs
(standardise.py): a fixed location and scale, yes; a fixed range, no.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.diagnose.inputs import preserved
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.curve import Curve, evaluate, train
from glassnet.lab.kit.curve import probe_split as mnist1d_split
from glassnet.lab.kit.data import Split
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.batchnorm import mechanics
from glassnet.lab.topics.batchnorm.expressiveness import judge_epsilon
from glassnet.lab.topics.batchnorm.judge import sweep_verdicts, variant_verdicts
from glassnet.lab.topics.batchnorm.judge_shift import shift_verdicts
from glassnet.lab.topics.batchnorm.measure import run_variant
from glassnet.lab.topics.batchnorm.models import build
from glassnet.lab.topics.batchnorm.settings import (
    BATCH,
    EVAL_EVERY,
    HIDDEN,
    LANDSCAPE_BATCH,
    LRS,
    PROBE_EVERY,
    SEEDS,
    STEPS,
    TARGET,
    WIDTH,
)
from glassnet.lab.topics.batchnorm.standardise import judge_what_it_is, measure_standardise
from glassnet.tensor import Tensor


@experiment("batchnorm")
def run(mode: str, seed: int) -> Result:
    clock = Clock()
    lrs, steps, seeds = LRS[mode], STEPS[mode], SEEDS[mode]
    result = Result.start("batchnorm", mode, seed)
    result.setup = result.say(
        "setup",
        hidden_widths="-".join([str(WIDTH)] * HIDDEN),
        batch=BATCH,
        steps=steps,
        seeds=seeds,
        eval_every=EVAL_EVERY,
        target=TARGET,
        lrs=lrs,
        probe_every=PROBE_EVERY,
    )
    data = mnist1d_split()
    mechanics.four_steps(result, data)
    mechanics.zero_one(result, build("none", seed), data)
    judge_what_it_is(result, measure_standardise(data, seed))

    sweep = {
        (variant, lr): run_variant(variant, lr, data, steps, seeds, seed, stop=True)
        for variant in ("none", "hidden")
        for lr in lrs
    }
    best = {
        v: min(lrs, key=lambda lr, v=v: (sweep[(v, lr)].steps(steps), lr))
        for v in ("none", "hidden")
    }
    sweep_verdicts(result, sweep, best, lrs, steps)

    main = {
        v: run_variant(v, best["hidden"], data, steps, seeds, seed, stop=False)
        for v in ("hidden", "input", "output", "frozen", "no_affine")
    }
    variant_verdicts(result, main, best, steps, data)

    probe = data.x_train[-500:]
    batch = (data.x_train[-LANDSCAPE_BATCH:], data.y_train[-LANDSCAPE_BATCH:])
    common = {
        v: run_variant(v, best["none"], data, steps, seeds, seed, False, probe, batch)
        for v in ("none", "hidden", "noisy_mild", "noisy")
    }
    shift_verdicts(result, common, best["none"], steps, data, probe)
    judge_epsilon(result, data)
    mechanics.figures(result, sweep, main, common, best, lrs, steps, data)
    result.add_table(
        Text("Cost", "耗时"),
        [Text("CPU seconds", "CPU 秒"), Text("wall seconds", "墙钟秒")],
        [[round(clock.cpu, 2), round(clock.wall, 2)]],
        note=Text("reported, never asserted", "仅报告,不作断言"),
    )
    return result
