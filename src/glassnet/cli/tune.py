"""`glassnet tune`: a thin wrapper over glassnet.tune (search, workers, report)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from glassnet.cli.common import (
    INPUT_ERRORS,
    add_json_flag,
    configure,
    error,
    positive_int,
    print_json,
)

TUNE_HELP = "search hyper-parameters with Optuna: one laptop, or many machines on PostgreSQL"


def _space(args: argparse.Namespace) -> Any:
    from glassnet.tune import build_space, load_space

    fixed = {} if args.epochs is None else {"epochs": args.epochs}
    if args.space is not None:
        if args.search is not None:
            raise ValueError("--search and --space exclude each other (the file names the search)")
        return load_space(args.space, args.data, args.model, fixed)
    search = None if args.search is None else [name for name in args.search.split(",") if name]
    return build_space(args.data, args.model, search=search, fixed=fixed)


def _report(args: argparse.Namespace) -> int:
    from rich.console import Console

    from glassnet.tune import Durability, load_existing, open_storage
    from glassnet.tune.report import best_summary, trial_counts, trial_records, trials_table

    storage = open_storage(args.storage, args.report, Durability())
    study = load_existing(storage, args.study)
    if args.json:
        print_json(
            {
                "study": study.study_name,
                "counts": trial_counts(study),
                "best": best_summary(study),
                "trials": trial_records(study),
            }
        )
        return 0
    console = Console()
    if not console.is_terminal:  # a file or a pipe: don't squeeze the table into 80 columns
        console = Console(width=240)
    console.print(trials_table(study))
    _print_best(best_summary(study))
    return 0


def _print_best(best: dict[str, Any] | None) -> None:
    if best is None:
        print("no complete trial yet")
        return
    params = ", ".join(
        f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in best["params"].items()
    )
    print(f"best: trial {best['number']}, validation accuracy {best['value']:.4f}: {params}")
    print(f"run folder: {best['folder']} (on {best['host']})")
    metrics = best["test_metrics"]
    if metrics is not None:
        shown = ", ".join(f"{key} {metrics[key]:.4f}" for key in ("accuracy", "f1", "loss"))
        print(f"test metrics of its best checkpoint: {shown}")


def _search(args: argparse.Namespace) -> int:
    from glassnet.tune.report import best_summary, trial_counts, write_plots

    config, study, where = _open_search(args)
    name, out = config.study_name, config.out
    if config.verbose:
        print(f"study {name} in {where}: {args.trials} trials, runs in {out}", file=sys.stderr)
    if _run_search_workers(args, config) != 0:
        return 1
    plots = {} if args.no_plots else write_plots(study, f"{out}/plots")
    if args.json:
        print_json(
            {
                "study": name,
                "storage": where,
                "out": out,
                "counts": trial_counts(study),
                "best": best_summary(study),
                "plots": plots,
            }
        )
        return 0
    _print_best(best_summary(study))
    if plots:
        print("plots: " + ", ".join(plots.values()))
    return 0


def _open_search(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """(the workers' config, the Optuna study, where it is stored), the study created if new."""
    from glassnet.tune import Durability, WorkerConfig, open_storage, open_study

    space = _space(args)
    name = args.study or f"{Path(space.fixed['data']).stem}-{space.fixed['model']}"
    out = args.out or f"studies/{name}"
    durability = Durability(
        heartbeat_interval=args.heartbeat,
        grace_period=args.grace_period,
        lock_grace_period=args.grace_period,
        max_retry=args.max_retry,
    )
    storage = open_storage(args.storage, out, durability)
    study = open_study(storage, name, space, args.sampler, args.pruner, args.seed)
    config = WorkerConfig(
        space,
        out,
        name,
        args.trials,
        args.storage,
        args.sampler,
        args.pruner,
        args.seed,
        durability,
        blas_threads=args.blas_threads,
        bar=args.workers == 1,
        verbose=not (args.quiet or args.json),
    )
    return config, study, args.storage or f"{out}/journal.log"


def _run_search_workers(args: argparse.Namespace, config: Any) -> int:
    """Run the trials: in this process (one worker, Ctrl-C stops it after the running trial) or
    in --workers processes with seeds SEED + k; 1 when a worker process failed, else 0."""
    from dataclasses import replace

    from glassnet.tune import run_worker, run_workers
    from glassnet.tune.worker import stop_on_sigint

    if args.workers == 1:
        import threading

        stop = threading.Event()
        with stop_on_sigint(stop):
            run_worker(config, stop)
        return 0
    seeds = [None if args.seed is None else args.seed + index for index in range(args.workers)]
    threads = args.blas_threads or 1
    codes = run_workers([replace(config, seed=s, blas_threads=threads, bar=False) for s in seeds])
    if any(code != 0 for code in codes):
        print(f"glassnet tune: worker exit codes {codes}", file=sys.stderr)
        return 1
    return 0


def _run_tune(args: argparse.Namespace) -> int:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        return _report(args) if args.report is not None else _search(args)
    except KeyboardInterrupt:
        print(
            "glassnet tune: interrupted; the running trial failed and is queued again; "
            "run the same command to continue the study",
            file=sys.stderr,
        )
        return 130
    except INPUT_ERRORS as problem:
        return error("tune", problem)


def configure_tune(parser: argparse.ArgumentParser) -> None:
    from glassnet.tune import PARAMETERS

    configure(
        parser,
        description="Search the hyper-parameters of `glassnet train` with Optuna. Each trial is an ordinary\n"
        "run folder (STUDY_DIR/trial-NNNN) that reports its validation accuracy per epoch, so\n"
        "pruners stop bad trials early. The study lives in STUDY_DIR/journal.log (several\n"
        "workers on one machine), or in a database given by --storage (workers on many\n"
        "machines: start the same command on each). A killed worker's trial is failed and\n"
        "run again; Ctrl-C stops a worker after its running trial (twice: at once).\n\n"
        f"searchable: {', '.join(PARAMETERS)}",
        epilog="examples:\n  glassnet tune --data digits --trials 40\n"
        "  glassnet tune --data mnist1d --search lr,units,layers --pruner hyperband --workers 2\n"
        "  glassnet tune --data digits --storage postgresql://user:pw@db/optuna --study big\n"
        "  glassnet tune --report studies/digits-mlp",
    )
    _add_search_arguments(parser)
    _add_study_arguments(parser)
    _add_durability_arguments(parser)
    _add_output_arguments(parser)
    parser.set_defaults(handler=_run_tune)


def _add_search_arguments(parser: argparse.ArgumentParser) -> None:
    """What is trained, how many trials, and the space, sampler and pruner of the search."""
    from glassnet.models import available_models
    from glassnet.tune import PRUNERS, SAMPLERS

    parser.add_argument(
        "--data", default="digits", help="digits, mnist1d or a path (default: digits)"
    )
    parser.add_argument(
        "--model", choices=available_models(), metavar="NAME", help="(default: the data set's, mlp)"
    )
    parser.add_argument(
        "--trials",
        type=positive_int,
        default=40,
        help="finished (complete or pruned) trials the study needs (default: 40)",
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="epochs per trial (default: digits 10, mnist1d 20)"
    )
    parser.add_argument(
        "--space", metavar="FILE.toml", help="the search space ([fixed], [search.NAME])"
    )
    parser.add_argument(
        "--search",
        metavar="NAMES",
        help="comma-separated parameters to search with their default ranges",
    )
    parser.add_argument("--sampler", choices=SAMPLERS, default="tpe", help="(default: tpe)")
    parser.add_argument("--pruner", choices=PRUNERS, default="median", help="(default: median)")


def _add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the study and its runs live, who works on it, and --report to read it."""
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        help="worker processes on this machine, one BLAS thread each (default: 1)",
    )
    parser.add_argument(
        "-o",
        "--out",
        metavar="STUDY_DIR",
        help="trials' run folders (and the journal) (default: studies/STUDY)",
    )
    parser.add_argument(
        "--storage",
        metavar="URL",
        help="a database, e.g. postgresql://user:password@host/db (default: the "
        "journal file in STUDY_DIR)",
    )
    parser.add_argument("--study", metavar="NAME", help="study name (default: DATA-MODEL)")
    parser.add_argument(
        "--seed", type=int, help="sampler seed: reproducible on one worker (worker k gets SEED + k)"
    )
    parser.add_argument(
        "--report",
        metavar="STUDY_DIR",
        help="print the trials of the study in STUDY_DIR (or --storage) and exit",
    )


def _add_durability_arguments(parser: argparse.ArgumentParser) -> None:
    """How a dead worker's trial is noticed and run again."""
    parser.add_argument(
        "--heartbeat",
        type=positive_int,
        default=10,
        help="database storage: heartbeat interval, s (default: 10)",
    )
    parser.add_argument(
        "--grace-period",
        type=positive_int,
        default=30,
        help="a trial silent this long (database) or a lock file this old "
        "(journal) is taken as dead, s (default: 30)",
    )
    parser.add_argument(
        "--max-retry", type=int, default=3, help="times a killed trial is run again (default: 3)"
    )


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """The BLAS threads of a worker, the plots, and what is printed."""
    parser.add_argument("--blas-threads", type=positive_int, help="BLAS threads per worker")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG plots")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines or bar on stderr, only errors"
    )
    add_json_flag(parser)
