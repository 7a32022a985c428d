"""The strong-Wolfe line search of `LBFGS` (Moré-Thuente style bracketing and zoom).

A step t along a descent direction d is accepted when it satisfies the strong Wolfe
conditions, with phi(t) = f(x + t d) and phi'(t) = g(x + t d) . d::

    sufficient decrease (Armijo):  phi(t) <= phi(0) + c1 * t * phi'(0)
    curvature:                     |phi'(t)| <= -c2 * phi'(0)

The search first brackets an interval that must hold such a t (growing t by cubic
extrapolation, at most 10x per trial), then shrinks it by safeguarded cubic
interpolation ("zoom"). Ported from torch.optim.lbfgs (itself from minFunc and
torch7's lswolfe.lua) step for step, so the trial points, and therefore the
iterates, are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from glassnet.backend import Array

Objective = Callable[[list[Array], Any, Array], tuple[float, Array]]


def cubic_interpolate(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: tuple[Any, Any] | None = None
) -> Any:
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to `bounds`.

    d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2);  d2 = sqrt(d1^2 - g1 g2);
    t = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)   (x2 the farther point).
    When d1^2 < g1 g2 the cubic has no minimiser: the middle of the bounds.
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = numpy.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(
    obj_func: Objective,
    x: list[Array],
    t: Any,
    d: Array,
    f: float,
    g: Array,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Array, Any, int]:
    """Search along `d` from parameters `x` (loss f, flat gradient g, g.d = gtd).

    `obj_func(x, t, d)` returns (loss, flat gradient) at x + t d. Returns the loss,
    gradient and step of the accepted point and the number of evaluations used.
    """
    d_norm = abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    # bracketing phase: grow t until [t_prev, t] holds a point meeting the conditions
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
    found = (bracket, bracket_f, bracket_g, bracket_gtd if not done and ls_iter < max_ls else None)
    options = (c1, c2, tolerance_change, max_ls, d_norm)
    return _zoom(obj_func, x, d, f, gtd, found, done, ls_iter, ls_func_evals, *options)


def _zoom(
    obj_func: Objective,
    x: list[Array],
    d: Array,
    f: float,
    gtd: Any,
    brackets: tuple[list[Any], list[Any], list[Array], list[Any] | None],
    done: bool,
    ls_iter: int,
    ls_func_evals: int,
    c1: float,
    c2: float,
    tolerance_change: float,
    max_ls: int,
    d_norm: Any,
) -> tuple[float, Array, Any, int]:
    """Shrink the bracket by safeguarded cubic interpolation until a point meets the conditions."""
    bracket, bracket_f, bracket_g, bracket_gtd = brackets
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break  # the bracket is too small to matter
        assert bracket_gtd is not None
        t = cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # a trial too close to an end of the bracket twice in a row (or outside it) is
        # moved to 10% of the bracket's length from that end
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # no sufficient decrease, or not lower than the low end: t is the new high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
