"""Where a channel-pruned ResNet-20's forward time goes: the base and the pruned model, op by op.

The pruned widths depend only on the fraction (`prune_channels` removes the same share of
every coupled group, whatever the weights), so a freshly initialised ResNet-20 pruned at
the fraction bench/bench_prune_resnet.py found has the trained pruned model's exact shapes.
cProfile (timer: time.process_time, one BLAS thread) over --repeats forward passes of a
batch of 128 in eval mode under no_grad, base and pruned interleaved, one profile per pass;
per function, the median self CPU time of the base model and of the pruned one, their
ratio. The functions are grouped: im2col (building the columns), GEMM (the products), and
the rest (BatchNorm, ReLU, padding, the adds, unpacking, Python overhead).

Run: `OPENBLAS_NUM_THREADS=1 python bench/profile_prune_resnet.py --fraction 0.296875`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import glassnet
from glassnet.compress.channels import prune_channels
from glassnet.grad_mode import no_grad
from glassnet.models import build_model
from glassnet.summary import summary
from glassnet.tensor import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_prune_resnet import speed

KINDS = {"columns": "im2col", "columns_into": "im2col", "column_view": "im2col"}


def profile(model, x: np.ndarray, repeats: int) -> dict[str, float]:
    """Self CPU seconds per function name over `repeats` forwards (after a warm-up)."""
    model.eval()
    with no_grad():
        model(Tensor(x))
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(repeats):
            model(Tensor(x))
        profiler.disable()
    stats = pstats.Stats(profiler).stats
    spent: dict[str, float] = defaultdict(float)
    for (filename, _, function), (_, _, tottime, _, _) in stats.items():
        where = filename.rsplit("/", 1)[-1]
        spent[f"{where}:{function}"] += tottime / repeats
    return spent


def grouped(spent: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for key, seconds in spent.items():
        function = key.split(":")[-1]
        if "matmul" in function or function == "_grouped_product":
            out["GEMM"] += seconds
        else:
            out[KINDS.get(function, "im2col" if "im2col" in key else "other")] += seconds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=0.296875)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--keep-residual", action="store_true", help="prune inside blocks only")
    args = parser.parse_args()
    glassnet.manual_seed(0)
    base = build_model("resnet20", (1, 32, 32), 10)
    small, _ = prune_channels(base, args.fraction, "l1", keep_residual=args.keep_residual)
    macs = [summary(m, input_size=(1, 32, 32)).total_macs for m in (base, small)]
    print(f"MACs {macs[0]:,} -> {macs[1]:,} ({1 - macs[1] / macs[0]:.1%} removed)")
    x = np.random.default_rng(0).standard_normal((128, 1, 32, 32)).astype(np.float32)
    with threadpool_limits(1):
        timed = speed(base, small, x, args.repeats)
    print(f"plain CPU ms per forward (no profiler, median of {args.repeats} interleaved): base "
          f"{timed['base_ms']:.1f}, pruned {timed['pruned_ms']:.1f}, speed-up {timed['speedup']:.2f}")  # fmt: skip
    rounds: dict[str, list[dict[str, float]]] = {"base": [], "pruned": []}
    with threadpool_limits(1):
        for _ in range(args.repeats):  # interleaved: base, pruned, base, ...
            rounds["base"].append(profile(base, x, 1))
            rounds["pruned"].append(profile(small, x, 1))
    a, b = (_median(rounds[k]) for k in ("base", "pruned"))
    total_a = statistics.median(sum(r.values()) for r in rounds["base"])
    total_b = statistics.median(sum(r.values()) for r in rounds["pruned"])
    print(f"median self CPU ms per forward: base {1e3 * total_a:.1f}, pruned {1e3 * total_b:.1f}, "
          f"ratio {total_a / total_b:.2f}")  # fmt: skip
    print("| part | base ms | pruned ms | ratio |\n|---|---:|---:|---:|")
    ga, gb = (_median([grouped(r) for r in rounds[k]]) for k in ("base", "pruned"))
    for kind in sorted(ga, key=ga.get, reverse=True):
        print(
            f"| {kind} | {1e3 * ga[kind]:.1f} | {1e3 * gb[kind]:.1f} | {ga[kind] / gb[kind]:.2f} |"
        )
    print("\n| function | base ms | pruned ms | ratio |\n|---|---:|---:|---:|")
    for key in sorted(a, key=a.get, reverse=True)[: args.top]:
        ratio = a[key] / b[key] if b.get(key) else float("nan")
        print(f"| {key} | {1e3 * a[key]:.1f} | {1e3 * b.get(key, 0):.1f} | {ratio:.2f} |")


def _median(rounds: list[dict[str, float]]) -> dict[str, float]:
    keys = set().union(*rounds)
    return {k: statistics.median(r.get(k, 0.0) for r in rounds) for k in keys}


if __name__ == "__main__":
    main()
