"""docs/lab-verdicts.md: how settled each claim's verdict is, over seeds and modes, and the budgets.

The page is built from written lab reports (their `report.json`), so runs can be reused:

    runs = {
        "quick": [load_report("runs/quick", "quick")],  # glassnet lab --mode quick --seeds 0,1,2
        "smoke": [load_report("runs/smoke", "smoke")],  # glassnet lab --mode smoke --seeds 0,1,2
        "full": [load_report("runs/full", "full")],  # glassnet lab --mode full
    }
    text = render_verdicts(runs, machine="...", date="...")

`bench/lab_verdicts.py` runs the missing reports and writes the page. For each claim it
shows the quick-mode verdict of every seed, the verdict over those seeds ("unsettled" with
the split when they disagree), the smoke and full verdicts where they differ from quick,
and "robust" where every mode and seed measured gave the same verdict. Then the claims
whose verdict differs in smoke and in full mode, and the per-topic quick budget
(`glassnet.lab.budget`) beside the measured time per seed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glassnet.lab.budget import QUICK_BUDGET_S, QUICK_TOTAL_S, budget_table
from glassnet.lab.report.folder import GENERATOR, MARKER
from glassnet.lab.result import MODES, Verdict
from glassnet.lab.settled import is_robust

__all__ = [
    "QUICK_BUDGET_S",
    "QUICK_TOTAL_S",
    "ClaimRow",
    "VerdictsError",
    "over_seeds",
    "load_report",
    "claim_rows",
    "render_verdicts",
]


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
    """One claim across the modes: {mode: {seed: shown verdict}} (a mode not run: absent)."""

    key: str
    kind: str
    modes: dict[str, dict[int, str]]

    @property
    def robust(self) -> bool:
        """The same verdict in every mode and seed measured (see glassnet.lab.settled.is_robust)."""
        return is_robust([Verdict(v) for seeds in self.modes.values() for v in seeds.values()])

    def over(self, mode: str) -> str:
        """`mode`'s verdict over its seeds ('' where not measured)."""
        return over_seeds(self.modes.get(mode, {}))

    def differs(self, mode: str, main: str) -> bool:
        """True when `mode`'s verdict over its seeds is not `main`'s (False where not measured)."""
        return bool(self.modes.get(mode)) and self.over(mode) != self.over(main)


def claim_rows(runs: dict[str, Sequence[dict[str, Any]]], main: str = "quick") -> list[ClaimRow]:
    """Every claim of the `main` mode's reports, in their order, with its verdicts in each mode."""
    if not runs.get(main):
        raise VerdictsError(f"no {main}-mode report given")
    first = runs[main][0]
    kinds = {c["claim"]: c.get("kind", "empirical") for t in first["topics"] for c in t["claims"]}
    merged = {mode: _merge(reports) for mode, reports in runs.items() if reports}
    return [
        ClaimRow(
            key,
            kinds.get(key, "empirical"),
            {mode: verdicts[key] for mode, verdicts in merged.items() if key in verdicts},
        )
        for key in merged[main]
    ]


def _cell(row: ClaimRow, mode: str, main: str) -> str:
    if not row.modes.get(mode):
        return "-"
    return f"**{row.over(mode)}**" if row.differs(mode, main) else "="


