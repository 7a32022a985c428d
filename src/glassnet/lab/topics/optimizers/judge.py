"""The optimizers topic's judges on the 2-D problems and the MNIST-1D sweep: momentum's
oscillation, how hard the learning rate is to choose, Adagrad's decay, Adam's combination.

One function per claim, each with its rule (thresholds from `settings`) next to its numbers.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.optimizers.measure import at_least_as_good, final_loss
from glassnet.lab.topics.optimizers.mechanics import (
    OPTIMIZERS,
    scale_invariance,
    zero_gradient_steps,
)
from glassnet.lab.topics.optimizers.settings import (
    ADAM_SLACK,
    ADAPTIVE,
    CHANGES,
    COSINE_GAIN,
    FALLS,
    GOOD_LR,
    HURTS,
    INVARIANT,
    SPREAD_GAP,
)
from glassnet.lab.topics.optimizers.surfaces import path_cosine, run_2d
from glassnet.lab.topics.optimizers.tables import window

__all__ = [
    "momentum_oscillation",
    "lr_hard",
    "effective_lr_series",
    "adagrad_fast_then_slow",
    "adagrad_decays_early",
    "adam_combines",
]


def momentum_oscillation(result: Result, problems: dict, budgets: dict, best_2d: dict) -> None:
    numbers, gains, swing = {}, {}, {"GD": math.nan, "Momentum": math.nan}
    for p, problem in problems.items():
        lr = best_2d[(p, "SGD")]
        gd = run_2d(OPTIMIZERS["SGD"], problem, lr, budgets[p])
        momentum = run_2d(OPTIMIZERS["Momentum"], problem, lr, budgets[p])
        cos_gd, cos_m = path_cosine(gd.points), path_cosine(momentum.points)
        gains[p] = cos_m - cos_gd
        numbers[
            Text(
                f"{p}, lr {lr:g}: update cosine GD / Momentum",
                f"{p},lr {lr:g}:更新余弦 GD / Momentum",
            )
        ] = f"{cos_gd:+.2f} / {cos_m:+.2f}"
        numbers[Text(f"{p}: steps to solve GD / Momentum", f"{p}:解决所需步数 GD / Momentum")] = (
            f"{gd.solved_at or '-'} / {momentum.solved_at or ('diverged' if momentum.diverged else '-')}"
        )
        if p == "quadratic":
            swing_numbers, swing = _valley_swing(problem, gd, momentum, lr)
            numbers.update(swing_numbers)
    smoother = [p for p, gain in gains.items() if gain >= COSINE_GAIN]
    verdict = (
        Verdict.HOLDS
        if len(smoother) == len(gains)
        else Verdict.PARTLY
        if smoother
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "momentum_damps_oscillation",
        verdict,
        numbers,
        result.say("oscillation_rule", gain=COSINE_GAIN),
        asserted=True,
        margin=result.say(
            "oscillation_margin",
            quadratic=gains["quadratic"],
            rosenbrock=gains["rosenbrock"],
            gain=COSINE_GAIN,
        ),
        note=result.say(
            "oscillation_note",
            swing_gd=swing["GD"],
            swing_momentum=swing["Momentum"],
            momentum_over_gd=swing["Momentum"] - swing["GD"],
        ),
    )


def _valley_swing(problem, gd, momentum, lr: float) -> tuple[dict, dict]:
    """On the quadratic: how often each path reverses across the valley, and how far across it is
    after 30 steps (reported beside the verdict)."""
    numbers = {}
    steep = np.linalg.eigh(
        np.column_stack([problem.grad(np.array(e)) for e in ((1.0, 0.0), (0.0, 1.0))])
    )[1][:, 1]
    swing = {}
    for label, path in (("GD", gd), ("Momentum", momentum)):
        across = np.diff(path.points, axis=0) @ steep
        flips = (
            float(np.mean(np.sign(across[1:]) != np.sign(across[:-1])))
            if len(across) > 1
            else math.nan
        )
        numbers[
            Text(
                f"quadratic: share of steps reversing across the valley, {label}",
                f"二次函数:横穿山谷方向反向的步数比例,{label}",
            )
        ] = round(flips, 2)
        long_run = run_2d(
            OPTIMIZERS[label if label == "Momentum" else "SGD"], problem, lr, 30, stop=False
        )
        swing[label] = float(abs(long_run.points[-1] @ steep) / abs(long_run.points[0] @ steep))
    numbers[
        Text(
            "quadratic: distance across the valley after 30 steps / at the start, GD / Momentum",
            "二次函数:30 步后横穿山谷方向的距离 / 起点的距离,GD / Momentum",
        )
    ] = f"{swing['GD']:.2g} / {swing['Momentum']:.2g}"
    return numbers, swing


def lr_hard(result: Result, sweep: dict, best_mlp: dict, best_2d: dict, lrs: list[float]) -> None:
    width = {name: len(window(sweep, name, lrs)) for name in OPTIMIZERS}
    best_lrs = {
        name: [best_2d[("quadratic", name)], best_2d[("rosenbrock", name)], best_mlp[name]]
        for name in OPTIMIZERS
    }
    # in half-decade grid steps: the grid's values are rounded to 3 digits, so compare rounded spreads
    spread = {
        name: round(2 * (math.log10(max(v)) - math.log10(min(v)))) / 2
        for name, v in best_lrs.items()
    }
    for claim, name in (("sgd_lr_hard", "SGD"), ("momentum_lr_hard", "Momentum")):
        narrower = all(width[name] <= width[a] - 1 for a in ADAPTIVE)
        wider_spread = all(spread[name] >= spread[a] + SPREAD_GAP for a in ADAPTIVE)
        verdict = (
            Verdict.HOLDS
            if narrower and wider_spread
            else Verdict.PARTLY
            if narrower or wider_spread
            else Verdict.DOES_NOT_HOLD
        )
        numbers = {
            Text("good lrs on the MNIST-1D grid", "MNIST-1D 网格上好的学习率个数"): ", ".join(
                f"{n} {width[n]}" for n in OPTIMIZERS
            ),
            Text(
                "spread of the best lr over quadratic, Rosenbrock, MNIST-1D (decades)",
                "二次函数、Rosenbrock、MNIST-1D 上最佳学习率的跨度(数量级)",
            ): ", ".join(f"{n} {spread[n]:.1f}" for n in OPTIMIZERS),
            Text(f"best lrs of {name}", f"{name} 的最佳学习率"): ", ".join(
                f"{lr:g}" for lr in best_lrs[name]
            ),
        }
        result.judge(
            claim,
            verdict,
            numbers,
            result.say("lr_hard_rule", name=name, good_lr=GOOD_LR, spread_gap=SPREAD_GAP),
        )


def effective_lr_series(sweep: dict, best_mlp: dict) -> dict:
    """Each adaptive optimiser's median effective lr from step 10 on, at its best lr (seed 0)."""
    series = {}
    for name in ("Adagrad", "RMSProp", "Adam"):
        curve = sweep[(name, best_mlp[name])][0][0]
        steps, values = (
            np.array(curve.extra.get("step", [])),
            np.array(curve.extra.get("eff_lr", [])),
        )
        keep = steps >= 10
        series[name] = (steps[keep], values[keep])
    return series


