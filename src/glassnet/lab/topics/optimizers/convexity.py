"""The optimizers topic's judges that compare each optimiser with the others on every task:
Adagrad 'only for convex problems', RMSProp 'can solve convex problems' (both relative to the
other four on the same convex and non-convex problems), and Adam 'the general-purpose choice'
(its rank at default settings on every task).

A task's cost for one optimiser: on a 2-D problem the steps to reach the tolerance (an unsolved
run costs UNSOLVED_COST x the budget), on MNIST-1D the final training loss; each optimiser at its
best learning rate of the grid (or, for Adam's claim, at its default).
"""

from __future__ import annotations

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.optimizers.measure import final_loss
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS
from glassnet.lab.topics.optimizers.settings import BEHIND, DEFAULT_LRS, TOP, UNSOLVED_COST

__all__ = ["costs_at", "relative", "convex_only", "rmsprop_convex", "rank_keys", "general_purpose"]

TASKS = ("quadratic", "rosenbrock", "mlp")
Costs = dict[str, dict[str, float]]  # task -> optimiser -> cost


def costs_at(paths: dict, sweep: dict, lrs: dict, budgets: dict) -> Costs:
    """Each optimiser's cost on each task at the learning rates lrs[(task, name)]."""
    out: Costs = {task: {} for task in TASKS}
    for name in OPTIMIZERS:
        for p in ("quadratic", "rosenbrock"):
            path = paths[(p, name)][lrs[(p, name)]]
            out[p][name] = float(path.solved_at or UNSOLVED_COST * budgets[p])
        out["mlp"][name] = final_loss(sweep[(name, lrs[("mlp", name)])])
    return out


def relative(costs: Costs, name: str) -> dict[str, float]:
    """name's cost on each task over the median of the other optimisers' costs."""
    return {
        task: by[name] / float(np.median([c for n, c in by.items() if n != name]))
        for task, by in costs.items()
    }


def _numbers(costs: Costs, name: str, ratio: dict[str, float]) -> dict:
    labels = {
        "quadratic": Text("convex quadratic", "凸二次函数"),
        "rosenbrock": Text("Rosenbrock (non-convex)", "Rosenbrock(非凸)"),
        "mlp": Text("MNIST-1D MLP (non-convex)", "MNIST-1D MLP(非凸)"),
    }
    numbers = {}
    for task, label in labels.items():
        numbers[
            Text(
                f"{label.en}: {name}'s cost / the others' median",
                f"{label.zh}:{name} 的代价 / 其余的中位数",
            )
        ] = round(ratio[task], 2)
        numbers[Text(f"{label.en}: cost of each", f"{label.zh}:各自的代价")] = ", ".join(
            f"{n} {c:.3g}" for n, c in costs[task].items()
        )
    return numbers


def convex_only(result: Result, costs: Costs) -> None:
    """Adagrad: competitive on the convex problem, behind the others on the non-convex ones."""
    ratio = relative(costs, "Adagrad")
    competitive = ratio["quadratic"] < BEHIND
    behind = [task for task in ("rosenbrock", "mlp") if ratio[task] >= BEHIND]
    verdict = (
        Verdict.HOLDS
        if competitive and len(behind) == 2
        else Verdict.PARTLY
        if competitive and behind
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "adagrad_convex_only",
        verdict,
        _numbers(costs, "Adagrad", ratio),
        result.say("convex_only_rule", behind=BEHIND, unsolved=UNSOLVED_COST),
        margin=result.say(
            "relative_margin",
            name="Adagrad",
            quadratic=ratio["quadratic"],
            rosenbrock=ratio["rosenbrock"],
            mlp=ratio["mlp"],
            behind=BEHIND,
        ),
        note=result.text("convex_only_note"),
    )


