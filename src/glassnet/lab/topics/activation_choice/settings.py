"""activation_choice's settings and thresholds, all written before the sweep ran."""

from __future__ import annotations

from dataclasses import dataclass

NETS = {"shallow": [40, 100, 100, 10], "deep": [40, 64, 64, 64, 64, 64, 64, 10]}
USABLE = 0.05  # an lr is usable when its mean val accuracy is within 5 points of the best lr's
SIGMOID_GAP = 0.02  # sigmoid 'loses' when its best val accuracy is 2+ points below the best other's
N_VAL = 500  # validation samples held out of the training set


@dataclass(frozen=True)
class Plan:
    n_train: int | None
    epochs: int
    seeds: int
    lrs: tuple[float, ...]


PLANS = {
    "smoke": Plan(1500, 6, 1, (0.01, 0.03, 0.1, 0.3, 1.0)),
    "quick": Plan(None, 15, 2, (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)),
    "full": Plan(None, 30, 4, (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)),
}
