"""The optimizers topic's exact checks: each update rule replayed on a known gradient sequence.

Split from `optimizers.py` (which trains and compares): here nothing is trained. A
parameter of 5 elements (float64) receives a fixed random gradient sequence and the real
glassnet optimiser steps on it; its updates and state are compared with the formulas the
notes state and with the standard ones (which glassnet's optimisers follow, as PyTorch's:
they are tested against torch.optim). Also the effective learning rate lr / (sqrt(v) + eps)
that Adagrad, RMSProp and Adam apply per element, read from the optimiser's state.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.optimizers.surfaces import run_2d
from glassnet.optim import Optimizer

STEPS, ZERO_STEPS, LR = 20, 5, 0.1
MATCH, MISMATCH = 1e-6, 1e-2  # relative error: 'matches' below MATCH; 'differs' above MISMATCH

OPTIMIZERS: dict[str, Callable[[list, float], Optimizer]] = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "Momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "RMSProp": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
}


def effective_lr(optimizer: Optimizer) -> float:
    """Median over all elements of lr / (sqrt(v) + eps): Adagrad's v is the sum of squared gradients,
    RMSProp's their moving average, Adam's the bias-corrected moving average. NaN for other optimisers."""
    values = []
    for group in optimizer.param_groups:
        for param in group["params"]:
            state = optimizer.state[param]
            if isinstance(optimizer, optim.Adagrad):
                v = state["sum"].data
            elif isinstance(optimizer, optim.RMSprop):
                v = state["square_avg"].data
            elif isinstance(optimizer, optim.Adam) and "exp_avg_sq" in state:
                v = state["exp_avg_sq"].data / (1 - group["betas"][1] ** float(state["step"].data))
            else:
                return math.nan
            values.append((group["lr"] / (np.sqrt(v.astype(np.float64)) + group["eps"])).ravel())
    return float(np.median(np.concatenate(values))) if values else math.nan


def gradients(seed: int, steps: int = STEPS) -> np.ndarray:
    """A fixed gradient sequence (steps, 5): random signs and sizes over two orders of magnitude."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((steps, 5)) * 10 ** rng.uniform(-1, 1, (steps, 5))


