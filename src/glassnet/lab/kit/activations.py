"""What the activation topics (`activations`, `activation_choice`) share.

Small on purpose: MNIST-1D split into train / val / test, an MLP built from named
activations (plus a *centred* sigmoid, sigmoid(x) - 0.5, which has sigmoid's slope but a
zero-mean output: the control that separates "zero-mean" from "steeper" when tanh is
compared with sigmoid), a plain mini-batch SGD-with-momentum loop that records what the
claims need (training loss per epoch, held-out accuracy, the update-to-weight ratio
||dW|| / ||W|| of real optimiser steps, divergence), per-unit statistics of the hidden
layers, and the gradients of a deep stack at initialisation. Timings: the activations topic's `timing`.

Every run is seeded: `glassnet.manual_seed(seed)` before the model is built and a NumPy
generator of the same seed for the batch order, so two activations trained with the same
seed see the same batches and the same underlying random draws (paired comparisons).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.loop import Trace, epoch_batches, rows, train_loop
from glassnet.models.layers import activation as named_activation
from glassnet.models.layers import init_weight
from glassnet.nn import functional as F
from glassnet.nn import init as nn_init

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
LABELS = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "elu": "ELU",
    "centred_sigmoid": "sigmoid - 0.5",
}
COLORS = {
    "sigmoid": "tab:blue",
    "tanh": "tab:orange",
    "relu": "tab:green",
    "leaky_relu": "tab:red",
    "elu": "tab:purple",
    "centred_sigmoid": "tab:cyan",
}
CHANCE = 0.1  # ten classes


class CentredSigmoid(nn.Module):
    """sigmoid(x) - 0.5: sigmoid's slope (at most 1/4) with an output centred on zero."""

    def forward(self, input: glassnet.Tensor) -> glassnet.Tensor:
        return F.sigmoid(input) - 0.5


def make_activation(name: str) -> nn.Module:
    """A fresh activation module: one of ACTIVATIONS or 'centred_sigmoid'."""
    return (
        CentredSigmoid() if name == "centred_sigmoid" else named_activation(name, "lab activations")
    )


def build_mlp(
    sizes: Sequence[int],
    activation: str,
    init: str | None = "kaiming",
    weight_std: float | None = None,
) -> nn.Sequential:
    """Linear -> act -> ... -> Linear, biases zero.

    init='kaiming': N(0, gain^2 / fan_in) with the activation's gain (sigmoid 1, tanh 5/3,
    ReLU sqrt 2, ...), i.e. each activation gets its own standard fan-in init; None keeps
    PyTorch's default (uniform, Var = 1 / (3 fan_in)); `weight_std` overrides both with
    N(0, weight_std^2) for every weight (the "too large weights" case).
    """
    layers: list[nn.Module] = []
    for index in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[index], sizes[index + 1]))
        if index < len(sizes) - 2:
            layers.append(make_activation(activation))
    model = nn.Sequential(*layers)
    gain_name = "sigmoid" if activation == "centred_sigmoid" else activation
    for layer in model:
        if isinstance(layer, nn.Linear):
            if weight_std is not None:
                nn_init.normal_(layer.weight, 0.0, weight_std)
            elif init is not None:
                init_weight(layer.weight, init, gain_name)
            if weight_std is not None or init is not None:
                nn_init.zeros_(layer.bias)
    return model


# -- training ---------------------------------------------------------------------------------
@dataclass
class Run:
    """One training run: curves per epoch and what the claims ask about."""

    activation: str
    lr: float
    seed: int
    train_loss: list[float] = field(default_factory=list)  # mean mini-batch loss of each epoch
    val_acc: list[float] = field(default_factory=list)  # after each epoch
    test_acc: float = math.nan  # after the last epoch
    update_ratio: list[float] = field(
        default_factory=list
    )  # per epoch: mean ||dW||/||W|| over sampled steps
    diverged: bool = False
    cpu_seconds: float = 0.0
    steps: int = 0

    @property
    def final_val(self) -> float:
        return CHANCE if self.diverged else self.val_acc[-1]

    def loss_area(self, epochs: int, worst: float) -> float:
        """Mean training loss over the epochs (lower = converged faster); `worst` stands in after divergence."""
        curve = [value if math.isfinite(value) else worst for value in self.train_loss]
        return float(np.mean(curve + [worst] * (epochs - len(curve))))


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with glassnet.no_grad(), np.errstate(over="ignore", invalid="ignore"):
        logits = model(glassnet.tensor(x)).data
    if not np.all(np.isfinite(logits)):
        return CHANCE
    return float((logits.argmax(axis=1) == y).mean())


