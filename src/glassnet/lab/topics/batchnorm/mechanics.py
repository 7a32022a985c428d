"""The batchnorm topic's mechanics and figures: the four steps by hand, the 0-1 distribution, plots.

This file checks what BN computes on a single batch; `measure` trains networks with and without it.
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab.kit.data import Split
from glassnet.lab.result import Result, Verdict, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.batchnorm.settings import TARGET, VARIANTS, WIDTH


def measure_four_steps(data: Split) -> dict:
    """The four steps by hand (NumPy) on 8 samples x 4 features, and nn.BatchNorm1d in train mode."""
    glassnet.manual_seed(0)
    features = nn.Linear(40, 4)
    with glassnet.no_grad():
        x = features(glassnet.from_numpy(data.x_train[:8])).data.astype(np.float32)
    gamma, beta, eps = (
        np.array([2.0, 0.5, 1.0, 3.0], np.float32),
        np.array([1.0, -1.0, 0.0, 0.5], np.float32),
        1e-5,
    )
    mu = x.mean(axis=0)  # step 1: the batch mean
    var = ((x - mu) ** 2).mean(axis=0)  # step 2: the batch variance (biased: divide by N)
    x_hat = (x - mu) / np.sqrt(var + eps)  # step 3: normalise; eps guards against var = 0
    y = gamma * x_hat + beta  # step 4: scale and shift, learned
    layer = nn.BatchNorm1d(4, eps=eps)
    layer.weight.data[...], layer.bias.data[...] = gamma, beta
    with glassnet.no_grad():
        out = layer(glassnet.from_numpy(x)).data
    diff = float(np.max(np.abs(out - y)))
    tolerance = 1e-5 * max(1.0, float(np.max(np.abs(y))))
    n = len(x)
    running_ok = bool(
        np.allclose(layer.running_mean.data, 0.1 * mu, atol=1e-6)
        and np.allclose(layer.running_var.data, 0.9 + 0.1 * var * n / (n - 1), atol=1e-6)
    )
    layer.eval()
    with glassnet.no_grad():
        eval_out = layer(glassnet.from_numpy(x)).data
    eval_change = float(np.max(np.abs(eval_out - out)))
    return dict(
        x=x,
        mu=mu,
        var=var,
        eps=eps,
        x_hat=x_hat,
        y=y,
        gamma=gamma,
        beta=beta,
        out=out,
        diff=diff,
        tolerance=tolerance,
        running_ok=running_ok,
        eval_change=eval_change,
    )


def _four_steps_table(result: Result, m: dict) -> None:
    x, mu, var, eps, x_hat, y, out = (m[k] for k in ("x", "mu", "var", "eps", "x_hat", "y", "out"))
    gamma, beta, n = m["gamma"], m["beta"], len(m["x"])
    rows = [
        [
            i + 1,
            float(x[i, 0]),
            float(x[i, 0] - mu[0]),
            float(x_hat[i, 0]),
            float(y[i, 0]),
            float(out[i, 0]),
        ]
        for i in range(n)
    ]
    rows.append(
        [
            Text("batch", "批"),
            f"mu = {mu[0]:.4g}",
            f"var = {var[0]:.4g}",
            f"eps = {eps:g}",
            f"gamma = {gamma[0]:g}, beta = {beta[0]:g}",
            "",
        ]
    )
    result.add_table(
        Text(
            "The four steps by hand on a batch of 8 (feature 1 of 4), against nn.BatchNorm1d",
            "手算 8 个样本的批次上的四个步骤(4 个特征中的第 1 个),与 nn.BatchNorm1d 对比",
        ),
        [
            Text("sample", "样本"),
            "x",
            Text("x - mu (steps 1-2)", "x - mu(第 1-2 步)"),
            Text("x_hat (step 3)", "x_hat(第 3 步)"),
            Text("y = gamma x_hat + beta (step 4)", "y = gamma x_hat + beta(第 4 步)"),
            Text("BatchNorm1d, train mode", "BatchNorm1d,训练模式"),
        ],
        rows,
    )


def four_steps(result: Result, data: Split) -> None:
    """The notes' four steps by hand against nn.BatchNorm1d in train mode: the table and the verdict."""
    m = measure_four_steps(data)
    _four_steps_table(result, m)
    diff, tolerance = m["diff"], m["tolerance"]
    running_ok, eval_change = m["running_ok"], m["eval_change"]
    result.judge(
        "four_steps",
        Verdict.HOLDS if diff <= tolerance else Verdict.DOES_NOT_HOLD,
        {
            Text(
                "max |by hand - BatchNorm1d| (train mode)", "max |手算 - BatchNorm1d|(训练模式)"
            ): diff,
            Text("tolerance", "容差"): tolerance,
            Text(
                "running stats = 0.9 old + 0.1 batch (unbiased var)",
                "运行统计量 = 0.9 旧值 + 0.1 批次(无偏方差)",
            ): running_ok,
            Text("max change of the output in eval mode", "eval 模式下输出的最大变化"): eval_change,
        },
        Text(
            "holds when the four steps computed by hand reproduce nn.BatchNorm1d's training-mode output within "
            "1e-5 (relative to the largest output); does not hold otherwise",
            "手算的四个步骤在 1e-5(相对于最大输出)以内复现 nn.BatchNorm1d 训练模式的输出则成立;否则不成立",
        ),
        robust=True,
        margin=result.say("four_steps_margin", diff=diff, tolerance=tolerance),
        note=Text(
            "The four steps are training mode only. The notes leave out the fifth piece: BN also keeps running "
            "averages of mu and of the unbiased variance (momentum 0.1), and in eval mode normalises with "
            "those instead of the batch's statistics (the output above changes by the amount shown).",
            "这四步只适用于训练模式。笔记漏掉了第五部分:BN 还维护 mu 和无偏方差的滑动平均(momentum 0.1),"
            "在 eval 模式下用它们而不是批次统计量做归一化(上面的输出因此改变了所示的量)。",
        ),
    )


