"""The report as one self-contained HTML page.

Self-contained means: figures are PNG data URIs, the CSS is inline, there is no script, no
font, no link outside the page. A Content-Security-Policy meta tag makes the browser
enforce it (`default-src 'none'; img-src data:; style-src 'unsafe-inline'`): any
external reference would be blocked and logged, which the Chromium test watches for.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.report.formatting import (
    VERDICT_CLASSES,
    RunInfo,
    claim_anchor,
    counts_text,
    format_cell,
    lines_text,
    no_experiment,
    number_items,
    numbers_label,
    png_size,
    seeds_text,
    summary_counts,
    topic_anchor,
    topic_title,
    verdict_text,
)
from glassnet.lab.report.labels import label
from glassnet.lab.result import ClaimResult, Result, Table, Verdict
from glassnet.lab.text import Text

__all__ = ["render_html", "CONTENT_SECURITY_POLICY"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'"
)

_CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --paper: #ffffff; --tint: #f5f7fa;
  --holds: #1f7a3d; --partly: #9a6400; --fails: #b42318; --unmeasured: #667085; --error: #7a1f9a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--tint); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC",
  "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
  sans-serif; }
header, nav, main > section, footer, #summary { max-width: 980px; margin: 16px auto; padding: 18px 24px;
  background: var(--paper); border: 1px solid var(--line); border-radius: 8px; }
h1 { font-size: 1.6em; margin: 0 0 8px; } h2 { font-size: 1.3em; margin: 0 0 6px; }
h3 { font-size: 1.05em; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
a { color: #1d4ed8; }
.muted, .meta { color: var(--muted); font-size: .9em; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0 0; }
dl.run dt { color: var(--muted); } dl.run dd { margin: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--tint); padding: 10px 12px;
  border-radius: 6px; margin: 4px 0 10px; font: 13.5px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre.notes { font-family: inherit; font-size: 14px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: .92em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--tint); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .8em; font-weight: 600;
  color: #fff; white-space: nowrap; }
.badge.holds { background: var(--holds); } .badge.partly { background: var(--partly); }
.badge.fails { background: var(--fails); } .badge.unmeasured { background: var(--unmeasured); }
.badge.error { background: var(--error); } .badge.pending { background: #98a2b3; }
.badge.unsettled { background: #c4320a; } .badge.definition { background: #175cd3; }
.badge.advice { background: #6941c6; }
.warning { border: 2px solid var(--partly); border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.claim { border-left: 4px solid var(--line); padding: 4px 0 4px 12px; margin: 10px 0; }
.claim.holds { border-color: var(--holds); } .claim.partly { border-color: var(--partly); }
.claim.fails { border-color: var(--fails); } .claim.unmeasured { border-color: var(--unmeasured); }
.claim.unsettled { border-color: #c4320a; } .claim.definition { border-color: #175cd3; }
.claim.advice { border-color: #6941c6; } .claim.pending { border-color: #98a2b3; }
.claim p { margin: 3px 0; }
.error { border: 1px solid var(--error); border-radius: 6px; padding: 8px 12px; }
figure { margin: 10px 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .9em; }
nav ol { margin: 6px 0; padding-left: 24px; } nav li { margin: 2px 0; }
"""


def _text(value: Text | str, lang: str) -> str:
    return escape(value.get(lang) if isinstance(value, Text) else value)


def _paragraphs(value: Text, lang: str) -> str:
    text = value.get(lang).strip()
    if not text:
        return ""
    return "\n".join(
        f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n")
    )


def _badge(judged: ClaimResult, mode: str, lang: str) -> str:
    """The claim's shown verdict as a coloured badge, with the split and the smoke mark."""
    css = VERDICT_CLASSES[judged.shown]
    return f'<span class="badge {css}">{escape(verdict_text(judged, mode, lang))}</span>'


