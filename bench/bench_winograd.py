"""Winograd F(2x2,3x3) and F(4x4,3x3) in NumPy with every tile transform one GEMM (issue 20).

A 3x3, stride-1, padding-1 convolution of NCHW float32 input, forward only, computed as

    Y = A^T [ (G g G^T) . (B^T d B) ] A        per output tile of m x m (m = 2 or 4),

over all tiles at once:
- gather: pad x once, take the overlapping (m+2)x(m+2) input tiles at stride m with
  sliding_window_view, and copy them into D of shape (t*t, C, N*T) (t = m + 2 tile points,
  T tiles per image) in one copy;
- input transform: vec(B^T d B) = (B^T kron B^T) vec(d), so V = KB @ D.reshape(t*t, -1) is one
  (t*t x t*t) @ (t*t, C*N*T) GEMM;
- filter transform: U = (G kron G) @ W.reshape(9, O*C), one (t*t x 9) GEMM;
- element-wise stage: M[p] = U[p] @ V[p] for the t*t points p, one batched matmul of
  (O x C) @ (C x N*T);
- output transform: Y = (A^T kron A^T) @ M.reshape(t*t, -1), one (m*m x t*t) GEMM, then one
  copy from (m, m, O, N, th, tw) into NCHW.

Three variants of each form: the whole batch at once; "blocked": images in blocks of about
2 MiB of tiles (as glassnet's im2col works in 3 MiB blocks), so the passes stay in cache;
"blk+pl": blocked, and the tile points last (D stored (C, N, th, tw, t, t), passed to the GEMM
as a transposed view, so the gather copies rows of t; the output transform as
M^T @ (A^T kron A^T)^T, so the scatter into NCHW reads rows of m).

Every result is asserted against glassnet's conv2d and torch's (relative max error < 1e-4)
before any timing. Then glassnet.nn.functional.conv2d (under glassnet.no_grad()), torch's
conv2d and the Winograd variants are timed interleaved at ResNet-20's three stride-1 shapes (batch 128):
one BLAS thread (threadpoolctl) and torch.set_num_threads(1), CPU time (time.process_time)
because the 2-core machine is shared; median and [min, max] over the rounds. The Winograd
time is also split into its stages (medians).

Run: `PYTHONPATH=src python bench/bench_winograd.py [--rounds 11]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy
import torch
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import threadpool_limits

import glassnet

sys.path.insert(0, str(Path(__file__).parent))
from machine import blas_info, cpu_model

BATCH = 128
SHAPES = ((16, 32), (32, 16), (64, 8))  # (channels in = out, height = width)
STAGES = ("filter transform", "gather", "input transform", "GEMMs", "output transform")
BLOCK_BYTES = 2 << 20  # tiles per block of images in the blocked forms (glassnet's im2col: 3 MiB)
TOLERANCE = 1e-4  # relative max error (max |difference| / max |reference|), both forms

# Lavin & Gray (2015) matrices: B^T (t x t), G (t x 3), A^T (m x t).
F2 = {
    "BT": [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    "G": [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
    "AT": [[1, 1, 1, 0], [0, 1, -1, -1]],
}
F4 = {
    "BT": [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    "G": [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    "AT": [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
}


class Winograd:
    """F(m x m, 3 x 3) with the three transforms as Kronecker-product GEMMs over all tiles."""

    def __init__(
        self,
        matrices: dict[str, list[list[float]]],
        block_bytes: int = 0,
        points_last: bool = False,
    ) -> None:
        bt, g, at = (numpy.array(matrices[k], dtype=numpy.float64) for k in ("BT", "G", "AT"))
        self.m, self.t = at.shape
        self.kb = numpy.kron(bt, bt).astype(numpy.float32)  # (t*t, t*t)
        self.kg = numpy.kron(g, g).astype(numpy.float32)  # (t*t, 9)
        self.ka = numpy.kron(at, at).astype(numpy.float32)  # (m*m, t*t)
        self.block_bytes = block_bytes
        self.points_last = points_last
        self.times: dict[str, float] = {}

    def gather(self, x: numpy.ndarray) -> numpy.ndarray:
        """D[(i, j), (c, n, th, tw)] = x_pad[n, c, m th + i, m tw + j]: a padded copy, a tile copy."""
        n, c, h, w = x.shape
        m, t = self.m, self.t
        padded = numpy.zeros((n, c, h + 2, w + 2), dtype=x.dtype)
        padded[:, :, 1:-1, 1:-1] = x
        tiles = sliding_window_view(padded, (t, t), axis=(2, 3))[:, :, ::m, ::m]  # (n,c,th,tw,t,t)
        if self.points_last:  # copy rows of t from the tiles; (t*t, C*N*T) as a transposed view
            out = numpy.empty((c, n, h // m, w // m, t, t), dtype=x.dtype)
            out[...] = tiles.transpose(1, 0, 2, 3, 4, 5)
            return out.reshape(-1, t * t).T
        out = numpy.empty((t, t, c, n, h // m, w // m), dtype=x.dtype)
        out[...] = tiles.transpose(4, 5, 1, 0, 2, 3)
        return out.reshape(t * t, -1)

    def __call__(self, x: numpy.ndarray, weight: numpy.ndarray) -> numpy.ndarray:
        """The convolution, images in blocks of about self.block_bytes of tiles (0: one block)."""
        n, c, h, w = x.shape
        m, t = self.m, self.t
        if h % m or w % m or weight.shape[1:] != (c, 3, 3):
            raise ValueError(f"Winograd F({m},3): x {x.shape}, weight {weight.shape}")
        self.times = dict.fromkeys(STAGES, 0.0)
        start = time.process_time()
        u = (self.kg @ weight.transpose(2, 3, 0, 1).reshape(9, -1)).reshape(t * t, -1, c)
        self.times["filter transform"] += time.process_time() - start
        out = numpy.empty((n, u.shape[1], h // m, m, w // m, m), dtype=x.dtype)
        per_image = t * t * c * (h // m) * (w // m) * x.itemsize
        step = max(1, self.block_bytes // per_image) if self.block_bytes else n
        for first in range(0, n, step):
            self.block(x[first : first + step], u, out[first : first + step])
        return out.reshape(n, -1, h, w)

    def block(self, x: numpy.ndarray, u: numpy.ndarray, out: numpy.ndarray) -> None:
        """out (n, O, th, m, tw, m) = the convolution of the images x with the transformed u."""
        n, c, h, w = x.shape
        m, t, o = self.m, self.t, u.shape[1]
        clock = time.process_time
        marks = [clock()]
        d = self.gather(x)
        marks.append(clock())
        v = (self.kb @ d).reshape(t * t, c, -1)  # (t*t, C, N*T)
        marks.append(clock())
        product = numpy.matmul(u, v)  # (t*t, O, N*T)
        marks.append(clock())
        if self.points_last:  # y (O*N*T, m*m): the scatter reads rows of m
            y = (product.reshape(t * t, -1).T @ self.ka.T).reshape(o, n, h // m, w // m, m, m)
            out[...] = y.transpose(1, 0, 2, 4, 3, 5)
        else:
            y = (self.ka @ product.reshape(t * t, -1)).reshape(m, m, o, n, h // m, w // m)
            out[...] = y.transpose(3, 2, 4, 0, 5, 1)
        marks.append(clock())
        for stage, begin, end in zip(STAGES[1:], marks[:-1], marks[1:], strict=True):
            self.times[stage] += end - begin


def relative_error(ours: numpy.ndarray, reference: numpy.ndarray) -> float:
    return float(numpy.abs(ours - reference).max() / numpy.abs(reference).max())


def check(forms: dict[str, Winograd], x: numpy.ndarray, weight: numpy.ndarray) -> dict[str, float]:
    """Each Winograd form against glassnet's conv2d and torch's; asserts the tolerance."""
    with glassnet.no_grad():
        ours = glassnet.nn.functional.conv2d(
            glassnet.tensor(x), glassnet.tensor(weight), padding=1
        ).numpy()
    theirs = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(weight), padding=1)
    errors = {"glassnet vs torch": relative_error(ours, theirs.numpy())}
    for name, form in forms.items():
        result = form(x, weight)
        errors[f"{name} vs glassnet"] = relative_error(result, ours)
        errors[f"{name} vs torch"] = relative_error(result, theirs.numpy())
        worst = max(errors[f"{name} vs glassnet"], errors[f"{name} vs torch"])
        assert worst < TOLERANCE, f"{name}: relative error {worst:.2e} >= {TOLERANCE} at {x.shape}"
    return errors


def rounds(
    runners: dict[str, Callable[[], None]], forms: dict[str, Winograd], count: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
    """Interleaved rounds (every runner once per round, after a warm-up): CPU seconds."""
    for run in runners.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    splits: dict[str, dict[str, list[float]]] = {name: {} for name in forms}
    for _ in range(count):
        for name, run in runners.items():
            start = time.process_time()
            run()
            times[name].append(time.process_time() - start)
            if name in forms:
                for stage, seconds in forms[name].times.items():
                    splits[name].setdefault(stage, []).append(seconds)
    return times, splits


def bench_shape(channels: int, size: int, count: int) -> None:
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((BATCH, channels, size, size)).astype(numpy.float32)
    weight = (rng.standard_normal((channels, channels, 3, 3)) / (3 * channels**0.5)).astype(
        numpy.float32
    )
    forms = {
        "F(2x2,3x3)": Winograd(F2),
        "F(4x4,3x3)": Winograd(F4),
        "F(2x2,3x3) blocked": Winograd(F2, BLOCK_BYTES),
        "F(4x4,3x3) blocked": Winograd(F4, BLOCK_BYTES),
        "F(2x2,3x3) blk+pl": Winograd(F2, BLOCK_BYTES, points_last=True),
        "F(4x4,3x3) blk+pl": Winograd(F4, BLOCK_BYTES, points_last=True),
    }
    errors = check(forms, x, weight)
    print(f"\n{channels}->{channels} @{size}x{size}, batch {BATCH}")
    print("  relative max error: " + ", ".join(f"{k} {v:.1e}" for k, v in errors.items()))
    gx, gw = glassnet.tensor(x), glassnet.tensor(weight)
    tx, tw = torch.from_numpy(x), torch.from_numpy(weight)

    def glassnet_run() -> None:
        with glassnet.no_grad():
            glassnet.nn.functional.conv2d(gx, gw, padding=1)

    def torch_run() -> None:
        with torch.no_grad():
            torch.nn.functional.conv2d(tx, tw, padding=1)

    runners = {"glassnet im2col": glassnet_run, "torch": torch_run}
    runners |= {name: (lambda form=form: form(x, weight)) for name, form in forms.items()}
    times, splits = rounds(runners, forms, count)
    base = statistics.median(times["glassnet im2col"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:19s} {median * 1e3:6.1f} ms [{min(values) * 1e3:.1f}, "
            f"{max(values) * 1e3:.1f}]  / glassnet {median / base:.2f}"
        )
    for name, stages in splits.items():
        parts = ", ".join(f"{k} {statistics.median(v) * 1e3:.1f}" for k, v in stages.items())
        print(f"  {name} split (ms, medians): {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="timed interleaved rounds (>= 7)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        print(f"CPU: {cpu_model()}; BLAS: {blas_info()}; torch threads {torch.get_num_threads()}")
        print(
            f"numpy {numpy.__version__}, torch {torch.__version__}; forward only, float32; CPU time,"
            f" {args.rounds} interleaved rounds: median [min, max]"
        )
        for channels, size in SHAPES:
            bench_shape(channels, size, args.rounds)


if __name__ == "__main__":
    main()
