"""Summaries over seeds: one mean and spread (printed by glassnet.lab.report.formatting.pm)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["geometric_mean", "mean_std", "mean_std_finite"]


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


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)) over the positive finite values (nan when there are none)."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    return float(np.exp(np.mean(np.log(positive)))) if positive else math.nan


def mean_std_finite(values: Sequence[float | None]) -> tuple[float, float]:
    """Mean and population std of the finite values (a diverged run's NaN is left out)."""
    return mean_std(values, ddof=0, finite_only=True)
