"""fitting_remedies' settings and thresholds, fixed before the final run: sizes per mode, the
models, each remedy's sweep of strengths (gentlest first), and the rules' numbers.

The shared rules (OVERFIT_RULE, UNDERFIT_RULE and their thresholds) are in
glassnet.lab.kit.fitting; the ones below are this topic's own.
"""

from __future__ import annotations

SETTINGS = {
    "smoke": {
        "n_mnist1d": 300,
        "n_digits": 50,
        "epochs": 20,
        "digits_epochs": 60,
        "seeds": 2,
        "n_under": None,
        "under_epochs": 3,
        "rounds": (10, 25),
        "linear_iter": 60,
    },
    "quick": {
        "n_mnist1d": 500,
        "n_digits": 50,
        "epochs": 60,
        "digits_epochs": 150,
        "seeds": 2,
        "n_under": None,
        "under_epochs": 15,
        "rounds": (25, 50, 100),
        "linear_iter": 300,
    },
    "full": {
        "n_mnist1d": 500,
        "n_digits": 50,
        "epochs": 100,
        "digits_epochs": 200,
        "seeds": 4,
        "n_under": None,
        "under_epochs": 30,
        "rounds": (25, 50, 100, 200),
        "linear_iter": 1000,
    },
}
HIDDEN = [128, 128]  # the over-fitting base: an MLP, Adam lr 1e-3, batch 50
# each remedy's strengths, gentlest first (a tie on validation goes to the gentlest)
SMALLER = {"[64, 64]": [64, 64], "[32, 32]": [32, 32], "[16, 16]": [16, 16]}
L2S = (1e-4, 1e-3, 1e-2)
DROPOUTS = (0.1, 0.3, 0.5)
# augmentation: (largest shift in samples or pixels, Gaussian noise std), per data set
AUGMENTS = {
    "MNIST-1D": ((2, 0.05), (4, 0.1), (8, 0.2)),
    "digits": ((1, 0.0), (1, 0.05), (1, 0.1)),
}
MEMBERS = (2, 3, 5)  # ensemble sizes; the base models of each seed are its members
PATIENCES = (3, 10, 30)  # early stopping on val_loss, restore best weights (Keras' semantics)
ES_TOLERANCE = 0.01  # the smallest patience whose restored val_loss is within 1% of the lowest
EARLY_LOSS_DROP = 0.10  # early stopping holds when it cuts the test loss by >= 10%, every seed
# fewer features: keep the top share of raw + pairwise-product features by their ANOVA F on
# the training rows (scikit-learn's f_classif), or the raw inputs only
KEEP_SHARES = (0.05, 0.15, 0.4)
# under-fitting, all on MNIST-1D: the base is scikit-learn's LogisticRegression with its
# default L2 (C = 1) on the 40 raw inputs: a linear model on few features
BASE_C = 1.0
MORE_PAIRS = (50, 200, 820)  # raw inputs + this many pairwise products (top by F)
LESS_L2_C = (10.0, 100.0, 1e4)  # C = 1 / lambda: less regularisation
HEAVY_C = 1e-3  # the other reading: from a penalty heavy enough to cause the under-fitting
WIDTHS = (16, 64, 256)  # more capacity: an MLP with one hidden layer of this width
TREE_DEPTH = 2  # boosting: AdaBoost (SAMME) over trees of this depth, rounds swept per mode
REMEDY_CLAIMS = {
    "small": "simplify_model",
    "augment": "augmentation",
    "ensemble": "ensemble",
    "early": "early_stopping",
    "features": "fewer_features",
}
UNDER_CLAIMS = {
    "more_features": "more_features",
    "less_l2": "less_regularisation",
    "capacity": "more_capacity",
    "boost": "boosting",
}
