"""Attention forward + backward, glassnet vs PyTorch (CPU) in one process: times and their ratio.

Two cases of issue 18, float32, batch 64, length 128, width 128:
- sdpa: F.scaled_dot_product_attention(q, k, v) on (64, 128, 128) tensors (one head of
  width 128), then backward of a random projection of the output (dL/dq, dL/dk, dL/dv);
- mha:  nn.MultiheadAttention(128, 4 heads, batch_first=True) self-attention on
  (64, 128, 128), need_weights=False, then backward (input and all parameter gradients).

Both frameworks get the same inputs and weights and are timed interleaved (glassnet,
torch, glassnet, ...), so load from other processes hits both alike. Each step is timed
in CPU time (time.process_time) with one thread per framework (threadpoolctl for
NumPy's BLAS, torch.set_num_threads(1)): on a shared machine CPU time is what the step
itself cost, wall time also counts waiting for the cores. The ratio is taken per
interleaved pair; the median and the spread (quartiles) over pairs are printed. A ratio
above 1 means glassnet is slower.

Run: `python bench/bench_attention.py [--repeat N] [--wall]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
import torch
from threadpoolctl import threadpool_limits

import glassnet

sys.path.insert(0, str(Path(__file__).parent))
from machine import blas_info, cpu_model

BATCH, LENGTH, WIDTH, HEADS = 64, 128, 128, 4


def sdpa_step(lib: Any, arrays: list[numpy.ndarray], upstream: numpy.ndarray) -> Callable[[], None]:
    q, k, v = (lib.tensor(a, requires_grad=True) for a in arrays)
    grad = lib.tensor(upstream)
    attention = lib.nn.functional.scaled_dot_product_attention

    def run() -> None:
        for tensor in (q, k, v):
            tensor.grad = None
        attention(q, k, v).backward(grad)

    return run


def mha_step(
    lib: Any, module: Any, x: numpy.ndarray, upstream: numpy.ndarray
) -> Callable[[], None]:
    inputs = lib.tensor(x, requires_grad=True)
    grad = lib.tensor(upstream)

    def run() -> None:
        inputs.grad = None
        module.zero_grad()
        output, _ = module(inputs, inputs, inputs, need_weights=False)
        output.backward(grad)

    return run


def measure(
    ours: Callable[[], None], theirs: Callable[[], None], repeat: int, clock: Callable[[], float]
) -> dict[str, Any]:
    for _ in range(2):
        ours()
        theirs()
    ours_times, theirs_times = [], []
    for _ in range(repeat):
        start = clock()
        ours()
        ours_times.append(clock() - start)
        start = clock()
        theirs()
        theirs_times.append(clock() - start)
    ratios = sorted(a / b for a, b in zip(ours_times, theirs_times))
    quartiles = statistics.quantiles(ratios, n=4)
    return {
        "ours": statistics.median(ours_times),
        "theirs": statistics.median(theirs_times),
        "ratio": statistics.median(ratios),
        "spread": (quartiles[0], quartiles[2]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed steps per framework and case")
    parser.add_argument("--wall", action="store_true", help="time wall clock instead of CPU time")
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    torch.set_num_threads(1)
    rng = numpy.random.default_rng(0)
    shape = (BATCH, LENGTH, WIDTH)
    qkv = [rng.standard_normal(shape).astype(numpy.float32) for _ in range(3)]
    upstream = rng.standard_normal(shape).astype(numpy.float32)
    theirs_mha = torch.nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
    ours_mha = glassnet.nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
    ours_mha.load_state_dict(theirs_mha.state_dict())
    with threadpool_limits(1):
        print(f"CPU: {cpu_model()}; BLAS: {blas_info()}; torch threads {torch.get_num_threads()}")
        print(
            f"numpy {numpy.__version__}, torch {torch.__version__}; float32, batch {BATCH}, length "
            f"{LENGTH}, width {WIDTH}; {'wall' if args.wall else 'CPU'} time, {args.repeat} interleaved "
            "pairs; ratio = glassnet / torch per pair: median [quartiles]"
        )
        cases = {
            "sdpa fwd+bwd": (sdpa_step(glassnet, qkv, upstream), sdpa_step(torch, qkv, upstream)),
            f"MultiheadAttention({WIDTH}, {HEADS}) fwd+bwd": (
                mha_step(glassnet, ours_mha, qkv[0], upstream),
                mha_step(torch, theirs_mha, qkv[0], upstream),
            ),
        }
        for name, (ours, theirs) in cases.items():
            result = measure(ours, theirs, args.repeat, clock)
            low, high = result["spread"]
            print(
                f"{name}: glassnet {result['ours'] * 1e3:.1f} ms, torch {result['theirs'] * 1e3:.1f} ms, "
                f"ratio {result['ratio']:.2f} [{low:.2f}, {high:.2f}]"
            )


if __name__ == "__main__":
    main()
