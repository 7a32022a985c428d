"""Optimisers: SGD, Momentum, Adagrad, RMSProp and Adam on the textbook pictures and on MNIST-1D.

Three kinds of evidence, all with glassnet's real optimisers (which match torch.optim):
  * exact replays of each update rule on a fixed gradient sequence (`_optimizer_mechanics`);
  * two-dimensional problems with exact gradients: a rotated quadratic valley (condition
    number 50, convex) and Rosenbrock's function (not convex), each optimiser over a
    learning-rate grid: steps to reach the tolerance, and the shape of the path;
  * an MLP on MNIST-1D (40-64-64-10, ReLU, batch 64) over the same kind of grid: the
    final training loss, how wide the band of good learning rates is, and each adaptive
    optimiser's effective learning rate lr / (sqrt(v) + eps) over training.
"One sample" SGD is compared with full-batch gradient descent at equal numbers of
gradient evaluations (epochs). Verdicts state their thresholds; none was tuned afterwards.
"""

from __future__ import annotations

import math

import numpy as np

import glassnet
from glassnet.lab import Result, Text, experiment
from glassnet.lab.topics import _optimizer_mechanics as mechanics
from glassnet.lab.topics._optimizer_mechanics import OPTIMIZERS, effective_lr
from glassnet.lab.topics._training_opt import (
    Clock,
    Path2D,
    Problem2D,
    evaluate,
    lr_grid,
    mnist1d_split,
    quadratic,
    rosenbrock,
    run_2d,
    train,
)
from glassnet.models.mlp import MLP

ADAPTIVE = ("Adagrad", "RMSProp", "Adam")
LRS_2D = lr_grid(-4, 0.5)
STEPS_2D = {
    "smoke": (600, 3000),
    "quick": (1000, 5000),
    "full": (3000, 20000),
}  # quadratic, Rosenbrock
LRS_MLP = {"smoke": lr_grid(-4, 0, 1), "quick": lr_grid(-4, 0.5), "full": lr_grid(-4.5, 1)}
STEPS_MLP = {"smoke": 150, "quick": 400, "full": 2000}
SEEDS = {"smoke": 1, "quick": 2, "full": 3}
ONE_SAMPLE = {
    "smoke": (300, 1, 60),
    "quick": (1000, 2, 300),
    "full": (4000, 3, 1000),
}  # n, epochs, GD steps
SIZES, BATCH, EVAL_EVERY = [40, 64, 64, 10], 64, 25
# thresholds, fixed before measuring
COSINE_GAIN = 0.2  # momentum: consecutive-update cosine higher than GD's by this
GOOD_LR = 1.5  # a 'good' lr: final loss within 1.5x the optimiser's best
SPREAD_GAP = 0.5  # best-lr spread across problems larger by half a decade
FALLS = 3.0  # Adagrad's effective lr falls >= 3x (and >= 3x more than RMSProp's)
HURTS = 1.1  # ... and ends with >= 1.1x RMSProp's loss
SOLVES_MLP = 1.5  # 'solves' the MLP: best final loss within 1.5x the best optimiser's
ADAM_SLACK = 1.1  # Adam at least as good as the better of Momentum and RMSProp, 10% slack
INVARIANT, CHANGES = 1e-3, 0.1
GD_HALVES = 0.5  # GD 'converges' when its loss ends at most half where it started


def _best(paths: dict[float, Path2D]) -> float:
    """The learning rate that solves fastest, else the one with the lowest final value."""
    return min(paths, key=lambda lr: (paths[lr].solved_at or math.inf, paths[lr].final, lr))


def _steps_text(path: Path2D, budget: int) -> str:
    return "diverged" if path.diverged else str(path.solved_at) if path.solved_at else f"> {budget}"


def _at_least_as_good(a: Path2D, b: Path2D) -> bool:
    if a.solved_at and b.solved_at:
        return a.solved_at <= ADAM_SLACK * b.solved_at
    if a.solved_at or b.solved_at:
        return bool(a.solved_at)
    return a.final <= ADAM_SLACK * b.final


def mlp_sweep(data, lrs: list[float], steps: int, seeds: int, seed: int) -> dict:
    """Every optimiser at every lr: {(name, lr): [(Curve, test accuracy), ...] over seeds}."""
    runs = {}
    record = {1, 10} | set(range(EVAL_EVERY, steps + 1, EVAL_EVERY))
    for name, make in OPTIMIZERS.items():
        for lr in lrs:
            found = []
            for k in range(seeds):
                glassnet.manual_seed(seed * 100 + k)
                model = MLP(SIZES, "relu")
                optimizer = make(list(model.parameters()), lr)

                def after(step: int, curve, optimizer=optimizer, name: str = name) -> None:
                    if step in record and name in ADAPTIVE:
                        curve.extra.setdefault("step", []).append(step)
                        curve.extra.setdefault("eff_lr", []).append(effective_lr(optimizer))

                curve = train(
                    model,
                    optimizer,
                    data,
                    steps,
                    BATCH,
                    seed * 100 + k,
                    EVAL_EVERY,
                    after_step=after,
                )
                found.append(
                    (curve, 0.0 if curve.diverged else evaluate(model, data.x_test, data.y_test)[1])
                )
            runs[(name, lr)] = found
    return runs


def _final(runs: list) -> float:
    return float(np.mean([curve.final_loss for curve, _ in runs]))


