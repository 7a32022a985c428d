"""What an experiment returns: the question, the setup, tables, figures and one verdict per claim.

An experiment builds its `Result` step by step:

    result = Result.start("conv_arithmetic", mode, seed, setup=Text("...", "..."))
    result.add_table(title, columns, rows)
    result.add_figure(fig, "output_vs_input", caption)
    result.judge("floor_formula", Verdict.HOLDS, numbers={...}, rule=Text(...), margin=...)
    return result

A verdict always comes with the numbers that decide it and the rule (the thresholds) that
turned them into the verdict, so a reader can disagree with the rule and still use the
numbers. `margin` says how far this run's numbers sit from the rule's threshold.

`complete()` accounts for every claim of the topic in the notes index: an advice claim
("advice, not testable as stated") shows its reason and is never judged; a claim left
unjudged is "not judged yet" when it has a `pending` reason of its own or its topic has no
experiment (with the topic's reason), else "not measured in this mode". A definition claim judged
HOLDS is shown as "definition, checked" (`shown`).

"Robust" means: the same verdict in every mode and seed measured (`glassnet.lab.settled`,
over `glassnet lab --seeds` and the runs `docs/lab-verdicts.md` compares); a single run
says nothing about it. `judge(asserted=True)` says something else: the test suite asserts
this verdict in smoke mode (`ClaimResult.asserted`), which needs a stated margin.
"""

from __future__ import annotations

import enum
import io
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from glassnet.lab.catalog import catalog
from glassnet.lab.notes_index import NoteClaim
from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.text import Text, as_text

__all__ = [
    "MODES",
    "Verdict",
    "Table",
    "Figure",
    "ClaimResult",
    "Result",
    "JUDGEABLE",
    "shown",
    "check_mode",
    "verdict_by_threshold",
    "new_figure",
]

MODES = ("smoke", "quick", "full")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
Number = Any  # int | float | str | bool | None


class Verdict(str, enum.Enum):
    """What the report says of a claim, in the summary's order. A str enum: Verdict.HOLDS == 'holds'.

    An experiment judges one of JUDGEABLE. The others come from elsewhere: NOT_JUDGED (no
    experiment judges the claim yet, with the index's reason), UNSETTLED (the seeds of one
    run disagree), DEFINITION_CHECKED (a definition claim judged HOLDS, see `shown`) and
    ADVICE (advice not testable as stated, with the index's reason).
    """

    HOLDS = "holds"
    PARTLY = "partly"
    DOES_NOT_HOLD = "does not hold"
    NOT_JUDGED = "not judged yet"
    UNSETTLED = "unsettled"
    NOT_MEASURED = "not measured in this mode"
    DEFINITION_CHECKED = "definition, checked"
    ADVICE = "advice, not testable as stated"

    def __str__(self) -> str:
        return self.value


JUDGEABLE = (Verdict.HOLDS, Verdict.PARTLY, Verdict.DOES_NOT_HOLD, Verdict.NOT_MEASURED)


def check_mode(mode: str, where: str) -> str:
    """Return `mode` when it is one of MODES, else raise naming the choices."""
    if mode not in MODES:
        raise ValueError(f"{where}: mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def verdict_by_threshold(
    value: float, holds: float, partly: float, higher_is_better: bool = True
) -> Verdict:
    """HOLDS when value reaches `holds`, PARTLY when it reaches `partly`, else DOES_NOT_HOLD.

    With higher_is_better=False the comparisons flip (value <= holds, value <= partly).
    """
    if higher_is_better:
        if not holds >= partly:
            raise ValueError(
                f"verdict_by_threshold: need holds >= partly when higher is better, got {holds}, {partly}"
            )
        return (
            Verdict.HOLDS
            if value >= holds
            else Verdict.PARTLY
            if value >= partly
            else Verdict.DOES_NOT_HOLD
        )
    if not holds <= partly:
        raise ValueError(
            f"verdict_by_threshold: need holds <= partly when lower is better, got {holds}, {partly}"
        )
    return (
        Verdict.HOLDS
        if value <= holds
        else Verdict.PARTLY
        if value <= partly
        else Verdict.DOES_NOT_HOLD
    )


@dataclass
class Table:
    """A measured table: column headings and rows of cells (numbers, strings or Text)."""

    title: Text
    columns: list[Text]
    rows: list[list[Any]]
    note: Text | None = None

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table '{self.title.en}': row {index} has {len(row)} cells but there are "
                    f"{len(self.columns)} columns"
                )


