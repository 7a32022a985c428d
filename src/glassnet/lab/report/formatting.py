"""What the HTML and Markdown reports share, and the one place numbers become text: cell formatting
(`format_cell`), mean ± spread over seeds (`pm`), three significant digits (`sci`), anchors, verdict
counts, run metadata. Topics format their table cells with these."""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from glassnet.lab.kit.stats import mean_std
from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.report.labels import label, verdict_name
from glassnet.lab.result import ClaimResult, Result, Verdict
from glassnet.lab.settled import is_robust, split_text
from glassnet.lab.text import Text

__all__ = [
    "RunInfo",
    "pm",
    "pm_finite",
    "pm_percent",
    "sci",
    "format_cell",
    "topic_anchor",
    "claim_anchor",
    "verdict_counts",
    "counts_text",
    "summary_counts",
    "verdict_text",
    "seeds_text",
    "number_items",
    "numbers_label",
    "png_size",
    "no_experiment",
    "figure_file",
]

VERDICT_CLASSES = {
    Verdict.HOLDS: "holds",
    Verdict.PARTLY: "partly",
    Verdict.DOES_NOT_HOLD: "fails",
    Verdict.NOT_JUDGED: "pending",
    Verdict.UNSETTLED: "unsettled",
    Verdict.NOT_MEASURED: "unmeasured",
    Verdict.DEFINITION_CHECKED: "definition",
    Verdict.ADVICE: "advice",
}
# the summary's main split counts every claim; these two are then counted apart from it
APART = (Verdict.DEFINITION_CHECKED, Verdict.ADVICE)
# a verdict a run decided (marked provisional in smoke mode)
DECIDED = (
    Verdict.HOLDS,
    Verdict.PARTLY,
    Verdict.DOES_NOT_HOLD,
    Verdict.UNSETTLED,
    Verdict.DEFINITION_CHECKED,
)


@dataclass(frozen=True)
class RunInfo:
    """How the report was made."""

    mode: str
    seed: int
    lang: str
    version: str
    created: str
    seconds: float
    seeds: tuple[int, ...] = ()  # a --seeds run: every seed (seed is the first)
    jobs: int = 1  # experiments run at once (worker processes)

    @property
    def all_seeds(self) -> tuple[int, ...]:
        return self.seeds or (self.seed,)

    def total_time(self) -> str:
        """'412.3 s, 2 experiment(s) at a time' in the report's language."""
        return label(self.lang, "total_seconds", seconds=self.seconds, jobs=self.jobs)


def format_cell(value: Any, lang: str) -> str:
    """A table cell or a number as text: 4 significant digits, thousands separators, Text in `lang`."""
    if isinstance(value, Verdict):
        return verdict_name(lang, value)
    if isinstance(value, Text):
        return value.get(lang)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, int) or (
        hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"
    ):
        return f"{int(value):,}"
    if isinstance(value, float) or hasattr(value, "dtype"):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return str(number)
        if number != 0 and (abs(number) >= 1e5 or abs(number) < 1e-3):
            return f"{number:.3e}"
        return f"{number:.4g}"
    return str(value)


def lines_text(lines: tuple[int, int], lang: str) -> str:
    """'lines 3-60, empty bullet lines left out', or 'line 1' for a one-line excerpt."""
    first, last = lines
    return label(lang, "notes_line" if first == last else "notes_lines", first=first, last=last)


def topic_anchor(topic_id: str) -> str:
    return f"topic-{topic_id}"


def claim_anchor(topic_id: str, claim_id: str) -> str:
    return f"claim-{topic_id}-{claim_id}"


def figure_file(topic_id: str, name: str) -> str:
    """The figure's path inside the report folder (Markdown links point here)."""
    return f"figures/{topic_id}-{name}.png"


def verdict_counts(results: Sequence[Result]) -> Counter:
    """{shown verdict: number of claims} (a definition that holds counts as 'definition, checked')."""
    return Counter(claim.shown for result in results for claim in result.claims)


def counts_text(result: Result, lang: str) -> str:
    """'3 holds, 1 partly' (or the Chinese), in the verdicts' order; 'error' for a failed topic."""
    counts = verdict_counts([result])
    parts = [f"{counts[v]} {verdict_name(lang, v)}" for v in Verdict if counts[v]]
    if result.error:
        parts.insert(0, "出错" if lang == "zh" else "error")
    return ", ".join(parts)


