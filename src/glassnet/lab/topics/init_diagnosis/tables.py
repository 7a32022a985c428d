"""The init_diagnosis topic's tables: the diagnosis against the outcome, the good pairs by layer."""

from __future__ import annotations

from glassnet.lab.kit.columns import columns
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import pm_finite, sci
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.init_diagnosis.measure import Measured
from glassnet.lab.topics.init_diagnosis.settings import TRAINS

__all__ = ["diagnosis_rows", "add_tables"]

YES, NO, WRONG = Text("yes", "是"), Text("no", "否"), Text("NO", "否")


def diagnosis_rows(m: Measured) -> list[list]:
    """One row per (activation, init): the diagnosis at init beside the outcome of training; the
    last cell says whether the diagnosis was right (an alarm exactly when the net fails to train)."""
    rows = []
    for key, (stats, alarms, grad_alarms) in m.diagnosed.items():
        layers = stats.activations()
        best, accs = m.outcome[key]
        trains = mean_std_finite(accs)[0] >= TRAINS
        right = bool(alarms) != trains
        rows.append(
            [
                *key,
                sci(layers[0].std),
                sci(layers[-1].std),
                ", ".join(sorted({a.kind for a in alarms})) or "-",
                str(alarms[0]) if alarms else "-",
                ", ".join(sorted({a.kind for a in grad_alarms})) or "-",
                f"{pm_finite(accs)} (lr {best:g})",
                YES if trains else NO,
                YES if right else WRONG,
            ]
        )
    return rows


def good_pair_rows(m: Measured) -> list[list]:
    rows = []
    for act, s in m.shape.items():
        for row, distance in zip(s["layers"], s["ks"]):
            rows.append(
                [
                    f"{act} + {s['scheme']}",
                    row.name,
                    f"{row.mean:.3f}",
                    f"{row.std**2:.3f}",
                    f"{row.std:.3f}",
                    f"{distance:.2f}",
                    f"{100 * (row.saturated if act == 'tanh' else row.zeros):.1f}%",
                ]
            )
    return rows


def add_tables(result: Result, m: Measured, rows: list[list]) -> None:
    result.add_table(result.text("diagnosis_title"), columns(result, "diagnosis_columns"), rows)
    result.add_table(
        result.text("good_pairs_title"),
        columns(result, "good_pairs_columns"),
        good_pair_rows(m),
        note=result.text("ks_note"),
    )
