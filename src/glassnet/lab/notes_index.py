"""The notes and the lab's map of them: topic -> exact Chinese excerpt, English rendering, claims.

The notes (`notes/dl-interview-notes.zh.txt`) ship inside the package, byte for byte as
given; `notes/index.toml` maps each topic to a line range of that file, a faithful
English rendering, and the list of claims the lab measures. Loading checks, loudly:

- the notes' SHA-256 equals the one pinned in the index (line ranges cannot drift);
- each range lies inside the file and each question is quoted verbatim from its excerpt;
- each claim with source "notes" is quoted verbatim from its topic's excerpt;
- topic and claim ids are unique and look like identifiers;
- each claim's `kind` is one of KINDS: "empirical" (the default: an experiment decides it),
  "definition" (a definition or formula, checked against the code: a topic's HOLDS reads
  "definition, checked") or "advice" (advice not testable as stated: never judged, it needs
  a one-line `reason = { en = "...", zh = "..." }`);
- a `pending = { en = "...", zh = "..." }` on a claim says why no experiment judges it yet;
  on a topic, why the topic has no experiment yet (it no longer applies once one runs). The
  report shows such claims as "not judged yet" with that reason.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from glassnet.lab.text import Text

__all__ = [
    "NOTES_FILE",
    "INDEX_FILE",
    "NotesIndexError",
    "KINDS",
    "NoteClaim",
    "Topic",
    "notes_bytes",
    "notes_text",
    "notes_lines",
    "topics",
    "topic",
]

NOTES_FILE = "dl-interview-notes.zh.txt"
INDEX_FILE = "index.toml"
SOURCES = ("notes", "lab")
KINDS = ("empirical", "definition", "advice")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


class NotesIndexError(ValueError):
    """The shipped index does not match the shipped notes (or is malformed)."""


@dataclass(frozen=True)
class NoteClaim:
    """One claim of a topic: `zh` is quoted from the notes (source 'notes') or written by the lab."""

    id: str
    topic: str
    source: str
    zh: str
    en: str
    reference: str | None = None
    kind: str = "empirical"
    reason: Text | None = None  # advice: why it is not testable as stated
    pending: Text | None = None  # why no experiment judges it yet (the topic's when unset)

    @property
    def key(self) -> str:
        """'topic.claim', unique across the lab."""
        return f"{self.topic}.{self.id}"

    @property
    def text(self) -> Text:
        return Text(self.en, self.zh)


@dataclass(frozen=True)
class Topic:
    """One question of the notes with its excerpt (lines, 1-based inclusive) and claims."""

    id: str
    title: Text
    question: Text
    lines: tuple[int, int] | None
    english: str
    claims: tuple[NoteClaim, ...]
    order: int
    pending: Text | None = None  # why the topic has no experiment yet

    @property
    def excerpt(self) -> str:
        """The notes' lines `lines[0]..lines[1]` exactly as in the file ('' for a topic not in the notes)."""
        if self.lines is None:
            return ""
        first, last = self.lines
        return "\n".join(notes_lines()[first - 1 : last])

    @property
    def compact_excerpt(self) -> str:
        """The excerpt without the notes' empty bullet lines ('-'), for display."""
        return "\n".join(line for line in self.excerpt.splitlines() if line.strip() != "-")

    def pending_reason(self, claim: NoteClaim) -> Text | None:
        """Why no experiment judges `claim` yet: its own `pending`, else the topic's, else None."""
        return claim.pending or self.pending

    def claim(self, claim_id: str) -> NoteClaim:
        """The claim `claim_id` of this topic; raises KeyError listing the valid ids."""
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(
            f"topic '{self.id}' has no claim '{claim_id}'; its claims are: "
            f"{', '.join(c.id for c in self.claims)}"
        )


def _package_file(name: str) -> bytes:
    return resources.files("glassnet.lab").joinpath("notes", name).read_bytes()


@lru_cache(maxsize=1)
def notes_bytes() -> bytes:
    """The shipped notes file, byte for byte."""
    return _package_file(NOTES_FILE)


def notes_text() -> str:
    """The shipped notes as text (UTF-8)."""
    return notes_bytes().decode("utf-8")


@lru_cache(maxsize=1)
def notes_lines() -> tuple[str, ...]:
    """The notes' lines; line n of the file is notes_lines()[n - 1]."""
    return tuple(notes_text().splitlines())


def _require(entry: dict, key: str, where: str, kind: type = str) -> object:
    if key not in entry:
        raise NotesIndexError(f"{INDEX_FILE}: {where} lacks '{key}'")
    if not isinstance(entry[key], kind):
        raise NotesIndexError(
            f"{INDEX_FILE}: {where}: '{key}' must be a {kind.__name__}, got {entry[key]!r}"
        )
    return entry[key]


def _bilingual(entry: dict, key: str, where: str) -> Text | None:
    """`key = { en = "...", zh = "..." }` as a Text, None when absent; anything else raises."""
    value = entry.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or set(value) != {"en", "zh"}
        or not all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        raise NotesIndexError(
            f'{INDEX_FILE}: {where}: \'{key}\' must be {{ en = "...", zh = "..." }}, got {value!r}'
        )
    return Text(value["en"], value["zh"])


