"""`glassnet summary` and `glassnet draw`: a zoo model's layer table and its graph.

Errors in the user's input (an unknown model, a shape the model cannot take) print one
line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TYPE_CHECKING

from glassnet.cli.common import INPUT_ERRORS, add_json_flag, configure, error, print_json

if TYPE_CHECKING:
    from glassnet.viz.graph import Drawing

SUMMARY_HELP = "a model's layers: output shapes, parameters, MACs, receptive field, memory"
DRAW_HELP = "draw one LSTM cell step, one attention head, or a zoo model's graph (DOT, SVG, PNG)"


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x32x32' -> (3, 32, 32); '64' -> (64,). One sample's shape, without the batch dim."""
    parts = str(text).strip().lower().split("x")
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise ValueError(
            f"--input {text!r}: give one sample's shape as positive integers joined by 'x', "
            f"without the batch dim, e.g. 3x32x32, 1x40 or 64"
        )
    return tuple(int(part) for part in parts)


def run_summary(args: argparse.Namespace) -> int:
    """`glassnet summary MODEL --input 3x32x32 [--classes N] [--batch-size B] [--depth D] [--dtype T]`."""
    from glassnet.models import build_model
    from glassnet.summary import summary

    if args.model.endswith(".safetensors"):  # a compressed file: its header gives the input shape
        return _summary_of_file(args)
    if args.input is None:
        return error(
            "summary", f"summarising model {args.model!r} needs --input SHAPE, e.g. 3x32x32"
        )

    try:
        shape = parse_shape(args.input)
        model = build_model(args.model, shape, args.classes)
        result = summary(
            model, shape, batch_size=args.batch_size, dtype=args.dtype, depth=args.depth
        )
    except (ValueError, TypeError, KeyError) as problem:
        return error("summary", problem)
    if args.json:
        print_json({"model": args.model, **result.as_dict()})
        return 0
    print(result)
    return 0


def _summary_of_file(args: argparse.Namespace) -> int:
    """`glassnet summary FILE.gnc.safetensors`: the model a compressed file rebuilds."""
    from glassnet.compress import load, read
    from glassnet.summary import summary

    try:
        header, _ = read(args.model)
        model = load(args.model)
        shape = tuple(header["model"]["input_shape"])
        result = summary(
            model, shape, batch_size=args.batch_size, dtype=args.dtype, depth=args.depth
        )
    except INPUT_ERRORS as problem:
        return error("summary", problem)
    methods = {name: info["method"] for name, info in header["layers"].items()}
    if args.json:
        print_json({"model": args.model, **result.as_dict(), "compressed": methods})
        return 0
    print(f"{args.model}: {header['model']['config']['model']}, layers compressed as {methods}")
    print(result)
    return 0