def rmsprop_convex(result: Result, costs: Costs) -> None:
    """RMSProp: not behind the others on the convex problem (as written), nor on the non-convex
    ones (as probably meant)."""
    ratio = relative(costs, "RMSProp")
    level = {task: ratio[task] < BEHIND for task in TASKS}
    verdict = (
        Verdict.HOLDS
        if all(level.values())
        else Verdict.PARTLY
        if any(level.values())
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "rmsprop_convex",
        verdict,
        _numbers(costs, "RMSProp", ratio),
        result.say("rmsprop_convex_rule", behind=BEHIND, unsolved=UNSOLVED_COST),
        margin=result.say(
            "relative_margin",
            name="RMSProp",
            quadratic=ratio["quadratic"],
            rosenbrock=ratio["rosenbrock"],
            mlp=ratio["mlp"],
            behind=BEHIND,
        ),
        note=result.text("rmsprop_convex_note"),
    )


def rank_keys(paths: dict, sweep: dict, lrs: dict) -> dict[str, dict[str, tuple]]:
    """task -> optimiser -> what ranks it: (steps to solve, or inf, then the final value) on a 2-D
    problem, so that unsolved runs rank by how far they got; the final loss on MNIST-1D."""
    out: dict[str, dict[str, tuple]] = {task: {} for task in TASKS}
    for name in OPTIMIZERS:
        for p in ("quadratic", "rosenbrock"):
            path = paths[(p, name)][lrs[(p, name)]]
            out[p][name] = (path.solved_at or np.inf, path.final)
        out["mlp"][name] = (final_loss(sweep[(name, lrs[("mlp", name)])]),)
    return out


def ranks(keys: dict[str, dict[str, tuple]]) -> dict[str, dict[str, int]]:
    """task -> optimiser -> rank (1 = best; ties share the better rank)."""
    return {
        task: {n: 1 + sum(k < by[n] for k in by.values()) for n in by} for task, by in keys.items()
    }


def default_lrs(lrs_2d: list[float], lrs_mlp: list[float]) -> dict:
    """(task, name) -> the optimiser's default lr, which must lie on the task's grid."""
    out = {}
    for task, grid in (("quadratic", lrs_2d), ("rosenbrock", lrs_2d), ("mlp", lrs_mlp)):
        for name, lr in DEFAULT_LRS.items():
            if lr not in grid:
                raise ValueError(f"optimizers: default lr {lr} of {name} is not on the {task} grid")
            out[(task, name)] = lr
    return out


def general_purpose(result: Result, at_default: dict, at_best: dict) -> None:
    """Adam at its defaults: in the top TOP of the five on every task."""
    rank, tuned = ranks(at_default), ranks(at_best)
    adam = {task: rank[task]["Adam"] for task in TASKS}
    top = [task for task in TASKS if adam[task] <= TOP]
    mean_rank = {n: float(np.mean([rank[t][n] for t in TASKS])) for n in OPTIMIZERS}
    best_mean = min(mean_rank.values())
    verdict = (
        Verdict.HOLDS
        if len(top) == len(TASKS)
        else Verdict.PARTLY
        if 2 * len(top) >= len(TASKS) or mean_rank["Adam"] == best_mean
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            f"{task}: rank at defaults (1 = best of 5)", f"{task}:默认设置下的名次(1 为 5 个中最好)"
        ): ", ".join(f"{n} {r}" for n, r in rank[task].items())
        for task in TASKS
    }
    numbers[Text("mean rank at defaults", "默认设置下的平均名次")] = ", ".join(
        f"{n} {r:.2f}" for n, r in mean_rank.items()
    )
    numbers[
        Text("Adam's rank at each one's best lr (reported)", "各取最佳学习率时 Adam 的名次(仅报告)")
    ] = ", ".join(f"{task} {tuned[task]['Adam']}" for task in TASKS)
    result.judge(
        "adam_general_purpose",
        verdict,
        numbers,
        result.say("general_purpose_rule", top=TOP, tasks=len(TASKS)),
        margin=result.say(
            "general_purpose_margin",
            quadratic=adam["quadratic"],
            rosenbrock=adam["rosenbrock"],
            mlp=adam["mlp"],
            top=TOP,
            mean=mean_rank["Adam"],
            best_mean=best_mean,
        ),
        note=result.text("general_purpose_note"),
    )
