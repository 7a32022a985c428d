"""Small training loops and data for the fitting topics (remedies, bias/variance, evaluation, benchmark).

Not a topic (the leading '_'): the shared pieces of `fitting_remedies`, `bias_variance`,
`evaluation`, `input_pipeline` and `mnist1d_benchmark`, kept here so that none of them
depends on `glassnet.train` (which has its own life) and all train the same way:

    split = mnist1d_split(n_train=500, seed=0)        # train subset / val (from the train split) / test
    model = seeded(0, mlp, [40, 128, 128, 10])        # built right after glassnet.manual_seed(0)
    curve = fit(model, split.x_train, split.y_train, Recipe(epochs=100), seed=0,
                val=(split.x_val, split.y_val))        # per-epoch train/val loss and accuracy

Everything is float32 NumPy underneath. `fit` evaluates in eval mode on the whole train
subset and validation set after each epoch (dropout off), so 'train accuracy' is the
accuracy of the model as it will be used, not the running average over noisy batches.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.data.datasets import MNIST1D, Digits
from glassnet.lab.machine import load_average, one_blas_thread
from glassnet.lab.text import Text
from glassnet.nn import functional as F

__all__ = [
    "GAP_POINTS",
    "OVERFIT_RULE",
    "TRAIN_POINTS",
    "UNDERFIT_RULE",
    "VAL_DROP_POINTS",
    "VAL_POINTS",
    "Clock",
    "Curve",
    "Recipe",
    "Split",
    "accuracy",
    "cross_entropy",
    "digits_split",
    "fit",
    "load_average",
    "mean_std",
    "mlp",
    "mnist1d_split",
    "one_blas_thread",
    "overfit_verdict",
    "pairwise_features",
    "pm",
    "predict_logits",
    "seeded",
    "shift_2d_and_noise",
    "shift_and_noise",
    "softmax",
    "standardise",
    "underfit_verdict",
]

Array = np.ndarray


# -- data -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Split:
    """Train subset, validation set (carved from MNIST-1D's train split) and the untouched test split."""

    x_train: Array
    y_train: Array
    x_val: Array
    y_val: Array
    x_test: Array
    y_test: Array

    def describe(self) -> str:
        return f"{len(self.y_train)} train / {len(self.y_val)} validation / {len(self.y_test)} test"


def mnist1d_split(n_train: int | None, n_val: int = 1000, seed: int = 0) -> Split:
    """MNIST-1D (4,000 train + 1,000 test signals of length 40, 10 classes, the paper's defaults).

    The train split is shuffled by `seed`: its first `n_val` signals are the validation set,
    the next `n_train` (all the rest when None) the training subset. Test is the test split.
    """
    train, test = MNIST1D("train"), MNIST1D("test")
    order = np.random.default_rng([seed, 1]).permutation(len(train.targets))
    rest = order[n_val:] if n_train is None else order[n_val : n_val + n_train]
    if n_train is not None and len(rest) < n_train:
        raise ValueError(
            f"mnist1d_split: n_train={n_train} + n_val={n_val} exceeds the {len(order)} training signals"
        )
    val = order[:n_val]
    return Split(
        train.data[rest],
        train.targets[rest],
        train.data[val],
        train.targets[val],
        test.data,
        test.targets,
    )


def digits_split(n_train: int | None, seed: int = 0) -> Split:
    """scikit-learn's 8x8 digits, flattened to 64 features and scaled to [0, 1]: the fixed
    train (1,077) / val (360) / test (360) split, the training subset the first `n_train`
    of the train split shuffled by `seed`."""
    splits = {name: Digits(name, flatten=True) for name in ("train", "val", "test")}
    x = {name: (d.data / 16.0).astype(np.float32) for name, d in splits.items()}
    order = np.random.default_rng([seed, 3]).permutation(len(splits["train"].targets))[:n_train]
    return Split(
        x["train"][order],
        splits["train"].targets[order],
        x["val"],
        splits["val"].targets,
        x["test"],
        splits["test"].targets,
    )


# -- models -------------------------------------------------------------------------------------
def mlp(sizes: Sequence[int], dropout: float = 0.0) -> nn.Sequential:
    """Linear -> ReLU [-> Dropout(p)] per hidden layer, then a Linear to the logits (PyTorch's default init)."""
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()] + (
            [nn.Dropout(dropout)] if dropout > 0 else []
        )
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def seeded(seed: int, build: Callable[..., nn.Module], *args: Any, **kwargs: Any) -> nn.Module:
    """`build(*args, **kwargs)` right after `glassnet.manual_seed(seed)`: the same weights for the same seed."""
    glassnet.manual_seed(seed)
    return build(*args, **kwargs)


