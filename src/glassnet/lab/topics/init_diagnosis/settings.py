"""The init_diagnosis topic's settings per mode and its thresholds (fixed before any run)."""

from __future__ import annotations

SIZES = [64] + [64] * 8 + [10]
INITS = ("he", "xavier", "small", "large", "zeros", "snippet")
ACTIVATIONS = ("tanh", "relu")
GOOD = (("tanh", "xavier"), ("relu", "he"))
BATCH = 256  # samples the diagnostics look at
STEPS = {"smoke": 200, "quick": 500, "full": 2000}
SEEDS = {"smoke": 1, "quick": 2, "full": 3}
LRS = {"smoke": (0.01,), "quick": (0.003, 0.01, 0.03, 0.1), "full": (0.003, 0.01, 0.03, 0.1)}

# decision thresholds, fixed before any run
TRAINS = 0.8  # a net "trains" when its best-lr test accuracy reaches 0.8 (chance 0.10)
AGREE_PARTLY = 0.75  # look_at_activations: share of configurations where the diagnosis is right
UNIFORM_KS, STABLE_SPREAD = 0.10, 2.0
MEAN_ZERO, VAR_LOW, VAR_HIGH = 0.05, 0.01, 0.04  # |mean| <= 0.05, var within 2x of 0.02
# issue 13: the plausible readings
ALIKE_KS = 0.2  # 'alike across layers': every layer within this two-sample KS distance of the first
WEIGHT_STD = 0.02  # 'mean 0, variance 0.02' read as the weights' N(0, 0.02^2) (DCGAN, BERT, GPT-2)
