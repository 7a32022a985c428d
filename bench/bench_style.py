"""Style transfer, glassnet vs PyTorch in one process: CPU time, evaluations, style loss.

The same problem in both frameworks: `sample:china` painted with `sample:flower` at
--size (long side, default 256), random multi-scale banks (the same filters: sizes 3..23,
128 each, sizes >= 11 on the picture average-pooled 2x, valid convolution, ReLU, one
tutorial-normalised Gram per bank), the objective of glassnet.style.transfer (each
layer's loss relative to its target; content from bank7), starting from the content
picture, L-BFGS with a strong-Wolfe line search, history 50, a budget of --steps
evaluations. glassnet uses its FFT convolution; torch its own conv2d. Both run on one
thread (threadpoolctl / torch.set_num_threads), so the numbers are CPU seconds of one
core (time.process_time), robust to other jobs on the machine; wall seconds are printed
too. "within 5%" is the first evaluation whose total loss is within 5% of the final one.

Run: `python bench/bench_style.py [--size 256] [--steps 100] [--repeat 1]`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy
import torch
from threadpoolctl import threadpool_limits

from glassnet.style.features import MultiScaleBanks
from glassnet.style.images import load_image
from glassnet.style.transfer import transfer

sys.path.insert(0, str(Path(__file__).parent))
from machine import blas_info, cpu_model

STYLE_WEIGHT, CONTENT_WEIGHT = 100.0, 1.0


def torch_features(banks: MultiScaleBanks, image: torch.Tensor) -> dict[str, torch.Tensor]:
    pooled = torch.nn.functional.avg_pool2d(image, 2)
    maps = {}
    for size in banks.sizes:
        source = pooled if size >= banks.downsample_from else image
        weight = torch.from_numpy(banks.weights[size])
        maps[f"bank{size}"] = torch.relu(torch.nn.functional.conv2d(source, weight))
    return maps


def torch_gram(maps: torch.Tensor) -> torch.Tensor:
    batch, channels, height, width = maps.shape
    flat = maps.reshape(batch, channels, height * width)
    return flat @ flat.transpose(1, 2) / (channels * height * width)


def run_torch(banks: MultiScaleBanks, content: numpy.ndarray, style: numpy.ndarray, steps: int):
    """glassnet.style.transfer's objective and L-BFGS settings, written in torch."""
    with torch.no_grad():
        content_maps = torch_features(banks, torch.from_numpy(content[None]))
        style_maps = torch_features(banks, torch.from_numpy(style[None]))
    content_targets = {n: content_maps[n] for n in banks.content_layers}
    style_targets = {n: torch_gram(style_maps[n]) for n in banks.style_layers}
    content_scale = {n: 1 / float((t.double() ** 2).mean()) for n, t in content_targets.items()}
    style_scale = {n: 1 / float((t.double() ** 2).mean()) for n, t in style_targets.items()}
    image = torch.tensor(content[None].copy(), requires_grad=True)
    history = []
    optimizer = torch.optim.LBFGS(
        [image],
        lr=1,
        max_iter=steps,
        max_eval=max(1, steps - 1),
        history_size=50,
        tolerance_change=0.0,
        tolerance_grad=0.0,
        line_search_fn="strong_wolfe",
    )

    def closure():
        optimizer.zero_grad()
        maps = torch_features(banks, image)
        content_loss = sum(
            ((maps[n] - t) ** 2).mean() * content_scale[n] for n, t in content_targets.items()
        )
        style_loss = sum(
            ((torch_gram(maps[n]) - t) ** 2).mean() * style_scale[n]
            for n, t in style_targets.items()
        )
        total = CONTENT_WEIGHT * content_loss + STYLE_WEIGHT * style_loss
        total.backward()
        history.append({"style": float(style_loss.detach()), "total": float(total.detach())})
        return total

    optimizer.step(closure)
    return history


def run_glassnet(banks, content, style, steps):
    result = transfer(
        content,
        style,
        banks,
        content_weight=CONTENT_WEIGHT,
        style_weight=STYLE_WEIGHT,
        steps=steps,
    )
    return result.history


def summary(name: str, history: list[dict], cpu: float, wall: float) -> str:
    final = history[-1]["total"]
    within = next(i + 1 for i, row in enumerate(history) if row["total"] <= 1.05 * final)
    ratio = history[-1]["style"] / history[0]["style"]
    return (
        f"| {name} | {cpu:.1f} | {wall:.1f} | {len(history)} | {cpu / len(history):.3f} "
        f"| {within} | {ratio:.4f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    content = load_image("sample:china", args.size)
    style = load_image("sample:flower", args.size)
    banks = MultiScaleBanks(seed=0)
    print(f"# {cpu_model()}; {blas_info()}; torch {torch.__version__}; one thread each")
    print(
        f"# {args.size} px long side ({content.shape[2]}x{content.shape[1]}), budget {args.steps}"
    )
    print(
        "| framework | CPU s | wall s | evaluations | CPU s / evaluation | within 5% at | final / initial style loss |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for _ in range(args.repeat):
        for name, run in (("glassnet", run_glassnet), ("torch", run_torch)):
            with threadpool_limits(1):
                cpu, wall = time.process_time(), time.perf_counter()
                history = run(banks, content, style, args.steps)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(summary(name, history, cpu, wall), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# peak RSS of this process (both frameworks): {peak:.0f} MB")


if __name__ == "__main__":
    main()