# -- training -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipe:
    """How to train: a budget of `epochs` (or `steps`), mini-batches, an optimiser and its extras.

    optimizer: 'adam' (Adam, lr), 'sgd' (plain SGD, lr) or 'momentum' (SGD, momentum 0.9).
    l2: the weight of the penalty (l2 / 2) * sum ||W||^2 over weight matrices (not biases),
        added to the gradient as l2 * W after backward.
    augment: (batch, generator) -> new batch, applied to every training batch.
    adversarial_eps: FGSM adversarial training (Goodfellow et al. 2015): the loss is
        0.5 CE(x) + 0.5 CE(x + eps * sign(dCE/dx)).
    eval_every: evaluate every this many epochs (and always at the end).
    sequential: the MNIST-1D paper's batches (step * batch_size mod N, no shuffling).
    """

    epochs: int | None = None
    steps: int | None = None
    batch_size: int = 50
    optimizer: str = "adam"
    lr: float = 1e-3
    l2: float = 0.0
    augment: Callable[[Array, np.random.Generator], Array] | None = None
    adversarial_eps: float = 0.0
    eval_every: int = 1
    sequential: bool = False

    def __post_init__(self) -> None:
        if (self.epochs is None) == (self.steps is None):
            raise ValueError(
                f"Recipe: give exactly one of epochs or steps, got epochs={self.epochs}, "
                f"steps={self.steps}"
            )
        if self.optimizer not in ("adam", "sgd", "momentum"):
            raise ValueError(
                f"Recipe: optimizer must be 'adam', 'sgd' or 'momentum', got {self.optimizer!r}"
            )


