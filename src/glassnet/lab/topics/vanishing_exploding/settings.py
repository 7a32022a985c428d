"""The vanishing_exploding topic: settings and thresholds, fixed before measuring."""

from __future__ import annotations

WIDTH, BATCH = 64, 256
DEPTHS = {
    "smoke": [2, 8, 16],
    "quick": [2, 4, 8, 16, 32],
    "full": [2, 4, 8, 16, 24, 32],
}  # ReLU N(0,1) overflows float32 past ~45
SEEDS = {"smoke": 2, "quick": 5, "full": 10}
TRAIN_STEPS = {"smoke": 20, "quick": 50, "full": 200}
TRAIN_LR = 0.01  # plain SGD, a common default
TRAIN_BATCH = 64
ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("matched", "large")
CONFIGS = [(activation, init) for init in INITS for activation in ACTIVATIONS]
MATCHED = {"sigmoid": "xavier", "tanh": "xavier", "relu": "kaiming"}
LARGE_STD = 1.0
COLORS = {"sigmoid": "tab:red", "tanh": "tab:orange", "relu": "tab:blue"}
# the networks whose weights are trained: vanishing, exploding, and the well-initialised ReLU
FATES = (("sigmoid", "matched"), ("relu", "large"), ("relu", "matched"))
FATE_SEED = 999  # their weights' seed: seed * 1000 + FATE_SEED
FLOAT32_RESOLUTION = 6e-8  # float32's relative resolution near 1 (2^-24)

# thresholds, fixed before measuring (log10 units: 1 = a factor of 10)
GROWS_DECADES = (
    2.0  # too_many_layers: |log10 ratio| at the deepest depth exceeds the shallowest's by this
)
FINE_DECADES = (
    1.0  # ... and a configuration whose |log10 ratio| stays below this at the deepest is 'fine'
)
EXPLODES_DECADES = 1.0  # large_init_explodes: first/last >= 10
PRODUCT_TOL = (0.5, 0.2)  # product_of_factors: |pred - meas| <= max(0.5, 0.2 |meas|) decades
PRODUCT_HOLDS, PRODUCT_PARTLY = (
    0.9,
    0.6,
)  # share of cases (|meas| >= 1 decade) predicted within tolerance
ABNORMAL = 10.0  # weights_abnormal: ||W_T|| / ||W_0|| >= 10 or <= 1/10 (or non-finite)


def config_name(activation: str, init: str) -> str:
    """'sigmoid, Xavier', 'relu, He', 'tanh, N(0,1)': the configuration's name in tables and numbers."""
    scheme = (
        {"xavier": "Xavier", "kaiming": "He"}[MATCHED[activation]]
        if init == "matched"
        else "N(0,1)"
    )
    return f"{activation}, {scheme}"
