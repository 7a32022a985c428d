"""Training by epochs with a learning curve: the recipe of the fitting topics, on the kit's loop.

    split = mnist1d(n_train=500, seed=0)
    model = seeded(0, mlp, [40, 128, 128, 10])       # built right after glassnet.manual_seed(0)
    curve = fit(model, split.x_train, split.y_train, Recipe(epochs=100), seed=0,
                val=(split.x_val, split.y_val))       # per-epoch train/val loss and accuracy

`fit` evaluates in eval mode on the whole training subset and the validation set after
each evaluated epoch (dropout off), so 'train accuracy' is the accuracy of the model as it
will be used, not the running average over noisy batches.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.lab.kit.evaluate import accuracy, cross_entropy, predict_logits
from glassnet.lab.kit.loop import epoch_batches, sequential_batches, train_loop
from glassnet.nn import functional as F

__all__ = ["Recipe", "Curve", "fit", "mlp", "seeded"]

Array = np.ndarray


def mlp(sizes: Sequence[int], dropout: float = 0.0) -> nn.Sequential:
    """Linear -> ReLU [-> Dropout(p)] per hidden layer, then a Linear to the logits (PyTorch's default init)."""
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes[:-1]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        layers += [nn.Dropout(dropout)] if dropout > 0 else []
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def seeded(seed: int, build: Callable[..., nn.Module], *args: Any, **kwargs: Any) -> nn.Module:
    """`build(*args, **kwargs)` right after `glassnet.manual_seed(seed)`: the same weights for the same seed."""
    glassnet.manual_seed(seed)
    return build(*args, **kwargs)


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

    def evaluate(self, model: nn.Module, epoch: int, data: tuple, val: tuple | None) -> None:
        """Append the epoch's train (and val) loss and accuracy of `model`."""
        logits = predict_logits(model, data[0])
        self.epoch.append(epoch)
        self.train_loss.append(cross_entropy(logits, data[1]))
        self.train_acc.append(accuracy(logits, data[1]))
        if val is not None:
            logits = predict_logits(model, val[0])
            self.val_loss.append(cross_entropy(logits, val[1]))
            self.val_acc.append(accuracy(logits, val[1]))


def _optimizer(model: nn.Module, recipe: Recipe) -> optim.Optimizer:
    if recipe.optimizer == "adam":
        return optim.Adam(model.parameters(), lr=recipe.lr)
    momentum = 0.9 if recipe.optimizer == "momentum" else 0.0
    return optim.SGD(model.parameters(), lr=recipe.lr, momentum=momentum)


def _loss_fn(recipe: Recipe) -> Callable[[nn.Module, Array, Array], glassnet.Tensor]:
    """Cross-entropy; with adversarial_eps, the clean half is back-propagated here and the
    adversarial half returned for the loop's backward (the gradients add up)."""

    def loss(model: nn.Module, x: Array, y: Array) -> glassnet.Tensor:
        target = glassnet.tensor(y)
        if recipe.adversarial_eps <= 0:
            return F.cross_entropy(model(glassnet.tensor(x)), target)
        inputs = glassnet.tensor(x, requires_grad=True)
        (F.cross_entropy(model(inputs), target) * 0.5).backward()
        sign = np.sign(inputs.grad.data).astype(np.float32)
        adversarial = x + np.float32(recipe.adversarial_eps) * sign
        return F.cross_entropy(model(glassnet.tensor(adversarial)), target) * 0.5

    return loss


def fit(
    model: nn.Module,
    x: Array,
    y: Array,
    recipe: Recipe,
    seed: int,
    val: tuple[Array, Array] | None = None,
    on_eval: Callable[[nn.Module, Curve], None] | None = None,
) -> Curve:
    """Train `model` in place with `recipe`; batches and augmentation draw from `default_rng([seed, 2])`.

    `on_eval(model, curve)` runs after each evaluated epoch (early stopping keeps its snapshots
    there)."""
    rng = np.random.default_rng([seed, 2])
    n, batch = len(y), min(recipe.batch_size, len(y))
    per_epoch = math.ceil(n / batch)
    total = recipe.steps if recipe.steps is not None else recipe.epochs * per_epoch
    epochs = math.ceil(total / per_epoch)
    indices = (
        sequential_batches(n, batch)
        if recipe.sequential
        else epoch_batches(n, batch, rng, drop_last=False)
    )
    augment = recipe.augment

    def batches():  # augmentation draws from rng right after its batch's indices, as a plain loop
        for index in indices:
            yield (x[index] if augment is None else augment(x[index], rng)), y[index]

    weights = [p for p in model.parameters() if p.ndim >= 2]
    curve = Curve()

    def penalise(step: int, trace: Any) -> None:
        if recipe.l2 > 0:
            with glassnet.no_grad():
                for weight in weights:
                    weight.grad.data += np.float32(recipe.l2) * weight.data

    def evaluate(step: int, trace: Any) -> None:
        epoch = math.ceil(step / per_epoch)
        if step % per_epoch == 0 or step == total:
            if epoch % recipe.eval_every == 0 or epoch == epochs:
                curve.evaluate(model, epoch, (x, y), val)
                if on_eval is not None:
                    on_eval(model, curve)

    trace = train_loop(
        model,
        _optimizer(model, recipe),
        batches(),
        total,
        _loss_fn(recipe),
        None,
        penalise,
        evaluate,
    )
    curve.steps = trace.steps
    return curve
