"""evaluation's settings and thresholds, all fixed before the first run."""

from __future__ import annotations

SETTINGS = {
    "smoke": {
        "n_train": 1000,
        "candidates": 4,
        "steps": 400,
        "resplits": 500,
        "copies": 3,
        "n_copy": 300,
        "copy_steps": 300,
    },
    "quick": {
        "n_train": None,
        "candidates": 10,
        "steps": 1500,
        "resplits": 2000,
        "copies": 5,
        "n_copy": 500,
        "copy_steps": 1000,
    },
    "full": {
        "n_train": None,
        "candidates": 30,
        "steps": 3000,
        "resplits": 5000,
        "copies": 5,
        "n_copy": 500,
        "copy_steps": 3000,
    },
}
SPACE = {
    "lr": (1e-4, 3e-2),
    "width": [16, 32, 64, 128, 256],
    "depth": [1, 2, 3],
    "dropout": [0.0, 0.2, 0.5],
}
SMALL, BIG = [40, 16, 10], [40, 128, 128, 10]
POSITIVE = 3  # the one-against-rest task: "is it a 3?" (about 10% positives), fixed in advance
THRESHOLDS = (0.05, 0.95, 19)  # the threshold sweep on p(POSITIVE): start, stop, count
TRAIN_GAP_POINTS, OPTIMISM_POINTS, BV_POINTS = 5.0, 0.5, 2.0
MAJORITY_ACCURACY, MINORITY_ACCURACY, SPEARMAN = 0.85, 0.2, 0.5
METRICS_TOLERANCE = 1e-12  # glassnet.metrics against scikit-learn
