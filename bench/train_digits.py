"""The main job's accuracy target, measured: `glassnet train` on digits, seeds 0, 1, 2, mlp and cnn.

The target (issue 4): with the default options, the median test accuracy over seeds
0, 1, 2 is at least 97% for --model mlp and at least 98% for --model cnn, each run
under a minute on 2 CPU cores. Each run here is the real command in a fresh process
(`python -m glassnet train --data digits --model M --seed S --out TMP --no-progress`), so
its wall time includes starting Python, imports, loading the data and writing the
run folder; "fit" is the training loop alone (from the command's own report).

BLAS threads: `--threads N` sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS for the runs
(default: leave the environment alone). On a busy 2-core machine, OpenBLAS's threads
make these tiny matrix products much slower (each product waits for a core); the
accuracy is the same either way.

Run: `python bench/train_digits.py [--threads 1] [--seeds 0 1 2] [--models mlp cnn]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"mlp": 0.97, "cnn": 0.98}


def one_run(model: str, seed: int, env: dict[str, str], extra: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        command = [
            sys.executable,
            "-m",
            "glassnet",
            "train",
            "--data",
            "digits",
            "--model",
            model,
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--no-progress",
            *extra,
        ]
        started = time.perf_counter()
        finished = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - started
        if finished.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{finished.stderr}")
        metrics = json.loads((out / "test_metrics.json").read_text())
    fit = float(re.search(r"trained epochs? [\d-]+ in ([\d.]+) s", finished.stdout).group(1))
    return {
        "accuracy": metrics["metrics"]["accuracy"],
        "f1": metrics["metrics"]["f1"],
        "best_epoch": metrics["best_epoch"],  # numbered from 1
        "wall": wall,
        "fit": fit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=["mlp", "cnn"])
    parser.add_argument(
        "--threads", type=int, help="BLAS threads for the runs (default: the environment's)"
    )
    parser.add_argument(
        "extra", nargs=argparse.REMAINDER, help="more `glassnet train` options, after --"
    )
    args = parser.parse_args()
    env = dict(os.environ)
    if args.threads is not None:
        env.update(OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    extra = [option for option in args.extra if option != "--"]
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, BLAS threads: "
        f"{env.get('OPENBLAS_NUM_THREADS', 'default')}, extra options: {' '.join(extra) or 'none'}"
    )
    print(
        f"{'model':5} {'seed':>4} {'test acc':>9} {'macro F1':>9} {'best ep':>7} {'fit s':>7} {'wall s':>7}"
    )
    verdicts = []
    for model in args.models:
        results = []
        for seed in args.seeds:
            result = one_run(model, seed, env, extra)
            results.append(result)
            print(
                f"{model:5} {seed:>4} {100 * result['accuracy']:>8.2f}% {100 * result['f1']:>8.2f}% "
                f"{result['best_epoch']:>7} {result['fit']:>7.1f} {result['wall']:>7.1f}",
                flush=True,
            )
        median = statistics.median(result["accuracy"] for result in results)
        slowest = max(result["wall"] for result in results)
        target = TARGETS.get(model)
        verdict = (
            ""
            if target is None
            else (
                f"  target >= {100 * target:.0f}%: {'met' if median >= target else 'MISSED'}; "
                f"slowest run {slowest:.1f} s ({'under' if slowest < 60 else 'OVER'} a minute)"
            )
        )
        verdicts.append(f"{model}: median test accuracy {100 * median:.2f}%{verdict}")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
