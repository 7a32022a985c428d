"""Run the lab: experiments in the notes' order, each captured, then one report written atomically.

    report = glassnet.lab.run(["conv_arithmetic"], mode="smoke", out="lab-report")
    report.html  # lab-report/index.html, self-contained
    report.markdown  # lab-report/report.md, figures in lab-report/figures/

Each experiment runs after `glassnet.manual_seed(seed)`, so a topic's numbers do not
depend on which topics ran before it. With `seeds=(0, 1, 2)` each topic runs once per seed
and its claims are combined (`glassnet.lab.settled`): a claim whose seeds disagree is
"unsettled", with the split. A topic of the notes index that has no experiment yet gets a
section whose claims are "not judged yet", with the index's reason. An experiment that raises (any Exception) becomes a
Result whose `error` is the traceback; the others still run. KeyboardInterrupt stops the
run and, because the report is only written at the end, leaves no report behind.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import glassnet
from glassnet.lab import registry
from glassnet.lab.execute import run_experiment
from glassnet.lab.jobs import Task, check_jobs, run_tasks
from glassnet.lab.notes_index import topics as index_topics
from glassnet.lab.report.folder import GENERATOR, MARKER, check_replaceable, write_folder
from glassnet.lab.report.formatting import RunInfo, figure_file, verdict_counts
from glassnet.lab.report.html import render_html
from glassnet.lab.report.markdown import render_markdown
from glassnet.lab.result import Result, Verdict, check_mode
from glassnet.lab.settled import combine_seeds, split_text
from glassnet.lab.text import check_lang

__all__ = [
    "Report",
    "run",
    "run_experiment",
    "run_experiments",
    "run_seeds",
    "resolve_topics",
    "check_seeds",
    "DEFAULT_OUT",
]

DEFAULT_OUT = "lab-report"
HTML_FILE = "index.html"
MARKDOWN_FILE = "report.md"


@dataclass(frozen=True)
class Report:
    """A written report: where it is, and the results in it."""

    folder: Path
    html: Path
    markdown: Path
    results: tuple[Result, ...]
    info: RunInfo

    def counts(self) -> dict[str, int]:
        """{shown verdict: number of claims}, every verdict present (zeros included)."""
        counts = verdict_counts(self.results)
        return {verdict.value: counts[verdict] for verdict in Verdict}

    @property
    def failed(self) -> list[str]:
        """Topics whose experiment raised."""
        return [result.topic for result in self.results if result.error]


def resolve_topics(topics: str | Iterable[str] | None) -> list[str]:
    """The topic ids to run, in the notes' order (all when None); unknown ones raise, listing the valid.

    Every topic of the notes index is valid: one without an experiment yet gets a section
    that says so.
    """
    valid = list(index_topics())
    if topics is None:
        return valid
    wanted = [topics] if isinstance(topics, str) else list(topics)
    unknown = [name for name in wanted if name not in valid]
    if unknown:
        raise registry.UnknownTopicError(
            f"unknown lab topic{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; valid topics: {', '.join(valid)}"
        )
    if not wanted:
        raise ValueError(f"no lab topic given; valid topics: {', '.join(valid)}")
    return [name for name in valid if name in wanted]


def check_seeds(seeds: Iterable[int], where: str) -> tuple[int, ...]:
    """`seeds` as a tuple when it holds one or more distinct non-negative ints, else raise naming them."""
    values = tuple(seeds)
    if (
        not values
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in values)
        or len(set(values)) != len(values)
    ):
        raise ValueError(
            f"{where}: seeds must be one or more distinct non-negative integers, got {values!r}"
        )
    return values


def run_seeds(topic: str, mode: str, seeds: Sequence[int], lang: str = "en") -> Result:
    """Run one topic once per seed, in this process, and combine the runs (one seed: that run)."""
    return combined([run_experiment(topic, mode, seed, lang) for seed in seeds])


def combined(runs: Sequence[Result]) -> Result:
    """One topic's runs over its seeds as one Result (a single run as it is)."""
    return runs[0] if len(runs) == 1 else combine_seeds(list(runs))


def _task_line(result: Result, seeds: Sequence[int]) -> str:
    if result.error:
        summary = "[red]raised[/]"
    else:
        counts = verdict_counts([result])
        summary = ", ".join(f"{count} {verdict}" for verdict, count in counts.items() if count)
    seed = f" (seed {result.seed})" if len(seeds) > 1 else ""
    return f"  {result.topic}{seed}: {summary}  [dim]{result.seconds:.1f} s[/]"


