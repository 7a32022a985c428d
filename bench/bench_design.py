"""Issue 15 item 6, rational model design (合理设计模型): the zoo at the notes' scale, cost vs accuracy.

For each (data set, zoo model) that fits the data's samples: parameters and MACs
(glassnet.summary, batch 1; products only, FLOPs = 2 MACs), CPU latency of a forward pass in
eval mode under no_grad at batch 1 and batch 128 (time.process_time, one BLAS thread through
threadpoolctl, median of --repeats after a warm-up; CPU time because the machine is shared),
and test accuracy after a short training from scratch (Adam 1e-3, batch 64, the epochs in
MODELS, `compress.finetune`'s plain loop, the last epoch's model; inputs standardised with
the training split's per-channel mean and std; one seed per row unless --seeds says more,
mean over seeds). Data: digits (1x8x8), digits32 (the same digits upsampled bilinearly to
1x32x32) and MNIST-1D (1x40). A row is on the frontier (`*`) when no other row of the same
data set has both fewer or equal MACs and higher or equal accuracy (one of them strictly).

Run: `OPENBLAS_NUM_THREADS=1 python bench/bench_design.py [--seeds 0] [--json out.json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import glassnet
from glassnet.compress.finetune import accuracy, finetune
from glassnet.grad_mode import no_grad
from glassnet.models import build_model
from glassnet.summary import summary
from glassnet.tensor import Tensor
from glassnet.train.job_data import fit_standardizer, load_job_data, standardize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import blas_info, cpu_model

# (data, model, options, epochs): epochs fixed a priori, short, the same within a data set
MODELS = [
    ("digits", "mlp", {}, 20),
    ("digits", "lenet_digits", {}, 20),
    ("digits", "cnn", {}, 20),
    ("digits32", "lenet5", {}, 5),
    ("digits32", "shufflenet_cifar", {}, 5),
    ("digits32", "mobilenet_v1_cifar", {"width_mult": 0.5}, 5),
    ("digits32", "resnet20", {}, 5),
    ("digits32", "plain20", {}, 5),
    ("digits32", "vgg_small", {}, 5),
    ("mnist1d", "cnn1d", {}, 20),
    ("mnist1d", "mlp", {}, 20),
    ("mnist1d", "gru", {}, 20),
    ("mnist1d", "transformer", {}, 20),
    ("mnist1d", "resnet1d", {}, 20),
]


def latency_ms(model, x: np.ndarray, repeats: int) -> float:
    model.eval()
    times = []
    with no_grad():
        for _ in range(repeats + 1):
            start = time.process_time()
            model(Tensor(x))
            times.append(time.process_time() - start)
    return 1e3 * statistics.median(times[1:])


def row(data_name: str, name: str, options: dict, epochs: int, data, args) -> dict:
    (x, y), (xt, yt) = data
    shape = tuple(x.shape[1:])
    accs = []
    for seed in args.seeds:
        glassnet.manual_seed(seed)
        model = build_model(name, shape, 10, **options)
        finetune(model, x, y, epochs, seed=seed)
        accs.append(accuracy(model, xt, yt))
    table = summary(model, input_size=shape)
    return {
        "data": data_name,
        "model": name + "".join(f" {k}={v}" for k, v in options.items()),
        "params": table.total_params,
        "macs": table.total_macs,
        "latency1_ms": latency_ms(model, xt[:1], args.repeats * 4),
        "latency128_ms": latency_ms(model, xt[:128], args.repeats),
        "epochs": epochs,
        "accuracy": float(np.mean(accs)),
        "accuracies": accs,
    }


def mark_frontier(rows: list[dict]) -> None:
    for r in rows:
        r["frontier"] = not any(
            o is not r
            and o["data"] == r["data"]
            and o["macs"] <= r["macs"]
            and o["accuracy"] >= r["accuracy"]
            and (o["macs"] < r["macs"] or o["accuracy"] > r["accuracy"])
            for o in rows
        )


def load(name: str):
    job = load_job_data(name)
    mean, std = fit_standardizer(job.train.x)
    return (
        (standardize(job.train.x, mean, std), job.train.y),
        (standardize(job.test.x, mean, std), job.test.y),
    )


def markdown(rows: list[dict]) -> str:
    lines = [
        "| data | model | params | MACs | CPU ms b=1 | CPU ms b=128 | epochs | test acc | frontier |",
        "|---|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['data']} | {r['model']} | {r['params']:,} | {r['macs'] / 1e6:.2f} M | "
            f"{r['latency1_ms']:.2f} | {r['latency128_ms']:.1f} | {r['epochs']} | "
            f"{100 * r['accuracy']:.1f}% | {'*' if r['frontier'] else ''} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="data sets to run (default: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"# {cpu_model()}; {blas_info()}; load average at start {os.getloadavg()}")
    rows, cache = [], {}
    with threadpool_limits(1):
        for data_name, name, options, epochs in MODELS:
            if args.only and data_name not in args.only:
                continue
            data = cache.setdefault(data_name, load(data_name))
            rows.append(row(data_name, name, options, epochs, data, args))
            print(json.dumps(rows[-1]), flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1))
    mark_frontier(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(markdown(rows))
    print(f"# load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
