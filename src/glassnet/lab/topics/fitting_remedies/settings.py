"""fitting_remedies' settings, fixed before the first run: sizes per mode, models, remedies."""

from __future__ import annotations

SETTINGS = {
    "smoke": {
        "n_mnist1d": 300,
        "n_digits": 100,
        "epochs": 60,
        "seeds": 1,
        "members": 3,
        "n_under": 1000,
        "under_epochs": 8,
        "under_seeds": 1,
        "linear_steps": 150,
        "trees": 40,
    },
    "quick": {
        "n_mnist1d": 500,
        "n_digits": 150,
        "epochs": 100,
        "seeds": 3,
        "members": 5,
        "n_under": None,
        "under_epochs": 30,
        "under_seeds": 2,
        "linear_steps": 400,
        "trees": 200,
    },
    "full": {
        "n_mnist1d": 500,
        "n_digits": 150,
        "epochs": 200,
        "seeds": 5,
        "members": 8,
        "n_under": None,
        "under_epochs": 60,
        "under_seeds": 3,
        "linear_steps": 1000,
        "trees": 400,
    },
}
HIDDEN, SMALL_HIDDEN = [128, 128], [16, 16]
L2, DROPOUT, PATIENCE = 1e-3, 0.5, 10
# 150 digits make 3 batches an epoch: twice the epochs to reach zero training error
DIGITS_EPOCH_FACTOR = 2
HEAVY_L2, LIGHT_L2 = 1e-1, 1e-3
LINEAR_LR, TREE_DEPTH = 1e-2, 2
# large effects, several times their thresholds in every mode and seed tried: the tests assert
# them in smoke mode
ROBUST_UNDERFIT = ("more_features", "less_regularisation", "boosting")
REMEDY_CLAIMS = {
    "small": "simplify_model",
    "augment": "augmentation",
    "ensemble": "ensemble",
    "early": "early_stopping",
    "features": "fewer_features",
}
# under-fitting: each remedy against its base (key, claim; None: judged under bias_variance)
UNDER_PAIRS = {
    "features": ("linear", "more_features"),
    "capacity": ("linear", "more_capacity"),
    "light_l2": ("heavy_l2", "less_regularisation"),
    "adam": ("sgd", None),
    "boost": ("tree", "boosting"),
}
UNDER_BARS = ("linear", "features", "capacity", "heavy_l2", "light_l2", "sgd", "tree", "boost")
