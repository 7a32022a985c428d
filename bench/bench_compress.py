"""Issue 14's targets table: Deep Compression on digits / MNIST-1D, paired deltas over seeds, glassnet only.

Each row trains one run per seed with `glassnet train`'s job (the model's defaults: Adam
1e-3, 40 epochs, batch 64), compresses its best checkpoint with the row's recipe
(glassnet.compress.experiments.chain_row), writes the file and loads it back. Reported:

    weights x   Han et al.'s accounting, weights only: 32-bit weights / (index + value +
                code book bits)
    file x      the whole file on disk (biases, code books, Huffman tables, JSON header)
                against a float32 safetensors file of the model's parameters and buffers
    delta pt    paired: test accuracy of the loaded file minus that of the same run's best
                checkpoint, in percentage points; mean +- sample std (min..max) over seeds

The recipes' free choices (prune share, retraining epochs) were picked on the validation
split of seeds 100-103, never on test (`--tune` prints that search). The "PyTorch
reference" numbers are the issue author's, quoted, not measured here.

Also: when the scipy.sparse forward beats the dense one (CPU time, one BLAS thread), and
Han et al.'s claim that linear initialisation beats density and random init.

Run: `OPENBLAS_NUM_THREADS=1 python bench/bench_compress.py [--rows mlp lenet ...] [--seeds 0 1 2 3 4] [--json out.json]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from threadpoolctl import threadpool_limits

from glassnet.compress.experiments import chain_row, init_check, sparse_timing
from glassnet.compress.pipeline import Recipe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import blas_info, cpu_model

DEEP = {"cluster_bits": 5, "huffman": True, "finetune_epochs": 20, "prune_rounds": 3}
MLP_300_100 = {"hidden": [300, 100], "batchnorm": False}
ROWS = {
    "mlp": ("MLP 64-300-100-10 (digits)", "mlp", MLP_300_100, "digits", Recipe(prune=0.92, **DEEP)),
    "lenet": ("LeNet-like CNN (digits)", "lenet_digits", {}, "digits", Recipe(prune=0.8, **DEEP)),
    "cnn": ("glassnet cnn, BN folded (digits)", "cnn", {}, "digits", Recipe(prune=0.8, **DEEP)),
    "mnist1d": (
        "MNIST-1D MLP 40-100-100-10",
        "mlp",
        {"hidden": [100, 100], "batchnorm": False},
        "mnist1d",
        Recipe(prune=0.8, **DEEP),
    ),
    "lenet-int8": (
        "LeNet-like CNN: int8 per-channel PTQ",
        "lenet_digits",
        {},
        "digits",
        Recipe(quantize="int8"),
    ),
    "lenet-int4": (
        "LeNet-like CNN: int4 per-channel PTQ",
        "lenet_digits",
        {},
        "digits",
        Recipe(quantize="int4"),
    ),
    "lenet-int4-qat": (
        "LeNet-like CNN: int4 per-channel QAT (20 epochs, STE)",
        "lenet_digits",
        {},
        "digits",
        Recipe(quantize="int4", finetune_epochs=20),
    ),
    "lenet-bwn": (
        "LeNet-like CNN: BWN (first/last layers fp32)",
        "lenet_digits",
        {},
        "digits",
        Recipe(binarize="bwn", finetune_epochs=20),
    ),
    "lenet-xnor": (
        "LeNet-like CNN: XNOR-Net (first/last layers fp32)",
        "lenet_digits",
        {},
        "digits",
        Recipe(binarize="xnor", finetune_epochs=60, lr=3e-3),  # 20 epochs at 1e-3: -30 pt
    ),
}
# the validation search behind the rows' prune shares and epochs: (prune, finetune epochs, lr)
TUNING = {
    "mlp": [
        (0.92, 20, 3e-4),
        (0.9, 10, 1e-3),
        (0.92, 10, 1e-3),
        (0.94, 10, 1e-3),
        (0.92, 10, 3e-4),
        (0.92, 10, 2e-3),
        (0.92, 20, 1e-3),
        (0.92, 30, 1e-3),
    ],
    "lenet": [(0.8, 20, 1e-3), (0.85, 20, 1e-3), (0.9, 20, 1e-3)],
}
TUNING_SEEDS = [100, 101, 102, 103]
REFERENCE = {
    "mlp": "35.4x at -0.37 pt (5-bit); file 27.7x",
    "lenet": "~17x",
    "mnist1d": "~17x keeping 23%",
}


def _fmt(s: dict, digits: int = 1, suffix: str = "") -> str:
    return f"{s['mean']:.{digits}f}{suffix} +- {s['std']:.{digits}f}"


def run_rows(names: list[str], seeds: list[int], folder: Path) -> dict[str, dict]:
    results = {}
    for name in names:
        title, model, options, data, recipe = ROWS[name]
        started = time.process_time()
        row = chain_row(model, options, recipe, seeds, data, folder)
        row["title"], row["cpu_seconds"] = title, time.process_time() - started
        results[name] = row
        print(f"{name}: done in {row['cpu_seconds']:.0f} s CPU", file=sys.stderr)
        print(table({name: row}).splitlines()[-1], file=sys.stderr, flush=True)
    return results


def table(results: dict[str, dict]) -> str:
    lines = [
        "| row | seeds | kept | weights x | file x (on disk) | acc before % | delta pt (paired) | "
        "PyTorch reference (issue author's) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in results.items():
        delta = row["delta_pt"]
        lines.append(
            f"| {row['title']} | {len(row['seeds'])} | {100 * row['kept']['mean']:.0f}% | "
            f"{_fmt(row['weights_ratio'])} | {_fmt(row['file_ratio'])} | "
            f"{100 * row['before']['mean']:.2f} | {delta['mean']:+.2f} +- {delta['std']:.2f} "
            f"({delta['min']:+.2f}..{delta['max']:+.2f}) | {REFERENCE.get(name, '-')} |"
        )
    return "\n".join(lines)


def tune(names: list[str], folder: Path) -> None:
    """Paired deltas on the validation split of seeds 100-103 for each candidate (test unused)."""
    print(
        "| row | prune | epochs | lr | weights x | val delta pt |\n|---|---:|---:|---:|---:|---:|"
    )
    for name in names:
        _, model, options, data, recipe = ROWS[name]
        for share, epochs, lr in TUNING.get(name, []):
            candidate = replace(recipe, prune=share, finetune_epochs=epochs, lr=lr)
            row = chain_row(model, options, candidate, TUNING_SEEDS, data, folder)
            print(
                f"| {name} | {share} | {epochs} | {lr:g} | {_fmt(row['weights_ratio'])} | "
                f"{_fmt(row['val_delta_pt'], 2)} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--folder", default="/tmp/glassnet-bench-compress", help="runs are kept here"
    )
    parser.add_argument("--json", help="write every number here too")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--no-init-check", action="store_true")
    parser.add_argument(
        "--tune", action="store_true", help="only the validation search (seeds 100-103)"
    )
    args = parser.parse_args()
    folder = Path(args.folder)
    if args.tune:
        with threadpool_limits(1):
            tune(args.rows, folder)
        return
    print(f"machine: {cpu_model()}; BLAS {blas_info()}; one BLAS thread; CPU time")
    out: dict = {}
    with threadpool_limits(1):
        out["rows"] = run_rows(args.rows, args.seeds, folder)
        print(table(out["rows"]))
        if not args.no_init_check:
            out["init"] = init_check("mlp", MLP_300_100, args.seeds, folder)
            print("\n3-bit sharing of every MLP layer, no retraining: test accuracy % by init")
            for init, s in out["init"].items():
                print(f"  {init:8s} {_fmt(s, 2)}  ({s['min']:.2f}..{s['max']:.2f})")
        if not args.no_timing:
            out["timing"] = sparse_timing()
            print("\n| weight | density | batch | dense ms | sparse ms | sparse/dense |")
            print("|---|---:|---:|---:|---:|---:|")
            for r in out["timing"]:
                print(
                    f"| {r['shape']} | {r['density']} | {r['batch']} | {r['dense_ms']:.4f} | "
                    f"{r['sparse_ms']:.4f} | {r['ratio']:.2f} |"
                )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
