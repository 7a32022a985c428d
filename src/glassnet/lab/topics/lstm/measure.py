"""lstm's measurements: each arm trained on the sign-memory task at each length, as plain data.

measure(mode, seed) -> {"accuracy", "learned_at", "curves", "grad_ratio":
                        {(arm, length): [one value per seed]}, "gates": gate_trace(...)}
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.lab.kit import sequences as ts
from glassnet.lab.topics.lstm.settings import (
    ARMS,
    BATCH,
    CONFIG,
    GATE_SEQUENCES,
    GRADIENT_PROBE,
    HIDDEN,
    LEARNED_LOSS,
    LOSS_WINDOW,
    LR,
    NOISE_STD,
    arms_for,
)
from glassnet.models.rnn_classifier import RNNClassifier
from glassnet.viz.lstm_cell import lstm_cell_step


def build(arm: str, length: int, model_seed: int) -> RNNClassifier:
    """The net of `arm` for sequences of `length`, its init drawn from `model_seed`."""
    glassnet.manual_seed(model_seed)
    model = RNNClassifier(2, HIDDEN, 2, cell=ARMS[arm])
    if arm == "lstm_chrono":
        ts.chrono_init(model.rnn, max(length, 3), np.random.default_rng(model_seed))
    elif arm == "lstm_bias1":
        ts.set_forget_bias(model.rnn, 1.0)
    return model


def steps_to_learn(losses: list[float]) -> int | None:
    """First step where the mean loss of the last LOSS_WINDOW steps is below LEARNED_LOSS."""
    if len(losses) < LOSS_WINDOW:
        return None
    running = np.convolve(losses, np.ones(LOSS_WINDOW) / LOSS_WINDOW, mode="valid")
    below = np.flatnonzero(running < LEARNED_LOSS)
    return int(below[0]) + LOSS_WINDOW if len(below) else None


def train_arm(model: RNNClassifier, steps: int, seed: int, length: int, replicate: int) -> object:
    """Adam on fresh sign-memory batches, the same batches for every arm; its loss history."""
    batches = np.random.default_rng([seed, length, replicate])
    optimizer = glassnet.optim.Adam(model.parameters(), lr=LR)
    return ts.train_steps(
        model,
        lambda step: ts.sign_memory_batch(batches, BATCH, length, NOISE_STD),
        steps,
        optimizer,
    )


def one_run(runs: dict, arm: str, length: int, replicate: int, seed: int, context: dict) -> object:
    """Build, probe, train and test one arm at one length; its numbers appended to `runs`."""
    key = (arm, length)
    model = build(arm, length, seed * 10_000 + replicate * 100 + context["index"])
    probe_rng = np.random.default_rng([seed, length, replicate, 7])
    by_step = ts.input_gradient_by_step(
        model, ts.sign_memory_batch(probe_rng, GRADIENT_PROBE, length)
    )
    runs["grad_ratio"].setdefault(key, []).append(float(by_step[0] / max(by_step[-1], 1e-300)))
    history = train_arm(model, context["steps"], seed, length, replicate)
    test = context["test"]
    accuracy = ts.evaluate(model, *test)[0] if history.diverged_at is None else 0.5
    runs["accuracy"].setdefault(key, []).append(accuracy)
    runs["learned_at"].setdefault(key, []).append(steps_to_learn(history.losses))
    runs["curves"].setdefault(key, []).append(history.padded(history.losses).tolist())
    return model


def gate_trace(model: RNNClassifier, longest: int) -> dict:
    """Step the trained LSTM with glassnet.viz's cell: mean gates per step, cell states
    (N, T, H), labels."""
    x, y = ts.sign_memory_batch(np.random.default_rng(5), GATE_SEQUENCES, longest, NOISE_STD)
    rnn = model.rnn
    h, c = glassnet.zeros(len(x), HIDDEN), glassnet.zeros(len(x), HIDDEN)
    gates, cells = {g: [] for g in "ifo"}, []
    weights = (rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
    with glassnet.no_grad():
        for t in range(longest):
            step = lstm_cell_step(glassnet.tensor(x[:, t]), h, c, *weights)
            h, c = step["h"], step["c"]
            for g in "ifo":
                gates[g].append(step[g].data.mean())
            cells.append(c.data.copy())
    return {"gates": gates, "cells": np.stack(cells, axis=1), "y": y}


def measure(mode: str, seed: int) -> dict:
    """Every arm at every length and seed; the gate trace of the chrono LSTM at the longest."""
    config = CONFIG[mode]
    runs: dict = {"accuracy": {}, "learned_at": {}, "curves": {}, "grad_ratio": {}}
    longest = config["lengths"][-1]
    traced = None
    for length in config["lengths"]:
        test_rng = np.random.default_rng([seed, length, 99])
        test = ts.sign_memory_batch(test_rng, config["test"], length, NOISE_STD)
        for replicate in range(config["replicates"]):
            for index, arm in enumerate(arms_for(mode)):
                context = {"index": index, "steps": config["steps"], "test": test}
                model = one_run(runs, arm, length, replicate, seed, context)
                if (arm, length, replicate) == ("lstm_chrono", longest, 0):
                    traced = model
    runs["gates"] = gate_trace(traced, longest)
    return runs
