"""Issue 15's targets that a busy machine can measure: SVD of the digits MLP's FC layers, and distillation.

SVD: the MLP 64-300-100-10 trained on digits (`glassnet train`'s job defaults: Adam 1e-3,
40 epochs, batch 64, best checkpoint by val_loss), one run per seed; its 300x64 and 100x300
layers factored by truncated SVD at rank k (glassnet.compress.svd; the 10x100 output layer
is not factored: rank k would not save anything), then fine-tuned for 10 epochs (Adam 1e-3,
fixed a priori, not tuned). Reported: the two layers' parameters before/after (weights and
biases) and the paired test accuracy change in points (the file's model minus the same
run's best checkpoint), with and without the fine-tuning; mean +- sample std (min..max).

Distillation (Hinton et al. 2015): teacher = that MLP 64-300-100-10; student = MLP
64-H-10, trained from the same init and batch order for 40 epochs (Adam 1e-3, batch 64) on
the same standardised training split, once alone (alpha = 0: cross-entropy only) and once per
temperature T with alpha = 0.9 (--alpha); test accuracy after the last epoch (no checkpoint selection).

Run: `OPENBLAS_NUM_THREADS=1 python bench/bench_compress2.py [--seeds 0 1 2 3 4] [--json out.json]`.
Not here: ResNet-20 channel pruning's speed-up target, which needs a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from threadpoolctl import threadpool_limits

import glassnet
from glassnet.compress.distill import DistillationLoss
from glassnet.compress.experiments import spread, train_for
from glassnet.compress.finetune import accuracy
from glassnet.compress.runs import open_run
from glassnet.compress.structural import StructuralOptions, restructure_run
from glassnet.data.loader import DataLoader, TensorDataset
from glassnet.models import build_model
from glassnet.optim import Adam
from glassnet.train import Trainer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import blas_info, cpu_model

MLP_300_100 = {"hidden": [300, 100], "batchnorm": False}
FC = ("1", "3")  # the 300x64 and 100x300 layers of MLP 64-300-100-10 (Flatten is "0")


def _fc_params(model) -> int:
    return sum(p.data.size for name in FC for p in model.get_submodule(name).parameters())


def svd_rows(ranks: list[int], seeds: list[int], folder: Path, epochs: int) -> list[dict]:
    rows = []
    for rank in ranks:
        deltas, raw, ratios = [], [], []
        for seed in seeds:
            run = open_run(train_for("mlp", MLP_300_100, seed, folder))
            with tempfile.TemporaryDirectory() as tmp:
                for tuned, store in ((0, raw), (epochs, deltas)):
                    options = StructuralOptions(svd=rank, finetune_epochs=tuned, seed=seed)
                    report = restructure_run(run, options, Path(tmp) / "m.safetensors")
                    store.append(100 * (report.after.accuracy - report.before.accuracy))
                small = glassnet.compress.load_structural(Path(tmp) / "m.safetensors")
            ratios.append(_fc_params(run.model) / _fc_params(small))
        rows.append(
            {
                "rank": rank,
                "fc_ratio": spread(ratios),
                "delta_pt": spread(deltas),
                "raw_pt": spread(raw),
            }
        )
    return rows


def _student(run, hidden: int, seed: int):
    glassnet.manual_seed(seed)
    shape, classes = tuple(run.data.input_shape), len(run.data.classes)
    return build_model("mlp", shape, classes, hidden=[hidden], batchnorm=False)


def distill_rows(
    temperatures: list[float],
    seeds: list[int],
    folder: Path,
    hidden: int,
    epochs: int,
    alpha: float,
    data: str = "digits",
) -> dict:
    alone, by_t = [], {t: [] for t in temperatures}
    for seed in seeds:
        run = open_run(train_for("mlp", MLP_300_100, seed, folder, data))
        x, y = run.split("train")
        for temperature, weight in [(1.0, 0.0)] + [(t, alpha) for t in temperatures]:
            student = _student(run, hidden, seed)
            loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, seed=seed)
            loss = DistillationLoss(run.model, temperature, weight).attach(student)
            Trainer(student, Adam(student.parameters(), lr=1e-3), loss, seed=seed).fit(
                loader, epochs=epochs
            )
            loss.detach()
            score = 100 * accuracy(student, *run.split("test"))
            (alone if weight == 0 else by_t[temperature]).append(score)
    return {
        "alone": spread(alone),
        "gain_pt": {t: spread([a - b for a, b in zip(v, alone)]) for t, v in by_t.items()},
        "accuracy": {t: spread(v) for t, v in by_t.items()},
    }


def _fmt(s: dict, digits: int = 2, sign: str = "+") -> str:
    m, lo, hi = (f"{s[k]:{sign}.{digits}f}" for k in ("mean", "min", "max"))
    return f"{m} +- {s['std']:.{digits}f} ({lo}..{hi})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--ranks", nargs="+", type=int, default=[16, 20])
    parser.add_argument("--temperatures", nargs="+", type=float, default=[1.0, 2.0, 4.0, 8.0])
    parser.add_argument("--distill-seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--hidden", type=int, default=10, help="the student's hidden width")
    parser.add_argument("--epochs", type=int, default=40, help="student training epochs")
    parser.add_argument("--alpha", type=float, default=0.9, help="weight of the soft targets")
    parser.add_argument("--no-svd", action="store_true")
    parser.add_argument("--no-distill", action="store_true")
    parser.add_argument("--data", default="digits", help="distillation data set (digits, mnist1d)")
    parser.add_argument(
        "--folder", default="/tmp/glassnet-bench-compress", help="runs are kept here"
    )
    parser.add_argument("--json", help="write every number here too")
    args = parser.parse_args()
    folder = Path(args.folder)
    print(f"machine: {cpu_model()}; BLAS {blas_info()}; one BLAS thread")
    out: dict = {}
    with threadpool_limits(1):
        out["svd"] = [] if args.no_svd else svd_rows(args.ranks, args.seeds, folder, 10)
        print(
            "\n| rank | FC params x | delta pt, 10 epochs fine-tuning | delta pt, no fine-tuning |"
        )
        print("|---:|---:|---|---|")
        for r in out["svd"]:
            print(
                f"| {r['rank']} | {r['fc_ratio']['mean']:.2f} | {_fmt(r['delta_pt'])} | {_fmt(r['raw_pt'])} |"
            )
        if args.no_distill:
            out["distill"] = None
        else:
            out["distill"] = distill_rows(
                args.temperatures,
                args.distill_seeds,
                folder,
                args.hidden,
                args.epochs,
                args.alpha,
                args.data,
            )
            d = out["distill"]
            print(
                f"\n{args.data}, alpha = {args.alpha}; student MLP with {args.hidden} hidden units alone: {_fmt(d['alone'], sign='')} % test accuracy"
            )
            print("| T | accuracy % | gain pt (paired) |\n|---:|---|---|")
            for t in args.temperatures:
                print(f"| {t:g} | {_fmt(d['accuracy'][t], sign='')} | {_fmt(d['gain_pt'][t])} |")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
