"""`glassnet shape` (conv/pool arithmetic) and `glassnet data info|export`."""

from __future__ import annotations

import argparse

from glassnet.cli.common import add_json_flag, configure, error, print_json

SHAPE_HELP = "output shape, formula, params, MACs and receptive field of conv/pool stages"
DATA_HELP = "describe a dataset, or export digits as image files"


def _run_shape(args: argparse.Namespace) -> int:
    from glassnet import shape

    try:
        input_shape = shape.parse_input_shape(args.input)
        records = shape.walk(input_shape, args.stages)
    except shape.ShapeError as problem:
        return error("shape", problem)
    if args.json:
        print_json({"input": input_shape, "stages": records, "output": records[-1].output_shape})
        return 0
    print("\n".join(shape.format_walk(input_shape, records)))
    return 0


def configure_shape(parser: argparse.ArgumentParser) -> None:
    from glassnet import shape

    configure(
        parser,
        description="Walk an input shape through conv and pool stages. Each stage prints PyTorch's\n"
        "formula with the numbers filled in, floor((in + 2*p - d*(k-1) - 1)/s) + 1, the\n"
        "output shape, its parameters and multiply-accumulates (MACs), and the receptive\n"
        "field. An impossible stage exits with status 2 and one line naming it.",
        epilog=f"{shape.STAGE_GRAMMAR}\n\nexamples:\n"
        "  glassnet shape 3x224x224 conv:64,k7,s2,p3 maxpool:k3,s2,p1 conv:128,k3,s1,p1\n"
        "  glassnet shape 3x32x32 conv:16,k3,psame conv:32,k3,s2,p1 avgpool:k2,s2\n"
        "  glassnet shape 1x40 conv1d:8,k5,s2 maxpool1d:k2,ceil",
    )
    parser.add_argument(
        "input", metavar="INPUT", help="CxHxW (2-D) or CxL (1-D), no batch dim, e.g. 3x224x224"
    )
    parser.add_argument(
        "stages", metavar="STAGE", nargs="+", help="a stage spec, e.g. conv:64,k3,s1,p1"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run_shape)


def _run_data_info(args: argparse.Namespace) -> int:
    from glassnet.data.datasets import info

    try:
        summary = info.describe(args.name)
        lines = info.format_summary(summary)
    except (
        ValueError,
        OSError,
    ) as problem:  # DatasetError is a ValueError; missing files are OSErrors
        return error("data info", problem)
    if args.json:
        print_json(summary)
        return 0
    print("\n".join(lines))
    return 0


def _run_data_export(args: argparse.Namespace) -> int:
    from glassnet.data import export

    try:
        written = export.export_digits(args.out, args.format)
    except (ValueError, OSError) as problem:
        return error("data export", problem)
    counts = ", ".join(f"{split} {count}" for split, count in written.items())
    print(
        f"wrote {sum(written.values())} {args.format} images to {args.out} ({counts}): "
        f"{args.out}/<split>/<class>/<index>{export.EXPORT_FORMATS[args.format]}"
    )
    return 0


def configure_data(parser: argparse.ArgumentParser) -> None:
    from glassnet.data.datasets.info import KNOWN_FORMATS, NAMED_DATASETS
    from glassnet.data.export import EXPORT_FORMATS, EXPORTABLE

    parser.description = "Datasets that work with no network (digits, mnist1d) and files you bring."
    actions = parser.add_subparsers(
        title="actions", dest="action", metavar="{info,export}", required=True
    )
    info_parser = actions.add_parser(
        "info",
        help="sizes per split, classes, sample shapes, dtype, value range and class balance",
        description="Summarise a dataset: sizes per split, classes, sample shapes, dtype, value\n"
        "range and class balance. Bad files exit with status 2 and one line naming the\n"
        "file and the record or byte offset.",
        epilog=f"NAME is {' or '.join(NAMED_DATASETS)}, or a path to {', '.join(KNOWN_FORMATS)}.\n\n"
        "examples:\n  glassnet data info digits\n  glassnet data info ~/data/cifar-10-batches-py\n"
        "  glassnet data info digits_png/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info_parser.add_argument("name", metavar="NAME", help=f"{' | '.join(NAMED_DATASETS)} | PATH")
    add_json_flag(info_parser)
    info_parser.set_defaults(handler=_run_data_info)
    export_parser = actions.add_parser(
        "export",
        help="write a dataset as an ImageFolder of image files",
        description="Write DIR/<split>/<class>/<index>.png (or .jpg with --format jpeg; 8-bit\n"
        "grayscale, 0..16 scaled to 0..255), one ImageFolder per split, for the file pipeline.",
        epilog="example:\n  glassnet data export digits --format png --out digits_png",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export_parser.add_argument(
        "name", metavar="NAME", choices=EXPORTABLE, help=f"the dataset: {', '.join(EXPORTABLE)}"
    )
    export_parser.add_argument(
        "--format",
        default="png",
        choices=tuple(EXPORT_FORMATS),
        help="image format: png writes .png files (the default), jpeg writes .jpg (lossy)",
    )
    export_parser.add_argument(
        "-o", "--out", required=True, metavar="DIR", help="a new or empty folder"
    )
    export_parser.set_defaults(handler=_run_data_export)
