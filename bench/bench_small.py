"""Small models, one thread each, CPU time: where glassnet's per-op overhead goes (issue 20).

The models whose steps are many small ops: MLP 784-300-100-10 and LeNet-5 (bench_models'
twins), and the LSTM 1->128 over 40 steps + Linear (bench_rnn's). Both frameworks on one
thread (`torch.set_num_threads(1)`, threadpoolctl for NumPy's BLAS) and timed in CPU time
(`process_time`), interleaved in one process; the ratio is taken per glassnet/torch pair
of steps, reported as the median [min, max] over the pairs.

    python bench/bench_small.py --pairs 9             # the ratio table
    python bench/bench_small.py --kernels             # once per OpenBLAS kernel choice (below)
    python bench/bench_small.py --profile lenet       # cProfile of glassnet steps + ops per step

--kernels runs the table twice in child processes: with OpenBLAS's own kernel choice
(every `OPENBLAS_*` variable unset for the child, `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE`
among them; one BLAS thread is set through threadpoolctl anyway) and with the AVX2 kernels
forced (`OPENBLAS_CORETYPE=Haswell`, as this machine's CI sets); each table's
header names the kernel that ran (threadpoolctl's `architecture`).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
import torch
from threadpoolctl import threadpool_limits

import glassnet
from glassnet.function import Function

sys.path.insert(0, str(Path(__file__).parent))
import bench_models
import bench_rnn
from machine import blas_info, cpu_model

STEPS_PER_SAMPLE = {"mlp": 20, "lenet": 5, "lstm": 3}


def steps(name: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(glassnet step, torch step) of one model, same weights and batch."""
    if name == "lstm":
        rng = numpy.random.default_rng(0)
        x = rng.standard_normal((bench_rnn.BATCH, bench_rnn.STEPS, 1)).astype(numpy.float32)
        y = rng.integers(0, bench_rnn.CLASSES, bench_rnn.BATCH)
        ours, theirs = bench_rnn.build(glassnet, "lstm"), bench_rnn.build(torch, "lstm")
        for mine, reference in zip(ours, theirs):
            mine.load_state_dict(reference.state_dict())
        return (
            bench_rnn.training_step(glassnet, *ours, x, y),
            bench_rnn.training_step(torch, *theirs, x, y),
        )
    ours, theirs, x, labels = bench_models.twins(name)
    return (
        bench_models.train_step(glassnet, ours, x, labels),
        bench_models.train_step(torch, theirs, x, labels),
    )


def cpu_seconds(step: Callable[[], Any], count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        step()
    return (time.process_time() - start) / count


def ratio_row(name: str, pairs: int) -> str:
    ours, theirs = steps(name)
    count = STEPS_PER_SAMPLE[name]
    for _ in range(2):
        ours(), theirs()
    mine, other, ratios = [], [], []
    for _ in range(pairs):
        a, b = cpu_seconds(ours, count), cpu_seconds(theirs, count)
        mine.append(a)
        other.append(b)
        ratios.append(a / b)
    return (
        f"| {name} | {statistics.median(mine) * 1e3:.2f} | {statistics.median(other) * 1e3:.2f} | "
        f"{statistics.median(ratios):.2f} [{min(ratios):.2f}, {max(ratios):.2f}] | "
        f"{os.getloadavg()[0]:.1f} |"
    )


def profile(name: str, count: int) -> None:
    """cProfile of `count` glassnet steps, and the Function classes applied per step."""
    ours, _ = steps(name)
    ours()
    applied: Counter[str] = Counter()
    original = Function.apply.__func__  # type: ignore[attr-defined]

    def counting(cls: type, *args: Any, **kwargs: Any) -> Any:
        applied[cls.__name__] += 1
        return original(cls, *args, **kwargs)

    Function.apply = classmethod(counting)  # type: ignore[method-assign]
    ours()
    Function.apply = classmethod(original)  # type: ignore[method-assign]
    print(f"{name}: {sum(applied.values())} Function.apply per step: {dict(applied.most_common())}")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(count):
        ours()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--only", nargs="*", default=["mlp", "lenet", "lstm"])
    parser.add_argument("--profile", default="", choices=("", "mlp", "lenet", "lstm"))
    parser.add_argument("--kernels", action="store_true", help="own and forced-Haswell BLAS")
    args = parser.parse_args()
    if args.kernels:
        for kernel in ("own", "Haswell"):
            env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
            if kernel == "Haswell":
                env["OPENBLAS_CORETYPE"] = "Haswell"
            command = [sys.executable, __file__, "--pairs", str(args.pairs), "--only", *args.only]
            subprocess.run(command, env=env, check=True, timeout=1800)
        return
    glassnet.utils.tune_malloc()
    threadpool_limits(1, user_api="blas")
    torch.set_num_threads(1)
    print(f"CPU: {cpu_model()}; BLAS: {blas_info()}; torch threads {torch.get_num_threads()}")
    if args.profile:
        profile(args.profile, 20)
        return
    print(f"CPU ms per step, median of {args.pairs} pairs; ratio per pair: median [min, max]")
    print("| model | glassnet ms | torch ms | ratio | load |")
    print("|---|---:|---:|---:|---:|")
    for name in args.only:
        print(ratio_row(name, args.pairs), flush=True)


if __name__ == "__main__":
    main()
