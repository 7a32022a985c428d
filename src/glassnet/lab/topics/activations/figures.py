"""The `activations` topic's measured tables and its three figures."""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.lab.kit import activations as T
from glassnet.lab.kit.stats import geometric_mean, mean_std
from glassnet.lab.report.formatting import pm
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.activations.measure import Context
from glassnet.lab.topics.activations.settings import ACTIVATION_SIZE, COMMON_LR, TRAINED

ACT = Text("activation", "激活函数")


def tables(result: Result, c: Context) -> None:
    result.add_table(
        Text(
            "Each activation on 600,001 float32 points in [-30, 30] (glassnet op, autograd derivative)",
            "各激活函数在 [-30, 30] 上 600,001 个 float32 点的表现(glassnet 算子,自动求导的导数)",
        ),
        [
            ACT,
            Text("min f", "f 最小值"),
            Text("max f", "f 最大值"),
            Text("max f'", "f' 最大值"),
            Text("|x| with f' >= 10% of max", "f' >= 最大值 10% 的 |x|"),
            Text("f'(0.9) / max f'", "f'(0.9) / f' 最大值"),
            Text("share f(x) == 0, x < 0", "x < 0 时 f(x) == 0 的比例"),
            Text("min |f'|, x < 0", "x < 0 时 |f'| 最小值"),
            Text("largest jump of f'", "f' 的最大跳变"),
        ],
        [
            [
                T.LABELS[name],
                m.low,
                m.high,
                m.max_grad,
                round(m.active_edge, 2) if name in ("sigmoid", "tanh") else "-",
                round(m.grad_at_09, 3),
                m.zeros_neg,
                m.min_grad_neg,
                m.jump,
            ]
            for name, m in c.grid.items()
        ],
    )
    rows = []
    for name in T.ACTIVATIONS:
        cells = [T.LABELS[name]]
        for init in ("kaiming", None):
            stacks = c.stacks[name, init]
            cells += [
                geometric_mean([s.first_to_last for s in stacks]),
                geometric_mean([s.signal_first_to_last for s in stacks]),
            ]
        rows.append(cells)
    result.add_table(
        Text(
            f"Gradients at initialisation through {c.plan.stack_width}-unit x {len(c.stacks['relu', None][0].weight_grads) - 1}"
            "-hidden-layer MLPs (geometric mean over seeds)",
            f"初始化时梯度在 {len(c.stacks['relu', None][0].weight_grads) - 1} 个隐藏层、每层 {c.plan.stack_width} 个单元的 MLP "
            "中的传播(种子几何平均)",
        ),
        [
            ACT,
            Text("weight grad first/last, fan-in init", "权重梯度 第一层/最后一层,fan-in 初始化"),
            Text(
                "backward signal first/last, fan-in init", "反向信号 第一层/最后一层,fan-in 初始化"
            ),
            Text(
                "weight grad first/last, PyTorch default", "权重梯度 第一层/最后一层,PyTorch 默认"
            ),
            Text(
                "backward signal first/last, PyTorch default",
                "反向信号 第一层/最后一层,PyTorch 默认",
            ),
        ],
        rows,
        note=Text(
            "Backward signal: RMS of dL/d(output) of the first layer over that of the last (diagnose.gradient_flow).",
            "反向信号:第一层输出的 dL/d(输出) 均方根除以最后一层的(diagnose.gradient_flow)。",
        ),
    )
    columns = [
        ACT,
        Text("lr", "学习率"),
        Text("loss area", "损失面积"),
        Text("final train loss", "最终训练损失"),
        Text("test accuracy", "测试准确率"),
        Text("update ratio, first quarter", "更新比,最初四分之一"),
        Text("update ratio, last quarter", "更新比,最后四分之一"),
        Text("offset |mean|/RMS", "偏移 |均值|/RMS"),
        Text("saturated", "饱和比例"),
        Text("units with input <= 0 always", "输入总是 <= 0 的单元"),
    ]
    for title, pick in (
        (
            Text(
                f"Training at the shared lr {COMMON_LR:g} (mean ± std over seeds)",
                f"共同学习率 {COMMON_LR:g} 下的训练(种子均值 ± 标准差)",
            ),
            lambda name: COMMON_LR,
        ),
        (
            Text(
                "Training at each activation's best grid lr", "各激活函数在网格中最佳学习率下的训练"
            ),
            lambda name: c.best[name],
        ),
    ):
        rows = []
        for name in TRAINED:
            trained = c.trained[name, pick(name)]
            after = trained.after
            rows.append(
                [
                    T.LABELS[name],
                    pick(name),
                    pm(trained.area(c.plan.epochs), ddof=1, finite_only=True),
                    pm(
                        [
                            r.train_loss[-1] if r.train_loss and not r.diverged else float("nan")
                            for r in trained.runs
                        ],
                        ddof=1,
                        finite_only=True,
                    ),
                    pm([r.test_acc for r in trained.runs], ddof=1, finite_only=True),
                    f"{mean_std(trained.quarter(late=False), ddof=1, finite_only=True)[0]:.2e}",
                    f"{mean_std(trained.quarter(late=True), ddof=1, finite_only=True)[0]:.2e}",
                    pm([s.offset for s in after], 2, ddof=1, finite_only=True),
                    pm([s.saturated for s in after], 3, ddof=1, finite_only=True)
                    if name in ("sigmoid", "tanh", "centred_sigmoid")
                    else "-",
                    pm([s.never_positive for s in after], 3, ddof=1, finite_only=True)
                    if name in ("relu", "leaky_relu", "elu")
                    else "-",
                ]
            )
        result.add_table(
            title,
            columns,
            rows,
            note=Text(
                "Diverged runs count as chance accuracy and loss ln 10 for the epochs they did not finish.",
                "发散的运行按随机水平的准确率计,未完成的轮次按损失 ln 10 计。",
            ),
        )
    sizes = sorted(c.costs)
    result.add_table(
        Text(
            "Cost per element (ns, best of repeats, one BLAS thread) and per MLP training step",
            "每个元素的耗时(纳秒,多次中最快,单 BLAS 线程)与 MLP 每个训练步的耗时",
        ),
        [
            ACT,
            Text(f"NumPy formula, {ACTIVATION_SIZE:,}", f"NumPy 公式,{ACTIVATION_SIZE:,}"),
            Text(f"glassnet forward, {ACTIVATION_SIZE:,}", f"glassnet 前向,{ACTIVATION_SIZE:,}"),
            *[
                Text(f"glassnet fwd+bwd, {size:,}", f"glassnet 前向+反向,{size:,}")
                for size in sizes
            ],
            Text("MLP step ms (batch 100)", "MLP 训练步毫秒(批大小 100)"),
        ],
        [
            [
                T.LABELS[name],
                round(c.costs[ACTIVATION_SIZE][name]["numpy"], 3),
                round(c.costs[ACTIVATION_SIZE][name]["forward"], 3),
                *[round(c.costs[size][name]["forward_backward"], 3) for size in sizes],
                round(c.steps[name] * 1e3, 3),
            ]
            for name in T.ACTIVATIONS
        ],
        note=Text(
            "Timings on this machine, reported and never asserted. NumPy formula: sigmoid 1/(1+exp(-x)), tanh, "
            "maximum(x, 0), where(x > 0, x, 0.01x), where(x > 0, x, expm1(x)).",
            "本机计时,只报告不断言。NumPy 公式:sigmoid 1/(1+exp(-x))、tanh、maximum(x, 0)、where(x > 0, x, 0.01x)、"
            "where(x > 0, x, expm1(x))。",
        ),
    )