def _table(table: Table, lang: str) -> str:
    head = "".join(f"<th>{_text(column, lang)}</th>" for column in table.columns)
    rows = []
    for row in table.rows:
        cells = []
        for cell in row:
            numeric = isinstance(cell, (int, float)) and not isinstance(cell, bool)
            cells.append(
                f"<td{' class=num' if numeric else ''}>{escape(format_cell(cell, lang))}</td>"
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = f'<p class="muted">{_text(table.note, lang)}</p>' if table.note else ""
    return (
        f"<p><b>{_text(table.title, lang)}</b></p>\n<table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _claim(result: Result, judged: ClaimResult, lang: str) -> str:
    claim = judged.claim
    other = "en" if lang == "zh" else "zh"
    source = label(lang, "source_notes" if claim.source == "notes" else "source_lab")
    lines = [
        f'<div class="claim {VERDICT_CLASSES[judged.shown]}" id="{claim_anchor(result.topic, claim.id)}">',
        f"<p>{_badge(judged, result.mode, lang)} <b>{_text(claim.text, lang)}</b></p>",
        f'<p class="muted">{_text(claim.text, other)} · {escape(source)} · <code>{escape(claim.key)}</code></p>',
    ]
    seeds = seeds_text(judged, lang)
    if seeds:
        lines.append(f"<p><b>{escape(label(lang, 'per_seed'))}:</b> {escape(seeds)}</p>")
    numbers = number_items(judged, lang)
    if numbers:
        cells = "".join(
            f"<tr><th>{_text(name, lang)}</th><td class=num>{escape(value)}</td></tr>"
            for name, value in numbers
        )
        caption = f"<caption>{escape(numbers_label(judged, lang))}</caption>"
        lines.append(f"<table class=numbers>{caption}<tbody>{cells}</tbody></table>")
    rule = "reason" if judged.verdict in (Verdict.NOT_JUDGED, Verdict.ADVICE) else "rule"
    lines.append(f"<p><b>{escape(label(lang, rule))}:</b> {_text(judged.rule, lang)}</p>")
    if judged.margin is not None:
        lines.append(
            f"<p><b>{escape(label(lang, 'margin', mode=judged.mode))}:</b> {_text(judged.margin, lang)}</p>"
        )
    if judged.note is not None:
        lines.append(f"<p><b>{escape(label(lang, 'note'))}:</b> {_text(judged.note, lang)}</p>")
    if claim.reference:
        lines.append(
            f'<p class="muted">{escape(label(lang, "reference"))}: {escape(claim.reference)}</p>'
        )
    lines.append("</div>")
    return "\n".join(lines)


def _section(number: int, result: Result, lang: str) -> str:
    entry = index_topic(result.topic)
    parts = [
        f'<section class="topic" id="{topic_anchor(result.topic)}">',
        f"<h2>{number}. {escape(entry.title.get(lang))}</h2>",
    ]
    if result.seconds is not None:
        parts.append(
            f'<p class="meta">{escape(label(lang, "seconds", seconds=result.seconds, mode=result.mode))}'
            f" · {escape(counts_text(result, lang))}</p>"
        )
    parts.append(f"<h3>{escape(label(lang, 'question'))}</h3>")
    parts.append(
        f'<p><b lang="zh-CN">{escape(entry.question.zh or "")}</b><br>{escape(entry.question.en)}</p>'
    )
    if entry.lines is not None:
        parts.append(
            f'<p class="muted">{escape(label(lang, "notes_excerpt"))}: '
            f"{escape(lines_text(entry.lines, lang))}</p>"
        )
        parts.append(f'<pre class="notes" lang="zh-CN">{escape(entry.compact_excerpt)}</pre>')
        parts.append(f'<p class="muted">{escape(label(lang, "english_rendering"))}</p>')
        parts.append(f'<pre class="notes" lang="en">{escape(entry.english)}</pre>')
    else:
        parts.append(f'<p class="muted">{escape(label(lang, "not_in_notes"))}</p>')
    if not result.experiment:
        parts.append(f'<p class="warning">{escape(no_experiment(result, lang))}</p>')
    if result.setup.get(lang).strip():
        parts.append(f"<h3>{escape(label(lang, 'setup'))}</h3>\n{_paragraphs(result.setup, lang)}")
    if result.error:
        parts.append(
            f'<div class="error"><p><span class="badge error">error</span> '
            f"{escape(label(lang, 'error'))}</p><pre>{escape(result.error)}</pre></div>"
        )
    parts.append(f"<h3>{escape(label(lang, 'claims'))}</h3>")
    parts.extend(_claim(result, judged, lang) for judged in result.claims)
    if result.tables:
        parts.append(f"<h3>{escape(label(lang, 'tables'))}</h3>")
        parts.extend(_table(table, lang) for table in result.tables)
    if result.figures:
        parts.append(f"<h3>{escape(label(lang, 'figures'))}</h3>")
        for figure in result.figures:
            width, height = png_size(figure.png)
            data = base64.b64encode(figure.png).decode("ascii")
            caption = _text(figure.caption, lang)
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" width="{width}" height="{height}" '
                f'alt="{caption}"><figcaption>{caption}</figcaption></figure>'
            )
    parts.append("</section>")
    return "\n".join(parts)


def _run_list(results: Sequence[Result], info: RunInfo) -> str:
    """The run's metadata as <dt>/<dd> pairs."""
    lang = info.lang
    count_text = summary_counts(results, lang)
    failed = [r.topic for r in results if r.error]
    run_rows = [
        ("mode", info.mode),
        ("seeds" if info.seeds else "seed", ", ".join(str(s) for s in info.all_seeds)),
        ("version", info.version),
        ("created", info.created),
        ("total_time", info.total_time()),
        ("counts", count_text),
        ("failed_topics", ", ".join(failed) or label(lang, "none")),
    ]
    return "".join(
        f"<dt>{escape(label(lang, key))}</dt><dd>{escape(value)}</dd>" for key, value in run_rows
    )


def _summary(results: Sequence[Result], lang: str) -> str:
    """The table of every claim's verdict, linked to its section."""
    summary_rows = "".join(
        f'<tr><td><a href="#{topic_anchor(r.topic)}">{escape(topic_title(r, lang))}</a></td>'
        f'<td><a href="#{claim_anchor(r.topic, c.claim.id)}">{_text(c.claim.text, lang)}</a></td>'
        f"<td>{_badge(c, r.mode, lang)}</td><td>{escape(c.mode)}</td></tr>"
        for r in results
        for c in r.claims
    )
    return (
        f'<section id="summary"><h2>{escape(label(lang, "summary"))}</h2><table><thead><tr>'
        f"<th>{escape(label(lang, 'topic'))}</th><th>{escape(label(lang, 'claim'))}</th>"
        f"<th>{escape(label(lang, 'verdict'))}</th><th>{escape(label(lang, 'mode'))}</th></tr></thead>"
        f"<tbody>{summary_rows}</tbody></table></section>"
    )


def render_html(results: Sequence[Result], info: RunInfo) -> str:
    """The whole report as one HTML document (a str)."""
    lang = info.lang
    run = _run_list(results, info)
    toc = "".join(
        f'<li><a href="#{topic_anchor(r.topic)}">{escape(topic_title(r, lang))}</a> '
        f'<span class="muted">({escape(counts_text(r, lang))})</span></li>'
        for r in results
    )
    summary = _summary(results, lang)
    warning = (
        f'<p class="warning">{escape(label(lang, "smoke_warning"))}</p>'
        if info.mode == "smoke"
        else ""
    )
    sections = "\n".join(
        _section(number, result, lang) for number, result in enumerate(results, start=1)
    )
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="glassnet lab {escape(info.version)}">
<title>{escape(label(lang, "title"))}</title>
<style>{_CSS}</style>
</head>
<body>
<header id="top"><h1>{escape(label(lang, "title"))}</h1>
<p>{escape(label(lang, "intro"))}</p>
<dl class="run">{run}</dl>{warning}</header>
<nav id="contents"><h2>{escape(label(lang, "contents"))}</h2><ol>{toc}</ol></nav>
{summary}
<main>
{sections}
</main>
<footer class="muted">glassnet {escape(info.version)} · {escape(info.created)}</footer>
</body>
</html>
"""
