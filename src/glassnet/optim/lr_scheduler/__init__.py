"""Learning-rate schedules: change each group's `lr` as training proceeds.

A large learning rate makes fast early progress but, near a minimum, keeps the
weights bouncing around it at a noise level proportional to lr; lowering lr
later lets them settle. Call `scheduler.step()` once per epoch (OneCycleLR: once
per batch), *after* `optimizer.step()`. Every schedule reproduces
`torch.optim.lr_scheduler` exactly, including its recursive (chainable) forms,
and `state_dict()` holds the same entries as PyTorch's.
"""

from glassnet.optim.lr_scheduler.decay import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from glassnet.optim.lr_scheduler.one_cycle import OneCycleLR
from glassnet.optim.lr_scheduler.plateau import ReduceLROnPlateau
from glassnet.optim.lr_scheduler.scheduler import LRScheduler

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "StepLR",
]