@dataclass
class Figure:
    """A figure rendered to PNG bytes. `name` becomes the Markdown file name (figures/TOPIC-NAME.png)."""

    name: str
    caption: Text
    png: bytes

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(
                f"figure name {self.name!r}: use lower-case letters, digits, '_' and '-'"
            )
        if not self.png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError(f"figure '{self.name}': png does not start with the PNG signature")

    @classmethod
    def from_matplotlib(cls, fig: Any, name: str, caption: str | Text, dpi: int = 100) -> Figure:
        """Render a matplotlib figure to PNG and close it (no pyplot state is left behind)."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)
        return cls(name=name, caption=as_text(caption), png=buffer.getvalue())


def new_figure(
    width: float = 7.0, height: float = 3.2, ncols: int = 1, nrows: int = 1
) -> tuple[Any, Any]:
    """(figure, axes) without pyplot: no global state, no GUI backend, safe in any thread.

    Label it with `glassnet.lab.fonts.figure_text(Text(en, zh))`: Chinese in a zh run where a
    CJK font is installed, English otherwise.
    """
    from matplotlib.figure import Figure as MatplotlibFigure

    fig = MatplotlibFigure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def shown(claim: NoteClaim, verdict: Verdict) -> Verdict:
    """The verdict as the report shows it: a definition claim that HOLDS is 'definition, checked'."""
    if claim.kind == "definition" and verdict is Verdict.HOLDS:
        return Verdict.DEFINITION_CHECKED
    return Verdict(verdict)


@dataclass
class ClaimResult:
    """One claim's measured verdict, the numbers that decide it, the rule, and the mode."""

    claim: NoteClaim
    verdict: Verdict
    numbers: dict[Any, Number]
    rule: Text
    mode: str
    asserted: bool = (
        False  # the test suite asserts this verdict in smoke mode (judge(asserted=True))
    )
    margin: Text | None = None
    note: Text | None = None
    per_seed: dict[int, ClaimResult] = field(default_factory=dict)  # a --seeds run: each seed's

    @property
    def shown(self) -> Verdict:
        """What the report shows: 'definition, checked' for a definition judged HOLDS, else the verdict."""
        return shown(self.claim, self.verdict)

    def number(self, name: str) -> Number:
        """The deciding number called `name` (its English name when the key is a Text)."""
        for key, value in self.numbers.items():
            if (key.en if isinstance(key, Text) else key) == name:
                return value
        names = ", ".join(repr(key.en if isinstance(key, Text) else key) for key in self.numbers)
        raise KeyError(
            f"claim '{self.claim.key}' has no number {name!r}; its numbers: {names or 'none'}"
        )


