"""What the fitting topics (fitting_remedies, bias_variance) share: augmentations, features, and the
over- and under-fitting rules.

The rules compare a remedy with its baseline in percentage points of accuracy (mean over seeds).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet.lab.text import Text

__all__ = [
    "GAP_POINTS",
    "OVERFIT_RULE",
    "TRAIN_POINTS",
    "UNDERFIT_RULE",
    "VAL_DROP_POINTS",
    "VAL_POINTS",
    "overfit_verdict",
    "pairwise_features",
    "shift_2d_and_noise",
    "shift_and_noise",
    "standardise",
    "underfit_verdict",
]

Array = np.ndarray


def shift_and_noise(max_shift: int, noise: float) -> Callable[[Array, np.random.Generator], Array]:
    """An augmentation: shift each signal by a random whole number of samples in [-max_shift, max_shift]
    (zero fill), then add Gaussian noise of std `noise`."""

    def augment(x: Array, rng: np.random.Generator) -> Array:
        n, length = x.shape
        shift = rng.integers(-max_shift, max_shift + 1, size=(n, 1))
        source = np.arange(length)[None, :] - shift
        inside = (source >= 0) & (source < length)
        shifted = np.where(inside, np.take_along_axis(x, source.clip(0, length - 1), axis=1), 0.0)
        return (shifted + noise * rng.standard_normal(x.shape)).astype(np.float32)

    return augment


def shift_2d_and_noise(
    side: int, max_shift: int, noise: float
) -> Callable[[Array, np.random.Generator], Array]:
    """The images' augmentation: flattened side x side images shifted by up to `max_shift` pixels
    along each axis (zero fill), plus Gaussian noise of std `noise`."""

    def augment(x: Array, rng: np.random.Generator) -> Array:
        n = len(x)
        images = x.reshape(n, side, side)
        rows, cols = (rng.integers(-max_shift, max_shift + 1, size=(n, 1, 1)) for _ in range(2))
        r = np.arange(side)[None, :, None] - rows
        c = np.arange(side)[None, None, :] - cols
        inside = (r >= 0) & (r < side) & (c >= 0) & (c < side)
        shifted = images[np.arange(n)[:, None, None], r.clip(0, side - 1), c.clip(0, side - 1)]
        out = np.where(inside, shifted, 0.0).reshape(n, side * side)
        return (out + noise * rng.standard_normal(out.shape)).astype(np.float32)

    return augment


def pairwise_features(x: Array) -> Array:
    """[x, x_i * x_j for i <= j]: 40 raw features become 40 + 820 = 860 ('feature combinations')."""
    i, j = np.triu_indices(x.shape[1])
    return np.concatenate([x, x[:, i] * x[:, j]], axis=1).astype(np.float32)


def standardise(train: Array, *others: Array) -> list[Array]:
    """Scale every column to zero mean and unit std using the training rows' statistics only."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(
        std > 1e-6, std, 1.0
    )  # a column constant in training (a blank pixel) is only centred
    return [((a - mean) / std).astype(np.float32) for a in (train, *others)]


OVERFIT_RULE = Text(
    "with gap = train accuracy - validation accuracy (mean over seeds): holds when the remedy narrows the gap by at "
    "least 5 points AND raises validation accuracy by at least 1 point; partly when it does only one of the two "
    "without lowering validation accuracy by more than 2 points; does not hold otherwise",
    "记 gap = 训练准确率 - 验证准确率(多个种子的均值):该方法把 gap 缩小至少 5 个百分点且验证准确率提高至少 1 个百分点则成立;"
    "只做到其中之一且验证准确率下降不超过 2 个百分点为部分成立;否则不成立",
)
UNDERFIT_RULE = Text(
    "holds when the remedy raises training accuracy by at least 5 points AND validation accuracy by at least 1 point "
    "(mean over seeds); partly when it raises training accuracy by at least 5 points but validation accuracy by less; "
    "does not hold otherwise",
    "该方法使训练准确率提高至少 5 个百分点且验证准确率提高至少 1 个百分点(多个种子的均值)则成立;训练准确率提高至少 5 个百分点"
    "但验证准确率提高不足 1 个百分点为部分成立;否则不成立",
)
GAP_POINTS, VAL_POINTS, VAL_DROP_POINTS, TRAIN_POINTS = 5.0, 1.0, 2.0, 5.0


def overfit_verdict(gap_narrowed: float, val_gain: float) -> str:
    """OVERFIT_RULE on the gap narrowing and the validation gain, both in percentage points."""
    narrows, helps = gap_narrowed >= GAP_POINTS, val_gain >= VAL_POINTS
    if narrows and helps:
        return "holds"
    if (narrows or helps) and val_gain > -VAL_DROP_POINTS:
        return "partly"
    return "does not hold"


def underfit_verdict(train_gain: float, val_gain: float) -> str:
    """UNDERFIT_RULE on the training and validation gains, in percentage points."""
    if train_gain >= TRAIN_POINTS:
        return "holds" if val_gain >= VAL_POINTS else "partly"
    return "does not hold"
