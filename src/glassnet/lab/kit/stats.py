"""Summaries over seeds: one mean-and-spread, one way to print it."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "geometric_mean",
    "mean_std",
    "mean_std_finite",
    "pm",
    "pm_finite",
    "pm_percent",
    "sci",
]


def mean_std(
    values: Sequence[float | None], ddof: int = 0, finite_only: bool = False
) -> tuple[float, float]:
    """(mean, standard deviation) of `values`: population std (ddof=0) or sample std (ddof=1,
    0 for a single value). finite_only drops None, NaN and infinities first. (nan, nan) for none."""
    kept = [v for v in values if not finite_only or (v is not None and math.isfinite(v))]
    if not kept:
        return math.nan, math.nan
    array = np.asarray(kept, dtype=np.float64)
    std = float(array.std(ddof=ddof)) if len(array) > ddof else 0.0
    return float(array.mean()), std


def pm(
    values: Sequence[float],
    digits: int = 3,
    scale: float = 1.0,
    ddof: int = 0,
    finite_only: bool = False,
) -> str:
    """'0.931 ± 0.004' (mean ± std over seeds, times `scale`, `digits` decimals); one value alone."""
    mean, std = mean_std(values, ddof, finite_only)
    if len(values) == 1:
        return f"{scale * mean:.{digits}f}"
    return f"{scale * mean:.{digits}f} ± {scale * std:.{digits}f}"


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)) over the positive finite values (nan when there are none)."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    return float(np.exp(np.mean(np.log(positive)))) if positive else math.nan


def pm_percent(values: Sequence[float]) -> str:
    """'34.2 ± 0.5': fractions shown as percent, mean ± sample std over seeds, one decimal."""
    return pm(values, digits=1, scale=100.0, ddof=1)


def mean_std_finite(values: Sequence[float | None]) -> tuple[float, float]:
    """Mean and population std of the finite values (a diverged run's NaN is left out)."""
    return mean_std(values, ddof=0, finite_only=True)


def pm_finite(values: Sequence[float | None], digits: int = 3) -> str:
    """'0.931 ± 0.004 (n=3)' over the finite values; a single value alone."""
    if len(values) == 1:
        return pm(values, digits, finite_only=True)
    return f"{pm(values, digits, finite_only=True)} (n={len(values)})"


def sci(value: float | None) -> str:
    """Three significant digits, scientific where needed ('3.2e-05', '0.412')."""
    if value is None or not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"
