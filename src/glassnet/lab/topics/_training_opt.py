"""Small training loops for the optimisation topics: vanishing_exploding, batchnorm, optimizers.

Not a topic (the leading '_' keeps the registry away). Each topic here trains many small
models for a few hundred steps, so the loop is deliberately plain:

    data = mnist1d_split(n_train=1000)
    curve = train(model, optimizer, data, steps=400, batch_size=64, seed=0)
    curve.steps_to(0.6), curve.final_loss, curve.cpu_s
    path = run_2d(lambda params, lr: optim.Adam(params, lr=lr), rosenbrock(), lr=0.01, steps=3000)

Mini-batches are drawn from a per-run NumPy Generator (`seed`), epoch by epoch (a fresh
permutation each epoch), so two runs with the same seed see the same batches whatever
else ran before. Evaluation runs in eval mode under no_grad on a fixed evaluation set
(by default the first 1,000 training samples: these topics ask about optimisation, i.e.
training loss and accuracy). A run that produces a non-finite loss or one above
DIVERGED_LOSS stops there and is marked diverged: it did not train at that learning rate.

Timing: `Clock` reports process CPU time next to wall time, because the lab shares its
machine (CPU time is what a topic costs; wall time is what a reader waits).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn
from glassnet.data.datasets import MNIST1D
from glassnet.nn.module import Module
from glassnet.optim import Optimizer

__all__ = [
    "DIVERGED_LOSS",
    "Clock",
    "Curve",
    "Path2D",
    "Problem2D",
    "Split",
    "evaluate",
    "fmt_lr",
    "fmt_mean_std",
    "lr_grid",
    "mean_std",
    "mnist1d_split",
    "path_cosine",
    "quadratic",
    "rosenbrock",
    "run_2d",
    "train",
]

EVAL_CHUNK = (
    64  # rows per product in evaluate(): 64 x 64 x 64 stays under OpenBLAS's threading threshold
)
DIVERGED_LOSS = (
    1e4  # a cross-entropy this large (ln 10 ~ 2.3 is chance on 10 classes) means the run blew up
)


class Clock:
    """CPU (process) and wall seconds since construction."""

    def __init__(self) -> None:
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()

    @property
    def cpu(self) -> float:
        return time.process_time() - self.cpu0

    @property
    def wall(self) -> float:
        return time.perf_counter() - self.wall0


@dataclass(frozen=True)
class Split:
    """Training arrays, an evaluation set drawn from them, and the test split (float32 / int64)."""

    x: np.ndarray
    y: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def mnist1d_split(n_train: int | None = None, n_eval: int = 1000) -> Split:
    """MNIST-1D (40 features, 10 classes; 4,000 train / 1,000 test), standardised by its generator.

    n_train: keep the first n_train training samples (None: all). The evaluation set is the
    first n_eval of those (a fixed subset: the training loss/accuracy the topics track).
    """
    train, test = MNIST1D("train"), MNIST1D("test")
    x, y = (
        np.ascontiguousarray(train.data, dtype=np.float32),
        np.asarray(train.targets, dtype=np.int64),
    )
    if n_train is not None:
        if not 1 <= n_train <= len(x):
            raise ValueError(f"mnist1d_split: n_train must be in 1..{len(x)}, got {n_train}")
        x, y = x[:n_train], y[:n_train]
    n_eval = min(n_eval, len(x))
    return Split(
        x,
        y,
        x[:n_eval],
        y[:n_eval],
        np.ascontiguousarray(test.data, dtype=np.float32),
        np.asarray(test.targets, dtype=np.int64),
    )


def evaluate(model: Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of `model` on (x, y), in eval mode; the model's mode is restored.

    Runs in chunks of EVAL_CHUNK rows (eval mode treats rows independently, so the result is the
    same): OpenBLAS multi-threads larger matrix products, and on a busy 2-core machine its
    spinning threads cost far more CPU time than these small products themselves.
    """
    was_training = model.training
    model.eval()
    try:
        with glassnet.no_grad():
            logits = np.concatenate(
                [
                    model(glassnet.from_numpy(x[i : i + EVAL_CHUNK])).data.astype(np.float64)
                    for i in range(0, len(x), EVAL_CHUNK)
                ]
            )
    finally:
        model.train(was_training)
    if not np.all(np.isfinite(logits)):
        return math.inf, float(np.mean(np.argmax(np.nan_to_num(logits), axis=1) == y))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(len(y)), y].mean())
    return loss, float(np.mean(np.argmax(logits, axis=1) == y))


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


def _batches(n: int, batch_size: int, rng: np.random.Generator):
    """Endless mini-batch indices: a fresh permutation per epoch, the last short batch dropped."""
    if batch_size >= n:
        while True:
            yield np.arange(n)
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


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
    """Train `model` with `optimizer` for `steps` mini-batch steps of cross-entropy on data.x/data.y.

    eval_every: evaluate on (data.x_eval, data.y_eval) after step 0 (the untrained model) and
    every `eval_every` steps (and after the last). stop_at: stop once the evaluated accuracy
    reaches it. before_step(step) runs before each step (e.g. to redraw noise); after_step
    (step, curve) after it. The model is left in train mode.
    """
    if steps < 1 or batch_size < 1 or eval_every < 1:
        raise ValueError(
            f"train: steps, batch_size and eval_every must be >= 1, got {steps}, {batch_size}, "
            f"{eval_every}"
        )
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed)
    batches = _batches(len(data.x), batch_size, rng)
    curve = Curve()
    clock = Clock()
    model.train()

    def check(step: int) -> bool:
        loss, acc = evaluate(model, data.x_eval, data.y_eval)
        curve.eval_steps.append(step)
        curve.eval_loss.append(loss)
        curve.eval_acc.append(acc)
        return stop_at is not None and acc >= stop_at

    done = check(0)
    for step in range(1, steps + 1):
        if done:
            break
        index = next(batches)
        if before_step is not None:
            before_step(step)
        optimizer.zero_grad()
        loss = loss_fn(
            model(glassnet.from_numpy(data.x[index])), glassnet.from_numpy(data.y[index])
        )
        value = float(loss.item())
        curve.loss.append(value)
        if not math.isfinite(value) or value > DIVERGED_LOSS:
            curve.diverged_at = step
            break
        loss.backward()
        optimizer.step()
        if after_step is not None:
            after_step(step, curve)
        if step % eval_every == 0 or step == steps:
            done = check(step)
    curve.cpu_s, curve.wall_s = clock.cpu, clock.wall
    return curve


