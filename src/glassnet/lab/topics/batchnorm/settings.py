"""The batchnorm topic: settings."""

from __future__ import annotations

import math

from glassnet.lab.text import Text

WIDTH, HIDDEN, BATCH = 64, 4, 64


TARGET = 0.5  # training accuracy (10 classes: chance is 0.1)


LRS = {
    "smoke": [0.1, 0.316, 1.0, 3.16, 10.0],
    "quick": [0.01, 0.0316, 0.1, 0.316, 1.0, 3.16, 10.0],
    "full": [0.01, 0.0316, 0.1, 0.316, 1.0, 3.16, 10.0, 31.6],
}


STEPS = {"smoke": 600, "quick": 1200, "full": 3000}


SEEDS = {"smoke": 1, "quick": 3, "full": 5}


EVAL_EVERY, PROBE_EVERY, FREEZE_AFTER = 20, 50, 20


NOISE_SCALE, NOISE_SHIFT = (
    math.log(2.0),
    1.0,
)  # noisy BN: y * exp(U(-ln2, ln2)) + U(-1, 1), per unit per step


# The injected shift at two strengths (scale a, shift b: y * exp(U(-a, a)) + U(-b, b)); the
# internal-covariate-shift verdict reads the mildest whose drift reaches the plain net's own.
NOISE = {"noisy_mild": (NOISE_SCALE / 2, NOISE_SHIFT / 2), "noisy": (NOISE_SCALE, NOISE_SHIFT)}


# Santurkar et al.'s landscape probes, every LANDSCAPE_EVERY steps on a fixed training batch:
# the loss and gradient at w - k lr g for k in LANDSCAPE_STEPS (their range: 0.5 to 4 x lr).
LANDSCAPE_EVERY, LANDSCAPE_BATCH, LANDSCAPE_STEPS = 100, 128, (0.5, 1.0, 2.0, 4.0)


VARIANTS = {
    "none": Text("no BN", "无 BN"),
    "hidden": Text("BN on hidden layers", "隐藏层 BN"),
    "input": Text("+ BN on the input", "+ 输入层 BN"),
    "output": Text("+ BN on the output", "+ 输出层 BN"),
    "frozen": Text(
        f"BN, statistics frozen after step {FREEZE_AFTER}", f"BN,第 {FREEZE_AFTER} 步后冻结统计量"
    ),
    "noisy": Text("BN + shift noise every step", "BN + 每步随机平移缩放噪声"),
    "noisy_mild": Text("BN + half-strength shift noise", "BN + 半强度平移缩放噪声"),
    "no_affine": Text("BN without gamma, beta", "无 gamma、beta 的 BN"),
}


# thresholds, fixed before measuring
FASTER_HOLDS, FASTER_PARTLY = 1.5, 1.1  # steps ratio no-BN / BN, each at its best lr


LR_HOLDS, LR_PARTLY = 10.0, 3.0  # largest trainable lr, BN / no-BN


HURTS_STEPS, HURTS_ACC = (
    1.25,
    0.02,
)  # a variant hurts: >= 1.25x the steps, or >= 2 points lower test accuracy


DRIFT_REDUCED = 0.5  # BN's layer-input drift <= half of no-BN's


COUPLING_REDUCED = 0.5  # next layer's input change <= half of no-BN's


MOVED = 0.01  # gamma/beta: RMS(gamma - 1) and RMS(beta) at least this


BATCH_STATS_DIFF = 0.01  # inference with batch statistics changes test accuracy by >= 1 point


# affine_expressiveness: BN without gamma, beta cannot fit the identity (relative error >= this)
# while BN with them can (<= AFFINE_EXACT); 'confined to a normal distribution' needs the
# normalised features' median |skewness| <= NORMAL_SKEW (a normal distribution has 0).
AFFINE_LIMITED, AFFINE_EXACT, NORMAL_SKEW = 0.1, 1e-3, 0.5


EPS_TINY = 1e-3  # epsilon: it changes a typical channel's output by less than this (relative)


# what_it_is ("a standardisation, feature scaling into a fixed range"), read as a fixed
# location and scale: before gamma and beta, every channel's batch mean within STANDARD_MEAN
# of 0 and its std within STANDARD_STD of 1, on every input tried. Reported beside, not
# judged: the largest |x_hat| on a heavy-tailed input (Student's t with HEAVY_DF degrees of
# freedom, per channel scaled by HEAVY_SCALES and shifted by HEAVY_SHIFTS): no fixed range.
STANDARD_MEAN, STANDARD_STD = 1e-3, 1e-2
HEAVY_DF, HEAVY_SHAPE = 2, (64, 4, 8, 8)  # (N, C, H, W): 4,096 values per channel
HEAVY_SCALES, HEAVY_SHIFTS = (0.1, 1.0, 10.0, 100.0), (-5.0, 0.0, 3.0, 50.0)