def _drawing(args: argparse.Namespace) -> Drawing:
    """The lstm-cell drawing, or the zoo model's graph, as `args` ask (raises on bad input)."""
    from glassnet.models import build_model
    from glassnet.viz import GraphvizWarning, draw_graph, draw_lstm_cell
    from glassnet.viz.attention import draw_attention

    if args.output is None and args.format == "png":
        raise ValueError("--format png needs -o PATH (a PNG is not printed to the terminal)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GraphvizWarning)  # run_draw prints the message instead
        if args.target == "lstm-cell":
            return draw_lstm_cell(args.output, args.format)
        if args.target == "attention":
            return draw_attention(args.output, args.format)
        if args.input is None:
            raise ValueError(
                f"drawing model {args.target!r} needs --input, one sample's shape such as 3x32x32"
            )
        shape = parse_shape(args.input)
        model = build_model(args.target, shape, args.classes)
        return draw_graph(
            model=model, input_size=shape, level=args.level, path=args.output, format=args.format
        )


def run_draw(args: argparse.Namespace) -> int:
    """`glassnet draw lstm-cell|MODEL [--input SHAPE] [--level module|op] [-o PATH] [--format F]`.

    Without -o the DOT (or SVG) text goes to stdout. When Graphviz' `dot` is missing the
    DOT file is written instead and a note on stderr says how to install it (status 0).
    """
    if args.target == "attention" and getattr(args, "run", None) is not None:
        return _draw_run_attention(args)
    try:
        drawing = _drawing(args)
    except (ValueError, TypeError, KeyError, OSError) as problem:
        return error("draw", problem)
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

    sample = getattr(args, "sample", 0)
    try:
        if args.output is None or not str(args.output).endswith(".png"):
            raise ValueError("attention --run needs -o PATH.png (a figure of the weights)")
        path, label, predicted = run_attention_figure(args.run, args.output, sample)
    except (ValueError, TypeError, KeyError, OSError) as problem:
        return error("draw", problem)
    print(f"wrote {path} (test sample {sample}: class {label}, predicted {predicted})")
    return 0


def configure_summary(parser: argparse.ArgumentParser) -> None:
    configure(
        parser,
        description="Run one forward pass of a zoo model on a random batch and print a table: each\n"
        "module call with its output shape, parameters (shared ones counted once),\n"
        "multiply-accumulates (MACs) and the receptive field and jump of its output; then\n"
        "the totals and the memory of the input, activations, parameters and buffers.\n"
        "An input the model cannot take exits with status 2 and names the layer.",
        epilog="examples:\n  glassnet summary cnn --input 3x32x32\n  glassnet summary mlp --input 64 --depth 1\n"
        "  glassnet summary resnet20 --input 3x32x32\n  glassnet summary mobilenet_v1 --input 3x224x224",
    )
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a zoo model name, as for glassnet train --model, or a FILE.safetensors written "
        "by glassnet compress",
    )
    parser.add_argument(
        "--input",
        metavar="SHAPE",
        help="one sample's shape without the batch dim, e.g. 3x32x32, 1x40 or 64 (required for a "
        "zoo model; a compressed file knows its own)",
    )
    parser.add_argument(
        "--classes", type=int, default=10, metavar="N", help="number of classes (default 10)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=1,
        metavar="B",
        help="batch of the forward pass (default 1)",
    )
    parser.add_argument(
        "--depth", type=int, default=3, metavar="D", help="deepest nesting level shown (default 3)"
    )
    add_json_flag(parser)
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=("float32", "float64", "int64"),
        help="input dtype (default float32; int64 for token ids)",
    )
    parser.set_defaults(handler=run_summary)


def configure_draw(parser: argparse.ArgumentParser) -> None:
    from glassnet.viz.dot import FORMATS

    configure(
        parser,
        description="Draw from a real forward pass through glassnet's autograd graph.\n"
        "  lstm-cell  one LSTM step: the gates i, f, g, o, the cell-state path, the output\n"
        "  attention  one self-attention head: Q, K, V, softmax(Q K^T / sqrt(d)), the mix;\n"
        "             with --run RUN (a --model transformer run): its attention weights (PNG)\n"
        "  MODEL      a zoo model, one box per module (--level module) or one node per op\n"
        "SVG and PNG need Graphviz's dot program; without it the DOT file is written and\n"
        "a note says how to install it (Debian/Ubuntu: apt-get install graphviz).",
        epilog="examples:\n  glassnet draw lstm-cell -o lstm.svg\n"
        "  glassnet draw attention -o attn.svg\n"
        "  glassnet draw attention --run runs/mnist1d-transformer -o weights.png\n"
        "  glassnet draw cnn --input 1x8x8 -o cnn.png\n  glassnet draw mlp --input 64 --level op",
    )
    parser.add_argument("target", metavar="WHAT", help="lstm-cell, attention, or a zoo model name")
    parser.add_argument(
        "--run", metavar="RUN", help="attention: a trained --model transformer run folder"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="attention --run: test sample (default 0)",
    )
    parser.add_argument(
        "--input", metavar="SHAPE", help="for a model: one sample's shape, e.g. 3x32x32"
    )
    parser.add_argument(
        "--level",
        choices=("module", "op"),
        default="module",
        help="module: one box per module call (default); op: one node per autograd op",
    )
    parser.add_argument(
        "-o",
        "--out",
        dest="output",
        metavar="PATH",
        help="file to write (.dot, .svg, .png); default: print DOT",
    )
    parser.add_argument("--output", dest="output", help=argparse.SUPPRESS)  # the old spelling
    parser.add_argument(
        "--format", choices=FORMATS, help="dot, svg or png (default: PATH's suffix, else dot)"
    )
    parser.add_argument(
        "--classes", type=int, default=10, metavar="N", help="number of classes (default 10)"
    )
    parser.set_defaults(handler=run_draw)
