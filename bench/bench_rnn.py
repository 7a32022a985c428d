"""LSTM training step, glassnet vs PyTorch in one process: median times and their ratio.

The model of issue 6's LSTM row: LSTM(1 -> 128) over 40 steps of a batch of 128
(batch_first), the last step's hidden state into Linear(128, 10), cross_entropy, then
backward and an SGD-momentum step. Both frameworks start from the same weights and
see the same batches; they are timed interleaved (glassnet, torch, glassnet, ...) so
machine noise hits both alike. A ratio above 1 means glassnet is slower.

Run: `python bench/bench_rnn.py [--repeat N] [--mode lstm|gru|rnn]`. On a 2-core machine
the two frameworks' thread pools compete: torch's OpenMP threads spin after each op
while NumPy's BLAS threads want the cores. `OMP_WAIT_POLICY=PASSIVE python bench/...`
makes both faster here; the header prints the setting used. When other processes load
the cores, OpenBLAS's threads stall at each of the 80 small per-step GEMMs; run with
OPENBLAS_NUM_THREADS=1 too and compare (see glassnet/ops/recurrent/__init__.py).
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
import torch

import glassnet
from glassnet.nn import functional as F
from glassnet.nn.linear import Linear
from glassnet.nn.recurrent import GRU, LSTM, RNN
from glassnet.optim import SGD
from glassnet.utils import tune_malloc

sys.path.insert(0, str(Path(__file__).parent))
from bench_ops import blas_info, cpu_model

BATCH, STEPS, HIDDEN, CLASSES = 128, 40, 128, 10
LAYERS = {"lstm": (LSTM, torch.nn.LSTM), "gru": (GRU, torch.nn.GRU), "rnn": (RNN, torch.nn.RNN)}


def build(lib: Any, mode: str) -> tuple[Any, Any]:
    recurrent = LAYERS[mode][0 if lib is glassnet else 1](1, HIDDEN, batch_first=True)
    head = Linear(HIDDEN, CLASSES) if lib is glassnet else torch.nn.Linear(HIDDEN, CLASSES)
    return recurrent, head


def training_step(
    lib: Any, recurrent: Any, head: Any, x: numpy.ndarray, y: numpy.ndarray
) -> Callable[[], float]:
    params = list(recurrent.parameters()) + list(head.parameters())
    optimizer = (
        SGD(params, lr=0.05, momentum=0.9)
        if lib is glassnet
        else torch.optim.SGD(params, lr=0.05, momentum=0.9)
    )
    inputs, targets = lib.tensor(x), lib.tensor(y)
    cross_entropy = F.cross_entropy if lib is glassnet else torch.nn.functional.cross_entropy

    def run() -> float:
        optimizer.zero_grad()
        output, _ = recurrent(inputs)
        loss = cross_entropy(head(output[:, -1]), targets)
        loss.backward()
        optimizer.step()
        return float(loss.item())

    return run


def measure(
    ours: Callable[[], float], theirs: Callable[[], float], repeat: int
) -> tuple[float, float, float, float]:
    """Median seconds per step (ours, theirs) and the last losses, after 3 warm-up steps each."""
    for _ in range(3):
        ours()
        theirs()
    ours_times, theirs_times = [], []
    loss_ours = loss_theirs = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        loss_ours = ours()
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        loss_theirs = theirs()
        theirs_times.append(time.perf_counter() - start)
    return statistics.median(ours_times), statistics.median(theirs_times), loss_ours, loss_theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed steps per framework")
    parser.add_argument("--mode", choices=sorted(LAYERS), default="lstm")
    args = parser.parse_args()
    tune_malloc()  # as the glassnet command does (glassnet.utils); the whole process, torch too
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((BATCH, STEPS, 1)).astype(numpy.float32)
    y = rng.integers(0, CLASSES, BATCH)
    ours_model, theirs_model = build(glassnet, args.mode), build(torch, args.mode)
    for mine, reference in zip(ours_model, theirs_model):
        mine.load_state_dict(reference.state_dict())
    print(
        f"CPU: {cpu_model()}; {torch.get_num_threads()} torch threads; BLAS: {blas_info()}; "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}"
    )
    print(
        f"numpy {numpy.__version__}, torch {torch.__version__}; median of {args.repeat} interleaved steps, "
        f"float32, batch {BATCH}, {STEPS} steps, {args.mode.upper()} 1->{HIDDEN} + Linear({HIDDEN}, {CLASSES})"
    )
    ours, theirs, loss_ours, loss_theirs = measure(
        training_step(glassnet, *ours_model, x, y),
        training_step(torch, *theirs_model, x, y),
        args.repeat,
    )
    print(
        f"glassnet {ours * 1e3:.2f} ms, torch {theirs * 1e3:.2f} ms, ratio {ours / theirs:.2f} "
        f"(losses after the run: {loss_ours:.5f} vs {loss_theirs:.5f})"
    )


if __name__ == "__main__":
    main()