def _weights(model: nn.Module) -> list[nn.Parameter]:
    return [layer.weight for layer in model if isinstance(layer, nn.Linear)]


def _ratio(weights: list[nn.Parameter], before: list[np.ndarray]) -> float:
    """Mean over the weight matrices of ||W_after - W_before|| / ||W_before||."""
    return float(
        np.mean(
            [
                np.linalg.norm(w.data - b) / max(np.linalg.norm(b), 1e-12)
                for w, b in zip(weights, before)
            ]
        )
    )


def train(
    model: nn.Module,
    data: Split,
    activation: str,
    lr: float,
    epochs: int,
    seed: int,
    batch_size: int = 100,
    momentum: float = 0.9,
    update_every: int = 0,
) -> Run:
    """Mini-batch SGD (PyTorch's momentum form) on cross-entropy, a fresh permutation per epoch
    (the ragged last batch dropped); stops at the first non-finite loss.

    `update_every` > 0 measures ||W_after - W_before|| / ||W_before|| on every that-many-th step
    of an epoch, averaged over the hidden and output weight matrices, then per epoch.
    """
    run, weights = Run(activation, lr, seed), _weights(model)
    per_epoch = len(data.y_train) // batch_size
    epoch: dict[str, list] = {"losses": [], "ratios": [], "before": []}

    def before_update(step: int, trace: Trace) -> None:
        epoch["losses"].append(trace.losses[-1])
        measure = update_every > 0 and ((step - 1) % per_epoch) % update_every == 0
        epoch["before"] = [w.data.copy() for w in weights] if measure else []

    def after_update(step: int, trace: Trace) -> None:
        if epoch["before"]:
            epoch["ratios"].append(_ratio(weights, epoch["before"]))
        if step % per_epoch == 0:
            run.train_loss.append(float(np.mean(epoch["losses"])))
            run.update_ratio.append(
                float(np.mean(epoch["ratios"])) if epoch["ratios"] else math.nan
            )
            run.val_acc.append(accuracy(model, data.x_val, data.y_val))
            epoch["losses"], epoch["ratios"] = [], []

    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    indices = epoch_batches(len(data.y_train), batch_size, np.random.default_rng(seed))
    with Clock() as clock, np.errstate(over="ignore", invalid="ignore"):  # divergence is recorded
        trace = train_loop(
            model,
            optimizer,
            rows(data.x_train, data.y_train, indices),
            epochs * per_epoch,
            before_update=before_update,
            after_update=after_update,
        )
        run.diverged, run.steps = trace.diverged_at is not None, trace.steps
        run.test_acc = CHANCE if run.diverged else accuracy(model, data.x_test, data.y_test)
    run.cpu_seconds = clock.cpu
    return run


def train_mlp(
    sizes: Sequence[int], activation: str, data: Split, lr: float, epochs: int, seed: int, **options
) -> tuple[nn.Module, Run]:
    """Build (seeded) and train one MLP; `options` go to `train`."""
    glassnet.manual_seed(seed)
    model = build_mlp(sizes, activation)
    return model, train(model, data, activation, lr, epochs, seed, **options)


# -- looking inside -----------------------------------------------------------------------------
@dataclass
class Hidden:
    """One hidden layer of an MLP on a batch: pre-activations z and outputs y, shape (N, units)."""

    z: np.ndarray
    y: np.ndarray


def hidden_layers(model: nn.Sequential, x: np.ndarray) -> list[Hidden]:
    """Run `x` through the Sequential, keeping each activation's input and output."""
    found: list[Hidden] = []
    with (
        glassnet.no_grad(),
        np.errstate(over="ignore", invalid="ignore"),
    ):  # a diverged model is measured too
        value = glassnet.tensor(x)
        for layer in model:
            out = layer(value)
            if not isinstance(layer, nn.Linear):
                found.append(Hidden(value.data.astype(np.float64), out.data.astype(np.float64)))
            value = out
    return found