@dataclass
class Result:
    """Everything one experiment found. `error` holds a traceback when the experiment raised."""

    topic: str
    mode: str
    seed: int
    question: Text
    setup: Text = field(default_factory=lambda: Text(""))
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    claims: list[ClaimResult] = field(default_factory=list)
    error: str | None = None
    seconds: float | None = None
    said: dict[str, dict[str, Any]] = field(default_factory=dict)  # template -> its numbers
    experiment: bool = True  # False: the topic has no experiment yet (a placeholder section)
    seeds: tuple[int, ...] = ()  # a --seeds run: the seeds combined (tables are the first's)

    @classmethod
    def placeholder(cls, topic_id: str, mode: str, seed: int) -> Result:
        """The section of a topic that has no experiment yet: every claim 'not judged yet'."""
        result = cls.start(topic_id, mode, seed)
        result.experiment = False
        return result.complete()

    def say(self, key: str, **numbers: Any) -> Text:
        """The measured sentence `key` of this topic's catalog (notes/TOPIC.toml) with `numbers`.

        The numbers are kept in `said[key]`, so tests can render every template again.
        """
        text = catalog(self.topic).say(key, **numbers)
        self.said[key] = dict(numbers)
        return text

    def text(self, key: str) -> Text:
        """The fixed text `key` of this topic's catalog."""
        return catalog(self.topic).text(key)

    @classmethod
    def start(cls, topic_id: str, mode: str, seed: int, setup: str | Text = "") -> Result:
        """An empty result for `topic_id`, with its question taken from the notes index."""
        check_mode(mode, f"Result.start('{topic_id}')")
        entry = index_topic(topic_id)
        return cls(
            topic=topic_id, mode=mode, seed=seed, question=entry.question, setup=as_text(setup)
        )

    def add_table(
        self,
        title: str | Text,
        columns: Sequence[str | Text],
        rows: Sequence[Sequence[Any]],
        note: str | Text | None = None,
    ) -> Table:
        """Append a table; every row must have one cell per column."""
        table = Table(
            as_text(title),
            [as_text(c) for c in columns],
            [list(row) for row in rows],
            None if note is None else as_text(note),
        )
        self.tables.append(table)
        return table

    def add_figure(self, fig: Any, name: str, caption: str | Text, dpi: int = 100) -> Figure:
        """Render a matplotlib figure (see `new_figure`) into the result."""
        if any(existing.name == name for existing in self.figures):
            raise ValueError(f"topic '{self.topic}': a figure named '{name}' was already added")
        figure = Figure.from_matplotlib(fig, name, caption, dpi)
        self.figures.append(figure)
        return figure

    def judge(
        self,
        claim_id: str,
        verdict: Verdict | str,
        numbers: Mapping[Any, Number],
        rule: str | Text,
        asserted: bool = False,
        margin: str | Text | None = None,
        note: str | Text | None = None,
    ) -> ClaimResult:
        """Record the verdict on claim `claim_id` of this topic with its deciding numbers and rule.

        verdict: one of JUDGEABLE. asserted=True says the test suite asserts this verdict in
        smoke mode (robustness is another thing, measured over seeds and modes: see
        glassnet.lab.settled): such a claim must state its margin (how far the numbers sit from
        the threshold), and the tests assert it only where that margin is large. An advice
        claim of the index is never judged.
        """
        claim = index_topic(self.topic).claim(claim_id)
        where = f"topic '{self.topic}', claim '{claim_id}'"
        if verdict not in [v.value for v in JUDGEABLE]:
            raise ValueError(
                f"{where}: verdict must be one of "
                f"{', '.join(repr(v.value) for v in JUDGEABLE)}, got {verdict!r}"
            )
        verdict = Verdict(verdict)
        if claim.kind == "advice":
            raise ValueError(f"{where}: the index marks it advice, not testable as stated")
        if any(done.claim.id == claim_id for done in self.claims):
            raise ValueError(f"topic '{self.topic}': claim '{claim_id}' was already judged")
        if asserted and margin is None:
            raise ValueError(f"{where}: a claim the tests assert (asserted=True) needs its margin")
        judged = ClaimResult(
            claim=claim,
            verdict=verdict,
            numbers=dict(numbers),
            rule=as_text(rule),
            mode=self.mode,
            asserted=asserted,
            margin=None if margin is None else as_text(margin),
            note=None if note is None else as_text(note),
        )
        self.claims.append(judged)
        return judged

    def claim(self, claim_id: str) -> ClaimResult:
        """The judged claim `claim_id`; raises KeyError listing those judged."""
        for judged in self.claims:
            if judged.claim.id == claim_id:
                return judged
        raise KeyError(
            f"topic '{self.topic}': claim '{claim_id}' was not judged; judged: "
            f"{', '.join(c.claim.id for c in self.claims) or 'none'}"
        )

    def complete(self) -> Result:
        """Account for every claim of the topic, in the index's order (see the module's docstring)."""
        entry = index_topic(self.topic)
        judged = {c.claim.id: c for c in self.claims}
        self.claims = [judged.get(claim.id) or self._unjudged(claim) for claim in entry.claims]
        return self

    def _unjudged(self, claim: NoteClaim) -> ClaimResult:
        """The entry of a claim that no judge of this run decided, and why."""
        if claim.kind == "advice":
            return ClaimResult(claim, Verdict.ADVICE, {}, claim.reason or Text(""), self.mode)
        if self.error:
            why = Text("the experiment raised before judging it", "实验在判定之前出错")
            return ClaimResult(claim, Verdict.NOT_MEASURED, {}, why, self.mode)
        if claim.pending is not None or not self.experiment:  # a topic's pending: until it runs
            why = index_topic(self.topic).pending_reason(claim) or Text(
                "no experiment for this topic yet", "此主题尚无实验"
            )
            return ClaimResult(claim, Verdict.NOT_JUDGED, {}, why, self.mode)
        why = Text(f"not measured in {self.mode} mode", f"{self.mode} 模式下未测量")
        return ClaimResult(claim, Verdict.NOT_MEASURED, {}, why, self.mode)