def _skew(a: np.ndarray) -> np.ndarray:
    centred = a - a.mean(axis=0)
    return (centred**3).mean(axis=0) / np.maximum(a.std(axis=0), 1e-12) ** 3


def zero_one(result: Result, model: nn.Sequential, data: Split) -> None:
    """BatchNorm1d on the first Linear's outputs of `model` (a network without BN) and on its first ReLU's."""
    x = data.x_train[:512]
    with glassnet.no_grad():
        pre = model[0](glassnet.from_numpy(x))
        relu = model[1](pre).data
        normed = nn.BatchNorm1d(WIDTH)(pre).data.astype(np.float64)
        relu_normed = nn.BatchNorm1d(WIDTH)(glassnet.from_numpy(relu)).data.astype(np.float64)
    live = relu.std(axis=0) > 0
    max_mean, max_var = (
        float(np.abs(normed.mean(axis=0)).max()),
        float(np.abs(normed.var(axis=0) - 1).max()),
    )
    skew_before, skew_after = (
        float(np.median(_skew(relu[:, live]))),
        float(np.median(_skew(relu_normed[:, live]))),
    )
    verdict = Verdict.HOLDS if max_mean <= 1e-3 and max_var <= 1e-2 else Verdict.DOES_NOT_HOLD
    result.judge(
        "zero_one_distribution",
        verdict,
        {
            Text("features x samples", "特征 x 样本"): f"{WIDTH} x {len(x)}",
            Text("max |mean| after normalising", "归一化后最大 |均值|"): max_mean,
            Text("max |variance - 1|", "最大 |方差 - 1|"): max_var,
            Text(
                "median skewness of ReLU features before BN", "BN 前 ReLU 特征偏度的中位数"
            ): round(skew_before, 3),
            Text("... after BN", "……BN 后"): round(skew_after, 3),
        },
        Text(
            "on the first Linear layer's 64 outputs for 512 MNIST-1D samples, BatchNorm1d (gamma 1, beta 0, train "
            "mode): holds when every feature has |mean| <= 1e-3 and |variance - 1| <= 1e-2; does not hold otherwise",
            "对 512 个 MNIST-1D 样本第一个 Linear 层的 64 个输出做 BatchNorm1d(gamma 1、beta 0、训练模式):每个特征都满足 "
            "|均值| <= 1e-3 且 |方差 - 1| <= 1e-2 则成立;否则不成立",
        ),
        robust=True,
        margin=result.say("normalised_margin", max_mean=max_mean, max_var=max_var),
        note=Text(
            "Mean 0 and variance 1, yes; a normal distribution, no: the shape is untouched (the skewness of "
            "ReLU features is the same before and after BN), so the notes' later 'the normalised x_i are "
            "confined to a normal distribution' is wrong. 'Variance 1' is 1 - eps/(var + eps), a hair below 1.",
            "均值 0、方差 1,是的;正态分布,不是:分布的形状没有改变(ReLU 特征的偏度在 BN 前后相同),所以笔记后面"
            "说“归一化后的 x_i 基本会被限制在正态分布下”是错的。“方差 1”实为 1 - eps/(var + eps),略小于 1。",
        ),
    )