def saturated_share(activation: str, y: np.ndarray) -> float:
    """Share of outputs near the bounds (diagnose's thresholds): sigmoid y < .01 or > .99, tanh |y| > .99."""
    from glassnet.diagnose.activations import SIGMOID_HIGH, SIGMOID_LOW, TANH_BOUND

    if activation == "sigmoid":
        return float(((y < SIGMOID_LOW) | (y > SIGMOID_HIGH)).mean())
    if activation == "centred_sigmoid":
        return float(((y < SIGMOID_LOW - 0.5) | (y > SIGMOID_HIGH - 0.5)).mean())
    if activation == "tanh":
        return float((np.abs(y) > TANH_BOUND).mean())
    return math.nan


def never_positive_share(layers: list[Hidden]) -> float:
    """Share of hidden units whose pre-activation is <= 0 for every sample: dead for a ReLU.

    nan when the network's numbers are no longer finite (a diverged run)."""
    if not all(np.all(np.isfinite(layer.z)) for layer in layers):
        return math.nan
    units = np.concatenate([(layer.z <= 0).all(axis=0) for layer in layers])
    return float(units.mean())


@dataclass
class UnitStats:
    """What the hidden layers output on a batch, averaged over the hidden layers."""

    layer_mean: float  # mean of every output of the layer (signed)
    offset: float  # mean over units of |unit mean| / unit RMS: 0 centred, 1 all of one sign
    saturated: float  # sigmoid/tanh: share of outputs near the bounds (nan for the ReLU family)
    never_positive: float  # share of units whose input is <= 0 for every sample (dead, for a ReLU)


def offset_ratio(y: np.ndarray) -> float:
    """Mean over units (columns) of |mean| / sqrt(mean(y^2)): how far each unit is from zero-mean.

    The next layer's weight gradients dL/dw_i = delta * y_i all share delta's sign when every
    y_i has one sign (ratio 1), which is LeCun et al.'s (1998) case for centred inputs.
    """
    rms = np.sqrt((y * y).mean(axis=0))
    keep = rms > 0  # an all-zero unit has no sign
    return float((np.abs(y.mean(axis=0))[keep] / rms[keep]).mean()) if keep.any() else math.nan


def unit_stats(model: nn.Sequential, activation: str, x: np.ndarray) -> UnitStats:
    """The hidden layers' output statistics on `x` (see UnitStats); nan after divergence."""
    layers = hidden_layers(model, x)
    if not all(np.all(np.isfinite(layer.y)) for layer in layers):
        return UnitStats(math.nan, math.nan, math.nan, math.nan)
    return UnitStats(
        float(np.mean([layer.y.mean() for layer in layers])),
        float(np.mean([offset_ratio(layer.y) for layer in layers])),
        float(np.mean([saturated_share(activation, layer.y) for layer in layers])),
        never_positive_share(layers),
    )


@dataclass
class StackGradients:
    """One backward pass through a deep stack: each weight's gradient norm, first to last."""

    weight_grads: list[float]  # ||dL/dW_l||, input layer first
    first_to_last: float  # weight_grads[0] / weight_grads[-1]
    signal_first_to_last: float  # RMS(dL/dy) of the first leaf output over that of the last


def stack_gradients(
    activation: str,
    depth: int,
    width: int,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    init: str | None = "kaiming",
) -> StackGradients:
    """`depth` hidden layers of `width` units at initialisation, one batch, via diagnose.gradient_flow."""
    from glassnet.diagnose import gradient_flow

    glassnet.manual_seed(seed)
    model = build_mlp([x.shape[1]] + [width] * depth + [int(y.max()) + 1], activation, init=init)
    flow = gradient_flow(model, (glassnet.tensor(x), glassnet.tensor(y)), nn.CrossEntropyLoss())
    grads = [row.grad_norm for row in flow.params if row.is_weight]
    return StackGradients(grads, float(flow.first_to_last), float(flow.signal_first_to_last))


# the glassnet op of each activation (the mechanics, the figures and the timings use it)
GLASSNET_OPS: dict[str, Callable[[glassnet.Tensor], glassnet.Tensor]] = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
}
