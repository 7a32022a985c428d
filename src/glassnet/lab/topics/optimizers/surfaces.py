"""Two-dimensional test functions with exact gradients: the optimisers' textbook pictures.

path = run_2d(lambda params, lr: optim.Adam(params, lr=lr), rosenbrock(), lr=0.01, steps=3000)
path.solved_at, path.final, path_cosine(path.points)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet import nn
from glassnet.optim import Optimizer

__all__ = ["Path2D", "Problem2D", "path_cosine", "quadratic", "rosenbrock", "run_2d"]


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
