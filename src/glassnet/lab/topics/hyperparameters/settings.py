"""The hyperparameters topic: settings and thresholds, fixed before the first run."""

from __future__ import annotations

# the notes' items -> the `glassnet tune` parameter that sets each (output encoding and cost
# function are one option in glassnet: softmax + cross-entropy, sigmoid + BCE, or MSE)
ITEMS = {
    "learning_rate": "lr",
    "regularisation": "weight_decay",
    "layers": "layers",
    "units": "units",
    "epochs": "epochs",
    "batch_size": "batch_size",
    "output_encoding": "loss",
    "cost_function": "loss",
    "weight_init": "init",
    "activation": "activation",
    "data_size": "train_fraction",
}
PARAMS = tuple(dict.fromkeys(ITEMS.values()))  # the ten distinct parameters, in the notes' order

DATA = {"smoke": "digits", "quick": "digits", "full": "mnist1d"}
BASE = {"model": "mlp"}  # everything else at `glassnet train`'s defaults
EPOCHS = {"smoke": 2, "quick": 10, "full": 20}  # the base configuration's epochs
NOISE_SEEDS = {"smoke": 2, "quick": 3, "full": 5}  # the base configuration, seeds 0..n-1
IMPORTANCE = {"smoke": (6, 1), "quick": (24, 2), "full": (80, 3)}  # trials, studies (seeds)
MECHANISM_TRIALS = {"smoke": 3, "quick": 12, "full": 30}
# "simplify and monitor" pays where training dominates a trial's cost: on digits a trial's
# fixed cost (data, model, run folder) outweighs its ten epochs, so the transfer is measured
# on MNIST-1D at the tuner's default 20 epochs (the simplified problem: 4 epochs on a quarter)
TRANSFER_DATA = {"smoke": "digits", "quick": "mnist1d", "full": "mnist1d"}
TRANSFER_EPOCHS = {"smoke": 2, "quick": 20, "full": 20}
TRANSFER_CONFIGS = {"smoke": 3, "quick": 6, "full": 16}
TRANSFER_SEARCH = ["lr", "units", "weight_decay"]
SIMPLIFIED = {
    "smoke": {"epochs": 1},
    "quick": {"epochs": 4, "train_fraction": 0.25},
    "full": {"epochs": 4, "train_fraction": 0.25},
}

# an item "is a hyper-parameter worth choosing" when moving it over the tuner's default range
# (everything else at the base) changes the validation accuracy by at least MATTERS_POINTS
# and by at least NOISE_FACTOR times the spread of the base configuration over seeds;
# partly when the change exceeds that spread but not both bars.
MATTERS_POINTS, NOISE_FACTOR = 2.0, 3.0
# by_mechanism: the best mechanism choice within MECHANISM_POINTS of the best the search
# found holds (within twice that: partly).
MECHANISM_POINTS = 1.0
# broad_strategy: the simplified problem ranks the configurations as the full one does
# (Spearman's rho >= TRANSFER_RHO), the configuration it picks loses at most REGRET_POINTS
# on the full problem, and it costs at most 1/SAVES of the full problem's CPU time.
# Partly when it saves the time and rho >= TRANSFER_RHO_PARTLY.
TRANSFER_RHO, TRANSFER_RHO_PARTLY, REGRET_POINTS, SAVES = 0.7, 0.4, 1.0, 2.0
