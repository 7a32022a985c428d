"""`glassnet compress`: a trained run -> a compressed file, with Deep Compression's per-layer table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from glassnet.cli.common import (
    INPUT_ERRORS,
    add_json_flag,
    configure,
    error,
    jsonable,
    positive_int,
    print_json,
)

COMPRESS_HELP = (
    "prune, share, quantise or binarise a trained run's weights into a small file; or shrink it "
    "(SVD, low-rank, channels, distillation)"
)


def _progress(disable: bool) -> tuple[Any, Any]:
    """(rich Progress or None, callback(stage, done, total)) drawing one bar per stage on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    if disable or not sys.stderr.isatty():
        return None, None
    bars = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("epochs"),
        console=Console(stderr=True),
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        bars.update(tasks[stage], completed=done)

    return bars, update


def _recipe(args: argparse.Namespace) -> Any:
    from glassnet.compress.pipeline import RECIPES, Recipe, with_options

    base = RECIPES[args.recipe] if args.recipe else Recipe()
    return with_options(
        base,
        prune=args.prune,
        prune_rounds=args.prune_rounds,
        cluster_bits=args.cluster_bits,
        cluster_init=args.cluster_init,
        index_bits=args.index_bits,
        huffman=True if args.huffman else None,
        quantize=args.quantize,
        per_channel=False if args.per_tensor else None,
        binarize=args.binarize,
        finetune_epochs=args.finetune_epochs,
        lr=args.lr,
        seed=args.seed,
    )


