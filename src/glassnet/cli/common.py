"""What every subcommand shares: argument types, the one-line error, and the errors that mean bad input."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

# the errors a bad option, file or run folder gives (DatasetError and CheckpointError are ValueErrors)
INPUT_ERRORS = (ValueError, TypeError, OSError)
# `glassnet train`/`diagnose` options that go to the model's builder (see glassnet.models.registry)
MODEL_FLAGS = ("hidden", "activation", "init", "batchnorm", "dropout")


def configure(parser: argparse.ArgumentParser, description: str, epilog: str | None = None) -> None:
    """Set a subcommand's description and epilog after `add_parser`, keeping their line breaks."""
    parser.description, parser.epilog = description, epilog
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def error(command: str, problem: BaseException | str) -> int:
    """Print 'glassnet COMMAND: error: ...' as one line on stderr; returns the exit status 2."""
    print(f"glassnet {command}: error: {' '.join(str(problem).splitlines())}", file=sys.stderr)
    return 2


def hidden_sizes(text: str) -> list[int]:
    """'128,64' -> [128, 64]: layer widths for --hidden."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths such as 128,64, got {text!r}"
        ) from None
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"expected positive layer widths such as 128,64, got {text!r}"
        )
    return sizes


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def check_model_flags(
    model: str, args: argparse.Namespace, flags: Iterable[str] = MODEL_FLAGS
) -> None:
    """Refuse model flags given on the command line that model `model` has no use for.

    The registry drops train's implied --activation relu for a model without that option
    (a ResNet's ReLUs are fixed); a user who types --activation gets told instead.
    """
    from glassnet.models import model_options

    takes = model_options(model)
    given = [flag for flag in flags if getattr(args, flag, None) is not None]
    refused = [flag for flag in given if flag not in takes]
    if refused:
        usable = [f"--{flag}" for flag in flags if flag in takes]
        raise ValueError(
            f"model {model!r} has no {', '.join('--' + flag for flag in refused)} option (its "
            f"architecture fixes it); of these flags it takes {', '.join(usable) or 'none'}"
        )


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types: dataclasses become dicts (fields with repr=False left out),
    tuples lists, NumPy scalars and arrays numbers and lists, paths strings, nan/inf null."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: jsonable(getattr(value, item.name))
            for item in dataclasses.fields(value)
            if item.repr
        }
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # paths, dtypes


def print_json(value: Any) -> None:
    """Print `value` as one JSON document on stdout (--json): nothing else goes to stdout."""
    print(json.dumps(jsonable(value), indent=2, allow_nan=False))


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document on stdout instead of the tables, and nothing else",
    )
