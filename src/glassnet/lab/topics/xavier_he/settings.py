"""The xavier_he topic's settings per mode and its thresholds (fixed before any run)."""

from __future__ import annotations

from glassnet import nn

PROBE_SIZES = [64] + [256] * 16 + [10]
PROBE_INITS = {
    "tanh": ("xavier", "xavier53", "he", "small", "snippet"),
    "relu": ("xavier", "he", "small", "snippet"),
}
SEEDS = {"smoke": 1, "quick": 2, "full": 3}
STEPS = {
    "smoke": (200, 300),
    "quick": (600, 600),
    "full": (2000, 2000),
}  # (tanh 10 layers, ReLU 30 layers)
LRS = {
    "smoke": ((0.01,), (0.003, 0.01)),
    "quick": ((0.001, 0.003, 0.01, 0.03),) * 2,
    "full": ((0.001, 0.003, 0.01, 0.03),) * 2,
}
TANH_NET, RELU_NET = [64] + [64] * 10 + [10], [64] + [64] * 30 + [10]
TANH_INITS, RELU_INITS = ("xavier", "xavier53", "he", "small"), ("he", "xavier")
NETS = (("tanh 10", TANH_INITS), ("relu 30", RELU_INITS))
FAN_LAYERS = (
    ("Linear(64, 32)", lambda: nn.Linear(64, 32), (512, 64)),
    ("Conv2d(3, 16, 5)", lambda: nn.Conv2d(3, 16, 5), (32, 3, 16, 16)),
    ("Conv2d(16, 32, 3)", lambda: nn.Conv2d(16, 32, 3), (32, 16, 16, 16)),
    ("Conv2d(32, 8, 1)", lambda: nn.Conv2d(32, 8, 1), (32, 32, 16, 16)),
)

# decision thresholds, fixed before any run
STEADY, SHRUNK, COLLAPSED = 0.5, 0.1, 0.01  # std ratio last/first layer
FAN_TOLERANCE = 0.10  # a definition "agrees" within 10% of the measured gain
TRAINS, STALLS, BEATS = 0.5, 0.2, 0.2  # train accuracy: trains >= 0.5, stalls <= 0.2 (chance 0.1)
CLOSE, NEAR = 0.02, 0.05  # xavier_tanh: within 0.02 (or 0.05) of the best init
SATURATED = 0.05  # xavier_tanh: a healthy init has no layer with 5% or more saturated units
SNIPPET_BAND = (0.5, 2.0)  # init_snippet holds: std ratio within this band ...
SNIPPET_CORR = 0.5  # ... and mean |corr| below this
SNIPPET_FAR = (0.1, 10.0)  # does not hold: std ratio outside this band ...
SNIPPET_SAME = 0.9  # ... or mean |corr| above this
SATURATION = 0.99  # a tanh unit is saturated when |h| > 0.99
