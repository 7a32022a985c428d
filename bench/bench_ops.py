"""glassnet vs PyTorch, op by op, in one process: median times and their ratio.

Each case builds the same inputs for both frameworks, warms up, then times the two
interleaved (glassnet, torch, glassnet, torch, ...) so machine noise hits both alike.
A ratio above 1 means glassnet is slower. Run: `python bench/bench_ops.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy
import torch

import glassnet
from glassnet.utils import tune_malloc
from machine import blas_info, cpu_model

BATCH = 128


def step(
    lib: Any, fn: Callable[..., Any], arrays: list[numpy.ndarray], backward: bool
) -> Callable[[], None]:
    """A closure running fn forward (and backward with a fixed upstream gradient)."""
    tensors = []
    for array in arrays:
        tensor = (
            lib.tensor(array)
            if array.dtype.kind != "f"
            else lib.tensor(array).requires_grad_(backward)
        )
        tensors.append(tensor)
    probe = fn(lib, *tensors)
    probe = probe[0] if isinstance(probe, tuple) else probe
    upstream = lib.tensor(
        numpy.random.default_rng(1).standard_normal(probe.shape).astype(numpy.float32)
    )

    def run() -> None:
        for tensor in tensors:
            tensor.grad = None
        out = fn(lib, *tensors)
        out = out[0] if isinstance(out, tuple) else out
        if backward:
            out.backward(upstream)

    return run


def measure(
    ours: Callable[[], None], theirs: Callable[[], None], repeat: int
) -> tuple[float, float]:
    for _ in range(2):
        ours()
        theirs()
    ours_times, theirs_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        ours()
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs()
        theirs_times.append(time.perf_counter() - start)
    return statistics.median(ours_times), statistics.median(theirs_times)


def cases(
    rng: numpy.random.Generator,
) -> list[tuple[str, Callable[..., Any], list[numpy.ndarray], bool]]:
    def normal(*shape: int) -> numpy.ndarray:
        return rng.standard_normal(shape).astype(numpy.float32)

    def conv(
        cin: int, cout: int, size: int, k: int, stride: int
    ) -> tuple[str, Callable[..., Any], list, bool]:
        pad = k // 2
        return (
            f"conv2d {cin}->{cout} k{k} s{stride} @{size}x{size} fwd+bwd",
            lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=stride, padding=pad),
            [normal(BATCH, cin, size, size), normal(cout, cin, k, k) * 0.1],
            True,
        )

    table = [
        (
            "matmul 512x512 @ 512x512 fwd",
            lambda lib, a, b: a @ b,
            [normal(512, 512), normal(512, 512)],
            False,
        ),
        (
            "matmul 512x512 @ 512x512 fwd+bwd",
            lambda lib, a, b: a @ b,
            [normal(512, 512), normal(512, 512)],
            True,
        ),
        (
            "linear 128x784 -> 300 fwd+bwd",
            lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
            [normal(BATCH, 784), normal(300, 784) * 0.03, normal(300)],
            True,
        ),
        conv(3, 16, 32, 3, 1),
        conv(16, 16, 32, 3, 1),
        conv(16, 32, 32, 3, 2),
        conv(32, 32, 16, 3, 1),
        conv(32, 64, 16, 3, 2),
        conv(64, 64, 8, 3, 1),
        conv(16, 32, 32, 1, 2),
        conv(32, 64, 16, 1, 2),
        (
            "max_pool2d k2 s2 128x16x32x32 fwd+bwd",
            lambda lib, x: lib.nn.functional.max_pool2d(x, 2),
            [normal(BATCH, 16, 32, 32)],
            True,
        ),
        (
            "batch_norm train 128x16x32x32 fwd+bwd",
            lambda lib, x, g, b: lib.nn.functional.batch_norm(x, None, None, g, b, training=True),
            [normal(BATCH, 16, 32, 32), normal(16), normal(16)],
            True,
        ),
        (
            "cross_entropy 128x10 fwd+bwd",
            lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
            [normal(BATCH, 10), rng.integers(0, 10, BATCH)],
            True,
        ),
        (
            "cross_entropy 128x1000 fwd+bwd",
            lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
            [normal(BATCH, 1000), rng.integers(0, 1000, BATCH)],
            True,
        ),
    ]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per framework and case")
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    args = parser.parse_args()
    tune_malloc()  # as the glassnet command does (glassnet.utils); the whole process, torch too
    rng = numpy.random.default_rng(0)
    print(f"CPU: {cpu_model()}; {torch.get_num_threads()} torch threads; BLAS: {blas_info()}")
    print(
        f"numpy {numpy.__version__}, torch {torch.__version__}, glassnet {glassnet.__version__}; "
        f"median of {args.repeat} interleaved runs, float32, batch {BATCH}\n"
    )
    print("| case | glassnet ms | torch ms | ratio |")
    print("|---|---:|---:|---:|")
    conv_ours = conv_theirs = 0.0
    for name, fn, arrays, backward in cases(rng):
        if args.only not in name:
            continue
        ours, theirs = measure(
            step(glassnet, fn, arrays, backward), step(torch, fn, arrays, backward), args.repeat
        )
        if name.startswith("conv2d"):
            conv_ours, conv_theirs = conv_ours + ours, conv_theirs + theirs
        print(
            f"| {name} | {ours * 1e3:.2f} | {theirs * 1e3:.2f} | {ours / theirs:.2f} |", flush=True
        )
    if conv_theirs:
        print(
            f"| **conv2d, all shapes above** | {conv_ours * 1e3:.2f} | {conv_theirs * 1e3:.2f} | "
            f"**{conv_ours / conv_theirs:.2f}** |"
        )


if __name__ == "__main__":
    main()
