"""The `glassnet` command. Thin: each subcommand parses its arguments and calls the library.

A subcommand is a `Command`: its name, its one-line help for `glassnet --help`, and
`configure(parser)`, which sets the description and epilog, declares the arguments and
sets `handler`, a function of the parsed arguments that returns the exit status. Add new
ones to COMMANDS. `main` configures only the subcommand it runs (its imports are what
make a command slow to start), so `glassnet shape` does not load the model zoo.

    shape_data.py  shape, data        training.py    train, eval
    models.py      summary, draw      inspection.py  diagnose
    lab.py         lab
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import glassnet
from glassnet.cli import compress, export, inspection, models, shape_data, style, training, tune
from glassnet.cli import lab as lab_command
from glassnet.utils import tune_malloc


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]


COMMANDS: tuple[Command, ...] = (
    Command("shape", shape_data.SHAPE_HELP, shape_data.configure_shape),
    Command("data", shape_data.DATA_HELP, shape_data.configure_data),
    Command("train", training.TRAIN_HELP, training.configure_train),
    Command("eval", training.EVAL_HELP, training.configure_eval),
    Command("summary", models.SUMMARY_HELP, models.configure_summary),
    Command("draw", models.DRAW_HELP, models.configure_draw),
    Command("diagnose", inspection.DIAGNOSE_HELP, inspection.configure_diagnose),
    Command("lab", lab_command.LAB_HELP, lab_command.configure_lab),
    Command("compress", compress.COMPRESS_HELP, compress.configure_compress),
    Command("style", style.STYLE_HELP, style.configure_style),
    Command("export", export.EXPORT_HELP, export.configure_export),
    Command("tune", tune.TUNE_HELP, tune.configure_tune),
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The `glassnet` parser with every subcommand in COMMANDS; with `only`, just that one is configured
    (the others are listed in --help but take no arguments)."""
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a glass-box deep-learning framework on NumPy.",
        epilog="Run 'glassnet COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"glassnet {glassnet.__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for command in COMMANDS:
        subparser = commands.add_parser(command.name, help=command.help)
        if only is None or only == command.name:
            command.configure(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `glassnet` console script; returns the exit status."""
    tune_malloc()  # a command owns its process: keep freed array memory (glassnet.utils)
    argv = list(sys.argv[1:] if argv is None else argv)
    # the first word is the command unless it is an option (--help, --version)
    parser = build_parser(only=argv[0] if argv and not argv[0].startswith("-") else "")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.handler(args)
    except BrokenPipeError:  # `glassnet ... | head` closed the pipe: stop quietly, as `cat` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, the shell's status for a command its pipe stopped