def adagrad_fast_then_slow(result: Result, series: dict) -> None:
    steps, values = series["Adagrad"]
    monotone = bool(np.all(values[1:] <= values[:-1] * (1 + 1e-9)))
    fall = float(values[0] / values[-1])
    verdict = (
        Verdict.DOES_NOT_HOLD
        if not monotone
        else Verdict.HOLDS
        if fall >= FALLS
        else Verdict.PARTLY
    )
    result.judge(
        "adagrad_fast_then_slow",
        verdict,
        {
            Text(
                "Adagrad's median effective lr at step 10", "Adagrad 第 10 步的有效学习率中位数"
            ): f"{values[0]:.3g}",
            Text(f"... at step {steps[-1]}", f"……第 {steps[-1]} 步"): f"{values[-1]:.3g}",
            Text("fall", "下降倍数"): round(fall, 2),
            Text("never rises", "从不上升"): monotone,
        },
        result.say("fast_slow_rule", falls=FALLS),
        note=result.text("fast_slow_note"),
    )


def _warm_numbers(series: dict) -> dict:
    """The fall after RMSProp's warm-up, reported only where the run is long enough."""
    warm = {}  # reported only: RMSProp's average starts at 0 and needs ~1 / (1 - alpha) = 100 steps to warm up
    for name in ("Adagrad", "RMSProp"):
        at, values_of = series[name]
        late = at >= 200
        if late.sum() >= 2 and at[-1] > 200:
            warm[name] = float(values_of[late][0] / values_of[-1])
    extra = (
        {
            Text(
                "... fall from step 200 to end (after RMSProp's warm-up, reported)",
                "……第 200 步到最后的下降倍数(RMSProp 预热之后,仅报告)",
            ): f"{warm['Adagrad']:.2f} / {warm['RMSProp']:.2f}"
        }
        if len(warm) == 2
        else {}
    )
    return extra


