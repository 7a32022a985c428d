"""`glassnet lab`: argument values in, the report written, where it is printed.

    glassnet lab [TOPIC ...] [--mode smoke|quick|full] [--lang en|zh] [-o DIR]
                 [--seed N | --seeds N,N,...] [-j N] [--list] [--json] [--quiet]

Exit status: 0 when every experiment ran, 1 when the report was written but some
experiment raised (its section shows the traceback), 2 for bad input (an unknown topic, a
folder that is not a report). The lab is imported only when the command runs, so other
commands start without it.
"""

from __future__ import annotations

import argparse
import sys

from glassnet.cli.common import add_json_flag, configure, positive_int, print_json

LAB_HELP = "run the notes' experiments and write the report (HTML + Markdown)"
LAB_DESCRIPTION = (
    "Run the notes' experiments and write the report: a self-contained HTML page (figures\n"
    "embedded) and the same content as Markdown, each claim with its verdict (holds, partly,\n"
    "does not hold, not judged yet; definitions checked and advice counted apart), the numbers\n"
    "that decide it and the rule used. With --seeds each topic runs once per seed and a claim\n"
    "whose seeds disagree is 'unsettled', with the split. Smoke verdicts are provisional.\n"
    "Experiments run --jobs at a time, each in its own process on one BLAS thread; the topics\n"
    "that time wall-clock speed run alone.\n"
    "The report folder is replaced atomically: an interrupted run leaves the old one intact."
)
LAB_EPILOG = (
    "modes: smoke (seconds, what the tests run), quick (every topic within ~10 minutes on 2 cores),\n"
    "full (the longest runs).\n\nexamples:\n  glassnet lab --mode quick\n"
    "  glassnet lab conv_arithmetic --mode smoke --out /tmp/lab\n  glassnet lab --lang zh\n"
    "  glassnet lab --seeds 0,1,2\n"
    "  glassnet lab --mode full --jobs 1\n"
    "  glassnet lab --list"
)


def add_lab_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare `glassnet lab`'s arguments on `parser`."""
    from glassnet.lab.result import MODES
    from glassnet.lab.runner import DEFAULT_OUT
    from glassnet.lab.text import LANGS

    parser.add_argument(
        "topics",
        metavar="TOPIC",
        nargs="*",
        help="topics to run, in any order (default: all; --list shows them)",
    )
    parser.add_argument(
        "--mode", default="quick", choices=MODES, help="how long to measure (default quick)"
    )
    parser.add_argument(
        "--lang", default="en", choices=LANGS, help="the report's language (default en)"
    )
    parser.add_argument(
        "-o",
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"the report folder: new, empty, or an earlier report (default {DEFAULT_OUT})",
    )
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument(
        "--seed", type=int, default=0, help="random seed of every experiment (default 0)"
    )
    seeds.add_argument(
        "--seeds",
        type=seed_list,
        default=None,
        metavar="N,N,...",
        help="run every topic once per seed; claims whose seeds disagree are 'unsettled'",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        default=None,
        metavar="N",
        help="experiments run at once, each in its own process (default: the cores this "
        "process may use)",
    )
    parser.add_argument("--list", action="store_true", help="list the topics and exit")
    add_json_flag(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")


def seed_list(text: str) -> tuple[int, ...]:
    """'0,1,2' -> (0, 1, 2): distinct non-negative integers, else argparse's error (exit 2)."""
    try:
        seeds = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers such as 0,1,2, got {text!r}"
        ) from None
    if any(seed < 0 for seed in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(
            f"seeds must be distinct non-negative integers, got {text!r}"
        )
    return seeds


def describe_topics() -> str:
    """One line per topic `glassnet lab` accepts: 'id  English title', '(no experiment yet)' marked."""
    from glassnet.lab.notes_index import topics
    from glassnet.lab.registry import topic_ids

    names, running = list(topics()), set(topic_ids())
    width = max((len(name) for name in names), default=0)
    return "\n".join(
        f"  {name.ljust(width)}  {entry.title.en}"
        + ("" if name in running else "  (no experiment yet: its claims show 'not judged yet')")
        for name, entry in topics().items()
    )


def run_lab(args: argparse.Namespace) -> int:
    """Run the lab with the parsed arguments; print where the report is."""
    from glassnet.lab.jobs import default_jobs
    from glassnet.lab.registry import UnknownTopicError
    from glassnet.lab.runner import report_data, run

    if getattr(args, "list", False):
        print(describe_topics())
        return 0
    quiet = getattr(args, "json", False) or getattr(args, "quiet", False)
    try:
        report = run(
            args.topics or None,
            mode=args.mode,
            seed=args.seed,
            lang=args.lang,
            out=args.out,
            progress=not quiet,
            seeds=getattr(args, "seeds", None),
            jobs=getattr(args, "jobs", None) or default_jobs(),
        )
    except (UnknownTopicError, OSError) as problem:  # OSError: not a report folder, no permission
        print(f"glassnet lab: error: {' '.join(str(problem).splitlines())}", file=sys.stderr)
        return 2
    if getattr(args, "json", False):
        print_json(
            {
                "html": report.html,
                "markdown": report.markdown,
                "folder": report.folder,
                "counts": report.counts(),
                "failed": report.failed,
                **report_data(report.results, report.info),
            }
        )
    else:
        counts = ", ".join(f"{n} {verdict}" for verdict, n in report.counts().items() if n)
        print(f"report: {report.html}")
        print(f"markdown: {report.markdown}")
        seeds = ", ".join(str(s) for s in report.info.all_seeds)
        provisional = " (provisional: smoke)" if report.info.mode == "smoke" else ""
        print(f"verdicts ({report.info.mode} mode, seeds {seeds}){provisional}: {counts or 'none'}")
    if report.failed:
        print(
            f"glassnet lab: {len(report.failed)} experiment(s) raised: {', '.join(report.failed)} "
            f"(their sections show the traceback)",
            file=sys.stderr,
        )
        return 1
    return 0


def configure_lab(parser: argparse.ArgumentParser) -> None:
    configure(parser, description=LAB_DESCRIPTION, epilog=LAB_EPILOG)
    add_lab_arguments(parser)
    parser.set_defaults(handler=run_lab)
