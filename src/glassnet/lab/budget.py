"""The quick-mode time budget: each topic's seconds, and its share of the run's wall time.

`glassnet lab --mode quick` must finish within 10 minutes on the 2-core machine when it is
quiet. It runs two experiments at a time (`--jobs`, default the cores), each in its own
process on one core, and the topics that time wall-clock speed alone (`glassnet.lab.jobs`).
So a topic's share of the run's wall time is its own seconds when it runs alone, and half
of them when it shares the machine: the run takes about the sum of the shares.

    share(topic, seconds, jobs=2)      # seconds / 2, or seconds for an exclusive topic
    budget_table(quick_reports)        # the Markdown table of docs/lab-verdicts.md
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from glassnet.lab.jobs import is_exclusive

__all__ = [
    "BUDGET_JOBS",
    "QUICK_BUDGET_S",
    "QUICK_TOTAL_S",
    "budget_table",
    "share",
    "seconds_per_seed",
]

# Each topic's own wall seconds per seed in quick mode, on one core of the quiet 2-core
# machine. Set for two jobs: the 17 topics of issue 12 take at most 6.5 minutes of the
# run's wall time, the three after it (compression, style_transfer, hyperparameters) at
# most 3.5 (see `share`); the report's rendering and the workers' start come on top.
QUICK_BUDGET_S: dict[str, int] = {
    "conv_arithmetic": 5,
    "activations": 30,
    "activation_choice": 55,
    "zero_init": 15,
    "xavier_he": 50,
    "init_diagnosis": 45,
    "vanishing_exploding": 5,
    "batchnorm": 60,
    "optimizers": 25,
    "lstm": 70,
    "gradient_clipping": 15,
    "resnet": 50,
    "style_transfer": 45,
    "fitting_remedies": 35,
    "bias_variance": 25,
    "input_pipeline": 60,
    "evaluation": 15,
    "compression": 60,
    "hyperparameters": 75,
    "mnist1d_benchmark": 10,
}
QUICK_TOTAL_S = 600
BUDGET_JOBS = 2  # the machine's cores: what `glassnet lab` runs at once by default there


def share(topic: str, seconds: float, jobs: int = BUDGET_JOBS) -> float:
    """A topic's share of the run's wall time: all of `seconds` when it runs alone, else seconds / jobs."""
    return seconds if is_exclusive(topic) else seconds / jobs


def seconds_per_seed(reports: Sequence[dict[str, Any]]) -> dict[str, float]:
    """{topic: mean wall seconds per seed} over the reports (the runner's perf_counter times)."""
    times: dict[str, list[float]] = {}
    for report in reports:
        seeds = max(len(report.get("seeds") or [report["seed"]]), 1)
        for topic in report["topics"]:
            if topic.get("seconds") is not None:
                times.setdefault(topic["topic"], []).append(topic["seconds"] / seeds)
    return {name: sum(values) / len(values) for name, values in times.items()}


def _run_per_seed(reports: Sequence[dict[str, Any]]) -> tuple[float, int] | None:
    """(the runs' mean wall seconds per seed, the jobs they ran with), None without a run."""
    if not reports:
        return None
    per_seed = [r["seconds"] / max(len(r.get("seeds") or [r["seed"]]), 1) for r in reports]
    return sum(per_seed) / len(per_seed), max(r.get("jobs", 1) for r in reports)


def _row(name: str, seconds: float | None) -> str:
    budget = QUICK_BUDGET_S[name]
    alone = "alone" if is_exclusive(name) else "shared"
    if seconds is None:
        return f"| {name} | {alone} | {budget} | - | - | - |"
    within = "yes" if seconds <= budget else "**no**"
    return (
        f"| {name} | {alone} | {budget} | {seconds:.1f} | {share(name, seconds):.1f} | {within} |"
    )


def budget_table(quick: Sequence[dict[str, Any]]) -> str:
    """Each topic's budget beside its measured seconds and wall share; then the run's wall time."""
    measured = seconds_per_seed(quick)
    lines = [
        "| topic | runs | budget (s) | measured, quick, per seed (s) | share of the wall time (s) "
        "| within |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_row(name, measured.get(name)) for name in QUICK_BUDGET_S]
    shares = sum(share(name, measured[name]) for name in QUICK_BUDGET_S if name in measured)
    planned = sum(share(name, seconds) for name, seconds in QUICK_BUDGET_S.items())
    run = _run_per_seed(quick)
    if run is None:
        lines.append(
            f"| **the run, wall** | - | **{QUICK_TOTAL_S}** | - | {planned:.0f} planned | - |"
        )
    else:
        wall, jobs = run
        within = "yes" if wall <= QUICK_TOTAL_S else "**no**"
        lines.append(
            f"| **the run, wall ({jobs} job{'s' if jobs > 1 else ''})** | - | **{QUICK_TOTAL_S}** "
            f"| **{wall:.1f}** | {shares:.1f} summed ({planned:.0f} planned) | {within} |"
        )
    return "\n".join(lines)
