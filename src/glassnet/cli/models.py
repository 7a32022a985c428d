"""`glassnet summary` and `glassnet draw`: a zoo model's layer table and its graph (glassnet.viz.cli_support)."""

from __future__ import annotations

import argparse

from glassnet.cli.common import INPUT_ERRORS, configure, error

SUMMARY_HELP = "a model's layers: output shapes, parameters, MACs, receptive field, memory"
DRAW_HELP = "draw one LSTM cell step, or a zoo model's graph (DOT, SVG, PNG)"


def _run_summary(args: argparse.Namespace) -> int:
    from glassnet.viz.cli_support import run_summary

    if args.model.endswith(".safetensors"):  # a compressed file: its header gives the input shape
        return _summary_of_file(args)
    if args.input is None:
        return error(
            "summary", f"summarising model {args.model!r} needs --input SHAPE, e.g. 3x32x32"
        )
    return run_summary(args)


def _summary_of_file(args: argparse.Namespace) -> int:
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
    print(f"{args.model}: {header['model']['config']['model']}, layers compressed as {methods}")
    print(result)
    return 0


def _run_draw(args: argparse.Namespace) -> int:
    from glassnet.viz.cli_support import run_draw

    return run_draw(args)


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
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=("float32", "float64", "int64"),
        help="input dtype (default float32; int64 for token ids)",
    )
    parser.set_defaults(handler=_run_summary)


def configure_draw(parser: argparse.ArgumentParser) -> None:
    from glassnet.viz.dot import FORMATS

    configure(
        parser,
        description="Draw from a real forward pass through glassnet's autograd graph.\n"
        "  lstm-cell  one LSTM step: the gates i, f, g, o, the cell-state path, the output\n"
        "  MODEL      a zoo model, one box per module (--level module) or one node per op\n"
        "SVG and PNG need Graphviz's dot program; without it the DOT file is written and\n"
        "a note says how to install it (Debian/Ubuntu: apt-get install graphviz).",
        epilog="examples:\n  glassnet draw lstm-cell -o lstm.svg\n"
        "  glassnet draw cnn --input 1x8x8 -o cnn.png\n  glassnet draw mlp --input 64 --level op",
    )
    parser.add_argument("target", metavar="WHAT", help="lstm-cell, or a zoo model name")
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
        "--output",
        metavar="PATH",
        help="file to write (.dot, .svg, .png); default: print DOT",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="dot, svg or png (default: PATH's suffix, else dot)"
    )
    parser.add_argument(
        "--classes", type=int, default=10, metavar="N", help="number of classes (default 10)"
    )
    parser.set_defaults(handler=_run_draw)
