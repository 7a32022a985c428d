"""The batchnorm topic's two mechanical checks of the notes' definitions: what BN without
gamma and beta can represent (the notes: normalising 'confines x to a normal distribution'
and costs expressiveness, which gamma and beta give back), and what epsilon is for.

Identity test: on a batch of features with non-zero means and unequal spreads, the best BN
output for the target y = x. With gamma = sqrt(var + eps) and beta = mu the layer computes x
exactly; without them its output is x_hat, mean 0 and variance 1 per feature whatever x
was, so the identity (and any output with a non-zero mean) is out of reach.

Epsilon test: a constant feature (var = 0) through x_hat = (x - mu) / sqrt(var + eps), with
eps = 0 and with PyTorch's 1e-5; then how much eps moves a typical feature's output.
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab.kit.data import Split
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.batchnorm.mechanics import skewness
from glassnet.lab.topics.batchnorm.settings import (
    AFFINE_EXACT,
    AFFINE_LIMITED,
    EPS_TINY,
    HURTS_ACC,
    NORMAL_SKEW,
)

EPS = 1e-5  # PyTorch's default


def features(data: Split) -> np.ndarray:
    """512 MNIST-1D samples through a Linear(40, 8) and a ReLU, shifted by 1: skewed, mean != 0."""
    glassnet.manual_seed(1)
    with glassnet.no_grad():
        out = nn.Linear(40, 8)(glassnet.from_numpy(data.x_train[:512])).data
    return (np.maximum(out, 0) * 3 + 1).astype(np.float32)


def identity_fit(x: np.ndarray) -> dict[str, float]:
    """Relative error of BN's best attempt at y = x, with and without gamma, beta (train mode)."""
    mu, var = x.mean(axis=0), x.var(axis=0)
    with_affine = nn.BatchNorm1d(x.shape[1], eps=EPS)
    with_affine.weight.data[...], with_affine.bias.data[...] = np.sqrt(var + EPS), mu
    without = nn.BatchNorm1d(x.shape[1], eps=EPS, affine=False)
    with glassnet.no_grad():
        y_affine = with_affine(glassnet.from_numpy(x)).data
        y_plain = without(glassnet.from_numpy(x)).data.astype(np.float64)
    size = float(np.linalg.norm(x))
    return {
        "affine_error": float(np.linalg.norm(y_affine - x)) / size,
        "plain_error": float(np.linalg.norm(y_plain - x)) / size,
        "plain_max_mean": float(np.abs(y_plain.mean(axis=0)).max()),
        "target_min_mean": float(np.abs(x.mean(axis=0)).min()),
        "skew_before": float(np.median(np.abs(skewness(x.astype(np.float64))))),
        "skew_after": float(np.median(np.abs(skewness(y_plain)))),
    }


def judge_affine(result: Result, main: dict, test_acc: dict, data: Split) -> None:
    fit = identity_fit(features(data))
    acc = {v: float(np.mean(test_acc[v])) for v in ("hidden", "no_affine")}
    train = {v: float(np.mean([c.final_acc for c in main[v].curves])) for v in acc}
    limited = fit["plain_error"] >= AFFINE_LIMITED and fit["affine_error"] <= AFFINE_EXACT
    loses = max(acc["hidden"] - acc["no_affine"], train["hidden"] - train["no_affine"]) >= HURTS_ACC
    normal = fit["skew_after"] <= NORMAL_SKEW
    verdict = (
        Verdict.HOLDS
        if limited and loses and normal
        else Verdict.PARTLY
        if limited or loses
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "affine_expressiveness",
        verdict,
        {
            Text(
                "identity y = x: relative error with gamma, beta",
                "恒等 y = x:有 gamma、beta 的相对误差",
            ): f"{fit['affine_error']:.1e}",
            Text("... without them", "……没有它们"): round(fit["plain_error"], 3),
            Text(
                "largest |output mean| without them (target's smallest)",
                "没有它们时最大 |输出均值|(目标的最小值)",
            ): (f"{fit['plain_max_mean']:.1e} ({fit['target_min_mean']:.2f})"),
            Text("median |skewness| before / after normalising", "归一化前 / 后 |偏度| 的中位数"): (
                f"{fit['skew_before']:.2f} / {fit['skew_after']:.2f}"
            ),
            Text(
                "test accuracy with / without gamma, beta", "有 / 无 gamma、beta 的测试准确率"
            ): f"{acc['hidden']:.3f} / {acc['no_affine']:.3f}",
            Text(
                "final training accuracy with / without", "有 / 无时的最终训练准确率"
            ): f"{train['hidden']:.3f} / {train['no_affine']:.3f}",
            Text("the layer loses what it can represent", "该层失去了可表示的内容"): limited,
            Text("the network loses accuracy", "网络损失了准确率"): loses,
            Text("normalised features are normal", "归一化后的特征服从正态分布"): normal,
        },
        result.say(
            "affine_rule",
            limited=AFFINE_LIMITED,
            exact=AFFINE_EXACT,
            points=HURTS_ACC * 100,
            skew=NORMAL_SKEW,
        ),
        note=result.text("affine_note"),
    )


