"""The activations topic's constants: the networks, the learning rate they share, the thresholds."""

from __future__ import annotations

from glassnet.lab.kit import activations as T

COMMON_LR = 0.1  # the learning rate every activation shares in the fixed-lr comparison
HIDDEN = (100, 100)
STACK_DEPTH = 10  # hidden layers of the deep stack (the gradients experiment)
TRAINED = (*T.ACTIVATIONS, "centred_sigmoid")
ACTIVATION_SIZE = 10_000  # elements per activation call in the MLP: batch 100 x 100 units

# thresholds, fixed before any experiment ran
VANISH = 1e-2  # first-to-last weight-gradient ratio below which gradients have vanished
SATURATED = 0.25  # share of saturated outputs that counts as 'very easily saturates'
COSTLY = 2.0  # per-element cost ratio (vs ReLU) that counts as 'expensive'
CENTRED, OFF_CENTRE = (
    0.25,
    0.5,
)  # offset ratio |unit mean| / unit RMS: centred at most, off-centre at least
FACTOR_SAME, FACTOR_CLOSE = 1.5, 3.0  # 'the same' and 'close' for two update ratios

# issue 13, written before the final run: the cost claims are decided by the arithmetic itself
ARITHMETIC_SIZE = (
    1_000_000  # float32 elements per timed call: large enough that call overhead vanishes
)
SAME_CON_FACTOR = 2.0  # tanh shares one of sigmoid's cons when it is at least half as severe
# sigmoid_range, the output reading: the unbounded output must put at least this share of test
# outputs outside [0, 1] for the range to matter, and sigmoid's Brier score must be lower
# (same MSE loss, only the range differs) in every seed
INVALID_SHARE = 0.01
PROBE_LR = 0.05  # the output probe's linear model: full-batch Adam at this lr
# sigmoid_no_other_advantage: sigmoid 'has an advantage' on an axis when it beats every other
# activation there by these margins (the gaps the other claims use)
ADVANTAGE_GAP = 0.05  # convergence: lower loss area in every seed and >= 5% on average
ADVANTAGE_POINTS = 0.01  # test accuracy: >= 1 point higher (mean over seeds, each at its best lr)
ADVANTAGE_FACTOR = 1.5  # gradient flow (first/last ratio nearer 1) and arithmetic cost: >= 1.5x
DEAD_SHARE = 0.01  # dead units: another activation has >= 1% dead units, sigmoid none
SMOOTH_JUMP, ROUGH_JUMP = 1e-3, 0.5  # smoothness: the derivative's largest jump on the grid
