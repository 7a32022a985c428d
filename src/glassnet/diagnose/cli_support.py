"""What `glassnet diagnose MODEL_OR_RUN` runs: arguments in, tables, alarms and plots out.

MODEL_OR_RUN is either
    a zoo model name (mlp, cnn, ...: `glassnet.models.available_models()`), built exactly as
        `glassnet train --seed S` would start it (same seed, same init), for samples of the
        chosen --data; its inputs are standardised per channel with the training split's
        statistics, as training does; or
    a run folder written by `glassnet train` (it holds config.json): its model is rebuilt
        from the config, the --checkpoint (best by default) is loaded, and its data and
        standardisation are the run's own; the update ratio uses the run's lr unless --lr.
The batch is --batch-size samples of the training split, drawn with --seed.

Both diagnostics run in train mode by default (BatchNorm with batch statistics: what a
training step sees; running statistics and RNG are restored) or in --mode eval. The
command prints the activation table, the gradient table and the alarms, and writes
activations.png and gradients.png into --out (default: RUN/diagnose for a run folder,
runs/diagnose-MODEL-DATA for a zoo model). Bad input exits with status 2 and one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from glassnet.diagnose.activations import ActivationStats, activation_stats
from glassnet.diagnose.alarms import Alarm, find_alarms
from glassnet.diagnose.gradients import GradientFlow, gradient_flow
from glassnet.nn.module import Module

DEFAULT_BATCH_SIZE = 256
CLI_MODES = ("train", "eval")
ZOO_OPTIONS = ("activation", "init", "hidden", "batchnorm")
_WIDTH_WHEN_PIPED = 160  # rich would squeeze the tables into 80 columns
ACTIVATION_KINDS = (
    "saturated",
    "dead",
    "std_shrinks",
    "std_grows",
)  # alarms about a row of the activation table


@dataclass
class Subject:
    """The model to diagnose, one batch for it, and where its results go by default."""

    model: Module
    inputs: numpy.ndarray
    targets: numpy.ndarray
    description: str
    lr: float | None
    out: Path


def _batch(
    x: numpy.ndarray, y: numpy.ndarray, batch_size: int, seed: int
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """`batch_size` training samples in an order fixed by `seed` (all of them if there are fewer)."""
    chosen = numpy.random.default_rng(seed).permutation(len(y))[:batch_size]
    return x[chosen], y[chosen]


def _zoo_subject(
    name: str, data: str, batch_size: int, seed: int, options: dict[str, Any]
) -> Subject:
    from glassnet.models import build_model
    from glassnet.random import manual_seed
    from glassnet.train.job_data import fit_standardizer, load_job_data, standardize

    job_data = load_job_data(data)
    mean, std = fit_standardizer(job_data.train.x)
    inputs, targets = _batch(
        standardize(job_data.train.x, mean, std), job_data.train.y, batch_size, seed
    )
    manual_seed(seed)  # the same initial weights as `glassnet train --seed SEED`
    model = build_model(name, job_data.input_shape, len(job_data.classes), **options)
    chosen = ", ".join(f"{key}={value}" for key, value in options.items() if value is not None)
    description = (
        f"zoo model '{name}'{f' ({chosen})' if chosen else ''} at initialisation (seed {seed}) on "
        f"{data} {'x'.join(map(str, job_data.input_shape))}"
    )
    return Subject(
        model,
        inputs,
        targets,
        description,
        None,
        Path("runs") / f"diagnose-{name}-{Path(data).stem}",
    )


def _run_subject(
    folder: Path, data: str | None, batch_size: int, seed: int, checkpoint: str
) -> Subject:
    from glassnet.serialization import load
    from glassnet.train.checkpoint import load_weights
    from glassnet.train.job import make_model, read_config
    from glassnet.train.job_data import load_job_data, standardize

    config = read_config(folder)
    if data is not None and data != config["data"]:
        raise ValueError(
            f"--data {data}: the run in '{folder}' was trained on {config['data']!r}; leave --data out "
            "to use it"
        )
    weights = folder / f"{checkpoint}.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(
            f"'{folder}' has no {weights.name} (the run wrote no checkpoint yet?); "
            f"try --checkpoint {'last' if checkpoint == 'best' else 'best'}"
        )
    stats_path = folder / "standardize.safetensors"
    if not stats_path.is_file():
        raise FileNotFoundError(
            f"'{folder}' has no standardize.safetensors: it is not a complete glassnet run folder"
        )
    job_data = load_job_data(config["data"])
    stats = load(stats_path, as_numpy=True)
    inputs, targets = _batch(
        standardize(job_data.train.x, stats["mean"], stats["std"]),
        job_data.train.y,
        batch_size,
        seed,
    )
    model = make_model(config, job_data.input_shape, len(job_data.classes))
    load_weights(model, weights)
    description = f"run '{folder}' ({config['model']} on {config['data']}, {weights.name})"
    return Subject(model, inputs, targets, description, float(config["lr"]), folder / "diagnose")


def load_subject(
    target: str,
    data: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    seed: int = 0,
    checkpoint: str = "best",
    **options: Any,
) -> Subject:
    """The model and batch for MODEL_OR_RUN (see the module docstring); options go to a zoo model."""
    from glassnet.models import available_models

    folder = Path(os.fspath(target))
    given = {key: value for key, value in options.items() if value is not None}
    unknown = sorted(set(given) - set(ZOO_OPTIONS))
    if unknown:
        raise TypeError(
            f"load_subject: unknown option(s) {', '.join(unknown)}; valid: {', '.join(ZOO_OPTIONS)}"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"--batch-size must be a positive integer, got {batch_size!r}")
    if (folder / "config.json").is_file():
        if given:
            flags = ", ".join("--" + key for key in sorted(given))
            raise ValueError(
                f"{flags}: a run folder's model is fixed by its config.json; these options are for zoo "
                "models only"
            )
        return _run_subject(folder, data, batch_size, seed, checkpoint)
    if target in available_models():
        return _zoo_subject(target, data or "digits", batch_size, seed, given)
    if folder.exists():
        raise FileNotFoundError(
            f"'{folder}' is not a run folder (it has no config.json; runs are written by "
            "glassnet train --out DIR)"
        )
    raise ValueError(
        f"unknown model or run {target!r}: give a zoo model ({', '.join(available_models())}) or a "
        "run folder written by glassnet train"
    )


def activation_table(stats: ActivationStats, alarms: list[Alarm] = ()) -> Any:
    """A rich Table of the activation rows; rows with an alarm in red."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title="layer outputs (activation_stats)",
        title_justify="left",
        caption=escape(stats.legend()),
        caption_justify="left",
    )
    for column, header in enumerate(stats.COLUMNS):
        table.add_column(header, justify="left" if column in (1, 2) else "right")
    flagged = {alarm.where for alarm in alarms if alarm.kind in ACTIVATION_KINDS}
    for row, cells in zip(stats, stats.table_rows()):
        table.add_row(*map(escape, cells), style="red" if row.name in flagged else None)
    return table


