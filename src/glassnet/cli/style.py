"""`glassnet style`: paint a picture in the style of another, offline (glassnet.style)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from glassnet.cli.common import (
    INPUT_ERRORS,
    add_json_flag,
    configure,
    error,
    positive_int,
    print_json,
)

STYLE_HELP = "neural style transfer: a content picture painted in a style picture's manner"

CONVERSION = (
    'python -c "import torchvision, safetensors.torch as st; st.save_file({k: v for k, v in '
    "torchvision.models.vgg19(weights='DEFAULT').state_dict().items() if k.startswith('features.')}, "
    "'vgg19.safetensors')\""
)


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def configure_style(parser: argparse.ArgumentParser) -> None:
    configure(
        parser,
        description="Make a picture with the layout of CONTENT and the textures and colours of STYLE\n"
        "(Gatys et al. 2016), by optimising its pixels so that its features match CONTENT's\n"
        "and its feature correlations (Gram matrices) match STYLE's. Needs no trained weights:\n"
        "the default features are random multi-scale filter banks. Pictures: a PNG/JPEG path,\n"
        "or sample:china / sample:flower (photographs scikit-learn ships, CC BY 2.0).\n"
        "A bad picture, weights file or option exits with status 2 and one line naming it.",
        epilog="examples:\n  glassnet style sample:china sample:flower -o china_flower.png --sheet\n"
        "  glassnet style photo.jpg painting.png --size 384 --steps 200 -o out.png\n"
        "  glassnet style photo.jpg painting.png --features vgg19:vgg19.safetensors\n\n"
        "VGG-19 weights, converted once from torchvision (on a machine that has it):\n  "
        + CONVERSION,
    )
    _add_picture_arguments(parser)
    _add_loss_weight_arguments(parser)
    _add_optimisation_arguments(parser)
    _add_output_arguments(parser)
    parser.set_defaults(handler=run_style)


def _add_picture_arguments(parser: argparse.ArgumentParser) -> None:
    """The two pictures in, the one out, its size, and the features that compare them."""
    parser.add_argument("content", metavar="CONTENT", help="the picture whose layout is kept")
    parser.add_argument("style", metavar="STYLE", help="the picture whose style is copied")
    parser.add_argument(
        "-o",
        "--out",
        default="style.png",
        metavar="FILE",
        help="output picture (default style.png)",
    )
    parser.add_argument(
        "--size",
        type=positive_int,
        default=256,
        metavar="PX",
        help="long side in pixels (default 256)",
    )
    parser.add_argument(
        "--features",
        default="multiscale",
        metavar="KIND",
        help="multiscale (default: random filter banks), vgg-random, or vgg19:PATH",
    )


def _add_loss_weight_arguments(parser: argparse.ArgumentParser) -> None:
    weights = parser.add_argument_group(
        "loss weights (each layer's loss is relative to its target)"
    )
    for flag, default, what in (
        ("--style-weight", 100.0, "Gram matrices of the style picture"),
        ("--content-weight", 1.0, "features of the content picture"),
        ("--tv-weight", 0.0, "total variation: smoothness of the result"),
    ):
        weights.add_argument(
            flag,
            type=non_negative_float,
            default=default,
            metavar="W",
            help=f"{what} (default {default:g})",
        )


def _add_optimisation_arguments(parser: argparse.ArgumentParser) -> None:
    """How the pixels are optimised (budget, optimiser, step), and the seed of the random features."""
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=80,
        metavar="N",
        help="loss evaluations (forward + backward) allowed (default 80)",
    )
    parser.add_argument("--optimizer", choices=("lbfgs", "adam"), default="lbfgs")
    parser.add_argument(
        "--lr",
        type=non_negative_float,
        default=None,
        help="step size (default: 1 lbfgs, 0.02 adam)",
    )
    parser.add_argument(
        "--coarse-to-fine",
        action="store_true",
        help="spend a third of the steps on the half-size picture first",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the random features (default 0)"
    )


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """What else is written or printed, and the BLAS threads."""
    parser.add_argument(
        "--sheet",
        action="store_true",
        help="also write OUT's name + _sheet: content | style | result",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        metavar="N",
        help="BLAS threads (default 1: the FFTs are single-threaded anyway, and on a busy "
        "machine multi-threaded BLAS stalls; see bench/RESULTS.md)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_json_flag(parser)


def run_style(args: argparse.Namespace) -> int:
    from threadpoolctl import threadpool_limits

    from glassnet.style.extractors import make_features
    from glassnet.style.images import check_output, load_image, save_image, sheet
    from glassnet.style.transfer import transfer

    try:
        content = load_image(args.content, args.size)
        style = load_image(args.style, args.size)
        features = make_features(args.features, seed=args.seed)
        out = check_output(args.out)
        started = time.process_time()
        with (
            threadpool_limits(args.threads),
            _ProgressBar(args.steps, args.quiet or args.json) as bar,
        ):
            result = transfer(
                content,
                style,
                features,
                content_weight=args.content_weight,
                style_weight=args.style_weight,
                tv_weight=args.tv_weight,
                steps=args.steps,
                optimizer=args.optimizer,
                lr=args.lr,
                coarse_to_fine=args.coarse_to_fine,
                progress=bar.update,
            )
        save_image(result.image, out)
        written = [str(out)]
        if args.sheet:
            sheet_path = out.with_name(out.stem + "_sheet" + (out.suffix or ".png"))
            save_image(sheet([content, style, result.image]), sheet_path)
            written.append(str(sheet_path))
    except INPUT_ERRORS as problem:
        return error("style", problem)
    except MemoryError:
        return error("style", f"--size {args.size}: not enough memory; use a smaller --size")
    seconds = time.process_time() - started
    if args.json:
        print_json(_summary(result, written, seconds, features.describe()))
        return 0
    print(
        f"wrote {', '.join(written)}: {result.evaluations} evaluations, style loss down "
        f"{100 * result.style_reduction():.1f}%, {seconds:.0f} s CPU "
        f"({features.describe()})"
    )
    return 0


def _summary(result: Any, written: list[str], seconds: float, features: str) -> dict[str, Any]:
    """--json: the files, evaluations, the losses at the start and end of the last stage, CPU time."""
    last = [row for row in result.history if row["stage"] == result.history[-1]["stage"]]
    return {
        "out": written[0],
        "files": written,
        "size": list(result.image.shape[1:]),
        "evaluations": result.evaluations,
        "stages": len({row["stage"] for row in result.history}),
        "initial_losses": {k: v for k, v in last[0].items() if k != "stage"},
        "final_losses": {k: v for k, v in last[-1].items() if k != "stage"},
        "style_reduction": result.style_reduction(),
        "cpu_seconds": seconds,
        "features": features,
    }


class _ProgressBar:
    """A rich bar over the evaluations with the three losses (quiet when not a terminal)."""

    def __init__(self, total: int, disable: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(stderr=True)
        self.progress = None
        if not disable and console.is_terminal:
            self.progress = Progress(
                TextColumn("[bold]style"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn("{task.fields[losses]}"),
                TimeElapsedColumn(),
                console=console,
            )
            self.task = self.progress.add_task("style", total=total, losses="")

    def __enter__(self) -> _ProgressBar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, evaluation: int, losses: dict[str, float]) -> None:
        if self.progress is None:
            return
        text = "  ".join(f"{key} {value:.4g}" for key, value in losses.items())
        self.progress.update(self.task, completed=evaluation, losses=text)
        if evaluation == 1:
            sys.stderr.flush()
