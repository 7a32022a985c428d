"""Write docs/lab-verdicts.md: every claim's quick-mode verdict over seeds 0, 1, 2, what differs in
smoke and full mode, and the per-topic quick budget (glassnet.lab.verdicts renders it).

    python bench/lab_verdicts.py                      # runs quick (seeds 0,1,2), smoke (0,1,2), full (0)
    python bench/lab_verdicts.py --skip-full          # without the full run (about an hour)
    python bench/lab_verdicts.py --quick runs/q --smoke runs/s --full runs/f   # reuse written reports
    python bench/lab_verdicts.py --main smoke --skip-full --skip-quick   # try the script in seconds

Each run it makes is an ordinary `glassnet lab` report, kept under --runs (default
lab-verdict-runs/quick, .../smoke, .../full), so a later call can reuse any of them. A
reused folder must hold a report of the right mode (checked). Run it on a quiet machine:
the budget table compares wall times.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from glassnet import lab
from glassnet.atomic import atomic_write_bytes
from glassnet.lab.jobs import default_jobs
from glassnet.lab.verdicts import VerdictsError, load_report, render_verdicts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import blas_info, cpu_model  # bench/machine.py, beside this script

SEEDS = {"quick": (0, 1, 2), "smoke": (0, 1, 2), "full": (0,)}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for mode in SEEDS:
        parser.add_argument(
            f"--{mode}",
            nargs="+",
            metavar="DIR",
            help=f"reuse these {mode}-mode report folders instead of running {mode} mode",
        )
    parser.add_argument(
        "--timing",
        metavar="DIR",
        help="a quick report run alone on the quiet machine: its times fill the budget table",
    )
    parser.add_argument("--skip-full", action="store_true", help="no full-mode run")
    parser.add_argument("--skip-quick", action="store_true", help="no quick-mode run")
    parser.add_argument(
        "--main",
        default="quick",
        choices=tuple(SEEDS),
        help="the mode whose verdicts per seed make the table (default quick; smoke to try)",
    )
    parser.add_argument("--runs", default="lab-verdict-runs", help="where new runs are written")
    parser.add_argument("--out", default="docs/lab-verdicts.md", help="the page to write")
    parser.add_argument("--topics", nargs="+", help="only these topics (default: all)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="experiments at once, as `glassnet lab --jobs` (default: the cores)",
    )
    return parser.parse_args(argv)


def reports(args: argparse.Namespace, mode: str) -> list[dict]:
    """The reused folders of `mode`, or one new run over its seeds (written under --runs)."""
    given = getattr(args, mode)
    if given:
        return [load_report(folder, mode) for folder in given]
    if getattr(args, f"skip_{mode}", False) and mode != args.main:
        return []
    folder = Path(args.runs) / mode
    print(f"lab_verdicts: running {mode} mode, seeds {SEEDS[mode]} -> {folder}", file=sys.stderr)
    lab.run(args.topics, mode=mode, seeds=SEEDS[mode], out=folder, jobs=args.jobs)
    return [load_report(folder, mode)]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    try:
        runs = {mode: reports(args, mode) for mode in SEEDS}
        timing = [load_report(args.timing, "quick")] if args.timing else None
    except (VerdictsError, lab.UnknownTopicError) as problem:
        print(f"lab_verdicts: error: {problem}", file=sys.stderr)
        return 2
    text = render_verdicts(
        runs,
        args.main,
        machine=f"{cpu_model()}, {os.cpu_count()} logical CPUs, BLAS {blas_info()}",
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        seconds=time.perf_counter() - started,
        timing=timing,
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, text.encode("utf-8"))
    print(f"lab_verdicts: wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
