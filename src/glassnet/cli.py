"""The `glassnet` command. Thin: each subcommand parses its arguments and calls the library.

A subcommand is a pair: `_add_NAME(commands)` declares its parser and sets `handler`, and
the handler returns the exit status. Add new ones to COMMANDS.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

import glassnet
from glassnet import shape


def _run_shape(args: argparse.Namespace) -> int:
    try:
        input_shape = shape.parse_input_shape(args.input)
        records = shape.walk(input_shape, args.stages)
    except shape.ShapeError as error:
        print(f"glassnet shape: error: {' '.join(str(error).splitlines())}", file=sys.stderr)
        return 2
    print("\n".join(shape.format_walk(input_shape, records)))
    return 0


def _add_shape(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "shape",
        help="output shape, formula, params, MACs and receptive field of conv/pool stages",
        description="Walk an input shape through conv and pool stages. Each stage prints PyTorch's\n"
                    "formula with the numbers filled in, floor((in + 2*p - d*(k-1) - 1)/s) + 1, the\n"
                    "output shape, its parameters and multiply-accumulates (MACs), and the receptive\n"
                    "field. An impossible stage exits with status 2 and one line naming it.",
        epilog=f"{shape.STAGE_GRAMMAR}\n\nexamples:\n"
               "  glassnet shape 3x224x224 conv:64,k7,s2,p3 maxpool:k3,s2,p1 conv:128,k3,s1,p1\n"
               "  glassnet shape 3x32x32 conv:16,k3,psame conv:32,k3,s2,p1 avgpool:k2,s2\n"
               "  glassnet shape 1x40 conv1d:8,k5,s2 maxpool1d:k2,ceil",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="INPUT", help="CxHxW (2-D) or CxL (1-D), no batch dim, e.g. 3x224x224")
    parser.add_argument("stages", metavar="STAGE", nargs="+", help="a stage spec, e.g. conv:64,k3,s1,p1")
    parser.set_defaults(handler=_run_shape)


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (_add_shape,)


def build_parser() -> argparse.ArgumentParser:
    """The `glassnet` parser with every subcommand in COMMANDS."""
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a glass-box deep-learning framework on NumPy.",
        epilog="Run 'glassnet COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"glassnet {glassnet.__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `glassnet` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return args.handler(args)
