"""What glassnet's thread pool buys per op: one thread vs the default, interleaved in one process.

    python bench/bench_threads.py               # the per-op table (ResNet-20 and LeNet-5 shapes)
    python bench/bench_threads.py --overhead    # + the cost of a block and of the BLAS switch
    python bench/bench_threads.py --models      # whole steps: CPU time and its idle-core estimate

Each row times the same op (forward, or forward + backward) on one thread (glassnet's and
the BLAS's) and at glassnet's default thread count, alternating, best and median of
`--repeat`. Wall time, because the point is to use
a second core; on a shared machine read the best. CPU time too (all threads): a split that
costs no extra CPU time would run about `threads` times faster on idle cores, and an
OpenBLAS thread spin-waiting for a core shows up there; and the idle-core estimate of
`CriticalPath` (a step's CPU time minus each block's overlap, best of the steps), with its
speed-up over the best one-thread CPU time, which a loaded machine can still measure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy
from threadpoolctl import threadpool_limits

import glassnet
import glassnet.nn.functional as F
from glassnet import parallel

sys.path.insert(0, str(Path(__file__).parent))
from machine import blas_info, cpu_model


def conv_case(batch: int, cin: int, cout: int, size: int, kernel: int, stride: int, pad: int):
    rng = numpy.random.default_rng(0)
    x = glassnet.tensor(
        rng.standard_normal((batch, cin, size, size)).astype(numpy.float32), requires_grad=True
    )
    w = glassnet.tensor(
        rng.standard_normal((cout, cin, kernel, kernel)).astype(numpy.float32) * 0.1,
        requires_grad=True,
    )
    return lambda: F.conv2d(x, w, stride=stride, padding=pad)


def bn_case(shape: tuple[int, ...], training: bool):
    rng = numpy.random.default_rng(0)
    x = glassnet.tensor(rng.standard_normal(shape).astype(numpy.float32), requires_grad=True)
    gamma = glassnet.ones(shape[1], requires_grad=True)
    beta = glassnet.zeros(shape[1], requires_grad=True)
    mean, var = glassnet.zeros(shape[1]), glassnet.ones(shape[1])
    return lambda: F.batch_norm(x, mean, var, gamma, beta, training=training)


def unary_case(shape: tuple[int, ...], op: Callable[[Any], Any]):
    rng = numpy.random.default_rng(0)
    x = glassnet.tensor(rng.standard_normal(shape).astype(numpy.float32), requires_grad=True)
    return lambda: op(x)


CASES: list[tuple[str, Callable[[], Callable[[], Any]]]] = [
    ("conv 3->16 k3 @32 (stem)", lambda: conv_case(128, 3, 16, 32, 3, 1, 1)),
    ("conv 16->16 k3 @32", lambda: conv_case(128, 16, 16, 32, 3, 1, 1)),
    ("conv 16->32 k3 s2 @32", lambda: conv_case(128, 16, 32, 32, 3, 2, 1)),
    ("conv 32->32 k3 @16", lambda: conv_case(128, 32, 32, 16, 3, 1, 1)),
    ("conv 64->64 k3 @8", lambda: conv_case(128, 64, 64, 8, 3, 1, 1)),
    ("LeNet conv 1->6 k5 p2 @28", lambda: conv_case(128, 1, 6, 28, 5, 1, 2)),
    ("LeNet conv 6->16 k5 @14", lambda: conv_case(128, 6, 16, 14, 5, 1, 0)),
    ("LeNet conv 16->120 k5 @5", lambda: conv_case(128, 16, 120, 5, 5, 1, 0)),
    ("batch_norm train 128x16x32x32", lambda: bn_case((128, 16, 32, 32), True)),
    ("batch_norm train 128x64x8x8", lambda: bn_case((128, 64, 8, 8), True)),
    ("batch_norm eval 128x16x32x32", lambda: bn_case((128, 16, 32, 32), False)),
    ("relu 128x16x32x32", lambda: unary_case((128, 16, 32, 32), F.relu)),
    ("tanh 128x6x28x28", lambda: unary_case((128, 6, 28, 28), glassnet.tanh)),
    (
        "avg_pool2d k2 128x6x28x28",
        lambda: unary_case((128, 6, 28, 28), lambda x: F.avg_pool2d(x, 2)),
    ),
]


def timed(make: Callable[[], Any], backward: bool) -> Callable[[], None]:
    def run() -> None:
        out = make()
        if backward:
            out.backward(numpy.ones(out.shape, dtype=numpy.float32))

    return run


def with_threads(count: int, step: Callable[[], None], path: Any = None) -> Callable[[], None]:
    """The step at `count` glassnet threads; count 1 with the BLAS on one thread as well."""

    def run() -> None:
        saved = parallel._requested
        parallel._requested = count
        try:
            if count == 1:  # the BLAS's controllers directly: threadpool_limits costs ~1 ms
                blas = parallel.blas_controllers()
                limits = [lib.get_num_threads() for lib in blas]
                for lib in blas:
                    lib.set_num_threads(1)
                try:
                    step()
                finally:
                    for lib, limit in zip(blas, limits):
                        lib.set_num_threads(limit)
            elif path is None:
                step()
            else:
                before = path.saved
                with path:
                    step()
                path.calls.append(path.saved - before)
        finally:
            parallel._requested = saved

    return run


def compare(steps: list[Callable[[], None]], repeat: int) -> list[tuple[list[float], list[float]]]:
    """(wall times, CPU times) of each step, the steps alternating, after one warm-up each."""
    for step in steps:
        step()
    times: list[tuple[list[float], list[float]]] = [([], []) for _ in steps]
    for _ in range(repeat):
        for step, (wall, cpu) in zip(steps, times):
            start, start_cpu = time.perf_counter(), time.process_time()
            step()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return times


class CriticalPath:
    """Bench-only: record each block's task CPU times (time.thread_time) while installed.

    On idle cores a block takes about its longest task, so a step's wall time there is
    about its CPU time (all threads) minus, per block, the sum of its tasks' times but the
    longest: `saved`. Wake-up latency and the threads' shared memory bandwidth are not in
    it, so it reads optimistic; but it can be measured on a machine whose cores are busy.
    """

    def __init__(self) -> None:
        self.saved = 0.0
        self.calls: list[float] = []  # saved per step, where with_threads records it
        self.original = parallel._run_on_pool

    def __enter__(self) -> CriticalPath:
        def timed_block(tasks: Any) -> list[Any]:
            times = [0.0] * len(tasks)

            def timed(index: int, task: Callable[[], Any]) -> Callable[[], Any]:
                def run() -> Any:
                    start = time.thread_time()
                    try:
                        return task()
                    finally:
                        times[index] = time.thread_time() - start

                return run

            try:
                return self.original([timed(i, task) for i, task in enumerate(tasks)])
            finally:
                self.saved += sum(times) - max(times)

        parallel._run_on_pool = timed_block
        return self

    def __exit__(self, *exc: Any) -> None:
        parallel._run_on_pool = self.original


def model_table(repeat: int) -> None:
    """Whole steps: CPU time on one thread (glassnet and BLAS) vs the estimate for idle cores."""
    import bench_models

    print(
        "| step | CPU ms, all on one thread | CPU ms, default threads | est. wall ms on idle "
        "cores (CPU - overlap) | est. speed-up | measured wall ms 1 thr / default (best) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, name, mode in bench_models.ROWS[1:4]:
        ours, _, x, labels = bench_models.twins(name)
        step = (
            bench_models.train_step(glassnet, ours, x, labels)
            if mode == "train"
            else bench_models.eval_step(glassnet, ours, x)
        )
        step()
        serial_cpu, cpu, idle, wall_one, wall = [], [], [], [], []
        for _ in range(repeat):
            with threadpool_limits(1, user_api="blas"):
                start, start_wall = time.process_time(), time.perf_counter()
                step()
                serial_cpu.append(time.process_time() - start)
                wall_one.append(time.perf_counter() - start_wall)
            with CriticalPath() as path:
                start, start_wall = time.process_time(), time.perf_counter()
                step()
                cpu.append(time.process_time() - start)
                wall.append(time.perf_counter() - start_wall)
            idle.append(cpu[-1] - path.saved)
        one, many, estimate = min(serial_cpu), min(cpu), min(idle)
        print(
            f"| {label} | {one * 1e3:.1f} | {many * 1e3:.1f} | {estimate * 1e3:.1f} | "
            f"{one / estimate:.2f} | {min(wall_one) * 1e3:.0f} / {min(wall) * 1e3:.0f} |",
            flush=True,
        )


def op_table(repeat: int) -> None:
    threads = glassnet.get_num_threads()
    print(
        f"| op | wall ms 1 thread (best / median) | {threads} threads | CPU ms 1 thread | "
        f"{threads} threads | est. ms on idle cores | est. speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, build in CASES:
        for backward in (False, True):
            step = timed(build(), backward)
            path = CriticalPath()
            steps = [with_threads(1, step), with_threads(threads, step, path)]
            (one, one_cpu), (many, many_cpu) = compare(steps, repeat)
            estimate = min(cpu - saved for cpu, saved in zip(many_cpu, path.calls[1:]))
            print(
                f"| {label} {'fwd+bwd' if backward else 'fwd'} | {min(one) * 1e3:.2f} / "
                f"{statistics.median(one) * 1e3:.2f} | {min(many) * 1e3:.2f} / "
                f"{statistics.median(many) * 1e3:.2f} | {min(one_cpu) * 1e3:.2f} | "
                f"{min(many_cpu) * 1e3:.2f} | {estimate * 1e3:.2f} | {min(one_cpu) / estimate:.2f} |",
                flush=True,
            )


def overhead(repeat: int = 2000) -> None:
    """Microseconds per empty block of `parallel.run`, per BLAS switch, per threadpool_limits."""
    tasks = [lambda: None] * glassnet.get_num_threads()
    blas = parallel.blas_controllers()
    rows = {
        "parallel.run, empty tasks (incl. 2 BLAS switches)": lambda: parallel.run(tasks),
        "openblas_set_num_threads (one call)": lambda: blas[0].set_num_threads(
            blas[0].get_num_threads()
        ),
        "parallel.active_threads()": parallel.active_threads,
        "threadpool_limits(1) enter + exit": lambda: threadpool_limits(
            1, user_api="blas"
        ).restore_original_limits(),
    }
    for label, call in rows.items():
        count = repeat if "threadpool_limits" not in label else repeat // 20
        for _ in range(10):
            call()
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(count):
                call()
            best = min(best, (time.perf_counter() - start) / count)
        print(f"{label}: {best * 1e6:.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--overhead", action="store_true")
    parser.add_argument("--only", default="", help="only ops whose label contains this")
    parser.add_argument("--models", action="store_true", help="whole steps, not ops")
    args = parser.parse_args()
    glassnet.utils.tune_malloc()
    print(
        f"CPU: {cpu_model()}; BLAS: {blas_info()}; glassnet threads {glassnet.get_num_threads()}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if args.overhead:
        overhead()
    if args.models:
        model_table(args.repeat)
    else:
        if args.only:
            CASES[:] = [case for case in CASES if args.only in case[0]]
        op_table(args.repeat)
    print(f"load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
