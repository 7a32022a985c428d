"""The batchnorm topic: judge the explanation, at no-BN's best learning rate: internal
covariate shift (Santurkar et al. 2018's test: shift re-injected after every BN layer, then
training speed, beside their loss-landscape measures) and the coupling between layers."""

from __future__ import annotations

import numpy as np

from glassnet.lab.kit.data import Split
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.batchnorm.measure import coupling, eval_accuracy
from glassnet.lab.topics.batchnorm.settings import (
    COUPLING_REDUCED,
    DRIFT_REDUCED,
    NOISE,
    PROBE_EVERY,
    TARGET,
    VARIANTS,
)


def shift_verdicts(
    result: Result, common: dict, lr: float, steps: int, data: Split, probe: np.ndarray
) -> None:
    """The runs at no-BN's best learning rate: internal covariate shift, then coupling."""
    judge_internal_covariate_shift(result, common, lr, steps, data)
    judge_less_coupling(result, common, probe)


def drift_table(
    result: Result, common: dict, lr: float, steps: int, data: Split, drift: dict
) -> None:
    """Each variant's drift of its hidden layers' inputs, steps to target and test accuracy."""

    result.add_table(
        Text(
            f"At no-BN's best learning rate ({lr:g}): drift of the hidden layers' inputs",
            f"无 BN 最佳学习率({lr:g})下:隐藏层输入分布的漂移",
        ),
        [
            Text("variant", "变体"),
            Text(f"drift per {PROBE_EVERY} steps", f"每 {PROBE_EVERY} 步的漂移"),
            Text(f"steps to {TARGET:.0%}", f"到达 {TARGET:.0%} 的步数"),
            Text("test accuracy", "测试准确率"),
        ],
        [
            [
                VARIANTS[v],
                round(drift[v], 4),
                runs.label(steps),
                round(
                    float(
                        np.mean([eval_accuracy(m, data.x_test, data.y_test) for m in runs.models])
                    ),
                    3,
                ),
            ]
            for v, runs in common.items()
        ],
        note=result.text("drift_note"),
    )


def noise_level(drift: dict) -> str:
    """The mildest injected shift whose drift reaches the plain net's own (else the strongest)."""
    for variant in NOISE:  # mildest first
        if drift[variant] >= drift["none"]:
            return variant
    return list(NOISE)[-1]


def landscape_numbers(common: dict) -> dict[str, tuple[float, float, float]]:
    """Per variant: the mean over probes and seeds of (loss range, gradient change, beta)."""
    return {
        v: tuple(float(np.mean([probe[i] for probe in runs.landscape])) for i in range(3))
        for v, runs in common.items()
        if runs.landscape
    }


def judge_internal_covariate_shift(
    result: Result, common: dict, lr: float, steps: int, data: Split
) -> None:
    drift = {v: float(np.mean(runs.drift)) for v, runs in common.items()}
    steps_of = {v: runs.steps(steps) for v, runs in common.items()}
    noisy = noise_level(drift)
    reduces = drift["hidden"] <= DRIFT_REDUCED * drift["none"]
    gain = steps_of["none"] - steps_of["hidden"]
    explains = gain > 0 and steps_of[noisy] >= steps_of["hidden"] + gain / 2
    verdict = (
        Verdict.HOLDS
        if reduces and explains
        else Verdict.PARTLY
        if reduces or explains
        else Verdict.DOES_NOT_HOLD
    )
    drift_table(result, common, lr, steps, data, drift)
    land = landscape_numbers(common)
    result.judge(
        "internal_covariate_shift",
        verdict,
        {
            Text(
                "drift, no BN / BN", "漂移,无 BN / BN"
            ): f"{drift['none']:.3g} / {drift['hidden']:.3g}",
            Text("drift, BN + mild / strong noise", "漂移,BN + 弱 / 强噪声"): (
                f"{drift['noisy_mild']:.3g} / {drift['noisy']:.3g}"
            ),
            Text("noise level judged", "用于判定的噪声强度"): VARIANTS[noisy],
            Text(
                "steps to target: no BN / BN / BN + that noise",
                "到达目标步数:无 BN / BN / BN + 该噪声",
            ): (f"{steps_of['none']:.0f} / {steps_of['hidden']:.0f} / {steps_of[noisy]:.0f}"),
            Text("BN reduces the drift", "BN 减小了漂移"): reduces,
            Text(
                "re-injected drift undoes BN's speed-up", "重新注入漂移抵消了 BN 的加速"
            ): explains,
            **{
                Text(
                    f"{name.en}, no BN / BN / BN + noise (reported)",
                    f"{name.zh},无 BN / BN / BN + 噪声(仅报告)",
                ): (f"{land['none'][i]:.3g} / {land['hidden'][i]:.3g} / {land[noisy][i]:.3g}")
                for i, name in enumerate(LANDSCAPE_NAMES)
            },
        },
        result.say("shift_rule", drift_reduced=DRIFT_REDUCED),
        note=result.say(
            "shift_note",
            noise_ratio=drift[noisy] / drift["none"],
            loss_ratio=land["hidden"][0] / land["none"][0],
            grad_ratio=land["hidden"][1] / land["none"][1],
            beta_ratio=land["hidden"][2] / land["none"][2],
        ),
    )


LANDSCAPE_NAMES = (
    Text("loss range along the gradient", "沿梯度的损失变化范围"),
    Text("gradient change along the gradient", "沿梯度的梯度变化"),
    Text("effective beta-smoothness", "有效 beta 光滑度"),
)


def coupling_numbers(changes: dict) -> dict:
    """Mean distribution and per-sample change, no BN / BN, for each perturbation of W_2."""
    numbers = {}
    for kind, label in (
        ("x2", Text("W_2 doubled", "W_2 加倍")),
        ("noise", Text("W_2 + 10% noise", "W_2 + 10% 噪声")),
    ):
        for which, what in (
            (0, Text("distribution change", "分布变化")),
            (1, Text("per-sample change", "逐样本变化")),
        ):
            values = [
                float(np.mean([c[kind][which] for c in changes[v]])) for v in ("none", "hidden")
            ]
            numbers[
                Text(f"{label.en}: {what.en}, no BN / BN", f"{label.zh}:{what.zh},无 BN / BN")
            ] = f"{values[0]:.3g} / {values[1]:.3g}"
    return numbers


def judge_less_coupling(result: Result, common: dict, probe: np.ndarray) -> None:
    changes = {
        v: [coupling(m, probe, k) for k, m in enumerate(common[v].models)]
        for v in ("none", "hidden")
    }

    def ratio(kind: str, which: int) -> float:
        return float(np.mean([c[kind][which] for c in changes["hidden"]])) / float(
            np.mean([c[kind][which] for c in changes["none"]])
        )

    dist = {kind: ratio(kind, 0) for kind in ("x2", "noise")}
    sample = {kind: ratio(kind, 1) for kind in ("x2", "noise")}
    dist_ok = all(r <= COUPLING_REDUCED for r in dist.values())
    sample_ok = all(r <= COUPLING_REDUCED for r in sample.values())
    verdict = (
        Verdict.HOLDS
        if dist_ok and sample_ok
        else Verdict.PARTLY
        if any(r <= COUPLING_REDUCED for r in dist.values())
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "less_coupling",
        verdict,
        coupling_numbers(changes),
        result.say("coupling_rule", coupling_reduced=COUPLING_REDUCED),
        asserted=True,
        margin=result.say(
            "coupling_margin",
            dist_x2=dist["x2"],
            dist_noise=dist["noise"],
            sample_noise=sample["noise"],
            reduced=COUPLING_REDUCED,
        ),
    )
