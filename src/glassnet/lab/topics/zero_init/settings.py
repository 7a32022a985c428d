"""The zero_init topic: settings and decision thresholds, fixed before any run."""

from __future__ import annotations

STEPS = {"smoke": 150, "quick": 600, "full": 2000}
SEEDS = {"smoke": 1, "quick": 3, "full": 5}
LR, MOMENTUM, BATCH = 0.05, 0.9, 64
HIDDEN = [64, 32, 32, 10]
RANDOM = {"tanh": "xavier", "sigmoid": "xavier", "relu": "he"}  # the standard random init
ACTIVATIONS = ("tanh", "relu", "sigmoid")
SYMMETRIC = ("zeros", "constant")
EQUAL = (
    1e-4  # units whose relative spread stays <= this are "still equal" (float32 rounding is ~1e-7)
)
PERTURBATION = 1e-12
PERTURBED_SALT = 200  # the perturbed float64 run's random stream
FLOAT64_SALT = 100  # the float64 runs' random streams start here
CURVE_WINDOW = 20  # the loss figure's running mean

# (model name, layer sizes, activation, init): the float32 runs; '-' is no hidden activation
CONFIGS = [
    ("linear", [64, 10], "-", "zeros"),
    ("linear", [64, 10], "-", "xavier"),
    ("1 hidden", [64, 32, 10], "sigmoid", "zeros"),
    ("1 hidden", [64, 32, 10], "sigmoid", "xavier"),
] + [
    ("2 hidden", HIDDEN, act, scheme) for act in ACTIVATIONS for scheme in (*SYMMETRIC, RANDOM[act])
]

# decision thresholds, fixed before any run
GAP_HOLDS = 0.20  # not_all_zero: random init beats zero init by >= 20 accuracy points
SINGLE_HOLDS, SINGLE_PARTLY = 0.02, 0.05  # single_layer_ok: |acc(zeros) - acc(xavier)|
VANISHED = 1e-3  # zero_vanishing: hidden gradient norm below 1e-3 of the random init's