def lr_grid(low_exp: float, high_exp: float, per_decade: int = 2) -> list[float]:
    """Learning rates 10**k from 10**low_exp to 10**high_exp, `per_decade` per decade (rounded)."""
    count = round((high_exp - low_exp) * per_decade) + 1
    return [float(f"{10 ** (low_exp + i / per_decade):.3g}") for i in range(count)]


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and (population) standard deviation; (nan, nan) for no values."""
    array = np.asarray(list(values), dtype=np.float64)
    if array.size == 0:
        return math.nan, math.nan
    return float(array.mean()), float(array.std())


def fmt_mean_std(values: Sequence[float], digits: int = 3) -> str:
    """'m ± s' (or just 'm' for one value), `digits` significant digits."""
    mean, std = mean_std(values)
    if len(values) <= 1:
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {std:.2g}"


def fmt_lr(lr: float | None) -> str:
    return "-" if lr is None else f"{lr:g}"


# -- two-dimensional test functions: the optimisers' textbook pictures ------------------------
@dataclass(frozen=True)
class Problem2D:
    """f(p) and its exact gradient for p in R^2, a start point, and the tolerance that counts as 'solved'."""

    name: str
    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    minimum: tuple[float, float]
    tol: float  # solved when f(p) <= tol
    convex: bool


def quadratic(condition: float = 50.0, angle_deg: float = 30.0) -> Problem2D:
    """f = 1/2 p^T H p with H = R diag(1, condition) R^T: a valley rotated by angle_deg (so no
    per-coordinate scaling can undo it), its steep axis `condition` times as curved as its long one."""
    theta = math.radians(angle_deg)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    hessian = rotation @ np.diag([1.0, condition]) @ rotation.T
    start = (-3.0, 2.5)
    f0 = 0.5 * float(np.array(start) @ hessian @ np.array(start))
    return Problem2D(
        f"quadratic (condition {condition:g}, rotated {angle_deg:g} deg)",
        lambda p: 0.5 * float(p @ hessian @ p),
        lambda p: hessian @ p,
        start,
        (0.0, 0.0),
        tol=1e-6 * f0,
        convex=True,
    )


def rosenbrock() -> Problem2D:
    """f = (1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed valley; minimum 0 at (1, 1); not convex."""

    def f(p: np.ndarray) -> float:
        return float((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2)

    def grad(p: np.ndarray) -> np.ndarray:
        return np.array(
            [-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]
        )

    return Problem2D("Rosenbrock", f, grad, (-1.2, 1.0), (1.0, 1.0), tol=1e-4, convex=False)


@dataclass
class Path2D:
    """An optimiser's path on a Problem2D: the points, f at each, and when it was solved or blew up."""

    points: np.ndarray  # (steps + 1, 2)
    values: np.ndarray  # f at each point
    solved_at: int | None
    diverged: bool

    @property
    def final(self) -> float:
        return math.inf if self.diverged else float(self.values[-1])


def run_2d(
    make_optimizer: Callable[[list, float], Optimizer],
    problem: Problem2D,
    lr: float,
    steps: int,
    scale: float = 1.0,
    stop: bool = True,
) -> Path2D:
    """Minimise scale * f with a real glassnet optimiser; the gradient is the exact one, set as .grad.

    Stops when f <= problem.tol (if stop), or when f becomes non-finite or 1e6 x its start (diverged).
    """
    param = nn.Parameter(glassnet.tensor(np.array(problem.start, dtype=np.float64)))
    optimizer = make_optimizer([param], lr)
    points, values = [param.data.copy()], [problem.f(param.data)]
    limit, solved, diverged = 1e6 * max(values[0], 1.0), None, False
    with np.errstate(all="ignore"):
        for step in range(1, steps + 1):
            param.grad = glassnet.tensor(scale * problem.grad(param.data))
            optimizer.step()
            value = problem.f(param.data)
            points.append(param.data.copy())
            values.append(value)
            if not math.isfinite(value) or value > limit:
                diverged = True
                break
            if value <= problem.tol and solved is None:
                solved = step
                if stop:
                    break
    return Path2D(np.array(points), np.array(values), solved, diverged)


def path_cosine(points: np.ndarray) -> float:
    """Step-weighted cosine between consecutive updates: sum d_t . d_{t+1} / sum |d_t| |d_{t+1}|.

    +1: every step goes the way the previous one did; -1: a pure zig-zag, each step undoing the last.
    """
    steps = np.diff(points, axis=0)
    if len(steps) < 2:
        return math.nan
    dots = np.sum(steps[:-1] * steps[1:], axis=1)
    norms = np.linalg.norm(steps[:-1], axis=1) * np.linalg.norm(steps[1:], axis=1)
    return float(dots.sum() / norms.sum()) if norms.sum() > 0 else math.nan
