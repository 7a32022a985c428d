"""Callbacks for `Trainer.fit`: Keras' hooks and names, checkpoint state for exact resume.

`EarlyStopping`, `ModelCheckpoint`, `ProgressBar`, `CSVLogger`, `NaNGuard`, and the
`Callback` base class to write your own.
"""

from glassnet.train.callbacks.base import Callback, CallbackList, Monitor
from glassnet.train.callbacks.csv_logger import CSVLogger
from glassnet.train.callbacks.early_stopping import EarlyStopping
from glassnet.train.callbacks.model_checkpoint import ModelCheckpoint
from glassnet.train.callbacks.nan_guard import NaNGuard, NonFiniteError
from glassnet.train.callbacks.progress import ProgressBar

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "ModelCheckpoint",
    "Monitor",
    "NaNGuard",
    "NonFiniteError",
    "ProgressBar",
]
