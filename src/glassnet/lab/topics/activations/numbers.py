"""The `activations` topic's deciding numbers (one dict per verdict) and its measured notes.

The verdicts are decided in `judge`; the rules and notes in words live in the catalog
`notes/activations.toml`, their thresholds named numbers from `settings`.
"""

from __future__ import annotations

from typing import Any

from glassnet.lab.kit import activations as T
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.stats import mean_std
from glassnet.lab.report.formatting import pm
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.activations.measure import Context, Mechanics, Plan
from glassnet.lab.topics.activations.settings import (
    COMMON_LR,
    HIDDEN,
    PROBE_LR,
    STACK_DEPTH,
)


def L(name: str) -> str:
    return T.LABELS[name]


def setup_text(result: Result, plan: Plan, data: Split, seeds: list[int]) -> Text:
    return result.say(
        "setup",
        data=data.describe(),
        stack_depth=STACK_DEPTH,
        stack_width=plan.stack_width,
        stack_seeds=plan.stack_seeds,
        hidden_0=HIDDEN[0],
        hidden_1=HIDDEN[1],
        epochs=plan.epochs,
        lrs=", ".join(f"{lr:g}" for lr in plan.lrs),
        seeds=seeds,
        repeats=plan.repeats,
        arithmetic_repeats=plan.arithmetic_repeats,
        probe_lr=PROBE_LR,
        probe_steps=plan.probe_steps,
    )


def never_positive(c: Context, name: str, lr: float) -> float:
    """Mean share over seeds of `name`'s hidden units whose input was <= 0 on every sample."""
    after = c.trained[name, lr].after
    return mean_std([s.never_positive for s in after], ddof=1, finite_only=True)[0]


def leaky_note(result: Result, c: Context, lr: float | None) -> Text:
    """What the trained networks say beyond the exact check: do Leaky ReLU's always-negative units recover?"""
    if lr is None:
        return result.text("leaky_note_diverged")
    return result.say(
        "leaky_note",
        lr=lr,
        leaky_share=never_positive(c, "leaky_relu", lr),
        relu_share=never_positive(c, "relu", lr),
    )


def _pm(values: list[float], digits: int = 3) -> str:
    return pm(values, digits, ddof=1, finite_only=True)


# -- sigmoid --------------------------------------------------------------------------------------


def range_numbers(
    c: Context, m: Mechanics, outside: float, sigmoid_outside: float, hidden: bool, gap: float
) -> dict[Any, Any]:
    probe = c.probe
    numbers: dict[Any, Any] = {
        Text("min output", "最小输出"): m.low,
        Text("max output", "最大输出"): m.high,
        Text(
            "smallest x with sigmoid(x) == 1.0 in float32", "float32 中 sigmoid(x) == 1.0 的最小 x"
        ): m.exact_one_at,
        Text(
            "largest x with sigmoid(x) == 0.0 in float32", "float32 中 sigmoid(x) == 0.0 的最大 x"
        ): m.exact_zero_at,
        Text(
            "test outputs outside [0, 1], identity + MSE (mean)",
            "测试输出在 [0, 1] 外的比例,恒等 + MSE(均值)",
        ): round(outside, 4),
        Text(
            "test outputs outside [0, 1], sigmoid outputs (max)",
            "测试输出在 [0, 1] 外的比例,sigmoid 输出(最大)",
        ): sigmoid_outside,
    }
    for output, label in (
        ("sigmoid_mse", ("sigmoid + MSE", "sigmoid + MSE")),
        ("identity_mse", ("identity + MSE, clipped to [0, 1]", "恒等 + MSE,截断到 [0, 1]")),
        ("sigmoid_bce", ("sigmoid + BCE (beside)", "sigmoid + BCE(并列)")),
    ):
        runs = probe[output]
        numbers[Text(f"Brier score, {label[0]}", f"Brier 分数,{label[1]}")] = _pm(
            [r.brier for r in runs], 4
        )
        short = (label[0].split(",")[0], label[1].split(",")[0])
        numbers[Text(f"test accuracy, {short[0]}", f"测试准确率,{short[1]}")] = _pm(
            [r.accuracy for r in runs]
        )
    numbers[
        Text(
            "hidden-layer reading: loss area, sigmoid (best lr)",
            "隐藏层读法:损失面积,sigmoid(最佳学习率)",
        )
    ] = _pm(c.area("sigmoid"))
    numbers[
        Text(
            "hidden-layer reading: loss area, sigmoid - 0.5 (best lr)",
            "隐藏层读法:损失面积,sigmoid - 0.5(最佳学习率)",
        )
    ] = _pm(c.area("centred_sigmoid"))
    numbers[
        Text(
            "hidden-layer reading: sigmoid's mean relative gain over sigmoid - 0.5",
            "隐藏层读法:sigmoid 相对 sigmoid - 0.5 的平均相对提升",
        )
    ] = round(gap, 4)
    numbers[
        Text(
            "hidden-layer reading: sigmoid faster (every seed, >= 5%)",
            "隐藏层读法:sigmoid 更快(每个种子,>= 5%)",
        )
    ] = "yes" if hidden else "no"
    return numbers


