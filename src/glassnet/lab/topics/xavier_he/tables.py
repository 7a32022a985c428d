"""The xavier_he topic's tables: the std probe, the fans, the training runs."""

from __future__ import annotations

import numpy as np

from glassnet.lab.kit.columns import columns
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import pm_finite, sci
from glassnet.lab.result import Result
from glassnet.lab.topics.xavier_he.measure import Measured
from glassnet.lab.topics.xavier_he.settings import TRAINS

__all__ = ["sci_pm", "add_tables"]


def sci_pm(values: list[float]) -> str:
    mean, std = mean_std_finite(values)
    return sci(mean) if len(values) == 1 else f"{sci(mean)} ± {sci(std)} (n={len(values)})"


def probe_table(result: Result, probes: dict) -> None:
    rows = [
        [
            act,
            scheme,
            *(sci(np.mean([p["stds"][i] for p in group])) for i in (0, 7, 15)),
            sci_pm([p["ratio"] for p in group]),
            f"{np.mean([p['saturated'] if act == 'tanh' else p['zeros'] for p in group]):.2f}",
            sci(np.mean([p["corr"] for p in group])),
        ]
        for (act, scheme), group in probes.items()
    ]
    result.add_table(result.text("probe_title"), columns(result, "probe_columns"), rows)


def fans_table(result: Result, fans: list[dict]) -> None:
    rows = [
        [
            f["name"],
            "x".join(map(str, f["shape"])),
            f["out_channels"],
            f["fan_in"],
            f"{f['forward_gain']:.1f}",
            f["fan_out"],
            f"{f['backward_gain']:.1f}",
        ]
        for f in fans
    ]
    result.add_table(result.text("fans_title"), columns(result, "fans_columns"), rows)


def runs_table(result: Result, runs: dict, best: dict) -> None:
    rows = []
    for (net, scheme, lr), group in runs.items():
        reached = [r.steps_to[TRAINS] for r in group]
        rows.append(
            [
                net,
                scheme,
                lr,
                "*" if best[(net, scheme)][0] == lr else "",
                pm_finite([r.train_accuracy for r in group]),
                pm_finite([r.test_accuracy for r in group]),
                ", ".join("-" if s is None else str(s) for s in reached),
                sum(r.diverged for r in group),
            ]
        )
    result.add_table(
        result.text("runs_title"),
        columns(result, "runs_columns", trains=TRAINS),
        rows,
        note=result.text("runs_note"),
    )


def add_tables(result: Result, m: Measured) -> None:
    probe_table(result, m.probes)
    fans_table(result, m.fans)
    runs_table(result, m.runs, m.best)