@dataclass
class Curve:
    """What `fit` measured after each evaluated epoch (accuracies as fractions)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    steps: int = 0

    def final(self) -> dict[str, float]:
        return {
            "train_loss": self.train_loss[-1],
            "train_acc": self.train_acc[-1],
            "val_loss": self.val_loss[-1] if self.val_loss else math.nan,
            "val_acc": self.val_acc[-1] if self.val_acc else math.nan,
        }


def _optimizer(model: nn.Module, recipe: Recipe) -> optim.Optimizer:
    if recipe.optimizer == "adam":
        return optim.Adam(model.parameters(), lr=recipe.lr)
    return optim.SGD(
        model.parameters(), lr=recipe.lr, momentum=0.9 if recipe.optimizer == "momentum" else 0.0
    )


def _step(
    model: nn.Module,
    optimizer: optim.Optimizer,
    x: Array,
    y: Array,
    recipe: Recipe,
    weights: list[nn.Parameter],
) -> None:
    target = glassnet.tensor(y)
    optimizer.zero_grad()
    if recipe.adversarial_eps > 0:
        inputs = glassnet.tensor(x, requires_grad=True)
        (F.cross_entropy(model(inputs), target) * 0.5).backward()
        adversarial = x + np.float32(recipe.adversarial_eps) * np.sign(inputs.grad.data).astype(
            np.float32
        )
        (F.cross_entropy(model(glassnet.tensor(adversarial)), target) * 0.5).backward()
    else:
        F.cross_entropy(model(glassnet.tensor(x)), target).backward()
    if recipe.l2 > 0:
        with glassnet.no_grad():
            for weight in weights:
                weight.grad.data += np.float32(recipe.l2) * weight.data
    optimizer.step()


def fit(
    model: nn.Module,
    x: Array,
    y: Array,
    recipe: Recipe,
    seed: int,
    val: tuple[Array, Array] | None = None,
) -> Curve:
    """Train `model` in place with `recipe`; batches are drawn from `default_rng(seed)`. Returns the curve."""
    rng = np.random.default_rng([seed, 2])
    optimizer = _optimizer(model, recipe)
    weights = [p for p in model.parameters() if p.ndim >= 2]
    n, batch = len(y), min(recipe.batch_size, len(y))
    per_epoch = math.ceil(n / batch)
    total = recipe.steps if recipe.steps is not None else recipe.epochs * per_epoch
    epochs = math.ceil(total / per_epoch)
    curve, step = Curve(), 0
    model.train()
    for epoch in range(1, epochs + 1):
        order = np.arange(n) if recipe.sequential else rng.permutation(n)
        for start in range(0, n, batch):
            if step == total:
                break
            if (
                recipe.sequential
            ):  # the paper's loop: x[bix:bix + batch] with bix = step * batch mod N
                begin = (step * batch) % n
                index = order[begin : begin + batch]
            else:
                index = order[start : start + batch]
            xb = x[index]
            if recipe.augment is not None:
                xb = recipe.augment(xb, rng)
            _step(model, optimizer, xb, y[index], recipe, weights)
            step += 1
        if epoch % recipe.eval_every == 0 or epoch == epochs:
            _evaluate(model, curve, epoch, x, y, val)
    curve.steps = step
    return curve


def _evaluate(
    model: nn.Module, curve: Curve, epoch: int, x: Array, y: Array, val: tuple[Array, Array] | None
) -> None:
    logits = predict_logits(model, x)
    curve.epoch.append(epoch)
    curve.train_loss.append(cross_entropy(logits, y))
    curve.train_acc.append(accuracy(logits, y))
    if val is not None:
        logits = predict_logits(model, val[0])
        curve.val_loss.append(cross_entropy(logits, val[1]))
        curve.val_acc.append(accuracy(logits, val[1]))


# -- evaluation -----------------------------------------------------------------------------------
def predict_logits(model: nn.Module, x: Array, batch: int = 2000) -> Array:
    """Logits in eval mode without autograd (the model's mode is restored afterwards)."""
    was_training = model.training
    model.eval()
    try:
        with glassnet.no_grad():
            return np.concatenate(
                [model(glassnet.tensor(x[i : i + batch])).data for i in range(0, len(x), batch)]
            )
    finally:
        model.train(was_training)


def softmax(logits: Array) -> Array:
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(logits: Array, y: Array) -> float:
    """Mean -log softmax(logits)[y], computed stably in float64."""
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_z - shifted[np.arange(len(y)), y]))


def accuracy(scores_or_labels: Array, y: Array) -> float:
    """Share of correct predictions; (N, C) scores mean their argmax."""
    predicted = scores_or_labels.argmax(axis=1) if scores_or_labels.ndim == 2 else scores_or_labels
    return float(np.mean(predicted == y))


# -- augmentation and features ----------------------------------------------------------------------
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


# -- numbers, timing, verdict rules ---------------------------------------------------------------
def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    array = np.asarray(values, dtype=np.float64)
    return float(array.mean()), float(array.std(ddof=1)) if len(array) > 1 else 0.0


def pm(values: Sequence[float], scale: float = 100.0, digits: int = 1) -> str:
    """'34.2 ± 0.5' (percent by default): mean ± standard deviation over seeds."""
    mean, std = mean_std(values)
    return f"{scale * mean:.{digits}f} ± {scale * std:.{digits}f}"


class Clock:
    """Wall and CPU time (this process) of a `with` block: `clock.wall`, `clock.cpu` in seconds."""

    def __enter__(self) -> Self:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu


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
