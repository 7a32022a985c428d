"""The style_transfer topic: settings and thresholds, fixed before the first run."""

from __future__ import annotations

from glassnet.style.features_vgg import GATYS_STYLE

CONTENT_PICTURE, STYLE_PICTURE = "sample:china", "sample:flower"

# long side of the pictures (pixels) and the L-BFGS evaluation budget of each optimisation
SIZE = {"smoke": 32, "quick": 64, "full": 128}
STEPS = {"smoke": 6, "quick": 40, "full": 100}

DEPTH_LAYERS = GATYS_STYLE  # relu1_1 .. relu5_1 of VGG-19
RATIOS = (0.1, 1.0, 10.0, 100.0, 1000.0)  # style weight / content weight of the sweep

# content_layers: the similarity to the original falls with depth when Spearman's rho of
# SSIM (and of PSNR) against depth is at most FALLS_RHO, and the deepest layer keeps at
# most FALLS_RATIO of the shallowest layer's SSIM.
FALLS_RHO, FALLS_RATIO = -0.9, 0.5
# style_layers: the structures grow with depth when Spearman's rho of the correlation
# length against depth is at least GROWS_RHO and the deepest set's length is at least
# GROWS_RATIO times the shallowest set's. Random weights cap the verdict at "partly".
GROWS_RHO, GROWS_RATIO = 0.9, 1.25
# style_and_content: the sweep trades one loss for the other when, from the smallest to
# the largest ratio, the style loss falls and the content loss rises each by at least
# TRADE_FACTOR, and some ratio keeps both losses at most BOTH_FRACTION of their range.
TRADE_FACTOR, BOTH_FRACTION = 3.0, 0.5
