"""Training for a number of steps with a learning curve: the optimisation topics' recipe
(vanishing_exploding, batchnorm, optimizers), on the kit's loop.

    data = probe_split(n_train=1000)      # MNIST-1D's first 1,000; the curve probes the first 1,000 of them
    curve = train(model, optimizer, data, steps=400, batch_size=64, seed=0)
    curve.steps_to(0.6), curve.final_loss, curve.cpu_s

Mini-batches come from `default_rng(seed)`, a fresh permutation per epoch (the short last
batch dropped), so two runs with the same seed see the same batches whatever else ran
before. Evaluation runs in eval mode under no_grad on the split's validation rows, which
here are training rows (these topics ask about optimisation: training loss and accuracy).
A run whose mini-batch loss is not finite or above DIVERGED_LOSS stops there, diverged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split, mnist1d
from glassnet.lab.kit.evaluate import accuracy, cross_entropy, predict_logits
from glassnet.lab.kit.loop import STOP, Trace, epoch_batches, rows, train_loop
from glassnet.nn.module import Module
from glassnet.optim import Optimizer

__all__ = ["DIVERGED_LOSS", "Curve", "evaluate", "lr_grid", "probe_split", "train"]

EVAL_CHUNK = (
    64  # rows per product in evaluate(): 64 x 64 x 64 stays under OpenBLAS's threading threshold
)
DIVERGED_LOSS = (
    1e4  # a cross-entropy this large (ln 10 ~ 2.3 is chance on 10 classes) means it blew up
)


def probe_split(n_train: int | None = None, n_eval: int = 1000) -> Split:
    """MNIST-1D's first `n_train` training signals (all when None), in order; the validation
    rows are the first `n_eval` of them (the training loss and accuracy the topics track)."""
    split = mnist1d(n_train, n_val=0)
    n_eval = min(n_eval, len(split.y_train))
    return replace(split, x_val=split.x_train[:n_eval], y_val=split.y_train[:n_eval])


def evaluate(model: Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of `model` on (x, y) in eval mode; inf loss when a logit is not finite."""
    logits = predict_logits(model, x, chunk=EVAL_CHUNK)
    return cross_entropy(logits, y), accuracy(logits, y)


@dataclass
class Curve:
    """One training run: the mini-batch loss of every step and the periodic evaluations."""

    loss: list[float] = field(default_factory=list)  # mini-batch loss per step taken
    eval_steps: list[int] = field(default_factory=list)  # steps after which the model was evaluated
    eval_loss: list[float] = field(default_factory=list)
    eval_acc: list[float] = field(default_factory=list)
    diverged_at: int | None = None  # the step whose loss blew up (then it stopped)
    cpu_s: float = 0.0
    wall_s: float = 0.0
    extra: dict[str, list[float]] = field(default_factory=dict)  # what the topic's hooks record

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def final_loss(self) -> float:
        return math.inf if self.diverged or not self.eval_loss else self.eval_loss[-1]

    @property
    def final_acc(self) -> float:
        return 0.0 if self.diverged or not self.eval_acc else self.eval_acc[-1]

    def steps_to(self, accuracy: float) -> int | None:
        """The first evaluated step at which the accuracy reached `accuracy` (None: never)."""
        for step, value in zip(self.eval_steps, self.eval_acc):
            if value >= accuracy:
                return step
        return None

    def check(self, model: Module, data: Split, step: int, stop_at: float | None) -> bool:
        """Evaluate after `step`; True when the accuracy reached `stop_at`."""
        loss, acc = evaluate(model, data.x_val, data.y_val)
        self.eval_steps.append(step)
        self.eval_loss.append(loss)
        self.eval_acc.append(acc)
        return stop_at is not None and acc >= stop_at


def _diverged(loss: float) -> bool:
    return not math.isfinite(loss) or loss > DIVERGED_LOSS


def train(
    model: Module,
    optimizer: Optimizer,
    data: Split,
    steps: int,
    batch_size: int,
    seed: int,
    eval_every: int = 25,
    stop_at: float | None = None,
    before_step: Callable[[int], None] | None = None,
    after_step: Callable[[int, Curve], None] | None = None,
    loss_fn: Callable | None = None,
) -> Curve:
    """Train for `steps` mini-batch steps of cross-entropy (or `loss_fn(output, target)`).

    Evaluates after step 0 (the untrained model), every `eval_every` steps and after the
    last; stop_at stops once the evaluated accuracy reaches it. before_step(step) runs
    before each step's forward (e.g. to redraw noise); after_step(step, curve) after it.
    """
    if steps < 1 or batch_size < 1 or eval_every < 1:
        raise ValueError(
            f"train: steps, batch_size and eval_every must be >= 1, got {steps}, {batch_size}, "
            f"{eval_every}"
        )
    criterion = loss_fn or nn.CrossEntropyLoss()
    curve, clock = Curve(), Clock()
    model.train()
    if curve.check(model, data, 0, stop_at):
        curve.cpu_s, curve.wall_s = clock.cpu, clock.wall
        return curve

    def forward(model: Module, x: np.ndarray, y: np.ndarray) -> glassnet.Tensor:
        if before_step is not None:
            before_step(len(curve.loss) + 1)
        return criterion(model(glassnet.from_numpy(x)), glassnet.from_numpy(y))

    def after_update(step: int, trace: Trace) -> str | None:
        if after_step is not None:
            after_step(step, curve)
        if step % eval_every == 0 or step == steps:
            return STOP if curve.check(model, data, step, stop_at) else None
        return None

    indices = epoch_batches(len(data.y_train), batch_size, np.random.default_rng(seed))
    batches = rows(data.x_train, data.y_train, indices)
    trace = train_loop(
        model, optimizer, batches, steps, forward, _diverged, None, after_update, Trace(curve.loss)
    )
    curve.diverged_at = trace.diverged_at
    curve.cpu_s, curve.wall_s = clock.cpu, clock.wall
    return curve


def lr_grid(low_exp: float, high_exp: float, per_decade: int = 2) -> list[float]:
    """Learning rates 10**k from 10**low_exp to 10**high_exp, `per_decade` per decade (rounded)."""
    count = round((high_exp - low_exp) * per_decade) + 1
    return [float(f"{10 ** (low_exp + i / per_decade):.3g}") for i in range(count)]
