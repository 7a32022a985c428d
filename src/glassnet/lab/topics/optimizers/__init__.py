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
and `definitions` (update rules replayed), `measure` (the MNIST-1D sweep), `tables`, `judge`
and `convexity` (one function per claim), `one_sample`, `figures`, and this file, which runs
them in order.
"""

from __future__ import annotations

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.columns import columns
from glassnet.lab.kit.curve import probe_split
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.optimizers import convexity, definitions, figures, judge, mechanics
from glassnet.lab.topics.optimizers.measure import best_lr, final_loss, mlp_sweep
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS
from glassnet.lab.topics.optimizers.one_sample import one_sample
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
from glassnet.lab.topics.optimizers.tables import mlp_table, table_2d

__all__ = ["run"]


def _replays(result: Result, seed: int) -> dict[str, float]:
    """The update rules replayed on fixed gradients: their claims and table."""
    moves = mechanics.zero_gradient_steps(seed)
    rows = mechanics.adagrad_rule(result, seed) + mechanics.rmsprop_average(result, seed)
    rows += mechanics.rmsprop_no_momentum(result, moves)
    result.add_table(
        result.text("replay_title"),
        columns(result, "replay_columns"),
        rows,
    )
    definitions.fixed_vs_adaptive(result, seed)
    definitions.momentum_continuity(result, seed, moves)
    return moves


def _paths_2d(mode: str) -> tuple[dict, dict, dict]:
    """(problems, budgets, paths[(problem, optimiser)][lr]) over the 2-D grid."""
    q_steps, r_steps = STEPS_2D[mode]
    problems: dict[str, Problem2D] = {"quadratic": quadratic(), "rosenbrock": rosenbrock()}
    budgets = {"quadratic": q_steps, "rosenbrock": r_steps}
    paths = {
        (p, name): {lr: run_2d(make, problem, lr, budgets[p]) for lr in LRS_2D}
        for p, problem in problems.items()
        for name, make in OPTIMIZERS.items()
    }
    return problems, budgets, paths


def _compare(
    result: Result, paths: dict, best_2d: dict, sweep: dict, best_mlp: dict, budgets: dict
) -> None:
    """The claims that set each optimiser against the others on every task."""
    best = {**best_2d, **{("mlp", name): lr for name, lr in best_mlp.items()}}
    at_best = convexity.costs_at(paths, sweep, best, budgets)
    convexity.convex_only(result, at_best)
    convexity.rmsprop_convex(result, at_best)
    defaults = convexity.default_lrs(LRS_2D, sorted({lr for _, lr in sweep}))
    convexity.general_purpose(
        result,
        convexity.rank_keys(paths, sweep, defaults),
        convexity.rank_keys(paths, sweep, best),
    )


@experiment("optimizers")
def run(mode: str, seed: int) -> Result:
    clock = Clock()
    lrs, steps, seeds = LRS_MLP[mode], STEPS_MLP[mode], SEEDS[mode]
    n, epochs, gd_steps = ONE_SAMPLE[mode]
    result = Result.start("optimizers", mode, seed)
    result.setup = result.say(
        "setup",
        q_steps=STEPS_2D[mode][0],
        r_steps=STEPS_2D[mode][1],
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
    _replays(result, seed)
    problems, budgets, paths = _paths_2d(mode)
    best_2d = {key: best_lr(found) for key, found in paths.items()}
    table_2d(result, paths, best_2d, *STEPS_2D[mode])
    judge.momentum_oscillation(result, problems, budgets, best_2d)
    sweep = mlp_sweep(probe_split(), lrs, steps, seeds, seed)
    best_mlp = {
        name: min(lrs, key=lambda lr, name=name: (final_loss(sweep[(name, lr)]), lr))
        for name in OPTIMIZERS
    }
    mlp_table(result, sweep, best_mlp, lrs)
    judge.lr_hard(result, sweep, best_mlp, best_2d, lrs)
    series = judge.effective_lr_series(sweep, best_mlp)
    judge.adagrad_fast_then_slow(result, series)
    judge.adagrad_decays_early(result, series, sweep, best_mlp)
    _compare(result, paths, best_2d, sweep, best_mlp, budgets)
    judge.adam_combines(result, paths, best_2d, sweep, best_mlp, problems)
    one_sample(result, probe_split(n_train=n, n_eval=n), epochs, gd_steps, seed)
    figures.trajectories(result, problems, paths, best_2d)
    figures.mnist1d(result, sweep, best_mlp, lrs)
    result.add_table(
        result.text("cost_title"),
        columns(result, "cost_columns"),
        [[round(clock.cpu, 2), round(clock.wall, 2)]],
        note=result.text("cost_note"),
    )
    return result
