"""The resnet topic: its tables and figures."""

from __future__ import annotations

import numpy as np

from glassnet.lab.report.formatting import pm
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.resnet.judge_exploding import ratios
from glassnet.lab.topics.resnet.judge_gradients import ratio
from glassnet.lab.topics.resnet.measure import Runs
from glassnet.lab.topics.resnet.measure_exploding import Unnormalised
from glassnet.lab.topics.resnet.settings import CONFIG, FAMILIES

STYLE = {"plain": ("s", "tab:red", "--"), "resnet": ("o", "tab:blue", "-")}


def depth_table(result: Result, runs: Runs, mode: str) -> None:
    rows = []
    for depth in CONFIG[mode]["depths"]:
        for family in FAMILIES:
            key = (family, depth)
            stops = runs.of(family, depth, "stopped")
            rows.append(
                [
                    family,
                    depth,
                    pm(runs.of(family, depth, "train_error")),
                    pm(runs.of(family, depth, "test_error")),
                    f"{np.mean(runs.of(family, depth, 'steps')):.0f}",
                    ", ".join(sorted(set(stops), key=stops.index)),
                    f"{ratio(runs, family, depth, 'init'):.3g}",
                    f"{ratio(runs, family, depth, 'end'):.3g}",
                    runs.params[key],
                    runs.macs[key],
                    f"{1000 * np.mean(runs.of(family, depth, 'cpu_per_step')):.1f}",
                ]
            )
    result.add_table(
        Text(
            "Training to the plateau: errors, steps, the backward signal at the first conv, cost",
            "训练到平台期:误差、步数、第一个卷积处的反向信号、成本",
        ),
        [
            Text("net", "网络"),
            Text("depth", "深度"),
            Text("training error", "训练误差"),
            Text("test error", "测试误差"),
            Text("steps trained", "训练步数"),
            Text("stopped", "停止原因"),
            Text(
                "RMS dL/dy first conv / classifier, init", "初始化时 RMS dL/dy 第一个卷积 / 分类层"
            ),
            Text("... at the plateau", "……平台期"),
            Text("parameters", "参数量"),
            Text("MACs per image", "每张图的乘加数"),
            Text("CPU ms per step", "每步 CPU 毫秒"),
        ],
        rows,
        note=result.text("depth_table_note"),
    )


def construction_table(result: Result, built: dict, mode: str) -> None:
    depths = CONFIG[mode]["depths"]
    result.add_table(
        Text(
            "The notes' proof, built: a shallow ResNet plus identity blocks",
            "把笔记的证明构造出来:浅层 ResNet 加恒等块",
        ),
        [Text("net", "网络"), Text("training error", "训练误差")],
        [
            [f"resnet {depths[0]}, trained", f"{built['shallow_error']:.4f}"],
            [
                f"resnet {depths[-1]} = resnet {depths[0]} + identity blocks",
                f"{built['deep_error']:.4f}",
            ],
            [
                Text("largest |logit difference|", "最大 |logit 差|"),
                f"{built['max_logit_diff']:.2g}",
            ],
        ],
    )


def exploding_table(result: Result, runs: Runs, bare: dict[tuple, Unnormalised], mode: str) -> None:
    """r = ||dL/dW_first conv|| / ||dL/dW_classifier|| by depth, with and without BatchNorm."""
    rows = []
    for depth in CONFIG[mode]["depths"]:
        for family in FAMILIES:
            r_init, r_early = ratios(runs, family, depth)
            unnormalised = bare[(family, depth)]
            rows.append(
                [
                    family,
                    depth,
                    f"{r_init:.3g}",
                    f"{r_early:.3g}",
                    f"{unnormalised.ratio_init:.3g}",
                    f"{unnormalised.ratio_early:.3g}",
                    f"{unnormalised.logits_rms:.3g}",
                    unnormalised.diverged_at or "-",
                ]
            )
    result.add_table(
        Text(
            "Exploding gradients? The first conv's weight gradient over the classifier's (r)",
            "梯度爆炸?第一个卷积与分类层的权重梯度范数之比(r)",
        ),
        [
            Text("net", "网络"),
            Text("depth", "深度"),
            Text("BN: r at init", "BN:初始化时的 r"),
            Text("BN: r, early training", "BN:训练早期的 r"),
            Text("no BN: r at init", "无 BN:初始化时的 r"),
            Text("no BN: r, early training", "无 BN:训练早期的 r"),
            Text("no BN: RMS of the logits at init", "无 BN:初始化时 logits 的 RMS"),
            Text("no BN: diverged at step", "无 BN:发散于第几步"),
        ],
        rows,
        note=result.text("exploding_table_note"),
    )