def _ratios(c: Context, init: str | None) -> dict[Any, Any]:
    tag = (
        ("fan-in init", "fan-in 初始化") if init else ("PyTorch default init", "PyTorch 默认初始化")
    )
    return {
        Text(
            f"first/last weight gradient, {L(name)}, {tag[0]}",
            f"第一层/最后一层权重梯度,{L(name)},{tag[1]}",
        ): c.ratio(name, init)
        for name in ("sigmoid", "tanh", "relu")
    }


def vanishing_numbers(c: Context) -> dict[Any, Any]:
    m = c.grid["sigmoid"]
    return {
        Text("max sigmoid'(x)", "sigmoid'(x) 最大值"): m.max_grad,
        **_ratios(c, "kaiming"),
        **_ratios(c, None),
    }


def saturation_numbers(c: Context, name: str) -> dict[Any, Any]:
    init, trained, large = c.saturation(name)
    m = c.grid[name]
    return {
        Text("saturated at init (fan-in init)", "初始化时饱和比例(fan-in 初始化)"): round(init, 4),
        Text(
            f"saturated after training (lr {c.best[name]:g})",
            f"训练后饱和比例(学习率 {c.best[name]:g})",
        ): round(trained, 4),
        Text("saturated at init, N(0, 1) weights", "初始化时饱和比例,N(0, 1) 权重"): round(
            large, 4
        ),
        Text("gradient at x = 0.9 / max", "x = 0.9 处梯度 / 最大值"): round(m.grad_at_09, 3),
        Text("|x| where the gradient falls to 10% of max", "梯度降到最大值 10% 的 |x|"): round(
            m.active_edge, 2
        ),
    }


# -- tanh -------------------------------------------------------------------------------------------


def zero_mean_numbers(c: Context, stages: list[tuple[float, float, bool]]) -> dict[Any, Any]:
    (tanh0, sig0, _), (tanh1, sig1, _) = stages
    mean = {
        name: mean_std([s.layer_mean for s in c.init_stats[name]], ddof=1, finite_only=True)[0]
        for name in ("tanh", "sigmoid")
    }
    return {
        Text("tanh offset at init", "tanh 初始化时偏移"): round(tanh0, 3),
        Text("sigmoid offset at init", "sigmoid 初始化时偏移"): round(sig0, 3),
        Text("tanh offset after training", "tanh 训练后偏移"): round(tanh1, 3),
        Text("sigmoid offset after training", "sigmoid 训练后偏移"): round(sig1, 3),
        Text("tanh layer mean at init", "tanh 初始化时层均值"): round(mean["tanh"], 3),
        Text("sigmoid layer mean at init", "sigmoid 初始化时层均值"): round(mean["sigmoid"], 3),
    }


