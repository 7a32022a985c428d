"""`glassnet diagnose` (glassnet.diagnose.cli_support); `glassnet lab` lives in cli/lab.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from glassnet.cli.common import configure, error

DIAGNOSE_HELP = (
    "per-layer activation statistics, gradient flow and alarms for a zoo model or a trained run"
)


def _run_diagnose(args: argparse.Namespace) -> int:
    from glassnet.cli.common import check_model_flags
    from glassnet.diagnose.cli_support import ZOO_OPTIONS, run_diagnose
    from glassnet.models import available_models

    if args.target in available_models() and not (Path(args.target) / "config.json").is_file():
        try:
            check_model_flags(args.target, args, ZOO_OPTIONS)
        except ValueError as problem:
            return error("diagnose", problem)
    return run_diagnose(args)


def configure_diagnose(parser: argparse.ArgumentParser) -> None:
    from glassnet.diagnose.cli_support import DEFAULT_BATCH_SIZE, add_diagnose_arguments

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
        epilog="examples:\n  glassnet diagnose mlp --data digits --activation sigmoid --init normal\n"
        "  glassnet diagnose plain56 --data digits --out runs/plain56-diagnose\n"
        "  glassnet diagnose runs/digits-cnn --checkpoint last --mode eval",
    )
    add_diagnose_arguments(parser)
    parser.set_defaults(handler=_run_diagnose)
