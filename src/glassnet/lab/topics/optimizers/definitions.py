"""The optimizers topic's definitional checks, on exact replays (nothing trained):

* fixed vs adaptive learning rate: multiply every gradient by c. An update that is a fixed
  linear combination of the gradients (SGD, Momentum: the learning rate does not depend on the
  gradients) scales by c; one divided by the root of its own squared-gradient history (Adagrad,
  RMSProp, Adam: lr / (sqrt(v) + eps), a learning rate set per element by the gradients)
  does not change (degree 0, up to eps).
* momentum's continuity: with v_t = beta v_{t-1} + g_t and p -= lr v_t, each update is
  u_t = beta u_{t-1} - lr g_t: this step's update carries the last one; SGD's is -lr g_t alone.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.optimizers.mechanics import LR, MATCH, OPTIMIZERS, STEPS, gradients, replay
from glassnet.lab.topics.optimizers.settings import FIXED, SCALE

__all__ = ["fixed_vs_adaptive", "momentum_continuity"]

MOMENTUM = 0.9  # as mechanics.OPTIMIZERS["Momentum"]


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def scale_degree(seed: int) -> dict[str, float]:
    """log_c of |update(c g)| / |update(g)| over the whole replay: 1 for a fixed learning rate,
    0 for an adaptive one (c = SCALE)."""
    grads = gradients(seed + 3)
    degree = {}
    for name, make in OPTIMIZERS.items():
        base, _ = replay(make, grads)
        scaled, _ = replay(make, SCALE * grads)
        degree[name] = float(np.log(np.linalg.norm(scaled) / np.linalg.norm(base)) / np.log(SCALE))
    return degree


def fixed_vs_adaptive(result: Result, seed: int) -> None:
    degree = scale_degree(seed)
    right = {
        name: abs(d - (1.0 if name in FIXED else 0.0)) <= MATCH**0.5 for name, d in degree.items()
    }
    verdict = Verdict.HOLDS if all(right.values()) else Verdict.DOES_NOT_HOLD
    numbers = {
        Text(f"{name}: degree of the update in the gradients", f"{name}:更新对梯度的次数"): round(
            d, 6
        )
        for name, d in degree.items()
    }
    numbers[Text("in the group the notes give it", "与笔记所分的组一致")] = (
        ", ".join(n for n, ok in right.items() if ok) or "none"
    )
    result.judge(
        "fixed_vs_adaptive",
        verdict,
        numbers,
        result.say("fixed_adaptive_rule", scale=SCALE, steps=STEPS, tol=MATCH**0.5),
        note=result.text("fixed_adaptive_note"),
    )


def continuity_errors(seed: int) -> dict[str, float]:
    """Relative error of u_t = beta u_{t-1} - lr g_t (Momentum) and of u_t = -lr g_t (SGD, no
    carry-over), and SGD's error under the momentum relation (how much the carry-over matters)."""
    grads = gradients(seed + 4)
    momentum, _ = replay(OPTIMIZERS["Momentum"], grads)
    sgd, _ = replay(OPTIMIZERS["SGD"], grads)
    carried = MOMENTUM * np.vstack([np.zeros((1, grads.shape[1])), momentum[:-1]]) - LR * grads
    sgd_carried = MOMENTUM * np.vstack([np.zeros((1, grads.shape[1])), sgd[:-1]]) - LR * grads
    return {
        "momentum": _rel(momentum, carried),
        "sgd": _rel(sgd, -LR * grads),
        "sgd_as_momentum": _rel(sgd, sgd_carried),
    }


def momentum_continuity(result: Result, seed: int, moves: dict[str, float]) -> None:
    errors = continuity_errors(seed)
    holds = (
        errors["momentum"] <= MATCH and errors["sgd_as_momentum"] > MATCH and moves["Momentum"] > 0
    )
    numbers = {
        Text(
            "Momentum: max relative error of u_t = 0.9 u_(t-1) - lr g_t",
            "Momentum:u_t = 0.9 u_(t-1) - lr g_t 的最大相对误差",
        ): f"{errors['momentum']:.2g}",
        Text("SGD: max relative error of u_t = -lr g_t", "SGD:u_t = -lr g_t 的最大相对误差"): (
            f"{errors['sgd']:.2g}"
        ),
        Text(
            "SGD: max relative error of the momentum relation", "SGD:动量关系式的最大相对误差"
        ): f"{errors['sgd_as_momentum']:.2g}",
        Text(
            "Momentum: largest |update| with zero gradient", "Momentum:梯度为零时的最大 |更新|"
        ): f"{moves['Momentum']:.3g}",
    }
    result.judge(
        "momentum_continuity",
        Verdict.HOLDS if holds else Verdict.DOES_NOT_HOLD,
        numbers,
        result.say("continuity_rule", steps=STEPS, match=MATCH),
        margin=result.say(
            "continuity_margin",
            momentum=errors["momentum"],
            sgd=errors["sgd_as_momentum"],
            match=MATCH,
        ),
    )
