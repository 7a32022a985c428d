"""What `glassnet summary` and `glassnet draw` run: argument values in, a printed result and an exit status out.

`cli.py` declares the parsers and calls `run_summary(args)` / `run_draw(args)`; errors in
the user's input (an unknown model, a shape the model cannot take) print one line on
stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from glassnet.viz.dot import FORMATS, GraphvizWarning

DRAW_SPECIALS = ("lstm-cell", "attention")


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x32x32' -> (3, 32, 32); '64' -> (64,). One sample's shape, without the batch dim."""
    parts = str(text).strip().lower().split("x")
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise ValueError(
            f"--input {text!r}: give one sample's shape as positive integers joined by 'x', "
            f"without the batch dim, e.g. 3x32x32, 1x40 or 64"
        )
    return tuple(int(part) for part in parts)


def build_zoo_model(name: str, input_shape: tuple[int, ...], num_classes: int) -> Any:
    """The zoo's model `name` for samples of `input_shape` (see `glassnet.models.build_model`)."""
    from glassnet.models import build_model

    return build_model(name, input_shape, num_classes)


def _error(command: str, error: BaseException) -> int:
    print(f"glassnet {command}: error: {' '.join(str(error).splitlines())}", file=sys.stderr)
    return 2


def run_summary(args: argparse.Namespace) -> int:
    """`glassnet summary MODEL --input 3x32x32 [--classes N] [--batch-size B] [--depth D] [--dtype T]`."""
    from glassnet.summary import summary

    try:
        shape = parse_shape(args.input)
        model = build_zoo_model(args.model, shape, args.classes)
        result = summary(
            model, shape, batch_size=args.batch_size, dtype=args.dtype, depth=args.depth
        )
    except (ValueError, TypeError, KeyError) as error:
        return _error("summary", error)
    print(result)
    return 0


def run_draw(args: argparse.Namespace) -> int:
    """`glassnet draw lstm-cell|MODEL [--input SHAPE] [--level module|op] [-o PATH] [--format F]`.

    Without -o the DOT (or SVG) text goes to stdout. When Graphviz' `dot` is missing the
    DOT file is written instead and a note on stderr says how to install it (status 0).
    """
    from glassnet.viz.attention import draw_attention
    from glassnet.viz.graph import draw_graph
    from glassnet.viz.lstm_cell import draw_lstm_cell

    try:
        if args.output is None and args.format == "png":
            raise ValueError("--format png needs -o PATH (a PNG is not printed to the terminal)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GraphvizWarning)  # the message is printed below instead
            if args.target == "lstm-cell":
                drawing = draw_lstm_cell(args.output, args.format)
            elif args.target == "attention" and getattr(args, "run", None) is not None:
                return _draw_run_attention(args)
            elif args.target == "attention":
                drawing = draw_attention(args.output, args.format)
            else:
                if args.input is None:
                    raise ValueError(
                        f"drawing model {args.target!r} needs --input, one sample's shape such as "
                        f"3x32x32"
                    )
                shape = parse_shape(args.input)
                model = build_zoo_model(args.target, shape, args.classes)
                drawing = draw_graph(
                    model=model,
                    input_size=shape,
                    level=args.level,
                    path=args.output,
                    format=args.format,
                )
    except (ValueError, TypeError, KeyError, OSError) as error:
        return _error("draw", error)
    if drawing.message:
        print(f"glassnet draw: note: {drawing.message}", file=sys.stderr)
    if args.output is None:
        if drawing.format == "svg" and drawing.data is not None:
            print(drawing.data.decode("utf-8"))
        else:
            print(drawing.source, end="")
    else:
        print(
            f"wrote {drawing.path} ({drawing.format}, {len(drawing.graph.nodes)} nodes, "
            f"{len(drawing.graph.edges)} edges)"
        )
    return 0


def _draw_run_attention(args: argparse.Namespace) -> int:
    """`glassnet draw attention --run RUN -o weights.png [--sample N]`: a trained transformer's attention."""
    from glassnet.viz.attention_run import run_attention_figure

    if args.output is None or not str(args.output).endswith(".png"):
        return _error(
            "draw", ValueError("attention --run needs -o PATH.png (a figure of the weights)")
        )
    try:
        path, label, predicted = run_attention_figure(
            args.run, args.output, getattr(args, "sample", 0)
        )
    except (ValueError, TypeError, KeyError, OSError) as error:
        return _error("draw", error)
    print(
        f"wrote {path} (test sample {getattr(args, 'sample', 0)}: class {label}, predicted {predicted})"
    )
    return 0


__all__ = ["DRAW_SPECIALS", "FORMATS", "parse_shape", "build_zoo_model", "run_summary", "run_draw"]