def _run_with_bar(tasks: list[Task], mode: str, lang: str, jobs: int) -> list[Result]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    seeds = sorted({seed for _, seed in tasks})
    columns = (
        TextColumn("[bold]lab[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    where = f"{mode}, {jobs} job{'s' if jobs > 1 else ''}"
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(where, total=len(tasks))

        def done(result: Result) -> None:
            bar.console.print(_task_line(result, seeds))
            bar.advance(task)

        return run_tasks(tasks, mode, lang, jobs, done)


def run_experiments(
    topics: str | Iterable[str] | None = None,
    mode: str = "quick",
    seed: int = 0,
    progress: bool = True,
    lang: str = "en",
    seeds: Sequence[int] | None = None,
    jobs: int = 1,
) -> list[Result]:
    """Run the experiments of `topics` (all when None), results in the notes' order, with a progress bar.

    seeds: run each topic once per seed and combine (see `run_seeds`); `seed` is then unused.
    jobs: worker processes running experiments at once (`glassnet.lab.jobs`; 1: this process).
    """
    check_mode(mode, "glassnet.lab.run")
    names = resolve_topics(topics)
    seeds = (seed,) if seeds is None else check_seeds(seeds, "glassnet.lab.run")
    check_jobs(jobs, "glassnet.lab.run")
    tasks = [(name, s) for name in names for s in seeds]
    if progress:
        runs = _run_with_bar(tasks, mode, lang, jobs)
    else:
        runs = run_tasks(tasks, mode, lang, jobs)
    return [combined(runs[i : i + len(seeds)]) for i in range(0, len(runs), len(seeds))]


def _jsonable(value: object) -> object:
    if hasattr(value, "item"):  # NumPy scalars
        value = value.item()
    if hasattr(value, "en"):  # Text
        return value.en
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def report_data(results: Sequence[Result], info: RunInfo) -> dict[str, Any]:
    """The machine-readable verdicts: per topic, each claim's verdict, numbers and rule."""
    return {
        "generator": GENERATOR,
        "version": info.version,
        "mode": info.mode,
        "seed": info.seed,
        "seeds": list(info.seeds),
        "provisional": info.mode == "smoke",
        "lang": info.lang,
        "created": info.created,
        "seconds": round(info.seconds, 3),
        "jobs": info.jobs,
        "load_average": [round(x, 2) for x in os.getloadavg()],  # at the end: was it quiet?
        "topics": [
            {
                "topic": r.topic,
                "seconds": None if r.seconds is None else round(r.seconds, 3),
                "error": r.error,
                "experiment": r.experiment,
                "claims": [
                    {
                        "claim": c.claim.key,
                        "source": c.claim.source,
                        "kind": c.claim.kind,
                        "verdict": c.verdict.value,
                        "shown": c.shown.value,
                        "split": split_text(c),
                        "seeds": {str(s): p.shown.value for s, p in c.per_seed.items()},
                        "mode": c.mode,
                        "asserted": c.asserted,
                        "en": c.claim.en,
                        "zh": c.claim.zh,
                        "numbers": {
                            (k.en if hasattr(k, "en") else str(k)): _jsonable(v)
                            for k, v in c.numbers.items()
                        },
                        "rule": c.rule.en,
                    }
                    for c in r.claims
                ],
            }
            for r in results
        ],
    }


def _report_json(results: Sequence[Result], info: RunInfo) -> bytes:
    """report_data as the report's marker file (which makes the folder replaceable)."""
    return json.dumps(report_data(results, info), ensure_ascii=False, indent=1).encode("utf-8")


def run(
    topics: str | Iterable[str] | None = None,
    mode: str = "quick",
    seed: int = 0,
    lang: str = "en",
    out: str | os.PathLike[str] = DEFAULT_OUT,
    progress: bool = True,
    seeds: Sequence[int] | None = None,
    jobs: int = 1,
) -> Report:
    """Run the lab's experiments and write the report folder `out` (index.html, report.md, figures/).

    topics: topic ids (all when None), run in the notes' order; unknown ones raise
    UnknownTopicError listing the valid ones. mode: 'smoke' (seconds), 'quick' (every
    topic within 10 minutes on 2 cores) or 'full'. lang: 'en' or 'zh' (the report's prose).
    `out` is replaced atomically; it must be new, empty, or an earlier lab report.
    seeds: run every topic once per seed and mark the claims whose seeds disagree
    'unsettled' (`seed` is then the first of them). jobs: experiments run at once, each
    in its own worker process (`glassnet.lab.jobs`); topics that time wall-clock speed run alone.
    """
    check_mode(mode, "glassnet.lab.run")
    check_lang(lang, "glassnet.lab.run")
    seeds = (seed,) if seeds is None else check_seeds(seeds, "glassnet.lab.run")
    names = resolve_topics(topics)
    folder = check_replaceable(out)  # fail before the experiments, not after
    started = time.perf_counter()
    results = run_experiments(names, mode, seeds[0], progress, lang, seeds, jobs)
    info = RunInfo(
        mode=mode,
        seed=seeds[0],
        seeds=seeds,
        lang=lang,
        version=glassnet.__version__,
        created=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        seconds=time.perf_counter() - started,
        jobs=jobs,
    )
    files = {figure_file(r.topic, f.name): f.png for r in results for f in r.figures}
    files[HTML_FILE] = render_html(results, info).encode("utf-8")
    files[MARKDOWN_FILE] = render_markdown(results, info).encode("utf-8")
    files[MARKER] = _report_json(results, info)
    write_folder(folder, files)
    return Report(
        folder=folder,
        html=folder / HTML_FILE,
        markdown=folder / MARKDOWN_FILE,
        results=tuple(results),
        info=info,
    )
