"""Optimizers (`SGD`, `Adagrad`, `RMSprop`, `Adam`, `AdamW`, `Adadelta`, `NAdam`, `LBFGS`) and LR schedulers.

Names, arguments, defaults, update rules and `state_dict()` layouts follow
`torch.optim`; each update is tested against it to 1e-10 in float64.
"""

from glassnet.optim import lr_scheduler
from glassnet.optim.adadelta import Adadelta
from glassnet.optim.adagrad import Adagrad
from glassnet.optim.adam import Adam, AdamW
from glassnet.optim.lbfgs import LBFGS
from glassnet.optim.nadam import NAdam
from glassnet.optim.optimizer import Optimizer
from glassnet.optim.rmsprop import RMSprop
from glassnet.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "LBFGS",
    "NAdam",
    "Optimizer",
    "RMSprop",
    "lr_scheduler",
]