def summary_counts(results: Sequence[Result], lang: str) -> str:
    """'129 claims: 60 holds, 20 partly, 10 does not hold, 30 not judged yet; apart: 19
    definition, checked, 1 advice, not testable as stated': the main split over every claim
    except definitions checked and advice, which are counted apart."""
    counts = verdict_counts(results)
    main = [v for v in Verdict if v not in APART]
    always = (Verdict.HOLDS, Verdict.PARTLY, Verdict.DOES_NOT_HOLD, Verdict.NOT_JUDGED)
    parts = [f"{counts[v]} {verdict_name(lang, v)}" for v in main if counts[v] or v in always]
    apart = [f"{counts[v]} {verdict_name(lang, v)}" for v in APART]
    join = "、".join if lang == "zh" else ", ".join
    return label(
        lang, "summary_counts", total=sum(counts.values()), main=join(parts), apart=join(apart)
    )


def verdict_text(judged: ClaimResult, mode: str, lang: str) -> str:
    """The verdict as shown: 'holds', 'unsettled (holds 2/3, partly 1/3)', '... (provisional: smoke)'."""
    text = verdict_name(lang, judged.shown)
    names = {v: verdict_name(lang, v) for v in Verdict}
    if judged.verdict is Verdict.UNSETTLED:
        text += f" ({split_text(judged, names)})"
    if mode == "smoke" and judged.shown in DECIDED:
        text += label(lang, "provisional_mark")
    return text


def number_items(judged: ClaimResult, lang: str) -> list[tuple[Any, str]]:
    """[(name, value as text)] of the deciding numbers; over several seeds each value reads
    '0.91 / 0.88 / 0.93', one per seed in order (a number a seed lacks: '-')."""
    if len(judged.per_seed) < 2:
        return [(name, format_cell(value, lang)) for name, value in judged.numbers.items()]
    runs = list(judged.per_seed.values())
    names = list(dict.fromkeys(name for run in runs for name in run.numbers))
    return [
        (
            name,
            " / ".join(
                format_cell(run.numbers[name], lang) if name in run.numbers else "-" for run in runs
            ),
        )
        for name in names
    ]


def numbers_label(judged: ClaimResult, lang: str) -> str:
    """'numbers', or 'numbers (seeds 0 / 1 / 2)' over several seeds."""
    if len(judged.per_seed) < 2:
        return label(lang, "numbers")
    seeds = " / ".join(str(seed) for seed in judged.per_seed)
    return f"{label(lang, 'numbers')} ({label(lang, 'seeds')} {seeds})"


def seeds_text(judged: ClaimResult, lang: str) -> str:
    """'seed 0: holds · seed 1: partly' for a --seeds run with robustness, '' for one seed."""
    if len(judged.per_seed) < 2:
        return ""
    seeds = " · ".join(
        f"{label(lang, 'seed')} {seed}: {verdict_name(lang, c.shown)}"
        for seed, c in judged.per_seed.items()
    )
    robust = is_robust([c.shown for c in judged.per_seed.values()])
    return f"{seeds}{label(lang, 'robust_mark') if robust else ''}"


def topic_title(result: Result, lang: str) -> str:
    return index_topic(result.topic).title.get(lang)


def no_experiment(result: Result, lang: str) -> str:
    """'No experiment for this topic yet: <the index's reason>'."""
    pending = index_topic(result.topic).pending
    reason = pending.get(lang) if pending else label(lang, "none")
    return label(lang, "no_experiment", reason=reason)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    return struct.unpack(">II", png[16:24])


# -- numbers over seeds, as table cells ----------------------------------------------------------
def pm(
    values: Sequence[float],
    digits: int = 3,
    scale: float = 1.0,
    ddof: int = 0,
    finite_only: bool = False,
) -> str:
    """'0.931 ± 0.004' (mean ± std over seeds, times `scale`, `digits` decimals); one value alone."""
    mean, std = mean_std(values, ddof, finite_only)
    if len(values) == 1:
        return f"{scale * mean:.{digits}f}"
    return f"{scale * mean:.{digits}f} ± {scale * std:.{digits}f}"


def pm_percent(values: Sequence[float]) -> str:
    """'34.2 ± 0.5': fractions shown as percent, mean ± sample std over seeds, one decimal."""
    return pm(values, digits=1, scale=100.0, ddof=1)


def pm_finite(values: Sequence[float | None], digits: int = 3) -> str:
    """'0.931 ± 0.004 (n=3)' over the finite values; a single value alone."""
    if len(values) == 1:
        return pm(values, digits, finite_only=True)
    return f"{pm(values, digits, finite_only=True)} (n={len(values)})"


def sci(value: float | None) -> str:
    """Three significant digits, scientific where needed ('3.2e-05', '0.412')."""
    if value is None or not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"
