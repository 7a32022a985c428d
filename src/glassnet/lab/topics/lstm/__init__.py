"""LSTM vs a plain RNN on a long-range task, and the LSTM cell drawn from a real forward pass.

The notes only say "draw an LSTM by hand". The drawing is `glassnet.viz.draw_lstm_cell`
(rendered by Graphviz when `dot` is installed). The claim behind the drawing (Hochreiter
& Schmidhuber 1997): the cell's additive update c_t = f_t * c_(t-1) + i_t * g_t carries
the error back scaled only by the forget gates, where a tanh RNN multiplies it by
W_hh^T diag(1 - h_t^2) at every step, so an LSTM learns dependencies a plain RNN cannot.

The task (`glassnet.lab.kit.sequences`): the label is the sign of the first input, followed
by T - 1 steps of unit-variance noise; the label is read from the last hidden state. Chance
is 50%. For each length T, three nets of the same width train with the same Adam steps
on the same batches: a tanh RNN, an LSTM with PyTorch's default init (forget-gate bias 0,
so f_t starts near 0.5), and an LSTM with chrono init (Tallec & Ollivier 2018: forget
biases spread so that the units' memory spans cover 1..T, the additive path open from the
start, as in the 1997 LSTM whose cell had no forget gate at all). Full mode adds an LSTM
with forget-gate bias 1 (Gers et al. 2000; Jozefowicz et al. 2015).

The parts: `settings` <- `measure` (plain data) <- `judge` (the claim) and `figures`; the
prose, table titles and headers are in `notes/lstm.toml`.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab import Result, Text, experiment
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm
from glassnet.lab.topics.lstm.figures import draw_accuracy_vs_length, draw_cell, draw_gates
from glassnet.lab.topics.lstm.judge import judge_long_range
from glassnet.lab.topics.lstm.measure import build, measure, steps_to_learn
from glassnet.lab.topics.lstm.settings import (
    BATCH,
    CONFIG,
    FAILS,
    HIDDEN,
    LEARNED_LOSS,
    LEARNS,
    LOSS_WINDOW,
    LR,
    NOISE_STD,
    arms_for,
)

__all__ = ["CONFIG", "FAILS", "LEARNS", "build", "measure", "run", "steps_to_learn"]


@experiment("lstm")
def run(mode: str, seed: int) -> Result:
    clock = Clock()
    with one_blas_thread():
        data = measure(mode, seed)
        result = Result.start("lstm", mode, seed)
        drawing = draw_cell(result)
        judge_long_range(result, data, mode)
        accuracy_table(result, data, mode)
        gradient_table(result, data, mode)
        draw_accuracy_vs_length(result, data, mode)
        draw_gates(result, data, mode)
    said = setup(result, mode, clock)
    result.setup = said if drawing is None else Text(said.en + drawing.en, said.zh + drawing.zh)
    return result


def setup(result: Result, mode: str, clock: Clock) -> Text:
    config = CONFIG[mode]
    arms = [result.text(f"arm_{arm}") for arm in arms_for(mode)]
    return result.say(
        "setup",
        noise_std=NOISE_STD,
        lengths=", ".join(map(str, config["lengths"])),
        arms_en=", ".join(arm.en for arm in arms),
        arms_zh=", ".join(arm.zh for arm in arms),
        hidden=HIDDEN,
        steps=config["steps"],
        lr=LR,
        batch=BATCH,
        replicates=config["replicates"],
        test=config["test"],
        wall=clock.wall,
        cpu=clock.cpu,
    )


def steps_cell(result: Result, learned: list) -> object:
    """Mean steps to learn over the seeds that learned ('(k/n)' when not all did), or never."""
    done = [s for s in learned if s is not None]
    if not done:
        return result.text("never")
    if len(done) < len(learned):
        return f"{int(np.mean(done))} ({len(done)}/{len(learned)})"
    return f"{int(np.mean(done))}"


def accuracy_table(result: Result, data: dict, mode: str) -> None:
    arms, lengths = arms_for(mode), CONFIG[mode]["lengths"]
    rows = []
    for t in lengths:
        row: list = [t]
        for arm in arms:
            row.append(pm(data["accuracy"][(arm, t)]))
            row.append(steps_cell(result, data["learned_at"][(arm, t)]))
        rows.append(row)
    columns: list = [result.text("col_length")]
    for arm in arms:
        name = result.text(f"arm_{arm}")
        columns.append(result.say("col_accuracy", arm_en=name.en, arm_zh=name.zh))
        columns.append(result.say("col_steps", arm_en=name.en, arm_zh=name.zh))
    note = result.say("accuracy_note", window=LOSS_WINDOW, loss=LEARNED_LOSS)
    result.add_table(result.text("accuracy_title"), columns, rows, note=note)


def geometric(result: Result, values: list[float]) -> object:
    """Geometric mean as text; a ratio that underflowed float32 (0) is shown as such."""
    if min(values) <= 0:
        return result.text("underflow")
    return f"{math.exp(np.mean(np.log(values))):.2e}"


def gradient_table(result: Result, data: dict, mode: str) -> None:
    arms, lengths = arms_for(mode), CONFIG[mode]["lengths"]
    columns = [result.text("col_length"), *(result.text(f"arm_{arm}") for arm in arms)]
    rows = [
        [t, *(geometric(result, data["grad_ratio"][(arm, t)]) for arm in arms)] for t in lengths
    ]
    result.add_table(
        result.text("gradient_title"), columns, rows, note=result.text("gradient_note")
    )
