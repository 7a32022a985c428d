"""EarlyStopping: stop when the monitored value has not improved for `patience` epochs.

Validation loss first falls with the training loss, then rises again as the model
starts to fit noise in the training set (over-fitting). Stopping near the minimum of
the validation curve, and going back to the weights of that epoch
(`restore_best_weights`), is the cheapest regulariser there is. The rules are Keras':

    each epoch (from start_from_epoch on): wait += 1
    if value improves on best by more than min_delta: best = value, wait = 0
    elif wait >= patience (and epoch > 0): stop
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from glassnet.train.callbacks.base import Callback, Logs, Monitor


class EarlyStopping(Callback):
    """Stop training when `monitor` stops improving (Keras' arguments and defaults).

    Args:
        monitor: logged value to watch, e.g. "val_loss" or "val_accuracy".
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        mode: "min", "max" or "auto" (max for accuracy-like names).
        baseline: a value the monitor must beat; until it does, improvements do not reset `wait`.
        restore_best_weights: at the end of fit, load a copy of the weights of the best
            epoch (copied, since state_dict tensors share memory with the live model).
        start_from_epoch: epochs of warm-up before watching starts.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        self.watch = Monitor("EarlyStopping", monitor, mode, min_delta)
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(
                f"EarlyStopping: patience must be a non-negative integer, got {patience!r}"
            )
        self.monitor, self.mode, self.min_delta = monitor, self.watch.mode, float(min_delta)
        self.patience, self.baseline = patience, baseline
        self.restore_best_weights, self.start_from_epoch = (
            restore_best_weights,
            int(start_from_epoch),
        )
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = -1
        self.best = self.watch.worst
        self.best_epoch = -1
        self.best_weights: dict[str, numpy.ndarray] | None = None

    def on_fit_start(self, logs: Logs) -> None:
        if not self.trainer.resumed:
            self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if epoch < self.start_from_epoch:
            return
        current = self.watch.value(logs)
        if self.restore_best_weights and self.best_weights is None:
            self._keep_weights(
                epoch
            )  # so there is something to restore even if nothing ever improves
        self.wait += 1
        if self.watch.is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self._keep_weights(epoch)
            if self.baseline is None or self.watch.is_improvement(current, float(self.baseline)):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            self.trainer.stop_reason = (
                f"early stopping: {self.monitor} has not improved on {self.best:.6g} "
                f"(epoch {self.best_epoch + 1}) for {self.wait} epochs"
            )

    def _keep_weights(self, epoch: int) -> None:
        self.best_weights = {
            key: tensor.data.copy() for key, tensor in self.model.state_dict().items()
        }
        self.best_epoch = epoch

    def on_fit_end(self, logs: Logs) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.wait, self.stopped_epoch = int(state["wait"]), int(state["stopped_epoch"])
        self.best = float(state["best"]) if state["best"] is not None else math.nan
        self.best_epoch = int(state["best_epoch"])
        weights = state["best_weights"]
        self.best_weights = (
            None if weights is None else {key: numpy.array(value) for key, value in weights.items()}
        )

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, min_delta={self.min_delta}, patience={self.patience}, "
            f"mode={self.mode!r}, restore_best_weights={self.restore_best_weights})"
        )
