"""docs/lab-verdicts.md: how settled each claim's verdict is, over seeds and modes, and the budgets.

The page is built from written lab reports (their `report.json`), so runs can be reused:

    quick = [load_report("runs/quick")]         # glassnet lab --mode quick --seeds 0,1,2
    smoke = [load_report("runs/smoke")]         # glassnet lab --mode smoke --seeds 0,1,2
    full = [load_report("runs/full")]           # glassnet lab --mode full
    text = render_verdicts(quick, smoke, full, machine="...", date="...")

`bench/lab_verdicts.py` runs the missing reports and writes the page. For each claim it
shows the quick-mode verdict of every seed, the verdict over those seeds ("unsettled" with
the split when they disagree), the smoke and full verdicts where they differ from quick,
and "robust" where every mode and seed measured gave the same verdict. Then the claims
whose verdict differs in smoke and in full mode, and the per-topic quick budget
(QUICK_BUDGET_S) beside the measured time per seed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glassnet.lab.report.folder import GENERATOR, MARKER
from glassnet.lab.result import Verdict
from glassnet.lab.settled import is_robust

__all__ = [
    "QUICK_BUDGET_S",
    "QUICK_TOTAL_S",
    "ClaimRow",
    "load_report",
    "claim_rows",
    "render_verdicts",
]

# Wall seconds per seed of `glassnet lab --mode quick` on the 2-core machine when it is quiet:
# the 17 topics of issue 12 share about 6.5 minutes (they took 5:38 together before issue 13's
# fairer tests, which give resnet and fitting_remedies more runs), the three topics still to
# come about 3.5 minutes; 600 s in all. The report's rendering comes on top (about a second).
QUICK_BUDGET_S: dict[str, int] = {
    "conv_arithmetic": 5,
    "activations": 20,
    "activation_choice": 33,
    "zero_init": 11,
    "xavier_he": 34,
    "init_diagnosis": 22,
    "vanishing_exploding": 4,
    "batchnorm": 35,
    "optimizers": 22,
    "lstm": 36,
    "gradient_clipping": 8,
    "resnet": 45,
    "style_transfer": 60,
    "fitting_remedies": 44,
    "bias_variance": 24,
    "input_pipeline": 34,
    "evaluation": 9,
    "compression": 90,
    "hyperparameters": 60,
    "mnist1d_benchmark": 4,
}
QUICK_TOTAL_S = 600


class VerdictsError(ValueError):
    """A report folder that cannot be used (missing, not a lab report, wrong mode)."""


def load_report(folder: str | os.PathLike[str], mode: str | None = None) -> dict[str, Any]:
    """The report.json of a written lab report; raises VerdictsError naming the folder and why."""
    path = Path(folder) / MARKER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise VerdictsError(f"{path}: not a readable lab report ({problem})") from None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR or "topics" not in data:
        raise VerdictsError(f"{path}: not a glassnet lab report")
    if mode is not None and data.get("mode") != mode:
        raise VerdictsError(f"{path}: a {data.get('mode')} mode report, expected {mode} mode")
    return data


def _per_seed(report: dict[str, Any]) -> dict[str, dict[int, str]]:
    """{claim key: {seed: shown verdict}} of one report (a --seeds report or a single seed)."""
    out: dict[str, dict[int, str]] = {}
    for topic in report["topics"]:
        for claim in topic["claims"]:
            seeds = claim.get("seeds") or {}
            shown = claim.get("shown", claim["verdict"])
            out[claim["claim"]] = (
                {int(s): v for s, v in seeds.items()} if seeds else {int(report["seed"]): shown}
            )
    return out


def _merge(reports: Sequence[dict[str, Any]]) -> dict[str, dict[int, str]]:
    """The per-seed verdicts of several reports of one mode (a seed given twice: the last wins)."""
    merged: dict[str, dict[int, str]] = {}
    for report in reports:
        for key, seeds in _per_seed(report).items():
            merged.setdefault(key, {}).update(seeds)
    return merged


def over_seeds(seeds: dict[int, str]) -> str:
    """The verdict every seed gave, or 'unsettled (holds 2/3, partly 1/3)'; '' when none."""
    if not seeds:
        return ""
    counts = Counter(seeds.values())
    if len(counts) == 1:
        return next(iter(counts))
    order = [v.value for v in Verdict]
    split = ", ".join(f"{v} {counts[v]}/{len(seeds)}" for v in sorted(counts, key=order.index))
    return f"{Verdict.UNSETTLED.value} ({split})"


@dataclass
class ClaimRow:
    """One claim across the modes: its quick verdict per seed, and smoke's and full's."""

    key: str
    kind: str
    quick: dict[int, str]
    smoke: dict[int, str] = field(default_factory=dict)
    full: dict[int, str] = field(default_factory=dict)

    @property
    def robust(self) -> bool:
        measured = [*self.quick.values(), *self.smoke.values(), *self.full.values()]
        return is_robust([Verdict(v) for v in measured])

    def differs(self, mode: str) -> bool:
        """True when `mode`'s verdict over its seeds is not quick's (False where not measured)."""
        other = getattr(self, mode)
        return bool(other) and over_seeds(other) != over_seeds(self.quick)


def claim_rows(
    quick: Sequence[dict[str, Any]],
    smoke: Sequence[dict[str, Any]] = (),
    full: Sequence[dict[str, Any]] = (),
) -> list[ClaimRow]:
    """Every claim of the quick reports, in their order, with its verdicts in the three modes."""
    if not quick:
        raise VerdictsError("no quick-mode report given")
    kinds = {
        c["claim"]: c.get("kind", "empirical") for t in quick[0]["topics"] for c in t["claims"]
    }
    quick_v, smoke_v, full_v = _merge(quick), _merge(smoke), _merge(full)
    return [
        ClaimRow(key, kinds.get(key, "empirical"), seeds, smoke_v.get(key, {}), full_v.get(key, {}))
        for key, seeds in quick_v.items()
    ]


def _cell(verdicts: dict[int, str], quick: dict[int, str]) -> str:
    if not verdicts:
        return "-"
    text = over_seeds(verdicts)
    return "=" if text == over_seeds(quick) else f"**{text}**"


def _claims_table(rows: Sequence[ClaimRow]) -> str:
    seeds = sorted({s for row in rows for s in row.quick})
    head = ["claim", "kind", *(f"seed {s}" for s in seeds), "over seeds", "smoke", "full", "robust"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [
            f"`{row.key}`",
            row.kind,
            *(row.quick.get(s, "-") for s in seeds),
            over_seeds(row.quick),
            _cell(row.smoke, row.quick),
            _cell(row.full, row.quick),
            "robust" if row.robust else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _differences(rows: Sequence[ClaimRow], mode: str, reports: Sequence[dict]) -> str:
    if not reports:
        return f"{mode} mode was not run for this page."
    changed = [row for row in rows if row.differs(mode)]
    if not changed:
        return f"None: every claim measured in {mode} mode has its quick-mode verdict."
    return "\n".join(
        f"- `{row.key}`: quick {over_seeds(row.quick)}; {mode} {over_seeds(getattr(row, mode))}"
        for row in changed
    )


def _summary(rows: Sequence[ClaimRow]) -> str:
    counts = Counter(over_seeds(row.quick).split(" (")[0] for row in rows)
    apart = (Verdict.DEFINITION_CHECKED, Verdict.ADVICE)
    main = ", ".join(f"{counts[v.value]} {v.value}" for v in Verdict if v not in apart)
    rest = ", ".join(f"{counts[v.value]} {v.value}" for v in apart)
    judged = [r for r in rows if over_seeds(r.quick) not in (Verdict.NOT_JUDGED, Verdict.ADVICE)]
    robust = sum(row.robust for row in judged)
    return (
        f"Quick mode over its seeds, {len(rows)} claims: {main}; counted apart: {rest}. "
        f"Robust (the same verdict in every mode and seed measured): {robust} of the "
        f"{len(judged)} claims an experiment judges."
    )


def _seconds_per_seed(reports: Sequence[dict[str, Any]]) -> dict[str, float]:
    """{topic: mean wall seconds per seed} over the reports (the runner's perf_counter times)."""
    times: dict[str, list[float]] = {}
    for report in reports:
        seeds = max(len(report.get("seeds") or [report["seed"]]), 1)
        for topic in report["topics"]:
            if topic.get("seconds") is not None:
                times.setdefault(topic["topic"], []).append(topic["seconds"] / seeds)
    return {name: sum(values) / len(values) for name, values in times.items()}


def _budget_table(quick: Sequence[dict[str, Any]]) -> str:
    measured = _seconds_per_seed(quick)
    lines = [
        "| topic | budget (s) | measured, quick, per seed (s) | within |",
        "|---|---|---|---|",
    ]
    for name, budget in QUICK_BUDGET_S.items():
        seconds = measured.get(name)
        shown = "-" if seconds is None else f"{seconds:.1f}"
        within = "-" if seconds is None else ("yes" if seconds <= budget else "**no**")
        lines.append(f"| {name} | {budget} | {shown} | {within} |")
    total = sum(measured.get(name, 0.0) for name in QUICK_BUDGET_S)
    lines.append(
        f"| **all** | **{QUICK_TOTAL_S}** | **{total:.1f}** | "
        f"{'yes' if total <= QUICK_TOTAL_S else '**no**'} |"
    )
    return "\n".join(lines)


def _run_line(mode: str, reports: Sequence[dict[str, Any]]) -> str:
    if not reports:
        return f"- {mode}: not run"
    parts = [
        f"seeds {', '.join(str(s) for s in (r.get('seeds') or [r['seed']]))}: "
        f"{r['seconds']:.0f} s, created {r['created']}, glassnet {r['version']}"
        for r in reports
    ]
    return f"- {mode}: " + "; ".join(parts)


def render_verdicts(
    quick: Sequence[dict[str, Any]],
    smoke: Sequence[dict[str, Any]] = (),
    full: Sequence[dict[str, Any]] = (),
    machine: str = "unknown machine",
    date: str = "",
    seconds: float | None = None,
    command: str = "python bench/lab_verdicts.py",
) -> str:
    """The whole of docs/lab-verdicts.md (see the module docstring)."""
    rows = claim_rows(quick, smoke, full)
    took = "" if seconds is None else f" The script took {seconds / 60:.1f} minutes in all."
    runs = "\n".join(
        _run_line(m, r) for m, r in (("quick", quick), ("smoke", smoke), ("full", full))
    )
    return f"""# The lab's verdicts: how settled they are

Written by `{command}` on {date or "an unknown date"}; machine: {machine}.{took}
Times are wall seconds as the lab's runner measured them (one BLAS thread per experiment).

Runs:

{runs}

{_summary(rows)}

A verdict is **unsettled** when the seeds of one mode disagree (the split says how), and
**robust** when every mode and seed measured gave the same verdict. The smoke and full
columns show "=" where the verdict over their seeds equals quick's, the differing verdict
in bold otherwise, "-" where not measured. Smoke verdicts are provisional by design: smoke
mode exists to test the machinery in seconds.

## Every claim

{_claims_table(rows)}

## Verdicts that differ in smoke mode

{_differences(rows, "smoke", smoke)}

## Verdicts that differ in full mode

{_differences(rows, "full", full)}

## Quick-mode budget per topic

`glassnet lab --mode quick` must stay within {QUICK_TOTAL_S // 60} minutes for all 20 topics on
the 2-core machine when it is quiet: the 17 topics of issue 12 share about 6.5 minutes, the
three still to come (compression, style_transfer, hyperparameters) about 3.5 minutes. Measured:
the mean over the quick run's seeds.

{_budget_table(quick)}
"""