def adagrad_decays_early(result: Result, series: dict, sweep: dict, best_mlp: dict) -> None:
    steps, values = series["Adagrad"]
    fall = float(values[0] / values[-1])
    rms = series["RMSProp"][1]
    rms_fall = float(rms[0] / rms[-1])
    loss = {name: final_loss(sweep[(name, best_mlp[name])]) for name in ("Adagrad", "RMSProp")}
    mechanism = fall >= FALLS * rms_fall
    hurts = loss["Adagrad"] >= HURTS * loss["RMSProp"]
    verdict = (
        Verdict.HOLDS
        if mechanism and hurts
        else Verdict.PARTLY
        if mechanism
        else Verdict.DOES_NOT_HOLD
    )
    extra = _warm_numbers(series)
    result.judge(
        "adagrad_decays_early",
        verdict,
        {
            Text(
                "effective-lr fall, step 10 to end: Adagrad / RMSProp",
                "有效学习率下降倍数(第 10 步到最后):Adagrad / RMSProp",
            ): f"{fall:.2f} / {rms_fall:.2f}",
            **extra,
            Text(
                "final training loss at best lr: Adagrad / RMSProp",
                "最佳学习率下的最终训练损失:Adagrad / RMSProp",
            ): f"{loss['Adagrad']:.3f} / {loss['RMSProp']:.3f}",
            Text(
                "best lr: Adagrad / RMSProp", "最佳学习率:Adagrad / RMSProp"
            ): f"{best_mlp['Adagrad']:g} / {best_mlp['RMSProp']:g}",
        },
        result.say("decays_early_rule", falls=FALLS, hurts=HURTS),
        note=result.say(
            "decays_early_note", adagrad_over_hurts=loss["Adagrad"] / loss["RMSProp"] - HURTS
        ),
    )


def adam_combines(
    result: Result, paths: dict, best_2d: dict, sweep: dict, best_mlp: dict, problems: dict
) -> None:
    moves = zero_gradient_steps(7)
    scale = scale_invariance(problems["quadratic"])
    momentum_part = moves["Adam"] > 0
    rmsprop_part = scale["Adam"] <= INVARIANT and scale["Momentum"] > CHANGES
    outcome = {}
    for p in ("quadratic", "rosenbrock"):
        mine = paths[(p, "Adam")][best_2d[(p, "Adam")]]
        outcome[p] = all(
            at_least_as_good(mine, paths[(p, o)][best_2d[(p, o)]]) for o in ("Momentum", "RMSProp")
        )
    losses = {n: final_loss(sweep[(n, best_mlp[n])]) for n in ("Adam", "Momentum", "RMSProp")}
    outcome["mlp"] = losses["Adam"] <= ADAM_SLACK * min(losses["Momentum"], losses["RMSProp"])
    mechanics_ok = momentum_part and rmsprop_part
    verdict = (
        Verdict.HOLDS
        if mechanics_ok and all(outcome.values())
        else Verdict.DOES_NOT_HOLD
        if not (momentum_part or rmsprop_part) and not any(outcome.values())
        else Verdict.PARTLY
    )
    steps = {
        p: {n: paths[(p, n)][best_2d[(p, n)]] for n in ("Adam", "Momentum", "RMSProp")}
        for p in ("quadratic", "rosenbrock")
    }
    result.judge(
        "adam_combines",
        verdict,
        {
            Text(
                "momentum part: largest |update| with zero gradient",
                "动量部分:梯度为零时的最大 |更新|",
            ): f"{moves['Adam']:.3g}",
            Text(
                "RMSProp part: path change when the loss is scaled x1000, Adam / Momentum",
                "RMSProp 部分:损失放大 1000 倍时路径的变化,Adam / Momentum",
            ): f"{scale['Adam']:.2g} / {scale['Momentum']:.2g}",
            **{
                Text(
                    f"{p}: steps to solve Adam / Momentum / RMSProp",
                    f"{p}:解决步数 Adam / Momentum / RMSProp",
                ): " / ".join(
                    str(path.solved_at or f"- (f {path.final:.2g})") for path in steps[p].values()
                )
                for p in steps
            },
            Text(
                "MNIST-1D final loss Adam / Momentum / RMSProp",
                "MNIST-1D 最终损失 Adam / Momentum / RMSProp",
            ): " / ".join(f"{losses[n]:.3f}" for n in ("Adam", "Momentum", "RMSProp")),
            Text("at least as good as the better of the two", "不差于两者中较好者"): ", ".join(
                f"{p} {'yes' if ok else 'no'}" for p, ok in outcome.items()
            ),
        },
        result.say("adam_combines_rule", invariant=INVARIANT, changes=CHANGES, slack=ADAM_SLACK),
    )
