"""Issue 15's channel-pruning target: ResNet-20 on digits32, 50% of the MACs removed by L1 channel pruning.

Per seed: the zoo's ResNet-20 (option-A shortcuts) trained on digits32 (the 8x8 digits
upsampled bilinearly to 1x32x32, standardised with the training split's mean and std) for
--epochs epochs (Adam 1e-3, batch 64, `compress.finetune`'s plain loop; the last epoch's
model, no checkpoint selection); then `prune_channels(model, f, "l1")` (Li et al. 2017, one
fraction f for every coupled group, the residual stream's groups included) with f the
smallest fraction, on a 1/64 grid, that removes >= --macs-cut of the MACs (glassnet.summary's
count at batch 1; with --keep-residual the residual streams stay whole and only the
blocks' inner channels are cut, as Li et al. do for ResNets); then fine-tuned --finetune epochs (Adam 1e-3). Accuracy: the 360 test
images, paired per seed (pruned minus the same seed's base model); before fine-tuning also
with the BatchNorm statistics re-estimated on the training images (no learning: the cut
channels change the next BN's input distribution, its old running statistics no longer fit).

Speed: forward passes of a batch of 128 test images in eval mode under no_grad, base and
pruned interleaved (base, pruned, base, ...) for --repeats rounds after one warm-up each;
CPU time (time.process_time) with one BLAS thread (threadpoolctl), median per model; the
speed-up is median(base) / median(pruned). CPU time, not wall time: the machine is shared.
A per-layer profile (CPU time of each Conv2d's forward, through forward hooks) says where the
time goes when the speed-up falls short.

Run: `OPENBLAS_NUM_THREADS=1 python bench/bench_prune_resnet.py --seeds 0 1 2 --json out.json`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import glassnet
from glassnet.compress.channels import prune_channels
from glassnet.compress.finetune import accuracy, finetune
from glassnet.grad_mode import no_grad
from glassnet.models import build_model
from glassnet.nn.conv import Conv2d
from glassnet.nn.normalization import BatchNorm2d
from glassnet.summary import summary
from glassnet.tensor import Tensor
from glassnet.train.job_data import fit_standardizer, load_job_data, standardize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import blas_info, cpu_model

SHAPE = (1, 32, 32)


def macs(model) -> int:
    return summary(model, input_size=SHAPE).total_macs


def fraction_for(model, cut: float, keep_residual: bool = False) -> tuple[float, object, int]:
    """The smallest fraction k/64 whose pruned model removes >= `cut` of the MACs."""
    base = macs(model)
    for k in range(1, 64):
        small, _ = prune_channels(model, k / 64, "l1", keep_residual=keep_residual)
        if 1 - macs(small) / base >= cut:
            return k / 64, small, macs(small)
    raise RuntimeError(f"no fraction below 1 removes {cut:.0%} of the MACs")


def forward_seconds(model, x: np.ndarray) -> float:
    start = time.process_time()
    with no_grad():
        model(Tensor(x))
    return time.process_time() - start


def speed(base, small, x: np.ndarray, repeats: int) -> dict:
    base.eval(), small.eval()
    forward_seconds(base, x), forward_seconds(small, x)  # warm-up
    times = {"base": [], "pruned": []}
    for _ in range(repeats):
        times["base"].append(forward_seconds(base, x))
        times["pruned"].append(forward_seconds(small, x))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "base_ms": 1e3 * med["base"],
        "pruned_ms": 1e3 * med["pruned"],
        "speedup": med["base"] / med["pruned"],
        "base_range_ms": [1e3 * min(times["base"]), 1e3 * max(times["base"])],
        "pruned_range_ms": [1e3 * min(times["pruned"]), 1e3 * max(times["pruned"])],
    }


def conv_profile(model, x: np.ndarray) -> dict[str, float]:
    """CPU ms of each Conv2d's forward on batch x (one pass, after a warm-up)."""
    spent: dict[str, float] = {}
    handles = []
    for name, module in model.named_modules():
        if isinstance(module, Conv2d):
            handles.append(
                module.register_forward_pre_hook(
                    lambda m, inp, name=name: spent.__setitem__(name, -time.process_time())
                )
            )
            handles.append(
                module.register_forward_hook(
                    lambda m, inp, out, name=name: spent.__setitem__(
                        name, 1e3 * (spent[name] + time.process_time())
                    )
                )
            )
    forward_seconds(model, x)
    forward_seconds(model, x)
    for handle in handles:
        handle.remove()
    return spent


def recalibrated(model, x: np.ndarray, batch: int = 128):
    """A copy of `model` whose BatchNorm running statistics are re-estimated on x (the cumulative
    average over the batches, momentum=None; train-mode forwards under no_grad, nothing learnt)."""
    model = copy.deepcopy(model)
    for module in model.modules():
        if isinstance(module, BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with no_grad():
        for start in range(0, len(x), batch):
            model(Tensor(x[start : start + batch]))
    return model.eval()


def one_seed(seed: int, args, data) -> dict:
    glassnet.manual_seed(seed)
    model = build_model("resnet20", SHAPE, 10)
    (x, y), (xt, yt) = data
    clock = time.process_time()
    finetune(model, x, y, args.epochs, seed=seed)
    base_acc = accuracy(model, xt, yt)
    fraction, small, small_macs = fraction_for(model, args.macs_cut, args.keep_residual)
    raw_acc = accuracy(small, xt, yt)
    recal_acc = accuracy(recalibrated(small, x), xt, yt)
    finetune(small, x, y, args.finetune, seed=seed + 1000)
    row = {
        "seed": seed,
        "keep_residual": args.keep_residual,
        "fraction": fraction,
        "base_macs": macs(model),
        "pruned_macs": small_macs,
        "base_params": sum(p.data.size for p in model.parameters()),
        "pruned_params": sum(p.data.size for p in small.parameters()),
        "base_acc": base_acc,
        "pruned_acc_before_finetune": raw_acc,
        "pruned_acc_bn_recalibrated": recal_acc,
        "pruned_acc": accuracy(small, xt, yt),
        "train_cpu_s": time.process_time() - clock,
    }
    row.update(speed(model, small, xt[:128], args.repeats))
    row["profile_base_ms"] = conv_profile(model, xt[:128])
    row["profile_pruned_ms"] = conv_profile(small, xt[:128])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--finetune", type=int, default=2)
    parser.add_argument("--macs-cut", type=float, default=0.5)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--keep-residual",
        action="store_true",
        help="leave the residual streams whole, prune inside the blocks only (Li et al.'s ResNet setting)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    job = load_job_data("digits32")
    mean, std = fit_standardizer(job.train.x)
    data = (
        (standardize(job.train.x, mean, std), job.train.y),
        (standardize(job.test.x, mean, std), job.test.y),
    )
    print(f"# {cpu_model()}; {blas_info()}; load average at start {os.getloadavg()}")
    rows = []
    with threadpool_limits(1):
        for seed in args.seeds:
            rows.append(one_seed(seed, args, data))
            brief = {k: v for k, v in rows[-1].items() if not k.startswith("profile")}
            print(json.dumps(brief), flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1))
    print(f"# load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
