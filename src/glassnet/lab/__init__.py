"""glassnet's lab: each topic of the deep-learning notes as a measured experiment, and a report.

    import glassnet.lab
    report = glassnet.lab.run(mode="quick", lang="en", out="lab-report")

`run` executes the experiments (one module per topic in `glassnet.lab.topics`) and writes
a self-contained HTML page and the same content as Markdown, atomically. Each claim of the
index appears: with a verdict (holds / partly / does not hold) and the numbers that decide it
and the rule used, or "not judged yet" with the index's reason; definitions checked ("definition,
checked") and advice not testable as stated are counted apart. `run(seeds=(0, 1, 2))` runs
each topic per seed and marks disagreeing claims "unsettled" (`settled`); `verdicts` renders
docs/lab-verdicts.md from written reports. The notes ship inside the package
(`notes_index.notes_text()`), mapped to topics, excerpts and claims by `notes/index.toml`.

The parts, lowest first: `text` (bilingual Text), `notes_index`, `catalog` (the topics' prose
in `notes/TOPIC.toml`), `result` (verdicts with numbers and rules), `kit` (data, clock, the
training loop), `registry`, `topics` (how to write one: see its docstring), `report` (HTML and
Markdown), `runner`. Argparse for `glassnet lab` lives in `glassnet.cli.lab`.
"""

from glassnet.lab.notes_index import NoteClaim, NotesIndexError, Topic, notes_text
from glassnet.lab.notes_index import topic as notes_topic
from glassnet.lab.notes_index import topics as notes_topics
from glassnet.lab.registry import (
    Experiment,
    UnknownTopicError,
    experiment,
    experiments,
    get_experiment,
    topic_ids,
)
from glassnet.lab.result import (
    MODES,
    ClaimResult,
    Figure,
    Result,
    Table,
    Verdict,
    new_figure,
    verdict_by_threshold,
)
from glassnet.lab.runner import DEFAULT_OUT, Report, run, run_experiment, run_experiments
from glassnet.lab.text import LANGS, Text

__all__ = [
    "run",
    "run_experiment",
    "run_experiments",
    "Report",
    "DEFAULT_OUT",
    "MODES",
    "LANGS",
    "Result",
    "ClaimResult",
    "Table",
    "Figure",
    "Verdict",
    "Text",
    "new_figure",
    "verdict_by_threshold",
    "experiment",
    "experiments",
    "get_experiment",
    "topic_ids",
    "Experiment",
    "UnknownTopicError",
    "notes_topics",
    "notes_topic",
    "Topic",
    "NoteClaim",
    "NotesIndexError",
    "notes_text",
]
