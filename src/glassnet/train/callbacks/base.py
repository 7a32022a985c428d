"""`Callback`: code that runs at fixed points of `Trainer.fit`, Keras-style, with a `logs` dict.

    on_fit_start(logs)
      on_epoch_start(epoch, logs)
        on_batch_start(batch, logs)
        on_before_optimizer_step(batch, logs)   loss and gradients known, weights not yet changed
        on_batch_end(batch, logs)               logs: loss (running mean), batch_loss, size, lr
      on_epoch_end(epoch, logs)                 logs: loss, metrics, val_loss, val_metrics, lr
    on_fit_end(logs)                            also after an early stop
    on_exception(error)                         fit is leaving with an exception

`epoch` and `batch` are 0-based indices. A callback reaches the run through
`self.trainer` (and `self.model`); it stops training with `trainer.stop_training =
True`. State that must survive a kill and resume (counters, best values) goes in
`state_dict()` / `load_state_dict()`: it is saved in every training checkpoint.
Callbacks that write checkpoints set `runs_last = True`: they run after the others
at each hook, so the state they save includes this epoch's updates of the others.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glassnet.nn import Module
    from glassnet.train.trainer import Trainer

Logs = dict[str, Any]
MODES = ("auto", "min", "max")
# Keras' rule for mode="auto", widened to the other "higher is better" metrics
_HIGHER_IS_BETTER = ("acc", "accuracy", "precision", "recall", "f1", "auc")


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    runs_last = False
    trainer: Trainer | None = None

    def set_trainer(self, trainer: Trainer) -> None:
        self.trainer = trainer

    @property
    def model(self) -> Module:
        if self.trainer is None:
            raise RuntimeError(f"{type(self).__name__}: not attached to a Trainer yet")
        return self.trainer.model

    def on_fit_start(self, logs: Logs) -> None: ...
    def on_epoch_start(self, epoch: int, logs: Logs) -> None: ...
    def on_batch_start(self, batch: int, logs: Logs) -> None: ...
    def on_before_optimizer_step(self, batch: int, logs: Logs) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs) -> None: ...
    def on_fit_end(self, logs: Logs) -> None: ...
    def on_exception(self, error: BaseException) -> None: ...

    def state_dict(self) -> dict[str, Any]:
        """What this callback needs to continue after a resume (saved in checkpoints)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned."""


class CallbackList:
    """The trainer's callbacks, called in order, checkpoint writers (`runs_last`) last."""

    def __init__(self, callbacks: list[Callback] | tuple[Callback, ...] | None) -> None:
        callbacks = list(callbacks or [])
        for position, callback in enumerate(callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"Trainer: callbacks[{position}] is a {type(callback).__name__}, not a "
                    "glassnet.train.Callback"
                )
        self.callbacks = sorted(callbacks, key=lambda callback: callback.runs_last)  # stable

    def __iter__(self) -> Any:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def call(self, hook: str, *args: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def keys(self) -> list[str]:
        """A stable name per callback for its state in a checkpoint: class name, #n for repeats."""
        names, seen = [], {}
        for callback in self.callbacks:
            name = type(callback).__name__
            seen[name] = seen.get(name, 0) + 1
            names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
        return names

    def state_dict(self) -> dict[str, Any]:
        return {key: callback.state_dict() for key, callback in zip(self.keys(), self.callbacks)}

    def load_state_dict(self, state: dict[str, Any], source: str) -> None:
        keys = self.keys()
        for key, callback in zip(keys, self.callbacks):
            if key not in state:
                raise ValueError(
                    f"{source} has no state for callback {key} (it holds "
                    f"{', '.join(state) or 'none'}); resume with the callbacks of the original run"
                )
            callback.load_state_dict(state[key])


class Monitor:
    """A logged quantity to watch, and what counts as an improvement of it.

    mode "min": improved if value < best - min_delta; "max": value > best + min_delta;
    "auto": max for accuracy/precision/recall/f1/auc-like names, else min.
    """

    def __init__(
        self, owner: str, monitor: str, mode: str = "auto", min_delta: float = 0.0
    ) -> None:
        if mode not in MODES:
            raise ValueError(
                f"{owner}: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}"
            )
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(
                f"{owner}: monitor must be the name of a logged value, e.g. 'val_loss', got {monitor!r}"
            )
        if not min_delta >= 0:
            raise ValueError(f"{owner}: min_delta must be >= 0, got {min_delta!r}")
        if mode == "auto":
            base = monitor.removeprefix("val_")
            mode = "max" if base in _HIGHER_IS_BETTER or base.endswith(_HIGHER_IS_BETTER) else "min"
        self.owner, self.monitor, self.mode, self.min_delta = owner, monitor, mode, float(min_delta)

    @property
    def worst(self) -> float:
        return math.inf if self.mode == "min" else -math.inf

    def is_improvement(self, value: float, best: float) -> bool:
        if math.isnan(value):
            return False
        if self.mode == "min":
            return value < best - self.min_delta
        return value > best + self.min_delta

    def value(self, logs: Logs) -> float:
        if self.monitor not in logs:
            available = ", ".join(sorted(key for key in logs if not key.startswith("_"))) or "none"
            hint = (
                " (pass val data to fit() for val_* values)"
                if self.monitor.startswith("val_")
                else ""
            )
            raise ValueError(
                f"{self.owner}: monitor {self.monitor!r} is not in the logs; available: {available}"
                f"{hint}"
            )
        return float(logs[self.monitor])