def _print_report(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from glassnet.compress.report import HEADERS, layer_rows, totals

    table = Table(title=f"compressed {report.out}")
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in layer_rows(report):
        table.add_row(*row)
    console = Console()
    console.print(table)
    t = totals(report)
    print(
        f"dense float32 file {t['dense_bytes']:,} B -> {t['file_bytes']:,} B on disk: "
        f"{t['file_ratio']:.1f}x (weights only, Han et al.'s accounting: {t['weights_ratio']:.1f}x)"
    )
    print(
        f"test accuracy {100 * t['accuracy_before']:.2f}% -> {100 * t['accuracy_after']:.2f}% "
        f"({report.after['samples']} samples of the run's own test split)"
    )


def _report_json(report: Any, curves: dict[str, Any] | None, plot: str | None) -> None:
    """--json: the per-layer table as numbers, the totals, and the sensitivity curves if any."""
    from glassnet.compress.report import layer_records, totals

    print_json(
        {
            "out": report.out,
            "layers": layer_records(report),
            "totals": totals(report),
            "test_samples": report.after["samples"],
            "before": report.before,
            "after": report.after,
            "sensitivity": None
            if curves is None
            else {
                "plot": plot,
                "curves": {
                    name: [{"kept": kept, "accuracy": score} for kept, score in points]
                    for name, points in curves.items()
                },
            },
        }
    )


def _print_sensitivity(curves: dict[str, list[tuple[float, float]]], path: str) -> None:
    print(f"sensitivity (validation accuracy, one layer pruned at a time; plot: {path})")
    shares = [share for share, _ in next(iter(curves.values()))]
    print("  layer  " + "".join(f"{share:>8.0%}" for share in shares))
    for name, points in curves.items():
        print(f"  {name:<6} " + "".join(f"{100 * score:>7.1f}%" for _, score in points))


STORAGE_OPTIONS = ("recipe", "prune", "cluster_bits", "quantize", "binarize", "huffman")


def _structural(args: argparse.Namespace) -> Any:
    from glassnet.compress.structural import StructuralOptions

    options = StructuralOptions(
        svd=args.svd,
        lowrank=args.lowrank,
        lowrank_budget=args.lowrank_budget,
        prune_channels=args.prune_channels,
        criterion=args.criterion,
        keep_residual=args.keep_residual,
        distill_from=args.distill_from,
        temperature=args.temperature,
        alpha=args.alpha,
        finetune_epochs=args.finetune_epochs or 0,
        lr=args.lr or 1e-3,
        seed=args.seed or 0,
    )
    if options.any:
        storage = [f"--{name.replace('_', '-')}" for name in STORAGE_OPTIONS if getattr(args, name)]
        if storage:
            raise ValueError(
                f"{' '.join(storage)} cannot be combined with --svd/--lowrank/--prune-channels/"
                "--distill-from (compress structurally first, then run glassnet compress on a run)"
            )
        if options.distill_from and not options.finetune_epochs:
            raise ValueError(
                "--distill-from needs --finetune-epochs N > 0 (the epochs of distillation)"
            )
    return options.check()


def _print_structural(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"structurally compressed {report.out}")
    for header in ("", "parameters", "MACs", "file bytes", "latency (ms, b=128)", "test accuracy"):
        table.add_column(header, justify="right")
    for name, c in (("before", report.before), ("after", report.after)):
        table.add_row(
            name, f"{c.params:,}", f"{c.macs:,}", f"{c.file_bytes:,}", f"{c.latency_ms:.2f}",
            f"{100 * c.accuracy:.2f}%",
        )  # fmt: skip
    Console().print(table)
    b, a = report.before, report.after
    print(
        f"{b.params / a.params:.2f}x fewer parameters, {b.macs / max(a.macs, 1):.2f}x fewer MACs, "
        f"{b.latency_ms / a.latency_ms:.2f}x CPU speed-up (median of 7 batches of 128 test samples, "
        "CPU time with one BLAS thread, same process); load it with glassnet.compress.load_structural(path)"
    )


def _run_structural(args: argparse.Namespace, options: Any) -> int:
    from glassnet.compress.runs import open_run
    from glassnet.compress.structural import restructure_run

    try:
        run = open_run(args.run)
        teacher = open_run(options.distill_from).model if options.distill_from else None
        report = restructure_run(run, options, args.out, teacher)
    except INPUT_ERRORS as problem:
        return error("compress", problem)
    if args.json:
        b, a = report.before, report.after
        ratios = {"params": b.params / a.params, "macs": b.macs / max(a.macs, 1)}
        print_json(
            {**jsonable(report), "ratios": {**ratios, "speedup": b.latency_ms / a.latency_ms}}
        )
    else:
        _print_structural(report)
    return 0


def _run_compress(args: argparse.Namespace) -> int:
    from glassnet.compress.runs import compress_loaded, open_run, run_sensitivity

    try:
        options = _structural(args)
    except INPUT_ERRORS as problem:
        return error("compress", problem)
    if options.any:
        return _run_structural(args, options)

    bars, update = _progress(args.no_progress or args.json)
    curves = None
    try:
        recipe = _recipe(args).check()
        run = open_run(args.run)
        if args.sensitivity:
            curves = run_sensitivity(run, args.sensitivity)
            if not args.json:
                _print_sensitivity(curves, args.sensitivity)
        if bars is not None:
            with bars:
                report = compress_loaded(run, recipe, args.out, update)
        else:
            report = compress_loaded(run, recipe, args.out)
    except INPUT_ERRORS as problem:
        return error("compress", problem)
    if args.json:
        _report_json(report, curves, args.sensitivity)
    else:
        _print_report(report)
    return 0


def configure_compress(parser: argparse.ArgumentParser) -> None:
    configure(
        parser,
        description="Compress the best checkpoint of a run folder (glassnet train) into one safetensors file\n"
        "of bitstreams and code books, and print Deep Compression's per-layer table, the sizes on\n"
        "disk and the accuracy before/after on the run's own test split. BatchNorm is folded first.\n"
        "Stages, in order: --prune (iterative, retraining --finetune-epochs after each round),\n"
        "then one of --cluster-bits (k-means weight sharing, code book retrained), --quantize or\n"
        "--binarize; --huffman codes the cluster indices and sparse gaps. Load the file back with\n"
        "glassnet.compress.load(path). Bad input exits with status 2 and one line.\n"
        "Structural options (--svd, --lowrank, --prune-channels, --distill-from) instead write a\n"
        "smaller dense model (load it with glassnet.compress.load_structural) and print parameters,\n"
        "MACs, file size, CPU latency and test accuracy before and after.",
        epilog="examples:\n  glassnet compress runs/digits-mlp --recipe deep-compression -o mlp.gnc.safetensors\n"
        "  glassnet compress runs/digits-mlp --prune 0.9 --cluster-bits 5 --huffman "
        "--finetune-epochs 10 -o mlp.gnc.safetensors\n"
        "  glassnet compress runs/digits-lenet --quantize int8 -o lenet-int8.gnc.safetensors\n"
        "  glassnet compress runs/digits-mlp --svd 16 --finetune-epochs 5 "
        "--distill-from runs/digits-mlp -o mlp-svd.safetensors",
    )
    parser.add_argument("run", metavar="RUN", help="a run folder written by glassnet train")
    parser.add_argument(
        "-o", "--out", required=True, metavar="FILE", help="the compressed file to write"
    )
    _add_stage_arguments(parser)
    _add_retraining_arguments(parser)
    parser.add_argument(
        "--sensitivity",
        metavar="PNG",
        help="also plot each layer's validation accuracy vs the share of its weights kept "
        "(pruned alone, no retraining) to PNG, and print it",
    )
    _add_structural_arguments(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_json_flag(parser)
    parser.set_defaults(handler=_run_compress)


def _add_stage_arguments(parser: argparse.ArgumentParser) -> None:
    """The stages that shrink the file: pruning, weight sharing, quantisation, binarisation, Huffman."""
    parser.add_argument(
        "--recipe",
        choices=("deep-compression",),
        help="Han et al.'s three stages "
        "(prune 0.9 in 3 rounds, 5-bit sharing, Huffman, 10 epochs per retraining); "
        "other options override its values",
    )
    parser.add_argument(
        "--prune",
        type=float,
        metavar="SHARE",
        help="share of each layer's weights to remove, in (0, 1)",
    )
    parser.add_argument(
        "--prune-rounds",
        type=positive_int,
        metavar="N",
        help="iterative pruning rounds (default 3)",
    )
    parser.add_argument(
        "--cluster-bits",
        type=positive_int,
        metavar="B",
        help="share 2^B values per layer (k-means)",
    )
    parser.add_argument(
        "--cluster-init",
        choices=("linear", "density", "random"),
        help="k-means start (default linear)",
    )
    parser.add_argument(
        "--index-bits",
        type=positive_int,
        metavar="B",
        help="sparse gap width (default: the best per layer)",
    )
    parser.add_argument("--huffman", action="store_true", help="Huffman-code the indices and gaps")
    parser.add_argument(
        "--quantize", choices=("int8", "int4"), help="linear quantisation of the weights"
    )
    parser.add_argument(
        "--per-tensor",
        action="store_true",
        help="one quantisation scale per tensor (default: per channel)",
    )
    parser.add_argument(
        "--binarize", choices=("bwn", "xnor"), help="binary weights (first and last layers kept)"
    )


def _add_retraining_arguments(parser: argparse.ArgumentParser) -> None:
    """Retraining after each stage: its epochs, Adam's learning rate, the shuffle seed."""
    parser.add_argument(
        "--finetune-epochs", type=int, metavar="N", help="retraining epochs per stage (default 0)"
    )
    parser.add_argument("--lr", type=float, help="retraining learning rate, Adam (default 1e-3)")
    parser.add_argument("--seed", type=int, help="retraining shuffle order (default 0)")


def _add_structural_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that write a smaller dense model instead of a compressed file."""
    group = parser.add_argument_group(
        "structural compression (a smaller dense model; written as a model file, "
        "loaded with glassnet.compress.load_structural)"
    )
    group.add_argument(
        "--svd",
        type=float,
        metavar="RANK|ENERGY",
        help="factor each Linear by truncated SVD: an integer is the rank, a value in (0, 1) "
        "the share of the singular values' energy kept",
    )
    group.add_argument(
        "--lowrank",
        nargs="?",
        const="tucker",
        choices=("tucker", "separable"),
        help="decompose each k x k conv: Tucker-2 (default) or k x 1 then 1 x k",
    )
    group.add_argument(
        "--lowrank-budget",
        type=float,
        default=0.5,
        metavar="SHARE",
        help="share of each conv's parameters the decomposition may use (default 0.5)",
    )
    group.add_argument(
        "--prune-channels",
        type=float,
        metavar="FRACTION",
        help="remove this share of each coupled group of conv channels",
    )
    group.add_argument(
        "--criterion",
        choices=("l1", "slimming"),
        default="l1",
        help="channel ranking: filter L1 norm (Li et al.) or |BN gamma| (network slimming)",
    )
    group.add_argument(
        "--keep-residual",
        action="store_true",
        help="with --prune-channels: leave ResNets' residual streams whole, prune inside the "
        "blocks only (Li et al.'s setting for ResNets)",
    )
    _add_distillation_arguments(group)


def _add_distillation_arguments(group: argparse._ArgumentGroup) -> None:
    """Hinton's knowledge distillation while fine-tuning the smaller model."""
    group.add_argument(
        "--distill-from",
        metavar="TEACHER_RUN",
        help="fine-tune with Hinton's distillation loss from this run's best model",
    )
    group.add_argument(
        "--temperature", type=float, default=4.0, help="distillation temperature (default 4)"
    )
    group.add_argument(
        "--alpha", type=float, default=0.9, help="weight of the soft targets (default 0.9)"
    )
