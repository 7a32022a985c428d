"""`glassnet export RUN --format onnx|torch -o FILE`: a trained run's model for another runtime."""

from __future__ import annotations

import argparse
from pathlib import Path

from glassnet.cli.common import INPUT_ERRORS, configure, error

EXPORT_HELP = "write a trained run's model as ONNX or as a torch state dict"
SUFFIXES = {"onnx": "model.onnx", "torch": "model.torch.safetensors"}


def _run_export(args: argparse.Namespace) -> int:
    from glassnet.run_export import export_torch_state_dict, load_run_model
    from glassnet.tensor import Tensor

    out = Path(args.out) if args.out else Path(args.run) / SUFFIXES[args.format]
    try:
        model, shape = load_run_model(args.run, args.checkpoint)
        if args.format == "torch":
            count = export_torch_state_dict(model, out)
            print(
                f"{out}: {count} state dict entries (torch: model.load_state_dict(load_file(path)))"
            )
            return 0
        try:
            import glassnet.onnx
        except ImportError as problem:
            return error(
                "export",
                f"--format onnx needs the onnx extra: pip install 'glassnet[onnx]' ({problem})",
            )
        import numpy

        example = Tensor(numpy.zeros((1, *shape), dtype=numpy.float32))
        axes = {"input": {0: "batch"}, "output": {0: "batch"}}
        proto = glassnet.onnx.export(model, example, out, args.opset, dynamic_axes=axes)
        print(
            f"{out}: ONNX opset {args.opset}, {len(proto.graph.node)} nodes, input (batch, {', '.join(map(str, shape))})"
        )
    except INPUT_ERRORS as problem:
        return error("export", problem)
    return 0


def configure_export(parser: argparse.ArgumentParser) -> None:
    configure(
        parser,
        description="Write the model of a run folder (its best or last checkpoint) as an ONNX file\n"
        "(onnxruntime, dynamic batch axis) or as a flat state dict in safetensors that\n"
        "torch.nn.Module.load_state_dict takes directly. The model expects inputs standardised\n"
        "with the run's standardize.safetensors (mean, std).",
        epilog="examples:\n  glassnet export runs/digits-cnn --format onnx -o digits.onnx\n"
        "  glassnet export runs/digits-cnn --format torch -o digits.safetensors",
    )
    parser.add_argument("run", metavar="RUN", help="a folder written by glassnet train")
    parser.add_argument("--format", choices=tuple(SUFFIXES), required=True, help="onnx or torch")
    parser.add_argument(
        "-o",
        "--out",
        metavar="FILE",
        help="(default: RUN/model.onnx or RUN/model.torch.safetensors)",
    )
    parser.add_argument(
        "--checkpoint", choices=("best", "last"), default="best", help="(default: best)"
    )
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset version (default: 17)")
    parser.set_defaults(handler=_run_export)