def gradient_table(flow: GradientFlow, alarms: list[Alarm] = ()) -> Any:
    """A rich Table of the parameter rows; rows with an alarm in red."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title="parameter gradients (gradient_flow)",
        title_justify="left",
        caption=escape("\n".join(flow.summary_lines())),
        caption_justify="left",
    )
    for column, header in enumerate(flow.COLUMNS):
        table.add_column(header, justify="left" if column == 1 else "right")
    flagged = {alarm.where for alarm in alarms if alarm.kind not in ACTIVATION_KINDS}
    for row, cells in zip(flow, flow.table_rows()):
        table.add_row(*map(escape, cells), style="red" if row.name in flagged else None)
    return table


def diagnose(subject: Subject, out: Path, lr: float | None, mode: str, console: Any) -> list[Alarm]:
    """Measure, print and plot one subject; returns the alarms."""
    from glassnet.diagnose.plots import plot_gradient_flow, plot_histograms, save_figure
    from glassnet.nn.loss import CrossEntropyLoss

    stats = activation_stats(subject.model, subject.inputs, mode=mode)
    flow = gradient_flow(
        subject.model, (subject.inputs, subject.targets), CrossEntropyLoss(), lr=lr, mode=mode
    )
    alarms = find_alarms(stats, flow)
    from rich.markup import (
        escape,
    )  # names and paths may hold [brackets] that rich would read as styles

    console.print(
        f"diagnosing {escape(subject.description)}: one batch of {len(subject.targets)} training samples, "
        f"mode {mode}" + ("" if lr is not None else "; no --lr given, so no update ratios"),
        soft_wrap=True,
        highlight=False,
    )  # plain lines stay one line each, for grep and tests
    console.print(activation_table(stats, alarms))
    console.print(gradient_table(flow, alarms))
    if alarms:
        console.print(f"[bold]{len(alarms)} alarm{'s' if len(alarms) > 1 else ''}:[/bold]")
        for alarm in alarms:
            console.print(f"  [red]![/red] {escape(str(alarm))}", soft_wrap=True, highlight=False)
    else:
        console.print(
            "no alarms: nothing saturated, dead, shrinking, vanishing, exploding or non-finite at the "
            "default thresholds (glassnet.diagnose.Thresholds)",
            soft_wrap=True,
        )
    out.mkdir(parents=True, exist_ok=True)
    written = [
        save_figure(plot_histograms(stats), out / "activations.png"),
        save_figure(plot_gradient_flow(flow), out / "gradients.png"),
    ]
    console.print(
        f"wrote {escape(', '.join(str(path) for path in written))}", soft_wrap=True, highlight=False
    )
    return alarms


def add_diagnose_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `glassnet diagnose` (cli.py declares the subcommand and calls this)."""
    from glassnet.models import ACTIVATIONS, INITS

    def positive_int(text: str) -> int:
        if not text.strip().isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
        return int(text)

    def widths(text: str) -> list[int]:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts or not all(part.isdigit() and int(part) >= 1 for part in parts):
            raise argparse.ArgumentTypeError(
                f"expected positive layer widths such as 128,64, got {text!r}"
            )
        return [int(part) for part in parts]

    parser.add_argument(
        "target",
        metavar="MODEL_OR_RUN",
        help="a zoo model name (mlp, cnn, ...) or a run folder written by glassnet train",
    )
    parser.add_argument(
        "--data",
        metavar="DATA",
        help="digits, mnist1d, or a path glassnet train accepts (default: "
        "digits for a zoo model, the run's own data for a run)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"training samples in the batch (default: {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="folder for activations.png and gradients.png (default: "
        "RUN/diagnose, or runs/diagnose-MODEL-DATA)",
    )
    parser.add_argument(
        "--lr",
        type=float,
        help="learning rate for the update/weight ratio (default: the run's; none for a zoo model)",
    )
    parser.add_argument(
        "--mode",
        choices=CLI_MODES,
        default="train",
        help="train: BatchNorm with batch statistics, "
        "as a training step; eval: with running statistics (default: train)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="initial weights of a zoo model and the batch drawn (default: 0)",
    )
    parser.add_argument(
        "--checkpoint",
        choices=("best", "last"),
        default="best",
        help="a run's checkpoint (default: best)",
    )
    zoo = parser.add_argument_group("zoo model options (as glassnet train)")
    zoo.add_argument("--activation", choices=tuple(ACTIVATIONS))
    zoo.add_argument("--init", choices=INITS, help="weight initialisation (default: PyTorch's)")
    zoo.add_argument("--hidden", type=widths, metavar="W1,W2,...", help="hidden layer widths")
    zoo.add_argument(
        "--batchnorm", action=argparse.BooleanOptionalAction, help="BatchNorm after hidden layers"
    )


def _console() -> Any:
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=_WIDTH_WHEN_PIPED)


def run_diagnose(args: argparse.Namespace) -> int:
    """`glassnet diagnose MODEL_OR_RUN [--data D] [--batch-size N] [--out DIR] [--lr LR] ...`; the exit status."""
    try:
        lr = getattr(args, "lr", None)
        if lr is not None and not (lr > 0 and numpy.isfinite(lr)):
            raise ValueError(f"--lr must be a positive number, got {lr}")
        subject = load_subject(
            args.target,
            getattr(args, "data", None),
            getattr(args, "batch_size", DEFAULT_BATCH_SIZE),
            getattr(args, "seed", 0),
            getattr(args, "checkpoint", "best"),
            **{key: getattr(args, key, None) for key in ZOO_OPTIONS},
        )
        out = Path(args.out) if getattr(args, "out", None) else subject.out
        diagnose(
            subject,
            out,
            lr if lr is not None else subject.lr,
            getattr(args, "mode", "train"),
            _console(),
        )
    except (ValueError, TypeError, KeyError, OSError) as error:
        print(f"glassnet diagnose: error: {' '.join(str(error).splitlines())}", file=sys.stderr)
        return 2
    return 0


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Subject",
    "activation_table",
    "add_diagnose_arguments",
    "diagnose",
    "gradient_table",
    "load_subject",
    "run_diagnose",
]