def _four_panels(result: Result, data: Split) -> None:
    """Histograms of one skewed feature (a ReLU output) through the four steps: the shape never changes."""
    glassnet.manual_seed(0)
    layer = nn.Linear(40, WIDTH)
    with glassnet.no_grad():
        x = np.maximum(layer(glassnet.from_numpy(data.x_train[:512])).data.astype(np.float64), 0)
    x = x[:, int(np.argmax(x.std(axis=0)))]
    mu, var = x.mean(), x.var()
    x_hat = (x - mu) / np.sqrt(var + 1e-5)
    fig, axes = new_figure(10.0, 2.6, ncols=4)
    for ax, values, title in zip(
        axes,
        (x, x - mu, x_hat, 2.0 * x_hat + 1.0),
        (
            "x (a ReLU output)",
            "1-2: x - mu",
            "3: x_hat = (x - mu) / sqrt(var + eps)",
            "4: y = 2 x_hat + 1",
        ),
    ):
        ax.hist(values, bins=30, color="tab:blue", alpha=0.8)
        ax.set_title(title, fontsize=8)
        ax.text(
            0.97,
            0.95,
            f"mean {values.mean():.2f}\nstd {values.std():.2f}",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
        )
        ax.tick_params(labelsize=7)
    result.add_figure(
        fig,
        "four_steps",
        Text(
            "BN's four steps on one feature of 512 samples: subtracting the batch mean and dividing by the batch std "
            "give mean 0 and std 1, then gamma (2) and beta (1) rescale and shift. The shape, skew included, is kept.",
            "BN 的四个步骤作用于 512 个样本的一个特征:减去批均值、除以批标准差后得到均值 0、标准差 1,再由 gamma(2)和 "
            "beta(1)缩放平移。分布的形状(包括偏斜)保持不变。",
        ),
    )


def _sweep_panel(left: object, sweep: dict, lrs: list[float], steps: int) -> None:
    """Steps to the target against the learning rate, with and without BN."""
    for variant, color in (("none", "tab:gray"), ("hidden", "tab:blue")):
        values = [sweep[(variant, lr)].steps(steps) for lr in lrs]
        trains = [sweep[(variant, lr)].trains() for lr in lrs]
        left.plot(lrs, values, "-", color=color, label=VARIANTS[variant].en)
        left.plot(
            [lr for lr, t in zip(lrs, trains) if t],
            [v for v, t in zip(values, trains) if t],
            "o",
            color=color,
        )
        left.plot(
            [lr for lr, t in zip(lrs, trains) if not t],
            [v for v, t in zip(values, trains) if not t],
            "x",
            color=color,
            ms=8,
        )
    left.axhline(steps, color="gray", lw=0.6, ls=":")
    left.set(
        xscale="log",
        yscale="log",
        xlabel="learning rate (plain SGD)",
        ylabel=f"steps to {TARGET:.0%}",
        title="learning-rate sweep (x: does not train)",
    )
    left.legend(fontsize=8)


def figures(
    result: Result,
    sweep: dict,
    main: dict,
    common: dict,
    best: dict,
    lrs: list[float],
    steps: int,
    data: Split,
) -> None:
    """The four-step histograms, the learning-rate sweep and the training curves of the variants."""
    _four_panels(result, data)
    fig, (left, right) = new_figure(10.0, 3.8, ncols=2)
    _sweep_panel(left, sweep, lrs, steps)
    curves = [
        ("none", common["none"], best["none"], "-"),
        ("hidden", common["hidden"], best["none"], "--"),
        ("noisy", common["noisy"], best["none"], "--"),
    ]
    curves += [(v, main[v], best["hidden"], "-") for v in ("hidden", "input", "output", "frozen")]
    for variant, runs, lr, style in curves:
        grid = runs.curves[0].eval_steps
        acc = np.mean(
            [c.eval_acc[: len(grid)] for c in runs.curves if len(c.eval_acc) >= len(grid)], axis=0
        )
        right.plot(grid, acc, style, label=f"{VARIANTS[variant].en} (lr {lr:g})", lw=1.2)
    right.axhline(TARGET, color="gray", lw=0.6, ls=":")
    right.set(
        xlabel="step",
        ylabel="training accuracy (1,000 samples)",
        title="training curves (mean over seeds)",
    )
    right.legend(fontsize=7)
    result.add_figure(
        fig,
        "training",
        Text(
            "Left: steps to the target accuracy against the learning rate, with and without BN (the dotted line is the "
            "budget; x marks a learning rate that does not train). Right: training accuracy of each variant.",
            "左:有无 BN 时达到目标准确率所需步数随学习率的变化(虚线为步数上限;x 表示该学习率训练失败)。右:各变体的训练准确率。",
        ),
    )
