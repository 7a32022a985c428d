"""The gradient_clipping topic: settings and thresholds, fixed before measuring."""

from __future__ import annotations

import math

HIDDEN, GAIN, LR, MOMENTUM, BATCH, WARMUP = 32, 1.5, 0.01, 0.9, 64, 50
CONFIG = {
    "smoke": {"steps": 1000, "replicates": 1},
    "quick": {"steps": 1500, "replicates": 3},
    "full": {"steps": 4000, "replicates": 5},
}
PROBE = 256  # sequences in the batch that measures ||dL/dx_t|| at init
CHANCE_LOSS = math.log(10)
TRAINED = (
    0.9 * CHANCE_LOSS
)  # "trainable": final training loss at least 10% below a uniform guess's ln 10
FINAL_SHARE = 0.1  # the final loss is the mean over the last 10% of the steps
BETTER_BY = 0.1  # nats: the clipped run's mean final loss must beat the unclipped one's by this

# the premise and the notes' sentences (reported, not judged)
SPIKE = 10  # an exploding run's largest gradient norm is at least this x its median
PLATEAU = 0.05  # a final loss within this of ln 10 sits on the uniform guess's plateau
MOSTLY = 0.5  # 'most steps clipped' when more than this share of them was
CURVES = 50  # the loss figure's running mean spans steps // CURVES steps
