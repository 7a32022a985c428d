"""`glassnet summary` and `glassnet draw`: a zoo model's layer table and its graph (glassnet.viz.cli_support)."""

from __future__ import annotations

import argparse

from glassnet.cli.common import configure

SUMMARY_HELP = "a model's layers: output shapes, parameters, MACs, receptive field, memory"
DRAW_HELP = "draw one LSTM cell step, or a zoo model's graph (DOT, SVG, PNG)"


def _run_summary(args: argparse.Namespace) -> int:
    from glassnet.viz.cli_support import run_summary

    return run_summary(args)


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
        "model", metavar="MODEL", help="a zoo model name, as for glassnet train --model"
    )
    parser.add_argument(
        "--input",
        required=True,
        metavar="SHAPE",
        help="one sample's shape without the batch dim, e.g. 3x32x32, 1x40 or 64",
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