@experiment("optimizers")
def run(mode: str, seed: int) -> Result:
    from glassnet.lab.topics import (
        _optimizer_verdicts as verdicts,  # imports this module
    )

    clock = Clock()
    q_steps, r_steps = STEPS_2D[mode]
    lrs, steps, seeds = LRS_MLP[mode], STEPS_MLP[mode], SEEDS[mode]
    n, epochs, gd_steps = ONE_SAMPLE[mode]
    result = Result.start(
        "optimizers",
        mode,
        seed,
        setup=Text(
            f"glassnet's SGD, Momentum (SGD with momentum 0.9), Adagrad, RMSprop (alpha 0.99) and Adam (0.9, 0.999), "
            f"PyTorch's defaults otherwise. 2-D problems with exact gradients: a quadratic valley rotated 30 degrees "
            f"with condition number 50 (solved at f <= 1e-6 f(start), {q_steps} steps) and Rosenbrock's function from "
            f"(-1.2, 1) (solved at f <= 1e-4, {r_steps} steps), learning rates {LRS_2D}. MNIST-1D: MLP "
            f"{'-'.join(map(str, SIZES))} (ReLU, PyTorch's default init), batch {BATCH}, {steps} steps, {seeds} seed(s), "
            f"learning rates {lrs}; the loss is evaluated on 1,000 training samples. One-sample SGD vs full-batch GD: "
            f"{n} training samples, {epochs} epoch(s) each, GD continued to {gd_steps} steps.",
            f"glassnet 的 SGD、Momentum(动量 0.9 的 SGD)、Adagrad、RMSprop(alpha 0.99)和 Adam(0.9, 0.999),其余为 PyTorch "
            f"默认值。二维问题使用精确梯度:旋转 30 度、条件数 50 的二次山谷(f <= 1e-6 f(起点) 视为解决,{q_steps} 步)与从 (-1.2, 1) "
            f"出发的 Rosenbrock 函数(f <= 1e-4 视为解决,{r_steps} 步),学习率 {LRS_2D}。MNIST-1D:MLP "
            f"{'-'.join(map(str, SIZES))}(ReLU,PyTorch 默认初始化),批大小 {BATCH},{steps} 步,{seeds} 个种子,学习率 {lrs};"
            f"损失在 1000 个训练样本上评估。单样本 SGD 对比全批量 GD:{n} 个训练样本,各 {epochs} 个 epoch,GD 继续到 {gd_steps} 步。",
        ),
    )

    replay_rows = mechanics.adagrad_rule(result, seed) + mechanics.rmsprop_average(result, seed)
    replay_rows += mechanics.rmsprop_no_momentum(result, mechanics.zero_gradient_steps(seed))
    result.add_table(
        Text("Update rules replayed on fixed gradients", "在固定梯度上重放的更新规则"),
        [Text("optimiser", "优化器"), Text("compared with", "对比对象"), Text("value", "数值")],
        replay_rows,
    )

    problems: dict[str, Problem2D] = {"quadratic": quadratic(), "rosenbrock": rosenbrock()}
    budgets = {"quadratic": q_steps, "rosenbrock": r_steps}
    paths = {
        (p, name): {lr: run_2d(make, problem, lr, budgets[p]) for lr in LRS_2D}
        for p, problem in problems.items()
        for name, make in OPTIMIZERS.items()
    }
    best_2d = {key: _best(found) for key, found in paths.items()}
    result.add_table(
        Text(
            "2-D problems: each optimiser at its best learning rate",
            "二维问题:各优化器取最佳学习率",
        ),
        [
            Text("optimiser", "优化器"),
            Text("quadratic: best lr", "二次函数:最佳学习率"),
            Text("steps to solve", "解决所需步数"),
            Text("Rosenbrock: best lr", "Rosenbrock:最佳学习率"),
            Text("steps to solve", "解决所需步数"),
            Text("Rosenbrock: final f", "Rosenbrock:最终 f"),
        ],
        [
            [
                name,
                best_2d[("quadratic", name)],
                _steps_text(paths[("quadratic", name)][best_2d[("quadratic", name)]], q_steps),
                best_2d[("rosenbrock", name)],
                _steps_text(paths[("rosenbrock", name)][best_2d[("rosenbrock", name)]], r_steps),
                f"{paths[('rosenbrock', name)][best_2d[('rosenbrock', name)]].final:.3g}",
            ]
            for name in OPTIMIZERS
        ],
    )
    verdicts.momentum_oscillation(result, problems, budgets, best_2d)

    data = mnist1d_split()
    sweep = mlp_sweep(data, lrs, steps, seeds, seed)
    best_mlp = {
        name: min(lrs, key=lambda lr, name=name: (_final(sweep[(name, lr)]), lr))
        for name in OPTIMIZERS
    }
    verdicts.mlp_table(result, sweep, best_mlp, lrs)
    verdicts.lr_hard(result, sweep, best_mlp, best_2d, lrs)
    verdicts.adagrad_decay(result, sweep, best_mlp)
    verdicts.convexity(result, paths, best_2d, sweep, best_mlp, budgets)
    verdicts.adam(result, paths, best_2d, sweep, best_mlp, problems)
    verdicts.one_sample(result, mnist1d_split(n_train=n, n_eval=n), epochs, gd_steps, seed)
    verdicts.figures(result, problems, paths, best_2d, budgets, sweep, best_mlp, lrs)
    result.add_table(
        Text("Cost", "耗时"),
        [Text("CPU seconds", "CPU 秒"), Text("wall seconds", "墙钟秒")],
        [[round(clock.cpu, 2), round(clock.wall, 2)]],
        note=Text("reported, never asserted", "仅报告,不作断言"),
    )
    return result