def _parse_claim(
    claim_entry: dict, topic_id: str, where: str, index: int, problems: list[str]
) -> NoteClaim:
    claim = NoteClaim(
        id=_require(claim_entry, "id", f"{where}, claim #{index + 1}"),
        topic=topic_id,
        source=_require(claim_entry, "source", f"{where}, claim #{index + 1}"),
        zh=_require(claim_entry, "zh", f"{where}, claim #{index + 1}"),
        en=_require(claim_entry, "en", f"{where}, claim #{index + 1}"),
        reference=claim_entry.get("reference"),
        kind=claim_entry.get("kind", "empirical"),
        reason=_bilingual(claim_entry, "reason", f"{where}, claim #{index + 1}"),
        pending=_bilingual(claim_entry, "pending", f"{where}, claim #{index + 1}"),
    )
    if claim.kind not in KINDS:
        problems.append(
            f"{where}, claim '{claim.id}': kind must be one of {KINDS}, got {claim.kind!r}"
        )
    if (claim.kind == "advice") != (claim.reason is not None):
        problems.append(
            f"{where}, claim '{claim.id}': an advice claim needs a reason (why it is not testable "
            f"as stated) and only an advice claim has one; kind {claim.kind!r}, "
            f"reason {'given' if claim.reason else 'missing'}"
        )
    if claim.source not in SOURCES:
        problems.append(
            f"{where}, claim '{claim.id}': source must be one of {SOURCES}, got {claim.source!r}"
        )
    if not _IDENTIFIER.fullmatch(claim.id):
        problems.append(f"{where}, claim '{claim.id}': the id must be lower_case_with_underscores")
    return claim


def _parse_topic(entry: dict, order: int, problems: list[str]) -> Topic:
    where = f"topic #{order + 1}"
    topic_id = _require(entry, "id", where)
    where = f"topic '{topic_id}'"
    if not _IDENTIFIER.fullmatch(topic_id):
        problems.append(f"{where}: the id must be lower_case_with_underscores")
    lines = entry.get("lines")
    if lines is not None:
        count = len(notes_lines())
        if (
            not isinstance(lines, list)
            or len(lines) != 2
            or not all(isinstance(n, int) for n in lines)
            or not 1 <= lines[0] <= lines[1] <= count
        ):
            problems.append(
                f"{where}: lines must be [first, last] with 1 <= first <= last <= {count}, got {lines!r}"
            )
            lines = None
        else:
            lines = (lines[0], lines[1])
    claims = [
        _parse_claim(c, topic_id, where, i, problems) for i, c in enumerate(entry.get("claim", []))
    ]
    topic_entry = Topic(
        id=topic_id,
        title=Text(_require(entry, "title_en", where), _require(entry, "title_zh", where)),
        question=Text(_require(entry, "question_en", where), _require(entry, "question_zh", where)),
        lines=lines,
        english=_require(entry, "english", where).strip(),
        claims=tuple(claims),
        order=order,
        pending=_bilingual(entry, "pending", where),
    )
    excerpt = topic_entry.excerpt
    if lines is not None and topic_entry.question.zh not in excerpt:
        problems.append(
            f"{where}: question_zh {topic_entry.question.zh!r} is not in lines {lines[0]}-{lines[1]}"
        )
    for claim in claims:
        if claim.source == "notes" and (lines is None or claim.zh not in excerpt):
            problems.append(
                f"{where}, claim '{claim.id}': source 'notes' but {claim.zh!r} is not quoted verbatim "
                f"from lines {lines[0] if lines else '?'}-{lines[1] if lines else '?'}"
            )
    ids = [claim.id for claim in claims]
    for claim_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{where}: claim id '{claim_id}' appears {ids.count(claim_id)} times")
    return topic_entry


@lru_cache(maxsize=1)
def _load() -> dict[str, Topic]:
    try:
        data = tomllib.loads(_package_file(INDEX_FILE).decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise NotesIndexError(f"{INDEX_FILE}: {error}") from None
    problems: list[str] = []
    digest = hashlib.sha256(notes_bytes()).hexdigest()
    if data.get("notes_sha256") != digest:
        problems.append(
            f"the notes' SHA-256 is {digest} but the index pins {data.get('notes_sha256')!r}: "
            f"the notes changed, so check every line range and quote, then update the pin"
        )
    loaded: dict[str, Topic] = {}
    for order, entry in enumerate(data.get("topic", [])):
        parsed = _parse_topic(entry, order, problems)
        if parsed.id in loaded:
            problems.append(f"topic id '{parsed.id}' appears twice")
        loaded[parsed.id] = parsed
    if problems:
        raise NotesIndexError(
            f"{INDEX_FILE} does not match {NOTES_FILE}:\n  " + "\n  ".join(problems)
        )
    return loaded


def topics() -> dict[str, Topic]:
    """Every topic of the index, in the notes' order."""
    return dict(_load())


def topic(topic_id: str) -> Topic:
    """The topic `topic_id`; raises KeyError listing the known ids."""
    loaded = _load()
    if topic_id not in loaded:
        raise KeyError(
            f"the notes index has no topic '{topic_id}'; known topics: {', '.join(loaded)}"
        )
    return loaded[topic_id]
