"""A fraction of the training split (`glassnet train --train-fraction`), for learning curves.

Stratified and nested: each class's samples are put in one fixed random order (seed
SUBSET_SEED, independent of the run's --seed), and a fraction f keeps the first
ceil(f * n_c) of class c (at least one). So the 25% subset lies inside the 50% one, and
a learning curve measures more data, not different data. Val and test are untouched.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.train.job_data import JobData, Split

SUBSET_SEED = 0


def check_fraction(fraction: float) -> float:
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"train_fraction must be in (0, 1], got {fraction!r}")
    return float(fraction)


def train_subset(data: JobData, fraction: float) -> JobData:
    """`data` with its training split cut to `fraction` per class (the whole split for 1.0)."""
    fraction = check_fraction(fraction)
    if fraction == 1.0:
        return data
    rng = np.random.default_rng(SUBSET_SEED)
    keep = []
    for label in np.unique(data.train.y):
        members = np.flatnonzero(data.train.y == label)
        members = members[rng.permutation(len(members))]
        keep.append(members[: max(1, math.ceil(fraction * len(members)))])
    index = np.sort(np.concatenate(keep))
    train = Split(data.train.x[index], data.train.y[index])
    return JobData(data.name, data.classes, train, data.val, data.test)