def replay(
    make: Callable[[list, float], Optimizer],
    grads: np.ndarray,
    lr: float = LR,
    state_key: str | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Step the optimiser on `grads`; return its updates (steps, 5) and, if asked, a state tensor per step."""
    param = nn.Parameter(glassnet.zeros(5, dtype=glassnet.float64))
    optimizer = make([param], lr)
    updates, states = [], []
    for g in grads:
        before = param.data.copy()
        param.grad = glassnet.tensor(g)
        optimizer.step()
        updates.append(param.data - before)
        if state_key is not None:
            states.append(optimizer.state[param][state_key].data.copy())
    return np.array(updates), states


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def adagrad_rule(result: Result, seed: int) -> list[list]:
    grads = gradients(seed)
    actual, _ = replay(OPTIMIZERS["Adagrad"], grads)
    total = np.cumsum(grads**2, axis=0)
    steps = np.arange(1, len(grads) + 1)[:, None]
    readings = {
        "notes: g x sqrt(sum g^2)": -LR * grads * np.sqrt(total),
        "notes: g x sqrt(mean g^2)": -LR * grads * np.sqrt(total / steps),
        "Duchi et al.: g / (sqrt(sum g^2) + eps)": -LR * grads / (np.sqrt(total) + 1e-10),
    }
    errors = {name: _rel(actual, predicted) for name, predicted in readings.items()}
    notes_match = (
        min(errors["notes: g x sqrt(sum g^2)"], errors["notes: g x sqrt(mean g^2)"]) <= MATCH
    )
    result.judge(
        "adagrad_rule",
        Verdict.HOLDS if notes_match else Verdict.DOES_NOT_HOLD,
        {
            Text(f"max relative error, {name}", f"最大相对误差,{name}"): f"{error:.2g}"
            for name, error in errors.items()
        },
        result.say("adagrad_rule_rule", lr=LR, steps=STEPS, match=MATCH),
        asserted=True,
        margin=result.say(
            "adagrad_rule_margin",
            notes_error=min(
                errors["notes: g x sqrt(sum g^2)"], errors["notes: g x sqrt(mean g^2)"]
            ),
            standard_error=errors["Duchi et al.: g / (sqrt(sum g^2) + eps)"],
        ),
        note=result.text("adagrad_rule_note"),
    )
    return [["Adagrad", name, f"{error:.2g}"] for name, error in errors.items()]


def rmsprop_average(result: Result, seed: int) -> list[list]:
    grads = gradients(seed + 1)
    alpha = 0.99
    actual, states = replay(OPTIMIZERS["RMSProp"], grads, state_key="square_avg")
    ema = np.zeros(5)
    expected_states, expected_updates = [], []
    for g in grads:
        ema = alpha * ema + (1 - alpha) * g * g
        expected_states.append(ema.copy())
        expected_updates.append(-LR * g / (np.sqrt(ema) + 1e-8))
    state_error = _rel(np.array(states), np.array(expected_states))
    sum_error = _rel(np.array(states), np.cumsum(grads**2, axis=0))
    update_error = _rel(actual, np.array(expected_updates))
    holds = state_error <= MATCH and update_error <= MATCH and sum_error > MISMATCH
    result.judge(
        "rmsprop_average",
        Verdict.HOLDS if holds else Verdict.DOES_NOT_HOLD,
        {
            Text(
                "state vs moving average alpha v + (1 - alpha) g^2",
                "状态 vs 滑动平均 alpha v + (1 - alpha) g^2",
            ): f"{state_error:.2g}",
            Text(
                "state vs accumulated sum (Adagrad's)", "状态 vs 累积和(Adagrad 的)"
            ): f"{sum_error:.2g}",
            Text(
                "updates vs -lr g / (sqrt(v) + eps)", "更新 vs -lr g / (sqrt(v) + eps)"
            ): f"{update_error:.2g}",
        },
        result.say(
            "rmsprop_average_rule", alpha=alpha, steps=STEPS, match=MATCH, mismatch=MISMATCH
        ),
        asserted=True,
        margin=Text("exact arithmetic", "精确运算"),
    )
    return [
        ["RMSProp", "state = moving average", f"{state_error:.2g}"],
        ["RMSProp", "state = accumulated sum", f"{sum_error:.2g}"],
    ]


def zero_gradient_steps(seed: int) -> dict[str, float]:
    """Largest |update| during ZERO_STEPS steps of exactly zero gradient after STEPS random ones."""
    grads = np.concatenate([gradients(seed + 2), np.zeros((ZERO_STEPS, 5))])
    moves = {}
    for name, make in (
        ("RMSProp", OPTIMIZERS["RMSProp"]),
        ("Momentum", OPTIMIZERS["Momentum"]),
        ("Adam", OPTIMIZERS["Adam"]),
        ("RMSProp(momentum=0.9)", lambda params, lr: optim.RMSprop(params, lr=lr, momentum=0.9)),
    ):
        updates, _ = replay(make, grads)
        moves[name] = float(np.max(np.abs(updates[-ZERO_STEPS:])))
    return moves


def rmsprop_no_momentum(result: Result, moves: dict[str, float]) -> list[list]:
    holds = moves["RMSProp"] == 0.0 and moves["Momentum"] > 0 and moves["Adam"] > 0
    result.judge(
        "rmsprop_no_momentum",
        Verdict.HOLDS if holds else Verdict.DOES_NOT_HOLD,
        {
            Text(
                f"largest |update| with zero gradient, {name}", f"梯度为零时的最大 |更新|,{name}"
            ): f"{move:.3g}"
            for name, move in moves.items()
        },
        result.say("no_momentum_rule", steps=STEPS, zero_steps=ZERO_STEPS),
        asserted=True,
        margin=result.text("no_momentum_margin"),
        note=result.say("rmsprop_momentum_note", moved=moves["RMSProp(momentum=0.9)"]),
    )
    return [
        [name, "largest |update| with zero gradient", f"{move:.3g}"] for name, move in moves.items()
    ]


def scale_invariance(problem, steps: int = 100) -> dict[str, float]:
    """Relative path difference when the loss is multiplied by 1000 (Adam lr 0.01; Momentum lr 1e-3)."""
    out = {}
    for name, lr in (("Adam", 0.01), ("Momentum", 1e-3)):
        base = run_2d(OPTIMIZERS[name], problem, lr, steps, stop=False)
        scaled = run_2d(OPTIMIZERS[name], problem, lr, steps, scale=1000.0, stop=False)
        n = min(len(base.points), len(scaled.points))
        if scaled.diverged or n < len(base.points):
            out[name] = math.inf
            continue
        span = np.max(np.linalg.norm(base.points - base.points[0], axis=1))
        out[name] = float(
            np.max(np.linalg.norm(base.points[:n] - scaled.points[:n], axis=1)) / span
        )
    return out