def convergence_numbers(c: Context, gap_centred: float, gap_tanh: float) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {}
    for name in ("sigmoid", "centred_sigmoid", "tanh"):
        numbers[
            Text(
                f"loss area, {L(name)} (lr {c.best[name]:g})",
                f"损失面积,{L(name)}(学习率 {c.best[name]:g})",
            )
        ] = _pm(c.area(name))
    numbers[Text("(A) relative gain of sigmoid - 0.5", "(A) sigmoid - 0.5 的相对提升")] = round(
        gap_centred, 4
    )
    numbers[Text("(B) relative gain of tanh", "(B) tanh 的相对提升")] = round(gap_tanh, 4)
    for name in ("sigmoid", "centred_sigmoid", "tanh"):
        numbers[
            Text(
                f"loss area at lr {COMMON_LR:g}, {L(name)}",
                f"学习率 {COMMON_LR:g} 时损失面积,{L(name)}",
            )
        ] = _pm(c.area(name, COMMON_LR))
    return numbers


def same_cons_numbers(
    c: Context,
    tanh: dict[str, float],
    sigmoid: dict[str, float],
    shared: dict[str, bool],
    absolute: dict[str, bool],
) -> dict[Any, Any]:
    init, trained, large = c.saturation("tanh")
    numbers: dict[Any, Any] = {
        Text("first/last weight gradient, tanh", "第一层/最后一层权重梯度,tanh"): c.ratio("tanh"),
        Text("first/last weight gradient, sigmoid", "第一层/最后一层权重梯度,sigmoid"): c.ratio(
            "sigmoid"
        ),
        Text(
            "tanh saturated, worst of init and trained", "tanh 饱和比例,初始化与训练后取大"
        ): round(tanh["saturation"], 4),
        Text(
            "sigmoid saturated, worst of init and trained", "sigmoid 饱和比例,初始化与训练后取大"
        ): round(sigmoid["saturation"], 4),
        Text("tanh arithmetic, CPU ns/element", "tanh 运算,CPU ns/元素"): round(
            tanh["exp cost"], 3
        ),
        Text("sigmoid arithmetic, CPU ns/element", "sigmoid 运算,CPU ns/元素"): round(
            sigmoid["exp cost"], 3
        ),
    }
    for con, same in shared.items():
        numbers[Text(f"con '{con}', tanh against sigmoid", f"缺点“{con}”,tanh 对 sigmoid")] = (
            "shared" if same else "not shared"
        )
    numbers[
        Text(
            "other reading: cons present in tanh by sigmoid's thresholds",
            "另一种读法:按 sigmoid 的阈值 tanh 具有的缺点",
        )
    ] = ", ".join(con for con, present in absolute.items() if present) or "none"
    numbers[
        Text(
            f"tanh saturated at init, trained (lr {c.best['tanh']:g}), N(0, 1) weights",
            f"tanh 饱和比例:初始化、训练后(学习率 {c.best['tanh']:g})、N(0, 1) 权重",
        )
    ] = f"{init:.4f}, {trained:.4f}, {large:.4f}"
    return numbers


# -- ReLU family -------------------------------------------------------------------------------------


def value_one_numbers(m: Mechanics) -> dict[Any, Any]:
    return {
        Text("max |relu(x) - x|, x > 0", "max |relu(x) - x|,x > 0"): m.value_error_pos,
        Text("max |relu(x) - 1|, x > 0", "max |relu(x) - 1|,x > 0"): m.one_error_pos,
        Text("min relu'(x), x > 0", "min relu'(x),x > 0"): m.grad_pos[0],
        Text("max relu'(x), x > 0", "max relu'(x),x > 0"): m.grad_pos[1],
    }


def dead_numbers(c: Context, m: Mechanics, lr: float | None, dead: float) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text("share of x < 0 with relu(x) == 0", "x < 0 中 relu(x) == 0 的比例"): m.zeros_neg,
        Text("max |relu'(x)|, x < 0", "max |relu'(x)|,x < 0"): m.min_grad_neg,
        Text("dead units at init", "初始化时死亡单元比例"): round(
            mean_std([s.never_positive for s in c.init_stats["relu"]], ddof=1, finite_only=True)[0],
            4,
        ),
    }
    for grid_lr in c.plan.lrs:
        numbers[
            Text(
                f"dead units after training, lr {grid_lr:g}",
                f"训练后死亡单元比例,学习率 {grid_lr:g}",
            )
        ] = round(
            mean_std(
                [s.never_positive for s in c.trained["relu", grid_lr].after],
                ddof=1,
                finite_only=True,
            )[0],
            4,
        )
    numbers[Text("deciding lr", "用于判定的学习率")] = "-" if lr is None else lr
    return numbers


