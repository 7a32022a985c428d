"""The optimizers topic's settings per mode and its thresholds (fixed before measuring)."""

from __future__ import annotations

from glassnet.lab.kit.curve import lr_grid

ADAPTIVE = ("Adagrad", "RMSProp", "Adam")
LRS_2D = lr_grid(-4, 0.5)
STEPS_2D = {
    "smoke": (600, 3000),
    "quick": (1000, 5000),
    "full": (3000, 20000),
}  # quadratic, Rosenbrock
LRS_MLP = {"smoke": lr_grid(-4, 0, 1), "quick": lr_grid(-4, 0.5), "full": lr_grid(-4.5, 1)}
STEPS_MLP = {"smoke": 150, "quick": 400, "full": 2000}
SEEDS = {"smoke": 1, "quick": 2, "full": 3}
ONE_SAMPLE = {
    "smoke": (300, 1, 60),
    "quick": (1000, 2, 300),
    "full": (4000, 3, 1000),
}  # n, epochs, GD steps
SIZES, BATCH, EVAL_EVERY = [40, 64, 64, 10], 64, 25
# thresholds, fixed before measuring
COSINE_GAIN = 0.2  # momentum: consecutive-update cosine higher than GD's by this
GOOD_LR = 1.5  # a 'good' lr: final loss within 1.5x the optimiser's best
SPREAD_GAP = 0.5  # best-lr spread across problems larger by half a decade
FALLS = 3.0  # Adagrad's effective lr falls >= 3x (and >= 3x more than RMSProp's)
HURTS = 1.1  # ... and ends with >= 1.1x RMSProp's loss
SOLVES_MLP = 1.5  # 'solves' the MLP: best final loss within 1.5x the best optimiser's
ADAM_SLACK = 1.1  # Adam at least as good as the better of Momentum and RMSProp, 10% slack
INVARIANT, CHANGES = 1e-3, 0.1
GD_HALVES = 0.5  # GD 'converges' when its loss ends at most half where it started
# issue 13: the relative tests of the convexity claims, and the new claims
UNSOLVED_COST = 2.0  # an unsolved 2-D run costs this many times the step budget
BEHIND = 2.0  # behind the others on a problem: cost >= 2x the median of the other four's
DEFAULT_LRS = {  # PyTorch's defaults (SGD's lr=1e-3 since torch 2.x; Momentum = SGD + 0.9)
    "SGD": 1e-3,
    "Momentum": 1e-3,
    "Adagrad": 1e-2,
    "RMSProp": 1e-2,
    "Adam": 1e-3,
}
TOP = 2  # adam_general_purpose: 'a good default' ranks in the top 2 of the 5 on a task
FIXED = ("SGD", "Momentum")  # the notes' 'fixed learning rate' group
SCALE = 10.0  # fixed_vs_adaptive: the gradients are multiplied by this
