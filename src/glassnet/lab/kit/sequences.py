"""What the lstm, gradient_clipping and resnet topics share: a fixed number of steps on the kit's
loop, recording what the verdicts need per step: the loss, the total gradient
norm before clipping, whether the step was clipped, and the step where the loss stopped
being finite (training stops there: a NaN model learns nothing more).

The synthetic sequence task, "remember the sign of the first input":

    x_t = (s, 1)            at t = 0       (s = +1 or -1, the label; the 1 flags the first step)
    x_t = (noise_t, 0)      for t >= 1     (noise_t ~ N(0, noise_std^2))
    y   = 1 if s > 0 else 0

The answer is decided at t = 0 and read at t = T - 1, so the gradient that teaches the
net to keep s must travel back through all T steps: a pure long-range dependency (the
"noisy sequences" of Hochreiter & Schmidhuber 1997, section 5, in its simplest form).
Chance is 50%.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import glassnet
from glassnet.lab.kit.loop import STOP, Trace, train_loop
from glassnet.nn import functional as F
from glassnet.nn.module import Module
from glassnet.nn.utils import clip_grads_with_norm_, get_total_norm

Batch = tuple[np.ndarray, np.ndarray]


@contextmanager
def evaluating(model: Module) -> Iterator[Module]:
    """model.eval() and no_grad inside, the previous mode restored after."""
    was_training = model.training
    model.eval()
    try:
        with glassnet.no_grad():
            yield model
    finally:
        model.train(was_training)


# -- data --------------------------------------------------------------------------------
def sign_memory_batch(
    rng: np.random.Generator, batch: int, length: int, noise_std: float = 1.0
) -> Batch:
    """(x, y) of the sign-memory task (module doc): x float32 (batch, length, 2), y int64 (batch,)."""
    if length < 1 or batch < 1:
        raise ValueError(
            f"sign_memory_batch: batch and length must be >= 1, got batch={batch}, length={length}"
        )
    labels = rng.integers(0, 2, size=batch)
    x = np.zeros((batch, length, 2), dtype=np.float32)
    x[:, 1:, 0] = rng.normal(0.0, noise_std, size=(batch, length - 1))
    x[:, 0, 0] = 2.0 * labels - 1.0
    x[:, 0, 1] = 1.0
    return x, labels.astype(np.int64)


def sample_batch(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, batch: int) -> Batch:
    """A random mini-batch (with replacement across batches, without within one) of arrays x, y."""
    index = rng.choice(len(x), size=min(batch, len(x)), replace=False)
    return x[index], y[index]


# -- recurrent inits ---------------------------------------------------------------------
def set_forget_bias(lstm: Module, value: float) -> None:
    """Set the forget-gate part of b_ih + b_hh to `value` (b_ih gets it, b_hh's slice zero).

    PyTorch's gate order is i, f, g, o, so the forget gate is rows H..2H of the biases.
    A forget bias of 1 (Gers, Schmidhuber & Cummins 2000; Jozefowicz et al. 2015) starts
    f_t near sigmoid(1) = 0.73 instead of 0.5, so the cell keeps more of itself per step.
    """
    hidden = lstm.hidden_size
    for name, parameter in lstm.named_parameters():
        if name.startswith("bias_ih"):
            parameter.data[hidden : 2 * hidden] = value
        elif name.startswith("bias_hh"):
            parameter.data[hidden : 2 * hidden] = 0.0


def chrono_init(lstm: Module, t_max: int, rng: np.random.Generator) -> None:
    """Chrono initialisation (Tallec & Ollivier 2018): b_f ~ log(U(1, t_max - 1)), b_i = -b_f.

    A unit with forget bias b keeps its cell for about 1 + e^b steps, so the units' memory
    spans are spread over 1..t_max: the cell's additive path is open from the first step.
    """
    if t_max < 3:
        raise ValueError(f"chrono_init: t_max must be >= 3, got {t_max}")
    hidden = lstm.hidden_size
    forget = np.log(rng.uniform(1.0, t_max - 1.0, size=hidden)).astype(np.float32)
    for name, parameter in lstm.named_parameters():
        if name.startswith("bias_ih"):
            parameter.data[:hidden] = -forget
            parameter.data[hidden : 2 * hidden] = forget
        elif name.startswith("bias_hh"):
            parameter.data[: 2 * hidden] = 0.0


def set_recurrent_gain(rnn: Module, gain: float, rng: np.random.Generator) -> None:
    """W_hh ~ N(0, gain^2 / H): a random recurrent matrix of spectral radius about `gain`.

    For a tanh RNN, gain > 1 is the chaotic regime where back-propagated gradients grow
    exponentially with the number of steps (the exploding case of Pascanu et al. 2013).
    """
    hidden = rnn.hidden_size
    for name, parameter in rnn.named_parameters():
        if name.startswith("weight_hh"):
            parameter.data[...] = rng.normal(0.0, gain / math.sqrt(hidden), size=parameter.shape)


def embed_with_identities(shallow: Module, deep: Module) -> Module:
    """Make `deep` (a deeper CIFAR ResNet of the same widths) compute exactly what `shallow` computes.

    Every parameter and buffer whose name exists in `shallow` (the stem, block k < n of each
    stage, the classifier) is copied; every extra block gets its last BatchNorm's weight and
    bias set to 0, so its residual branch outputs 0 and the block is relu(0 + x) = x
    (x >= 0: it left a ReLU). The notes' "add identity layers" proof, built. Returns `deep`.
    """
    source = shallow.state_dict()
    state = {}
    for name, value in deep.state_dict().items():
        if name in source:
            if tuple(source[name].shape) != tuple(value.shape):
                raise ValueError(
                    f"embed_with_identities: '{name}' has shape {tuple(source[name].shape)} in the "
                    f"shallow net but {tuple(value.shape)} in the deep one; the widths must match"
                )
            state[name] = source[name].data.copy()
        elif name.endswith(("bn2.weight", "bn2.bias")):
            state[name] = np.zeros_like(value.data)
        else:
            state[name] = value.data.copy()
    deep.load_state_dict(state)
    return deep


# -- the loop ----------------------------------------------------------------------------
@dataclass
class History:
    """Per step: loss, total gradient norm before clipping, clipped or not; where it diverged."""

    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    clipped: list[bool] = field(default_factory=list)
    records: list[float] = field(
        default_factory=list
    )  # what `record()` returned after each backward
    diverged_at: int | None = None
    steps: int = 0

    def padded(self, values: list[float]) -> np.ndarray:
        """`values` as an array of `steps` entries, NaN after divergence (for plotting)."""
        out = np.full(self.steps, np.nan)
        out[: len(values)] = values
        return out

    def final_loss(self, window: int) -> float:
        """Mean loss over the last `window` steps; inf if training diverged."""
        if self.diverged_at is not None or not self.losses:
            return math.inf
        return float(np.mean(self.losses[-window:]))

    def clipped_share(self) -> float:
        return float(np.mean(self.clipped)) if self.clipped else 0.0


def train_steps(
    model: Module,
    batches: Callable[[int], Batch],
    steps: int,
    optimizer: Any,
    loss_fn: Callable[[Any, Any], Any] = F.cross_entropy,
    max_norm: float | None = None,
    record: Callable[[], float] | None = None,
) -> History:
    """Train for `steps` steps on `batches(step)` (step from 0); with `max_norm`, clip the total gradient norm.

    `record()`, when given, runs after each backward (before clipping and the update) and
    its value is kept in `history.records`, e.g. one layer's gradient norm.
    Stops early (recording `diverged_at`) when the loss or the gradient norm is not finite.
    """
    if steps < 1:
        raise ValueError(f"train_steps: steps must be >= 1, got {steps}")
    history = History(steps=steps)
    parameters = [p for p in model.parameters() if p.requires_grad]

    def clip(step: int, trace: Trace) -> str | None:
        norm = float(get_total_norm([p.grad for p in parameters if p.grad is not None]).item())
        history.grad_norms.append(norm)
        if record is not None:
            history.records.append(float(record()))
        if not (math.isfinite(trace.losses[-1]) and math.isfinite(norm)):
            history.diverged_at = step - 1
            history.clipped.append(False)
            return STOP
        clipped = max_norm is not None and norm > max_norm
        history.clipped.append(clipped)
        if clipped:
            clip_grads_with_norm_(parameters, max_norm, norm)
        return None

    def forward(model: Module, x: np.ndarray, y: np.ndarray) -> Any:
        return loss_fn(model(glassnet.tensor(x)), glassnet.tensor(y))

    source = (batches(step) for step in range(steps))
    train_loop(model, optimizer, source, steps, forward, None, clip, None, Trace(history.losses))
    return history


def grad_norm_at(
    model: Module, batch: Batch, loss_fn: Callable[[Any, Any], Any] = F.cross_entropy
) -> float:
    """Total gradient norm of the loss on one batch at the current weights (no update)."""
    model.zero_grad()
    loss = loss_fn(model(glassnet.tensor(batch[0])), glassnet.tensor(batch[1]))
    loss.backward()
    norm = float(get_total_norm([p.grad for p in model.parameters() if p.grad is not None]).item())
    model.zero_grad()
    return norm


def input_gradient_by_step(
    model: Module, batch: Batch, loss_fn: Callable[[Any, Any], Any] = F.cross_entropy
) -> np.ndarray:
    """||dL/dx_t|| for every step t of a (N, T, features) batch at the current weights (no update).

    The loss reads only the last state, so dL/dx_t is the error signal that survived the
    trip back from step T - 1 to step t: its fall (or growth) with T - 1 - t is the
    vanishing (or exploding) gradient itself.
    """
    model.zero_grad()
    x = glassnet.tensor(batch[0], requires_grad=True)
    loss_fn(model(x), glassnet.tensor(batch[1])).backward()
    model.zero_grad()
    grad = x.grad.data.astype(np.float64)
    return np.sqrt((grad * grad).sum(axis=tuple(i for i in range(grad.ndim) if i != 1)))


def evaluate(model: Module, x: np.ndarray, y: np.ndarray, batch: int = 500) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of `model` in eval mode on arrays x, y."""
    correct, total_loss = 0, 0.0
    with evaluating(model):
        for start in range(0, len(x), batch):
            logits = model(glassnet.tensor(x[start : start + batch]))
            target = glassnet.tensor(y[start : start + batch])
            total_loss += float(F.cross_entropy(logits, target, reduction="sum").item())
            correct += int((logits.data.argmax(axis=1) == y[start : start + batch]).sum())
    return correct / len(x), total_loss / len(x)
