"""The report as Markdown (GitHub-flavoured): the same content as the HTML page.

Figures are PNG files beside the page (`figures/TOPIC-NAME.png`, relative links); anchors
are explicit `<a id="...">` tags so the table of contents works in any renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.report.formatting import (
    RunInfo,
    claim_anchor,
    counts_text,
    figure_file,
    format_cell,
    lines_text,
    no_experiment,
    number_items,
    numbers_label,
    seeds_text,
    summary_counts,
    topic_anchor,
    topic_title,
    verdict_text,
)
from glassnet.lab.report.labels import label
from glassnet.lab.result import ClaimResult, Result, Table, Verdict
from glassnet.lab.text import Text

__all__ = ["render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _escape(text: str) -> str:
    """Escape Markdown's inline syntax so prose renders as written."""
    return _SPECIAL.sub(r"\\\1", text)


def _text(value: Text | str, lang: str) -> str:
    return _escape(value.get(lang) if isinstance(value, Text) else value)


def _cell(text: str) -> str:
    return _escape(text).replace("\n", "<br>")


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _measured_table(table: Table, lang: str) -> str:
    body = _table(
        [c.get(lang) for c in table.columns],
        [[format_cell(cell, lang) for cell in row] for row in table.rows],
    )
    note = f"\n\n_{_text(table.note, lang)}_" if table.note else ""
    return f"**{_text(table.title, lang)}**\n\n{body}{note}"


def _claim(result: Result, judged: ClaimResult, lang: str) -> str:
    claim = judged.claim
    other = "en" if lang == "zh" else "zh"
    source = label(lang, "source_notes" if claim.source == "notes" else "source_lab")
    anchor = f'<a id="{claim_anchor(result.topic, claim.id)}"></a>'
    verdict = _escape(verdict_text(judged, result.mode, lang))
    lines = [
        f"- {anchor}**{verdict}** · {_text(claim.text, lang)}",
        f"  - {_text(claim.text, other)} · {source} · `{claim.key}`",
    ]
    seeds = seeds_text(judged, lang)
    if seeds:
        lines.append(f"  - {label(lang, 'per_seed')}: {_escape(seeds)}")
    numbers = number_items(judged, lang)
    if numbers:
        text = "; ".join(f"{_text(name, lang)} = {_escape(value)}" for name, value in numbers)
        lines.append(f"  - {_escape(numbers_label(judged, lang))}: {text}")
    rule = "reason" if judged.verdict in (Verdict.NOT_JUDGED, Verdict.ADVICE) else "rule"
    lines.append(f"  - {label(lang, rule)}: {_text(judged.rule, lang)}")
    if judged.margin is not None:
        lines.append(f"  - {label(lang, 'margin', mode=judged.mode)}: {_text(judged.margin, lang)}")
    if judged.note is not None:
        lines.append(f"  - {label(lang, 'note')}: {_text(judged.note, lang)}")
    if claim.reference:
        lines.append(f"  - {label(lang, 'reference')}: {_escape(claim.reference)}")
    return "\n".join(lines)


def _section(number: int, result: Result, lang: str) -> str:
    entry = index_topic(result.topic)
    parts = [
        f'<a id="{topic_anchor(result.topic)}"></a>\n\n## {number}. {_escape(entry.title.get(lang))}'
    ]
    if result.seconds is not None:
        parts.append(
            f"_{_escape(label(lang, 'seconds', seconds=result.seconds, mode=result.mode))} · "
            f"{_escape(counts_text(result, lang))}_"
        )
    parts.append(
        f"### {label(lang, 'question')}\n\n**{_escape(entry.question.zh or '')}**  \n"
        f"{_escape(entry.question.en)}"
    )
    if entry.lines is not None:
        parts.append(
            f"{label(lang, 'notes_excerpt')} ({lines_text(entry.lines, lang)}):\n\n"
            f"{_fence(entry.compact_excerpt)}"
        )
        parts.append(f"{label(lang, 'english_rendering')}:\n\n{_fence(entry.english)}")
    else:
        parts.append(f"_{label(lang, 'not_in_notes')}_")
    if not result.experiment:
        parts.append(f"**{_escape(no_experiment(result, lang))}**")
    if result.setup.get(lang).strip():
        parts.append(f"### {label(lang, 'setup')}\n\n{_text(result.setup, lang).strip()}")
    if result.error:
        parts.append(f"**error**: {label(lang, 'error')}\n\n{_fence(result.error)}")
    parts.append(
        f"### {label(lang, 'claims')}\n\n"
        + "\n".join(_claim(result, c, lang) for c in result.claims)
    )
    if result.tables:
        parts.append(
            f"### {label(lang, 'tables')}\n\n"
            + "\n\n".join(_measured_table(t, lang) for t in result.tables)
        )
    if result.figures:
        figures = [
            f"![{_text(f.caption, lang)}]({figure_file(result.topic, f.name)})\n\n"
            f"_{_text(f.caption, lang)}_"
            for f in result.figures
        ]
        parts.append(f"### {label(lang, 'figures')}\n\n" + "\n\n".join(figures))
    return "\n\n".join(parts)


def render_markdown(results: Sequence[Result], info: RunInfo) -> str:
    """The whole report as one Markdown document (a str)."""
    lang = info.lang
    count_text = summary_counts(results, lang)
    failed = ", ".join(r.topic for r in results if r.error) or label(lang, "none")
    seeds = ", ".join(str(s) for s in info.all_seeds)
    run = _table(
        [
            label(lang, key)
            for key in (
                "mode",
                "seeds" if info.seeds else "seed",
                "version",
                "created",
                "total_time",
            )
        ],
        [[info.mode, seeds, info.version, info.created, info.total_time()]],
    )
    warning = f"> **{_escape(label(lang, 'smoke_warning'))}**\n\n" if info.mode == "smoke" else ""
    toc = "\n".join(
        f"{n}. [{_escape(topic_title(r, lang))}](#{topic_anchor(r.topic)}) "
        f"({_escape(counts_text(r, lang))})"
        for n, r in enumerate(results, start=1)
    )
    summary = "\n".join(
        [
            "| " + " | ".join(label(lang, k) for k in ("topic", "claim", "verdict", "mode")) + " |",
            "|---|---|---|---|",
        ]
        + [
            f"| [{_cell(topic_title(r, lang))}](#{topic_anchor(r.topic)}) "
            f"| [{_cell(c.claim.text.get(lang))}](#{claim_anchor(r.topic, c.claim.id)}) "
            f"| **{_cell(verdict_text(c, r.mode, lang))}** | {c.mode} |"
            for r in results
            for c in r.claims
        ]
    )
    sections = "\n\n".join(_section(n, r, lang) for n, r in enumerate(results, start=1))
    return (
        f"# {_escape(label(lang, 'title'))}\n\n{warning}{_escape(label(lang, 'intro'))}\n\n{run}\n\n"
        f"{label(lang, 'counts')}: {_escape(count_text)} · {label(lang, 'failed_topics')}: {_escape(failed)}\n\n"
        f"## {label(lang, 'contents')}\n\n{toc}\n\n## {label(lang, 'summary')}\n\n{summary}\n\n{sections}\n"
    )
