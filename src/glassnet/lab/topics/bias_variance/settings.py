"""bias_variance's settings and thresholds, all fixed before the first run."""

from __future__ import annotations

SETTINGS = {
    "smoke": {
        "sizes": [100, 400, 1600],
        "min_steps": 300,
        "epochs": 10,
        "seeds": 1,
        "n_reg": 400,
        "search": 3,
        "n_search": 400,
    },
    "quick": {
        "sizes": [100, 200, 400, 800, 1600, 3000],
        "min_steps": 800,
        "epochs": 30,
        "seeds": 3,
        "n_reg": 400,
        "search": 10,
        "n_search": 800,
    },
    "full": {
        "sizes": [100, 200, 400, 800, 1600, 3000],
        "min_steps": 2000,
        "epochs": 100,
        "seeds": 5,
        "n_reg": 400,
        "search": 30,
        "n_search": 800,
    },
}
SMALL, BIG, DEEP = [40, 16, 10], [40, 128, 128, 10], [40, 16, 16, 16, 10]
DROPOUT, L2, ADVERSARIAL_EPS = 0.5, 1e-3, 0.1
BIGGER_POINTS, DEEPER_POINTS, OPTIMISER_POINTS = 5.0, 2.0, 5.0
GAP_RATIO, MORE_DATA_VAL_POINTS, SEARCH_POINTS = 0.5, 5.0, 1.0
SEARCH_SPACE = {
    "lr": (1e-4, 3e-2),
    "width": [16, 32, 64, 128, 256],
    "depth": [1, 2, 3],
    "dropout": [0.0, 0.2, 0.5],
    "l2": [0.0, 1e-4, 1e-3, 1e-2],
}