def normalise(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """BatchNorm1d (gamma 1, beta 0, train mode) on x: its output and dL/dx for L = sum(out * w)."""
    layer = nn.BatchNorm1d(x.shape[1], eps=eps)
    inputs = glassnet.from_numpy(x.copy()).requires_grad_()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = layer(inputs)
        weights = np.linspace(-1, 1, x.size, dtype=np.float32).reshape(x.shape)
        (out * glassnet.from_numpy(weights)).sum().backward()
    return out.data, inputs.grad.data


def epsilon_numbers(data: Split) -> dict[str, float]:
    x = features(data)
    constant = np.concatenate([x[:64, :3], np.full((64, 1), 2.5, np.float32)], axis=1)
    out0, grad0 = normalise(constant, 0.0)
    out1, grad1 = normalise(constant, EPS)
    typical = float(np.median(x.var(axis=0)))
    ref, small = normalise(x, 0.0)[0], normalise(x, EPS)[0]
    return {
        "nonfinite_without": int(
            np.sum(~np.isfinite(out0[:, 3])) + np.sum(~np.isfinite(grad0[:, 3]))
        ),
        "finite_with": bool(np.all(np.isfinite(out1)) and np.all(np.isfinite(grad1))),
        "constant_out": float(np.abs(out1[:, 3]).max()),
        "typical_var": typical,
        "change": float(np.abs(small - ref).max() / np.abs(ref).max()),
        "tiny_var_std": float(np.sqrt(1e-8 / (1e-8 + EPS))),
    }


def judge_epsilon(result: Result, data: Split) -> None:
    m = epsilon_numbers(data)
    guards = m["nonfinite_without"] > 0 and m["finite_with"]
    tiny = m["change"] < EPS_TINY
    verdict = (
        Verdict.HOLDS if guards and tiny else Verdict.PARTLY if guards else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "epsilon",
        verdict,
        {
            Text(
                "constant feature, eps = 0: non-finite outputs and gradients",
                "常数特征,eps = 0:非有限的输出与梯度个数",
            ): m["nonfinite_without"],
            Text(
                f"constant feature, eps = {EPS:g}: all finite", f"常数特征,eps = {EPS:g}:全部有限"
            ): m["finite_with"],
            Text("... its largest |output|", "……其最大 |输出|"): m["constant_out"],
            Text("typical feature variance (median)", "典型特征方差(中位数)"): round(
                m["typical_var"], 3
            ),
            Text(
                f"largest relative output change from eps = {EPS:g}",
                f"eps = {EPS:g} 造成的最大相对输出变化",
            ): f"{m['change']:.1e}",
            Text(
                "output std of a feature with variance 1e-8 (reported)",
                "方差为 1e-8 的特征的输出标准差(仅报告)",
            ): round(m["tiny_var_std"], 3),
        },
        result.say("epsilon_rule", tiny=EPS_TINY, eps=EPS),
        note=result.text("epsilon_note"),
    )
