"""The resnet topic: settings (constants only; every threshold fixed before measuring)."""

from __future__ import annotations

LR, MOMENTUM, BATCH, PROBE = 0.1, 0.9, 64, 128  # SGD as in He et al. (no lr decay, no weight decay)

FAMILIES = {"plain": None, "resnet": "A"}  # the shortcut option of glassnet.models.resnet_cifar

# Each depth trains until its training loss plateaus (see PLATEAU_GAIN), at most `cap` steps.
CONFIG = {
    "smoke": {
        "depths": (8, 14),
        "widths": (4, 8, 16),
        "seeds": 1,
        "cap": 300,
        "eval_every": 25,
        "patience": 4,
    },
    "quick": {
        "depths": (8, 32),
        "widths": (4, 8, 16),
        "seeds": 2,
        "cap": 1000,
        "eval_every": 50,
        "patience": 4,
    },
    "full": {
        "depths": (8, 20, 32, 44),
        "widths": (8, 16, 32),
        "seeds": 3,
        "cap": 3000,
        "eval_every": 50,
        "patience": 10,
    },
}

# Plateau: the best training loss (eval mode, whole training set) has not improved by
# PLATEAU_GAIN of itself over the last `patience` evaluations; or it is below FITTED_LOSS
# (the net has fitted its training set). A run that meets neither by the cap is 'capped'.
PLATEAU_GAIN, FITTED_LOSS = 0.01, 0.01

DEGRADES, DEGRADES_PARTLY = 0.05, 0.01  # training-error rise (deepest - shallowest) = degradation
NO_WORSE = 0.01  # "no worse": the deeper net's training error at most this above
MUCH_BETTER, BETTER = 0.05, 0.01  # better_than_shallow: test error this much lower
LOSSLESS = (0.1, 10.0)  # first/last backward-signal ratio counted as "no large loss or gain"
VANISHED = 0.1  # the first conv's backward signal below this fraction of the classifier's
EXACT = 1e-5  # construction: largest |logit difference| allowed
BACKWARD_REPEATS = 5  # backward passes timed per net for simplifies_backprop (reported only)

# block_definition: glassnet's residual block (models.resnet_cifar.CifarBasicBlock, the zoo's)
# against relu(f(x) + x) computed from its own layers: the largest |difference| over the
# largest |output| must be at most BLOCK_EXACT, with the residual branch live and zeroed.
BLOCK_EXACT = 1e-6
BLOCK_SHAPE = (16, 8, 6, 6)  # (N, C, H, W) of the block's input, standard normal

# solves_exploding. r = ||dL/dW|| of the first conv over that of the classifier: the same two
# layers at every depth, so its growth from the shallowest to the deepest depth is what depth
# alone does to the gradient on its way back. Measured at initialisation (the probe batch)
# and over early training (geometric mean of r over the first EARLY_STEPS SGD steps).
# Plain nets 'explode' when r grows >= EXPLODES x at initialisation or in early training;
# residual nets 'remove' it when theirs grows <= REMOVED x in both.
EARLY_STEPS = 50
EXPLODES, REMOVED = 10.0, 2.0
