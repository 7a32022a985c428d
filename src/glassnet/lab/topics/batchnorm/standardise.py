"""The batchnorm topic: 'BN is a standardisation, a kind of feature scaling that brings the
data into a fixed range', checked as a definition on glassnet's BatchNorm.

Standardisation fixes location and scale: before gamma and beta, BN's output per channel is

    x_hat = (x - mean_batch(x)) / sqrt(var_batch(x) + eps)    mean 0, std sqrt(var / (var + eps)) ~ 1

whatever x was. It does not fix a range: nothing bounds x_hat but Samuelson's inequality,
|x_hat| <= sqrt(m - 1) for a channel of m values, which grows with the batch. Two inputs:
MNIST-1D features (BatchNorm1d, the skewed ones of expressiveness.features) and heavy-tailed
images (BatchNorm2d, Student's t, each channel with its own scale and shift).
"""

from __future__ import annotations

import math

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab.kit.data import Split
from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.batchnorm.expressiveness import features
from glassnet.lab.topics.batchnorm.settings import (
    HEAVY_DF,
    HEAVY_SCALES,
    HEAVY_SHAPE,
    HEAVY_SHIFTS,
    STANDARD_MEAN,
    STANDARD_STD,
)


def heavy_tailed(seed: int) -> np.ndarray:
    """(N, C, H, W) Student's t values, channel c scaled by HEAVY_SCALES[c], shifted by HEAVY_SHIFTS[c]."""
    draws = np.random.default_rng([seed, 17]).standard_t(HEAVY_DF, size=HEAVY_SHAPE)
    scales = np.array(HEAVY_SCALES).reshape(1, -1, 1, 1)
    return (draws * scales + np.array(HEAVY_SHIFTS).reshape(1, -1, 1, 1)).astype(np.float32)


def standardised(layer: nn.Module, x: np.ndarray, axes: tuple[int, ...]) -> dict[str, float]:
    """BN without gamma, beta on x in train mode: per-channel moments and the range of x_hat."""
    with glassnet.no_grad():
        out = layer(glassnet.from_numpy(x)).data.astype(np.float64)
    m = int(np.prod([out.shape[a] for a in axes]))
    return {
        "max_mean": float(np.abs(out.mean(axis=axes)).max()),
        "max_std": float(np.abs(out.std(axis=axes) - 1).max()),
        "max_abs": float(np.abs(out).max()),
        "outside_one": float(np.mean(np.abs(out) > 1)),
        "bound": math.sqrt(m - 1),
        "m": m,
    }


def measure_standardise(data: Split, seed: int) -> dict[str, dict[str, float]]:
    table = features(data)
    images = heavy_tailed(seed)
    return {
        "mnist1d": standardised(nn.BatchNorm1d(table.shape[1], affine=False), table, (0,)),
        "heavy": standardised(nn.BatchNorm2d(images.shape[1], affine=False), images, (0, 2, 3)),
        "heavy_input_max": float(np.abs(images).max()),
    }


def judge_what_it_is(result: Result, m: dict) -> None:
    """m: measure_standardise's numbers."""
    table, heavy = m["mnist1d"], m["heavy"]
    worst_mean = max(table["max_mean"], heavy["max_mean"])
    worst_std = max(table["max_std"], heavy["max_std"])
    fixed = worst_mean <= STANDARD_MEAN and worst_std <= STANDARD_STD
    result.judge(
        "what_it_is",
        Verdict.HOLDS if fixed else Verdict.DOES_NOT_HOLD,
        {
            Text("largest |channel mean| of x_hat", "x_hat 最大 |通道均值|"): f"{worst_mean:.1e}",
            Text("largest |channel std - 1|", "最大 |通道标准差 - 1|"): f"{worst_std:.1e}",
            Text(
                "reported: largest |x_hat|, MNIST-1D features / heavy-tailed images",
                "仅报告:最大 |x_hat|,MNIST-1D 特征 / 重尾图像",
            ): f"{table['max_abs']:.2f} / {heavy['max_abs']:.2f}",
            Text(
                "reported: Samuelson's bound sqrt(m - 1), same order",
                "仅报告:Samuelson 上界 sqrt(m - 1),同上顺序",
            ): f"{table['bound']:.1f} / {heavy['bound']:.1f}",
            Text(
                "reported: share of x_hat outside [-1, 1], same order",
                "仅报告:x_hat 落在 [-1, 1] 之外的比例,同上顺序",
            ): f"{table['outside_one']:.3f} / {heavy['outside_one']:.3f}",
        },
        result.say("what_it_is_rule", mean=STANDARD_MEAN, std=STANDARD_STD, df=HEAVY_DF),
        note=result.say(
            "what_it_is_note",
            max_heavy=heavy["max_abs"],
            max_table=table["max_abs"],
            bound=heavy["bound"],
            m=heavy["m"],
            share=heavy["outside_one"],
        ),
    )
