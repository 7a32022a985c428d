"""glassnet.diagnose: look inside a model on one batch, through hooks, and say what is wrong.

    stats = activation_stats(model, x)                     # per-layer mean, std, saturation, dead units
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss(), lr=1e-3)
    for alarm in find_alarms(stats, flow):
        print(alarm)        # "layer 7 (Tanh): 93% of units saturated (|y| > 0.99) ..."
    save_histograms(stats, "activations.png")

`glassnet diagnose MODEL_OR_RUN` runs all of it from the command line: `load_subject`
(subject.py) builds the model and batch, `diagnose` (report.py) prints and plots.
"""

from glassnet.diagnose.activations import ActivationStats, LayerStats, activation_stats, layer_stats
from glassnet.diagnose.alarms import (
    DEFAULT_THRESHOLDS,
    Alarm,
    Thresholds,
    activation_alarms,
    find_alarms,
    gradient_alarms,
)
from glassnet.diagnose.gradients import GradientFlow, LayerGrad, ParamGrad, gradient_flow
from glassnet.diagnose.plots import (
    plot_gradient_flow,
    plot_histograms,
    save_figure,
    save_histograms,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "ActivationStats",
    "Alarm",
    "GradientFlow",
    "LayerGrad",
    "LayerStats",
    "ParamGrad",
    "Thresholds",
    "activation_alarms",
    "activation_stats",
    "find_alarms",
    "gradient_alarms",
    "gradient_flow",
    "layer_stats",
    "plot_gradient_flow",
    "plot_histograms",
    "save_figure",
    "save_histograms",
]
