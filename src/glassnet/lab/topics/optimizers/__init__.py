"""Optimisers: SGD, Momentum, Adagrad, RMSProp and Adam on the textbook pictures and on MNIST-1D.

Three kinds of evidence, all with glassnet's real optimisers (which match torch.optim):
  * exact replays of each update rule on a fixed gradient sequence (`mechanics`);
  * two-dimensional problems with exact gradients: a rotated quadratic valley (condition
    number 50, convex) and Rosenbrock's function (not convex), each optimiser over a
    learning-rate grid: steps to reach the tolerance, and the shape of the path;
  * an MLP on MNIST-1D (40-64-64-10, ReLU, batch 64) over the same kind of grid: the
    final training loss, how wide the band of good learning rates is, and each adaptive
    optimiser's effective learning rate lr / (sqrt(v) + eps) over training.
"One sample" SGD is compared with full-batch gradient descent at equal numbers of
gradient evaluations (epochs). Verdicts state their thresholds; none was tuned afterwards.

The package: `settings` (modes, thresholds), `surfaces` (the 2-D problems), `mechanics`
(update rules replayed), `measure` (the MNIST-1D sweep), `judge` (one function per claim,
with its figures), and this file, which runs them in order.
"""

from __future__ import annotations

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.curve import probe_split
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.optimizers import judge as verdicts
from glassnet.lab.topics.optimizers import mechanics
from glassnet.lab.topics.optimizers.measure import best_lr, final_loss, mlp_sweep, steps_text
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS
from glassnet.lab.topics.optimizers.settings import (
    BATCH,
    LRS_2D,
    LRS_MLP,
    ONE_SAMPLE,
    SEEDS,
    SIZES,
    STEPS_2D,
    STEPS_MLP,
)
from glassnet.lab.topics.optimizers.surfaces import Problem2D, quadratic, rosenbrock, run_2d


def _table_2d(result: Result, paths: dict, best_2d: dict, q_steps: int, r_steps: int) -> None:
    """Each optimiser at its best learning rate on the two 2-D problems."""
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
                steps_text(paths[("quadratic", name)][best_2d[("quadratic", name)]], q_steps),
                best_2d[("rosenbrock", name)],
                steps_text(paths[("rosenbrock", name)][best_2d[("rosenbrock", name)]], r_steps),
                f"{paths[('rosenbrock', name)][best_2d[('rosenbrock', name)]].final:.3g}",
            ]
            for name in OPTIMIZERS
        ],
    )


@experiment("optimizers")
def run(mode: str, seed: int) -> Result:
    clock = Clock()
    q_steps, r_steps = STEPS_2D[mode]
    lrs, steps, seeds = LRS_MLP[mode], STEPS_MLP[mode], SEEDS[mode]
    n, epochs, gd_steps = ONE_SAMPLE[mode]
    result = Result.start("optimizers", mode, seed)
    result.setup = result.say(
        "setup",
        q_steps=q_steps,
        r_steps=r_steps,
        lrs_2d=LRS_2D,
        sizes="-".join(map(str, SIZES)),
        batch=BATCH,
        steps=steps,
        seeds=seeds,
        lrs=lrs,
        n=n,
        epochs=epochs,
        gd_steps=gd_steps,
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
    best_2d = {key: best_lr(found) for key, found in paths.items()}
    _table_2d(result, paths, best_2d, q_steps, r_steps)
    verdicts.momentum_oscillation(result, problems, budgets, best_2d)

    data = probe_split()
    sweep = mlp_sweep(data, lrs, steps, seeds, seed)
    best_mlp = {
        name: min(lrs, key=lambda lr, name=name: (final_loss(sweep[(name, lr)]), lr))
        for name in OPTIMIZERS
    }
    verdicts.mlp_table(result, sweep, best_mlp, lrs)
    verdicts.lr_hard(result, sweep, best_mlp, best_2d, lrs)
    verdicts.adagrad_decay(result, sweep, best_mlp)
    verdicts.convexity(result, paths, best_2d, sweep, best_mlp, budgets)
    verdicts.adam(result, paths, best_2d, sweep, best_mlp, problems)
    verdicts.one_sample(result, probe_split(n_train=n, n_eval=n), epochs, gd_steps, seed)
    verdicts.figures(result, problems, paths, best_2d, budgets, sweep, best_mlp, lrs)
    result.add_table(
        Text("Cost", "耗时"),
        [Text("CPU seconds", "CPU 秒"), Text("wall seconds", "墙钟秒")],
        [[round(clock.cpu, 2), round(clock.wall, 2)]],
        note=Text("reported, never asserted", "仅报告,不作断言"),
    )
    return result