def update_numbers(c: Context, early: float) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text("ReLU update ratio, first quarter", "ReLU 更新比,最初四分之一"): early
    }
    for name in T.ACTIVATIONS:
        numbers[Text(f"{L(name)} update ratio, last quarter", f"{L(name)} 更新比,最后四分之一")] = (
            c.late_update(name)
        )
    return numbers


def leaky_numbers(c: Context, m: Mechanics, lr: float | None) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text(
            "share of x < 0 with leaky_relu(x) == 0", "x < 0 中 leaky_relu(x) == 0 的比例"
        ): m.zeros_neg,
        Text("min gradient, x < 0", "x < 0 时最小梯度"): m.min_grad_neg,
    }
    if lr is not None:
        for name in ("relu", "leaky_relu"):
            numbers[
                Text(
                    f"{L(name)} units with input <= 0 on every sample, lr {lr:g}",
                    f"{L(name)} 对所有样本输入都 <= 0 的单元比例,学习率 {lr:g}",
                )
            ] = round(
                mean_std(
                    [s.never_positive for s in c.trained[name, lr].after], ddof=1, finite_only=True
                )[0],
                4,
            )
    return numbers


def inherit_numbers(c: Context, name: str, parent: str, factor: float) -> dict[Any, Any]:
    return {
        Text(
            f"{L(name)} update ratio, last quarter", f"{L(name)} 更新比,最后四分之一"
        ): c.late_update(name),
        Text(
            f"{L(parent)} update ratio, last quarter", f"{L(parent)} 更新比,最后四分之一"
        ): c.late_update(parent),
        Text("factor between them", "两者之比"): round(factor, 3),
        Text(
            f"{L(name)} / {L(parent)} arithmetic cost per element",
            f"{L(name)} / {L(parent)} 每元素运算耗时",
        ): round(c.arith(name) / c.arith(parent), 2),
        Text(
            f"{L(name)} / {L(parent)} cost, glassnet fwd+bwd (not deciding)",
            f"{L(name)} / {L(parent)} 耗时,glassnet 前向+反向(不参与判定)",
        ): round(c.cost(name) / c.cost(parent), 2),
    }


def smooth_numbers(c: Context) -> dict[Any, Any]:
    return {
        Text(f"largest derivative jump, {L(name)}", f"导数最大跳变,{L(name)}"): c.grid[name].jump
        for name in ("elu", "leaky_relu", "relu")
    }


# -- sigmoid's other advantages ---------------------------------------------------------------------
def best_accuracy(c: Context, name: str) -> float:
    """Mean test accuracy over seeds at `name`'s best grid lr."""
    runs = c.trained[name, c.best[name]].runs
    return mean_std([r.test_acc for r in runs], ddof=1, finite_only=True)[0]


def advantage_numbers(
    c: Context, beats: dict[str, dict[str, bool]], best_on: list[str]
) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text(
            f"test accuracy at the best lr, {L(name)}", f"最佳学习率下测试准确率,{L(name)}"
        ): round(best_accuracy(c, name), 4)
        for name in T.ACTIVATIONS
    }
    for name in T.ACTIVATIONS:
        numbers[Text(f"loss area at the best lr, {L(name)}", f"最佳学习率下损失面积,{L(name)}")] = (
            _pm(c.area(name))
        )
    axes = list(next(iter(beats.values())))
    for axis in axes:
        won = [L(other) for other, on in beats.items() if on[axis]]
        numbers[Text(f"'{axis}': sigmoid better than", f"“{axis}”:sigmoid 优于")] = (
            ", ".join(won) or "none"
        )
    numbers[Text("axes where sigmoid beats all four", "sigmoid 胜过全部四个的方面")] = (
        ", ".join(best_on) or "none"
    )
    numbers[
        Text(
            "other reading: axes where sigmoid beats at least one",
            "另一种读法:sigmoid 至少胜过一个的方面",
        )
    ] = ", ".join(axis for axis in axes if any(on[axis] for on in beats.values())) or "none"
    return numbers