def _claims_table(rows: Sequence[ClaimRow], main: str, others: Sequence[str]) -> str:
    seeds = sorted({s for row in rows for s in row.modes[main]})
    head = ["claim", "kind", *(f"seed {s}" for s in seeds), "over seeds", *others, "robust"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [
            f"`{row.key}`",
            row.kind,
            *(row.modes[main].get(s, "-") for s in seeds),
            row.over(main),
            *(_cell(row, mode, main) for mode in others),
            "robust" if row.robust else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _differences(rows: Sequence[ClaimRow], mode: str, main: str) -> str:
    if not any(row.modes.get(mode) for row in rows):
        return f"{mode} mode was not run for this page."
    changed = [row for row in rows if row.differs(mode, main)]
    if not changed:
        return f"None: every claim measured in {mode} mode has its {main}-mode verdict."
    return "\n".join(
        f"- `{row.key}`: {main} {row.over(main)}; {mode} {row.over(mode)}" for row in changed
    )


def _summary(rows: Sequence[ClaimRow], main: str) -> str:
    counts = Counter(row.over(main).split(" (")[0] for row in rows)
    apart = (Verdict.DEFINITION_CHECKED, Verdict.ADVICE)
    body = ", ".join(f"{counts[v.value]} {v.value}" for v in Verdict if v not in apart)
    rest = ", ".join(f"{counts[v.value]} {v.value}" for v in apart)
    judged = [r for r in rows if r.over(main) not in (Verdict.NOT_JUDGED, Verdict.ADVICE)]
    robust = sum(row.robust for row in judged)
    return (
        f"{main.capitalize()} mode over its seeds, {len(rows)} claims: {body}; counted apart: "
        f"{rest}. Robust (the same verdict in every mode and seed measured): {robust} of the "
        f"{len(judged)} claims an experiment judges."
    )


def _run_line(mode: str, reports: Sequence[dict[str, Any]]) -> str:
    if not reports:
        return f"- {mode}: not run"
    parts = [
        f"seeds {', '.join(str(s) for s in (r.get('seeds') or [r['seed']]))}: "
        f"{r['seconds']:.0f} s, created {r['created']}, glassnet {r['version']}"
        + (
            f", load average over the last 15 minutes at its end {r['load_average'][2]:.1f}"
            if r.get("load_average")
            else ""
        )
        for r in reports
    ]
    return f"- {mode}: " + "; ".join(parts)


PAGE = """# The lab's verdicts: how settled they are
{trial}
Written by `{command}` on {date}; machine: {machine}.{took}
Times are wall seconds as the lab's runner measured them (one BLAS thread per experiment,
each in its own worker process when a run has several jobs).

Runs:

{runs}

{summary}

A verdict is **unsettled** when the seeds of one mode disagree (the split says how), and
**robust** when every mode and seed measured gave the same verdict. The {others}
columns show "=" where the verdict over their seeds equals {main} mode's, the differing
verdict in bold otherwise, "-" where not measured. Smoke verdicts are provisional by design:
smoke mode exists to test the machinery in seconds.

## Every claim, {main} mode

{table}

{differences}

## Quick-mode budget per topic

`glassnet lab --mode quick` must stay within {minutes} minutes for all 20 topics on
the 2-core machine when it is quiet. It runs two experiments at a time (`--jobs`, default the
cores), each in its own process on one BLAS thread; the topics that time wall-clock speed
(marked "alone") run after the others, one at a time. A topic's share of the run's wall time
is its own seconds when it runs alone and half of them when it shares the machine. The
budgets give the 17 topics of issue 12 at most 6.5 minutes of that wall time and the three
added after it (compression, style_transfer, hyperparameters) at most 3.5. Measured: the
quick run's wall seconds per topic, divided by its number of seeds; the last row is the
whole run's wall time per seed.

{budget}
"""

TRIAL = """
> **A trial page: its main mode is {main}, not quick.** It shows the page's shape and how \
{main}-mode verdicts vary over seeds; `python bench/lab_verdicts.py` on a quiet machine writes \
the real one (quick mode, seeds 0, 1, 2).
"""


def render_verdicts(
    runs: dict[str, Sequence[dict[str, Any]]],
    main: str = "quick",
    machine: str = "unknown machine",
    date: str = "",
    seconds: float | None = None,
    command: str = "python bench/lab_verdicts.py",
    timing: Sequence[dict[str, Any]] | None = None,
) -> str:
    """The whole of docs/lab-verdicts.md from {mode: reports} (see the module docstring).

    main: the mode whose verdicts per seed make the table (quick; smoke to test the script).
    timing: the quick reports whose times fill the budget table (default: runs["quick"]),
    e.g. one seed run alone on the quiet machine while the seeds ran beside other work.
    """
    rows = claim_rows(runs, main)
    others = [mode for mode in MODES if mode != main]
    took = "" if seconds is None else f" This call took {seconds / 60:.1f} minutes"
    return PAGE.format(
        trial="" if main == "quick" else TRIAL.format(main=main),
        command=command,
        date=date or "an unknown date",
        machine=machine,
        took=took and f"{took} (runs it reused not counted).",
        runs="\n".join(_run_line(mode, runs.get(mode, ())) for mode in MODES),
        summary=_summary(rows, main),
        others=", ".join(others),
        main=main,
        table=_claims_table(rows, main, others),
        differences="\n\n".join(
            f"## Verdicts that differ in {mode} mode\n\n{_differences(rows, mode, main)}"
            for mode in others
        ),
        minutes=QUICK_TOTAL_S // 60,
        budget=budget_table(runs.get("quick", ()) if timing is None else timing),
    )
