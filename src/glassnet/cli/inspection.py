"""`glassnet diagnose` (glassnet.diagnose's load_subject and diagnose); `glassnet lab` lives in cli/lab.py."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from glassnet.cli.common import (
    add_json_flag,
    check_model_flags,
    configure,
    error,
    hidden_sizes,
    positive_int,
    print_json,
)

DIAGNOSE_HELP = (
    "per-layer activation statistics, gradient flow and alarms for a zoo model or a trained run"
)
DIAGNOSE_MODES = ("train", "eval")
WIDTH_WHEN_PIPED = 160  # rich would squeeze the tables into 80 columns


def add_diagnose_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `glassnet diagnose` (configure_diagnose adds the help text and handler)."""
    from glassnet.diagnose.subject import DEFAULT_BATCH_SIZE

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
        "-o",
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
        choices=DIAGNOSE_MODES,
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
    _add_zoo_model_arguments(parser)
    add_json_flag(parser)


def _add_zoo_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that go to a zoo model's builder, as `glassnet train` takes them."""
    from glassnet.models import ACTIVATIONS, INITS

    zoo = parser.add_argument_group("zoo model options (as glassnet train)")
    zoo.add_argument("--activation", choices=tuple(ACTIVATIONS))
    zoo.add_argument("--init", choices=INITS, help="weight initialisation (default: PyTorch's)")
    zoo.add_argument("--hidden", type=hidden_sizes, metavar="W1,W2,...", help="hidden layer widths")
    zoo.add_argument(
        "--batchnorm", action=argparse.BooleanOptionalAction, help="BatchNorm after hidden layers"
    )


def _console() -> object:
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=WIDTH_WHEN_PIPED)


def run_diagnose(args: argparse.Namespace) -> int:
    """`glassnet diagnose MODEL_OR_RUN [--data D] [--batch-size N] [--out DIR] [--lr LR] ...`; the exit status."""
    from glassnet.diagnose.report import diagnose, diagnosis
    from glassnet.diagnose.subject import ZOO_OPTIONS, load_subject
    from glassnet.models import available_models

    try:
        if args.target in available_models() and not (Path(args.target) / "config.json").is_file():
            check_model_flags(args.target, args, ZOO_OPTIONS)
        if args.lr is not None and not (args.lr > 0 and math.isfinite(args.lr)):
            raise ValueError(f"--lr must be a positive number, got {args.lr}")
        options = {key: getattr(args, key) for key in ZOO_OPTIONS}
        subject = load_subject(
            args.target, args.data, args.batch_size, args.seed, args.checkpoint, **options
        )
        out = Path(args.out) if args.out else subject.out
        lr = args.lr if args.lr is not None else subject.lr
        if args.json:
            print_json(diagnosis(subject, out, lr, args.mode))
        else:
            diagnose(subject, out, lr, args.mode, _console())
    except (ValueError, TypeError, KeyError, OSError) as problem:
        return error("diagnose", problem)
    return 0


def configure_diagnose(parser: argparse.ArgumentParser) -> None:
    from glassnet.diagnose.subject import DEFAULT_BATCH_SIZE

    configure(
        parser,
        description="Measure what one training step sees, on one batch of training samples:\n"
        "  per layer      the mean and std of its outputs, the share of saturated sigmoid/tanh\n"
        "                 units and of dead ReLUs, and a histogram;\n"
        "  per parameter  the gradient norm, the update-to-weight ratio (given a learning rate)\n"
        "                 and the first-to-last layer gradient ratio.\n"
        "Then plain-text alarms you can act on (saturated or dead units, shrinking or growing\n"
        "activations, vanishing or exploding gradients, non-finite values), and the plots\n"
        "activations.png and gradients.png in --out.\n\n"
        "MODEL_OR_RUN is a zoo model name, built as 'glassnet train --seed S' starts it, on a\n"
        f"batch of {DEFAULT_BATCH_SIZE} samples of --data (default digits) standardised as training "
        "does;\nor a run folder written by glassnet train: its --checkpoint is loaded and its own "
        "data,\nstandardisation and lr are used. Bad input exits with status 2 and one line.",
        epilog="examples:\n  glassnet diagnose mlp --data digits --activation tanh --init normal --no-batchnorm "
        "--hidden 256,256,256,256,256\n"
        "  glassnet diagnose plain56 --data digits --out runs/plain56-diagnose\n"
        "  glassnet diagnose runs/digits-cnn --checkpoint last --mode eval",
    )
    add_diagnose_arguments(parser)
    parser.set_defaults(handler=run_diagnose)