def loss_panel(axis: object, runs: Runs, depths: tuple[int, ...]) -> None:
    """Seed 0's training loss (whole training set, eval mode) against the step."""
    colors = dict(zip(depths, ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]))
    for depth in depths:
        for family in FAMILIES:
            run = runs.runs[(family, depth)][0]
            axis.plot(
                run.eval_steps,
                run.eval_loss,
                STYLE[family][2],
                color=colors[depth],
                lw=1.2,
                label=f"{family}-{depth} ({run.stopped})",
            )
    axis.set(
        yscale="log",
        xlabel="SGD step",
        ylabel="training loss (log)",
        title="Training to the plateau (dashed: plain)",
    )
    axis.legend(fontsize=7, ncol=2)


def error_panel(axis: object, runs: Runs, depths: tuple[int, ...]) -> None:
    """Training (solid) and test (dotted) error against depth."""
    for family in FAMILIES:
        marker, color, _ = STYLE[family]
        train = [runs.of(family, d, "train_error") for d in depths]
        axis.errorbar(
            depths,
            [np.mean(t) for t in train],
            yerr=[np.std(t) for t in train],
            marker=marker,
            color=color,
            capsize=3,
            label=f"{family}: training error",
        )
        axis.plot(
            depths,
            [np.mean(runs.of(family, d, "test_error")) for d in depths],
            marker=marker,
            color=color,
            ls=":",
            alpha=0.6,
            label=f"{family}: test error",
        )
    axis.set(xlabel="depth (weighted layers)", ylabel="error", title="Error at the plateau")
    axis.set_xticks(list(depths))
    axis.legend(fontsize=7)


def signal_panel(axis: object, runs: Runs, depth: int) -> None:
    """Each layer's backward signal over the classifier's, deepest nets, init and plateau."""
    for family in FAMILIES:
        marker, color, _ = STYLE[family]
        for when, alpha in (("init", 0.45), ("end", 1.0)):
            signal = np.array(runs.of(family, depth, f"signal_{when}")[0])
            axis.semilogy(
                np.arange(1, len(signal) + 1),
                signal / signal[-1],
                marker=marker,
                ms=3,
                color=color,
                alpha=alpha,
                label=f"{family}-{depth}, {'init' if when == 'init' else 'plateau'}",
            )
    axis.axhline(1.0, color="gray", lw=0.8, ls=":")
    axis.set(
        xlabel="weighted layer (1 = first conv, last = classifier)",
        ylabel="RMS dL/dy over the classifier's",
        title="Backward signal layer by layer",
    )
    axis.legend(fontsize=7)


def figures(result: Result, runs: Runs, mode: str) -> None:
    depths = CONFIG[mode]["depths"]
    fig, (left, right) = new_figure(9.5, 3.4, ncols=2)
    loss_panel(left, runs, depths)
    error_panel(right, runs, depths)
    result.add_figure(fig, "degradation", result.text("degradation_caption"))
    fig, (left, right) = new_figure(9.5, 3.4, ncols=2)
    signal_panel(left, runs, depths[-1])
    for family in FAMILIES:
        right.semilogy(
            runs.of(family, depths[-1], "first_grad")[0],
            color=STYLE[family][1],
            lw=0.8,
            label=f"{family}-{depths[-1]}",
        )
    right.set(
        xlabel="SGD step",
        ylabel="||dL/dW|| of the first conv (log)",
        title=f"First layer's gradient, depth {depths[-1]}",
    )
    right.legend(fontsize=8)
    result.add_figure(fig, "first_layer_gradient", result.text("gradient_caption"))
