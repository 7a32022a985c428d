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
        result.text("four_steps_rule"),
        asserted=True,
        margin=result.say("four_steps_margin", diff=diff, tolerance=tolerance),
        note=result.text("four_steps_note"),
    )


def skewness(a: np.ndarray) -> np.ndarray:
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
        float(np.median(skewness(relu[:, live]))),
        float(np.median(skewness(relu_normed[:, live]))),
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
        result.text("zero_one_rule"),
        asserted=True,
        margin=result.say("normalised_margin", max_mean=max_mean, max_var=max_var),
        note=result.text("zero_one_note"),
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
        result.text("four_steps_caption"),
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
        result.text("training_caption"),
    )
