"""What the fitting topics (fitting_remedies, bias_variance) share: augmentations, features,
the scores of a model over seeds, the choice of a remedy's strength on validation, and the
over- and under-fitting rules.

The rules compare a remedy, at the strength chosen on the validation set, with its baseline
on the untouched test split, seed by seed (seed r of the remedy against seed r of the base:
the same training subset), in percentage points of accuracy:

    gap      = train accuracy - test accuracy            (variance: what does not carry over)
    d_test_r = test accuracy of the remedy - of the base, seed r
    remedy (over-fitting)   holds   mean d_test >= TEST_POINTS, every d_test_r > 0, AND the gap
                                    narrows by >= GAP_POINTS
                            partly  one of the two, and mean d_test > -TEST_DROP_POINTS
    remedy (under-fitting)  holds   train accuracy up >= TRAIN_POINTS AND mean d_test >=
                                    TEST_POINTS with every d_test_r > 0
                            partly  train accuracy up >= TRAIN_POINTS only

The burden of proof lies on the claim: a gain inside the seeds' spread (one seed up, one down)
does not count. A remedy is judged only where its base shows the problem: the over-fitting
base's train - validation gap must reach OVERFIT_GAP_POINTS, the under-fitting base's training
accuracy must stay below UNDERFIT_TRAIN_MAX without such a gap; otherwise the claim is 'not
measured' with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.lab.kit.data import Split
from glassnet.lab.kit.evaluate import accuracy, cross_entropy, predict_logits
from glassnet.lab.text import Text

__all__ = [
    "GAP_POINTS",
    "OVERFIT_GAP_POINTS",
    "OVERFIT_RULE",
    "Scores",
    "TEST_DROP_POINTS",
    "TEST_POINTS",
    "TRAIN_POINTS",
    "UNDERFIT_RULE",
    "UNDERFIT_TRAIN_MAX",
    "choose_on_val",
    "combine",
    "overfit_verdict",
    "overfits",
    "parts",
    "score",
    "scores",
    "pairwise_features",
    "shift_2d_and_noise",
    "shift_and_noise",
    "standardise",
    "underfit_verdict",
    "underfits",
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


GAP_POINTS, TEST_POINTS, TEST_DROP_POINTS, TRAIN_POINTS = 5.0, 1.0, 2.0, 5.0
OVERFIT_GAP_POINTS = 10.0  # a base over-fits when its train - validation gap reaches this
UNDERFIT_TRAIN_MAX = 80.0  # a base under-fits when its training accuracy stays below this

OVERFIT_RULE = Text(
    f"each remedy at the strength chosen on the validation set, against the base on the test "
    f"split, seed by seed (gap = train - test accuracy): holds when it raises test accuracy in "
    f"every seed and by >= {TEST_POINTS:g} point on the mean, AND narrows the gap by >= "
    f"{GAP_POINTS:g} points; partly when it does one of the two without lowering test accuracy by "
    f"{TEST_DROP_POINTS:g} points or more; does not hold otherwise. Judged only where the base "
    f"over-fits (train - validation gap >= {OVERFIT_GAP_POINTS:g} points)",
    f"每种方法取在验证集上选出的强度,与基线在测试集上逐个种子比较(gap = 训练准确率 - 测试准确率):"
    f"测试准确率在每个种子上都提高、均值提高 >= {TEST_POINTS:g} 个百分点,并且 gap 缩小 >= {GAP_POINTS:g} "
    f"个百分点则成立;只做到其中之一且测试准确率下降不到 {TEST_DROP_POINTS:g} 个百分点为部分成立;否则不成立。"
    f"只在基线确实过拟合(训练 - 验证 gap >= {OVERFIT_GAP_POINTS:g} 个百分点)时判定",
)
UNDERFIT_RULE = Text(
    f"each remedy at the strength chosen on the validation set, against the base, seed by seed: "
    f"holds when it raises training accuracy by >= {TRAIN_POINTS:g} points AND test accuracy in "
    f"every seed and by >= {TEST_POINTS:g} point on the mean; partly when it raises training "
    f"accuracy by >= {TRAIN_POINTS:g} points only; does not hold otherwise. Judged only where the "
    f"base under-fits (training accuracy < {UNDERFIT_TRAIN_MAX:g}% and train - validation gap < "
    f"{OVERFIT_GAP_POINTS:g} points)",
    f"每种方法取在验证集上选出的强度,与基线逐个种子比较:训练准确率提高 >= {TRAIN_POINTS:g} 个百分点,"
    f"且测试准确率在每个种子上都提高、均值提高 >= {TEST_POINTS:g} 个百分点则成立;只有训练准确率提高 >= "
    f"{TRAIN_POINTS:g} 个百分点为部分成立;否则不成立。只在基线确实欠拟合(训练准确率 < "
    f"{UNDERFIT_TRAIN_MAX:g}% 且训练 - 验证 gap < {OVERFIT_GAP_POINTS:g} 个百分点)时判定",
)


@dataclass
class Scores:
    """One model's accuracies (fractions), one per seed, on the training subset, the validation
    set and the test split; `test_loss` (cross-entropy) where it was measured."""

    train: list[float]
    val: list[float]
    test: list[float]
    test_loss: list[float] | None = None

    def pct(self, part: str) -> float:
        """The mean over seeds of 'train', 'val' or 'test', in %."""
        return 100 * float(np.mean(getattr(self, part)))

    def gap(self, held_out: str = "test") -> float:
        """Mean train - held-out accuracy, in points."""
        return self.pct("train") - self.pct(held_out)

    @classmethod
    def mean_of(cls, members: list[Scores]) -> Scores:
        """Seed by seed, the mean of several models' scores (the base as its members' mean)."""
        parts = {
            part: list(np.mean([getattr(m, part) for m in members], axis=0))
            for part in ("train", "val", "test")
        }
        losses = [m.test_loss for m in members]
        loss = None if None in losses else list(np.mean(losses, axis=0))
        return cls(**{k: [float(v) for v in vs] for k, vs in parts.items()}, test_loss=loss)


def choose_on_val(sweep: dict[str, Scores]) -> str:
    """The key with the highest mean validation accuracy (the first, i.e. gentlest, on a tie)."""
    keys = list(sweep)
    return keys[int(np.argmax([sweep[k].pct("val") for k in keys]))]


def combine(verdicts: list[str]) -> str:
    """A claim judged in parts: holds when every part holds, does not hold when every part does
    not hold, partly otherwise."""
    if all(v == "holds" for v in verdicts):
        return "holds"
    return "does not hold" if all(v == "does not hold" for v in verdicts) else "partly"


def _test_gains(base: Scores, remedy: Scores) -> tuple[float, bool]:
    """(mean test gain in points, whether every seed gained)."""
    per_seed = 100 * (np.asarray(remedy.test) - np.asarray(base.test))
    return float(np.mean(per_seed)), bool(np.all(per_seed > 0))


def overfit_verdict(base: Scores, remedy: Scores) -> tuple[str, dict[str, float]]:
    """OVERFIT_RULE: the verdict and its deciding numbers (points)."""
    d_test, every = _test_gains(base, remedy)
    d_gap = base.gap() - remedy.gap()
    helps, narrows = d_test >= TEST_POINTS and every, d_gap >= GAP_POINTS
    verdict = (
        "holds"
        if helps and narrows
        else "partly"
        if (helps or narrows) and d_test > -TEST_DROP_POINTS
        else "does not hold"
    )
    return verdict, {"test_gain": d_test, "gap_narrowed": d_gap, "every_seed": float(every)}


def underfit_verdict(base: Scores, remedy: Scores) -> tuple[str, dict[str, float]]:
    """UNDERFIT_RULE: the verdict and its deciding numbers (points)."""
    d_test, every = _test_gains(base, remedy)
    d_train = remedy.pct("train") - base.pct("train")
    if d_train >= TRAIN_POINTS:
        verdict = "holds" if d_test >= TEST_POINTS and every else "partly"
    else:
        verdict = "does not hold"
    return verdict, {"train_gain": d_train, "test_gain": d_test, "every_seed": float(every)}


def overfits(base: Scores) -> bool:
    """The base shows over-fitting: train - validation gap >= OVERFIT_GAP_POINTS."""
    return base.gap("val") >= OVERFIT_GAP_POINTS


def underfits(base: Scores) -> bool:
    """The base shows under-fitting: training accuracy < UNDERFIT_TRAIN_MAX, and no over-fitting."""
    return base.pct("train") < UNDERFIT_TRAIN_MAX and not overfits(base)


def score(model, split: Split) -> tuple[float, float, float, float]:
    """(train, validation, test accuracy, test cross-entropy) of a model in eval mode."""
    accs = [accuracy(predict_logits(model, x), y) for x, y in parts(split)[:2]]
    logits = predict_logits(model, split.x_test)
    return (*accs, accuracy(logits, split.y_test), cross_entropy(logits, split.y_test))


def parts(split: Split) -> list[tuple]:
    """[(x, y) of the training subset, the validation set, the test split]."""
    return [
        (split.x_train, split.y_train),
        (split.x_val, split.y_val),
        (split.x_test, split.y_test),
    ]


def scores(per_seed: list[tuple]) -> Scores:
    """Scores from one (train, val, test[, test loss]) tuple per seed."""
    columns = list(zip(*per_seed))
    return Scores(*(list(map(float, c)) for c in columns[:3]), test_loss=_loss(columns))


def _loss(columns: list) -> list[float] | None:
    return list(map(float, columns[3])) if len(columns) > 3 else None
