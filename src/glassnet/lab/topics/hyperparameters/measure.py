"""The hyperparameters topic: measure, with the tuner's own functions (plain numbers out).

- noise: the base configuration trained with several seeds (the spread any effect must beat);
- sensitivity: each parameter moved over the tuner's default range, the others at the base;
- importances: Optuna fANOVA importances of all ten parameters, one TPE study per seed;
- mechanism: a search over loss x init x activation, scoring the mechanism's choices;
- transfer: configurations ranked on a simplified problem and on the full one.

Scores are validation accuracies at each run's best checkpoint; run folders live in a
temporary folder, deleted afterwards.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna

from glassnet.lab.kit.clock import Clock
from glassnet.lab.topics.hyperparameters.settings import (
    BASE,
    DATA,
    EPOCHS,
    IMPORTANCE,
    MECHANISM_TRIALS,
    NOISE_SEEDS,
    PARAMS,
    SIMPLIFIED,
    TRANSFER_CONFIGS,
    TRANSFER_DATA,
    TRANSFER_EPOCHS,
    TRANSFER_SEARCH,
)
from glassnet.tune.experiments import importances, mechanism_search, score, simplify_and_transfer
from glassnet.tune.space import PARAMETERS, to_train_options


@dataclass
class Measured:
    data: str
    epochs: int
    noise: list[float]
    sensitivity: dict[str, dict[Any, float]]  # parameter -> value -> validation accuracy
    importances: dict[str, list[float]]
    mechanism: dict[str, Any]
    transfer: dict[str, Any]
    cpu_seconds: float


@contextlib.contextmanager
def quiet_optuna() -> Iterator[None]:
    """Optuna's per-trial log lines off for the block, its verbosity restored after."""
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def grid(name: str, mode: str) -> list[Any]:
    """The values a parameter is moved over: low / middle / high, or every choice (smoke: ends)."""
    values = PARAMETERS[name].grid_values()
    return [values[0], values[-1]] if mode == "smoke" else values


def sensitivity(data: str, epochs: int, mode: str, seed: int, out: Path) -> dict[str, dict]:
    """Validation accuracy with one parameter moved at a time, the others at the base."""
    base = {**BASE, "data": data, "epochs": epochs, "seed": seed}
    found: dict[str, dict] = {}
    for name in PARAMS:
        found[name] = {}
        for index, value in enumerate(grid(name, mode)):
            options = to_train_options(base, {name: value})
            found[name][value] = score(options, out / f"{name}-{index}")
    return found


def measure(mode: str, seed: int) -> Measured:
    clock = Clock()
    data, epochs = DATA[mode], EPOCHS[mode]
    fixed = {**BASE, "epochs": epochs}
    with quiet_optuna(), tempfile.TemporaryDirectory(prefix="glassnet-lab-hp-") as folder:
        out = Path(folder)
        noise = [
            score({**fixed, "data": data, "seed": seed + s}, out / f"noise-{s}")
            for s in range(NOISE_SEEDS[mode])
        ]
        moved = sensitivity(data, epochs, mode, seed, out / "sensitivity")
        trials, studies = IMPORTANCE[mode]
        ranked = importances(data, list(PARAMS), out / "importance", trials, studies, BASE)
        mechanism = mechanism_search(data, out / "mechanism", MECHANISM_TRIALS[mode], seed, fixed)
        transfer = simplify_and_transfer(
            TRANSFER_DATA[mode],
            TRANSFER_SEARCH,
            SIMPLIFIED[mode],
            out / "transfer",
            TRANSFER_CONFIGS[mode],
            seed,
            {**BASE, "epochs": TRANSFER_EPOCHS[mode]},
        )
    return Measured(data, epochs, noise, moved, ranked, mechanism, transfer, clock.cpu)


def points(accuracy: float) -> float:
    return 100.0 * accuracy


def noise_points(m: Measured) -> float:
    """The base configuration's spread over seeds (max - min), in points."""
    return points(max(m.noise) - min(m.noise))


def span_points(m: Measured, name: str) -> float:
    """How far moving `name` over its range moves the validation accuracy (max - min), in points."""
    scores = list(m.sensitivity[name].values())
    return points(max(scores) - min(scores))