def figures(result: Result, c: Context) -> None:
    x = np.linspace(-5, 5, 1001, dtype=np.float32)
    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    for name in T.ACTIVATIONS:
        leaf = glassnet.tensor(x, requires_grad=True)
        out = T.GLASSNET_OPS[name](leaf)
        out.sum().backward()
        style = "--" if name == "leaky_relu" else "-"  # else it hides ReLU where the two coincide
        left.plot(x, out.data, style, color=T.COLORS[name], label=T.LABELS[name])
        right.plot(x, leaf.grad.data, style, color=T.COLORS[name], label=T.LABELS[name])
    right.axvspan(-0.9, 0.9, color="gray", alpha=0.15, label="notes' (-0.9, 0.9)")
    edge = c.grid["sigmoid"].active_edge
    right.axvline(-edge, color=T.COLORS["sigmoid"], ls=":", lw=1)
    right.axvline(edge, color=T.COLORS["sigmoid"], ls=":", lw=1, label="sigmoid' = 10% of max")
    left.set(title="f(x)", xlabel="x", ylim=(-1.5, 3))
    right.set(title="f'(x) (autograd)", xlabel="x")
    left.legend(fontsize=8)
    right.legend(fontsize=7)
    result.add_figure(
        fig,
        "curves",
        Text(
            "The five activations and their derivatives. Grey: the notes' interval (-0.9, 0.9); dotted: where sigmoid's "
            "gradient falls to 10% of its maximum.",
            "五个激活函数及其导数。灰色:笔记中的区间 (-0.9, 0.9);虚线:sigmoid 梯度降到最大值 10% 的位置。",
        ),
    )

    fig, axes = new_figure(9.0, 3.4, ncols=2)
    for ax, init, title in (
        (axes[0], "kaiming", "fan-in init with the activation's gain"),
        (axes[1], None, "PyTorch default init"),
    ):
        for name in T.ACTIVATIONS:
            grads = np.array([s.weight_grads for s in c.stacks[name, init]], dtype=np.float64)
            relative = np.exp(np.log(grads / grads[:, -1:]).mean(axis=0))
            ax.semilogy(
                range(1, len(relative) + 1),
                relative,
                "o-",
                ms=3,
                color=T.COLORS[name],
                label=T.LABELS[name],
            )
        ax.set(
            title=title, xlabel="weight layer (1 = input side)", ylabel="||dL/dW|| / last layer's"
        )
    axes[0].legend(fontsize=8)
    result.add_figure(
        fig,
        "stack_gradients",
        Text(
            "Weight-gradient norm of each layer of a deep MLP at initialisation, relative to the last layer.",
            "初始化时深层 MLP 每层权重梯度的范数,相对最后一层。",
        ),
    )

    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    for name in TRAINED:
        runs = c.trained[name, COMMON_LR].runs
        style = "--" if name == "centred_sigmoid" else "-"
        curves = [r.train_loss for r in runs if not r.diverged and r.train_loss]
        if curves:
            left.plot(
                range(1, c.plan.epochs + 1),
                np.mean(curves, axis=0),
                style,
                color=T.COLORS[name],
                label=T.LABELS[name],
            )
            ratios = [r.update_ratio for r in runs if not r.diverged and r.update_ratio]
            right.semilogy(
                range(1, c.plan.epochs + 1),
                np.mean(ratios, axis=0),
                style,
                color=T.COLORS[name],
                label=T.LABELS[name],
            )
    left.set(
        title=f"training loss, lr {COMMON_LR:g} (mean over seeds)",
        xlabel="epoch",
        ylabel="cross-entropy",
    )
    right.set(
        title="update ratio ||dW|| / ||W|| per step", xlabel="epoch", ylabel="mean over the epoch"
    )
    left.legend(fontsize=8)
    result.add_figure(
        fig,
        "training",
        Text(
            f"The same MLP trained on MNIST-1D with each activation at lr {COMMON_LR:g}: training loss and the relative size "
            "of each step.",
            f"同一个 MLP 在 MNIST-1D 上用各激活函数以学习率 {COMMON_LR:g} 训练:训练损失与每一步的相对大小。",
        ),
    )
