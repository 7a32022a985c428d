"""The compression topic: the three rules its verdicts share, and paired statistics.

size_verdict   a technique compresses: the cost falls by >= `cut_holds` at a mean paired
               accuracy loss <= `loss_holds` (holds), or by >= `cut_partly` at <= `loss_partly`
speed_verdict  a technique accelerates: the measured CPU speed-up reaches SPEED_SHARE of the
               cut in MACs (or in stored weights) (holds), or at least SPEED_PARTLY (partly)
gain_verdict   a technique helps accuracy: mean paired gain >= GAIN_HOLDS points with a gain
               in >= GAIN_SEEDS of the seeds (holds), a positive mean gain (partly)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from glassnet.lab.result import Verdict
from glassnet.lab.topics.compression.settings import (
    GAIN_HOLDS,
    GAIN_SEEDS,
    SPEED_PARTLY,
    SPEED_SHARE,
)


def mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


def paired(after: Sequence[float], before: Sequence[float]) -> tuple[float, float]:
    """(mean, sample std) of after - before over the seeds (std 0 for one seed)."""
    delta = np.asarray(after, float) - np.asarray(before, float)
    return float(delta.mean()), float(delta.std(ddof=1)) if delta.size > 1 else 0.0


def pm(mean_std: tuple[float, float]) -> str:
    """'-0.42 ± 0.31' (points)."""
    return f"{mean_std[0]:+.2f} ± {mean_std[1]:.2f}"


def size_verdict(
    cut: float,
    loss: float,
    cut_holds: float,
    cut_partly: float,
    loss_holds: float,
    loss_partly: float,
) -> Verdict:
    if cut >= cut_holds and loss <= loss_holds:
        return Verdict.HOLDS
    if cut >= cut_partly and loss <= loss_partly:
        return Verdict.PARTLY
    return Verdict.DOES_NOT_HOLD


def speed_verdict(speedup: float, cut: float) -> Verdict:
    if speedup >= max(SPEED_SHARE * cut, SPEED_PARTLY):
        return Verdict.HOLDS
    return Verdict.PARTLY if speedup >= SPEED_PARTLY else Verdict.DOES_NOT_HOLD


def gain_verdict(gains: Sequence[float]) -> Verdict:
    gains = np.asarray(gains, float)
    if gains.mean() >= GAIN_HOLDS and np.mean(gains > 0) >= GAIN_SEEDS:
        return Verdict.HOLDS
    return Verdict.PARTLY if gains.mean() > 0 else Verdict.DOES_NOT_HOLD
