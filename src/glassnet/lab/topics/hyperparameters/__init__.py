"""Choosing hyper-parameters: the notes' twelve, searched and measured with `glassnet tune`.

The notes list twelve hyper-parameters without ranking them, say that four of them (output
encoding, cost function, initialisation, activation) are chosen from the network's
mechanism, and that the broad strategy is "simplify and monitor". Each listed item is moved
over the tuner's default range with the others at a base configuration (does choosing it
matter, beyond the seeds' own spread?); Optuna's fANOVA ranks all of them from TPE studies;
a search over loss x init x activation checks where the mechanism's choices land; and the
same configurations are ranked on a simplified problem and on the full one.

The parts: `settings` <- `measure` (the tuner's experiment functions) <- `judge` (one per
claim) and `figures`; the prose is in `notes/hyperparameters.toml`.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.hyperparameters.figures import (
    draw_importances,
    draw_sensitivity,
    ranking,
)
from glassnet.lab.topics.hyperparameters.judge import (
    judge_broad_strategy,
    judge_by_mechanism,
    judge_items,
)
from glassnet.lab.topics.hyperparameters.measure import Measured, measure
from glassnet.lab.topics.hyperparameters.settings import (
    IMPORTANCE,
    SIMPLIFIED,
    TRANSFER_DATA,
    TRANSFER_EPOCHS,
)

__all__ = ["run"]


@experiment("hyperparameters")
def run(mode: str, seed: int) -> Result:
    result = Result.start("hyperparameters", mode, seed)
    with one_blas_thread():
        m = measure(mode, seed)
    trials, studies = IMPORTANCE[mode]
    result.setup = result.say(
        "setup",
        data=m.data,
        epochs=m.epochs,
        noise_seeds=len(m.noise),
        trials=trials,
        studies=studies,
        simplified=", ".join(f"{k} {v}" for k, v in SIMPLIFIED[mode].items()),
        transfer_data=TRANSFER_DATA[mode],
        transfer_epochs=TRANSFER_EPOCHS[mode],
    )
    judge_items(result, m)
    judge_by_mechanism(result, m)
    judge_broad_strategy(result, m)
    tables(result, m)
    draw_importances(result, m)
    draw_sensitivity(result, m)
    return result


def tables(result: Result, m: Measured) -> None:
    order = ranking(m)
    result.add_table(
        result.text("table_importance"),
        [result.text(k) for k in ("col_rank", "col_parameter", "col_median", "col_range")],
        [
            [
                rank + 1,
                name,
                round(float(np.median(m.importances[name])), 3),
                f"{min(m.importances[name]):.3f} .. {max(m.importances[name]):.3f}",
            ]
            for rank, name in enumerate(order)
        ],
    )
    result.add_table(
        result.text("table_sensitivity"),
        [result.text(k) for k in ("col_parameter", "col_values")],
        [
            [name, ", ".join(f"{value}: {100 * acc:.1f}%" for value, acc in found.items())]
            for name, found in m.sensitivity.items()
        ],
        note=result.say("noise_note", noise=[round(100 * a, 1) for a in m.noise]),
    )
    mechanism_table(result, m)
    result.add_table(
        result.text("table_transfer"),
        [result.text(k) for k in ("col_config", "col_full", "col_simplified")],
        [
            [
                ", ".join(
                    f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in config.items()
                    if k in ("lr", "hidden", "weight_decay")
                ),
                round(100 * full, 1),
                round(100 * simple, 1),
            ]
            for config, full, simple in zip(
                m.transfer["configs"],
                m.transfer["scores"]["full"],
                m.transfer["scores"]["simplified"],
                strict=True,
            )
        ],
    )
    result.add_table(
        result.text("table_cost"),
        [result.text("col_cpu")],
        [[round(m.cpu_seconds, 1)]],
        note=result.text("cost_note"),
    )


def mechanism_table(result: Result, m: Measured) -> None:
    rows = [
        [result.text("row_mechanism"), describe(c["params"]), rounded(c["value"])]
        for c in m.mechanism["mechanism"]
    ]
    rows += [
        [result.text("row_top"), describe(t["params"]), rounded(t["value"])]
        for t in m.mechanism["top"]
    ]
    result.add_table(
        result.text("table_mechanism"),
        [result.text(k) for k in ("col_kind", "col_choice", "col_accuracy")],
        rows,
    )


def describe(params: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(params.items()))


def rounded(value: float | None) -> float | str:
    return "-" if value is None else round(100 * value, 1)
