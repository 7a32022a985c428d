"""glassnet.train: the training loop and its callbacks (Keras' hooks, PyTorch's objects).

trainer = Trainer(model, optim.Adam(model.parameters()), nn.CrossEntropyLoss(),
                  metrics=["accuracy"], callbacks=[EarlyStopping(patience=5), ModelCheckpoint("runs/x")])
history = trainer.fit(train_loader, val_loader, epochs=20)
trainer.fit(train_loader, val_loader, epochs=20, resume_from="runs/x/last.safetensors")
"""

from glassnet.train.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    ModelCheckpoint,
    NaNGuard,
    NonFiniteError,
    ProgressBar,
)
from glassnet.train.checkpoint import CheckpointError, load_weights, read_checkpoint
from glassnet.train.history import History
from glassnet.train.trainer import Trainer

__all__ = [
    "CSVLogger",
    "Callback",
    "CheckpointError",
    "EarlyStopping",
    "History",
    "ModelCheckpoint",
    "NaNGuard",
    "NonFiniteError",
    "ProgressBar",
    "Trainer",
    "load_weights",
    "read_checkpoint",
]
