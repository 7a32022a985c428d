"""What the initialisation topics (zero_init, xavier_he, init_diagnosis) share: named
initialisations, the probes they take at initialisation, and one SGD run on the kit's loop
(shuffled batches from one stream of permutations, momentum SGD, cross-entropy).

Initialisations by name (biases are zeroed by every scheme):

    he        N(0, 2 / fan_in)                              He et al. 2015, for ReLU
    xavier    U(-a, a), a = sqrt(6 / (fan_in + fan_out))    Glorot & Bengio 2010 (gain 1)
    xavier53  xavier with gain 5/3 (PyTorch's calculate_gain('tanh'))
    small     N(0, 0.01^2)                                  "small random numbers"
    large     N(0, 1)
    zeros     all 0
    constant  every weight 1 / fan_in (each unit averages its inputs): symmetric but not 0
    snippet   the notes' np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2): U[0, 1) scaled,
              every weight positive (the intended randn version is exactly `he`)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.evaluate import accuracy
from glassnet.lab.kit.loop import rows, stream_batches, train_loop
from glassnet.models import MLP
from glassnet.nn import functional as F
from glassnet.nn import init as nn_init

__all__ = [
    "SCHEMES",
    "Run",
    "activation_outputs",
    "build_mlp",
    "evaluate",
    "init_linear_",
    "linears",
    "mean_unit_correlation",
    "numerical_rank",
    "smooth",
    "train",
    "unit_spread",
    "weight_grad_norms",
]

SCHEMES = ("he", "xavier", "xavier53", "small", "large", "zeros", "constant", "snippet")
ACTIVATION_MODULES = (nn.Tanh, nn.ReLU, nn.Sigmoid)


# -- initialisation ----------------------------------------------------------------------
def linears(model: nn.Module) -> list[nn.Linear]:
    """The Linear layers of `model`, in order."""
    return [module for module in model.modules() if isinstance(module, nn.Linear)]


def init_linear_(layer: nn.Linear, scheme: str, rng: np.random.Generator) -> None:
    """Initialise one Linear layer's weight by scheme name (see the module docstring) and zero its bias."""
    weight = layer.weight
    fan_out, fan_in = weight.shape
    if scheme == "he":
        nn_init.kaiming_normal_(weight, nonlinearity="relu", generator=rng)
    elif scheme in ("xavier", "xavier53"):
        nn_init.xavier_uniform_(weight, gain=1.0 if scheme == "xavier" else 5.0 / 3, generator=rng)
    elif scheme == "small":
        nn_init.normal_(weight, 0.0, 0.01, generator=rng)
    elif scheme == "large":
        nn_init.normal_(weight, 0.0, 1.0, generator=rng)
    elif scheme == "zeros":
        nn_init.zeros_(weight)
    elif scheme == "constant":
        nn_init.constant_(weight, 1.0 / fan_in)
    elif scheme == "snippet":  # the notes' code, for y = x @ W; a Linear stores W^T
        snippet = rng.random((fan_in, fan_out)) / np.sqrt(fan_in / 2)
        with glassnet.no_grad():
            weight.copy_(snippet.T.astype(np.float32))
    else:
        raise ValueError(f"init scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    if layer.bias is not None:
        nn_init.zeros_(layer.bias)


def build_mlp(sizes: Sequence[int], activation: str, scheme: str, rng: np.random.Generator) -> MLP:
    """models.MLP(sizes, activation) with every Linear initialised by `scheme`."""
    model = MLP(list(sizes), activation)
    for layer in linears(model):
        init_linear_(layer, scheme, rng)
    return model


# -- forward measurements -----------------------------------------------------------------
def activation_outputs(model: nn.Module, x: np.ndarray) -> list[np.ndarray]:
    """The output of every activation module of a Sequential model, for input `x` (no grad)."""
    outputs = []
    with glassnet.no_grad():
        h = glassnet.tensor(x)
        for module in model.children():
            h = module(h)
            if isinstance(module, ACTIVATION_MODULES):
                outputs.append(np.asarray(h.data, dtype=np.float64))
    return outputs


def mean_unit_correlation(h: np.ndarray) -> float:
    """Mean |Pearson correlation| between pairs of units (columns) over the batch; units with std 0 skipped."""
    alive = h[:, h.std(axis=0) > 1e-12]
    if alive.shape[1] < 2:
        return math.nan
    c = np.corrcoef(alive, rowvar=False)
    return float(np.abs(c[~np.eye(len(c), dtype=bool)]).mean())


def unit_spread(layer: nn.Linear) -> float:
    """How different the units of a layer are: max over units i of max|[w_i, b_i] - [w_1, b_1]|,
    relative to the largest |weight| or |bias|. Exactly 0 when every unit is bitwise the same
    (all-zero included): the first unit is the reference, not the mean, whose rounding would
    show a spread of ~1e-16 between identical rows."""
    rows = np.concatenate([layer.weight.data, layer.bias.data[:, None]], axis=1).astype(np.float64)
    scale = np.abs(rows).max()
    return 0.0 if scale == 0 else float(np.abs(rows - rows[0]).max() / scale)


def numerical_rank(h: np.ndarray, tol: float = 1e-4) -> int:
    """Rank of a (samples, units) activation matrix: singular values above tol * the largest."""
    s = np.linalg.svd(np.asarray(h, dtype=np.float64), compute_uv=False)
    return 0 if s.size == 0 or s[0] == 0 else int((s > tol * s[0]).sum())


# -- training -----------------------------------------------------------------------------
@dataclass
class Run:
    """One training run: the batch loss per step, and the final accuracies on the full splits."""

    losses: list[float] = field(default_factory=list)
    train_accuracy: float = math.nan
    test_accuracy: float = math.nan
    train_loss: float = math.nan
    diverged: bool = False
    grad_norms_start: list[float] = field(
        default_factory=list
    )  # per Linear weight, full-batch, before step 1
    grad_norms_end: list[float] = field(default_factory=list)  # the same after the last step
    steps_to: dict[float, int | None] = field(
        default_factory=dict
    )  # train accuracy -> first check reaching it


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of `model` on arrays x, y, without building a graph."""
    with glassnet.no_grad():
        logits = model(glassnet.tensor(x))
        loss = float(F.cross_entropy(logits, glassnet.tensor(y)).item())
    return accuracy(np.asarray(logits.data), y), loss


def weight_grad_norms(model: nn.Module, x: np.ndarray, y: np.ndarray) -> list[float]:
    """The L2 norm of dL/dW of every Linear for the full batch (x, y); the gradients are cleared after."""
    model.zero_grad()
    F.cross_entropy(model(glassnet.tensor(x)), glassnet.tensor(y)).backward()
    norms = [
        float(np.linalg.norm(np.asarray(layer.weight.grad.data, dtype=np.float64)))
        for layer in linears(model)
    ]
    model.zero_grad()
    return norms


def train(
    model: nn.Module,
    data: Split,
    steps: int,
    lr: float,
    rng: np.random.Generator,
    batch_size: int = 64,
    momentum: float = 0.9,
    track: Sequence[float] = (),
    check_every: int = 25,
    grad_norms: bool = False,
    callback: Callable[[int, nn.Module], None] | None = None,
) -> Run:
    """SGD with momentum on shuffled mini-batches (one stream of permutations) for `steps` steps.

    track: train-accuracy levels whose first crossing is recorded in `steps_to` (checked on
    the full train split every `check_every` steps). A non-finite loss stops the run
    (diverged=True; its accuracies are then measured on the weights it reached).
    callback(step, model) runs after every step (and once with step 0 before the first).
    """
    run = Run(steps_to={level: None for level in track})
    if grad_norms:
        run.grad_norms_start = weight_grad_norms(model, data.x_train, data.y_train)
    if callback is not None:
        callback(0, model)

    def after_update(step: int, trace: object) -> None:
        if callback is not None:
            callback(step, model)
        pending = [level for level, reached in run.steps_to.items() if reached is None]
        if pending and step % check_every == 0:
            reached, _ = evaluate(model, data.x_train, data.y_train)
            for level in pending:
                if reached >= level:
                    run.steps_to[level] = step

    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    batches = rows(data.x_train, data.y_train, stream_batches(len(data.y_train), batch_size, rng))
    trace = train_loop(model, optimizer, batches, steps, after_update=after_update)
    run.losses, run.diverged = trace.losses, trace.diverged_at is not None
    run.train_accuracy, run.train_loss = evaluate(model, data.x_train, data.y_train)
    run.test_accuracy, _ = evaluate(model, data.x_test, data.y_test)
    if grad_norms and not run.diverged:
        run.grad_norms_end = weight_grad_norms(model, data.x_train, data.y_train)
    return run


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Running mean over `window` steps (shorter at the start), for readable loss curves."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))
    lo = np.maximum(np.arange(1, v.size + 1) - window, 0)
    return (c[1:] - c[lo]) / (np.arange(1, v.size + 1) - lo)
