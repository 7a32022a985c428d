"""NaNGuard: stop a diverging run at the first non-finite loss, gradient, parameter or buffer, and say where.

A learning rate that is too large makes each step overshoot further, the loss grows
geometrically, overflows to inf, and inf - inf makes nan; from then on every number is
nan and the rest of the run is wasted. The guard checks, at every step,

    before the optimizer step:  the loss, then each parameter's gradient
    after the step:             each parameter and buffer (an update can overflow on its
                                own; BatchNorm's running_var overflows first when its
                                input explodes, while its output stays finite)

and stops at the first non-finite value, naming it, the step (counted from 1), the
epoch and batch, and the last finite loss. Checked before the update, the weights
stay at their last finite values. `raise_error=True` raises `NonFiniteError`;
otherwise the trainer stops and `trainer.stop_reason` holds the message.

Adam never overflows that way (its steps are at most ~lr per weight), so a run with a
far too large lr can sit at a finite but absurd loss. `divergence_factor=k` also
stops when a batch loss exceeds k times the run's first one: a loss 10,000 times its
starting value is no longer training.
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from glassnet.backend import to_numpy
from glassnet.train.callbacks.base import Callback, Logs


class NonFiniteError(FloatingPointError):
    """Training produced nan or inf; the message names the tensor and the step."""


def _first_bad(array: Any) -> str | None:
    """'nan' or 'inf' (the first non-finite value), or None when all are finite."""
    values = to_numpy(array)
    finite = numpy.isfinite(values)
    if finite.all():
        return None
    return str(values.reshape(-1)[int(numpy.flatnonzero(~finite.reshape(-1))[0])])


class NaNGuard(Callback):
    """Stop (or raise) at the first non-finite loss, gradient or parameter.

    Args:
        check_gradients: check each parameter's gradient before the optimizer step.
        check_parameters: check each parameter and buffer after the step.
        raise_error: raise `NonFiniteError`; False stops training and keeps the message
            in `trainer.stop_reason` (as Keras' TerminateOnNaN stops).
    """

    def __init__(
        self,
        check_gradients: bool = True,
        check_parameters: bool = True,
        raise_error: bool = True,
        divergence_factor: float | None = None,
    ) -> None:
        if divergence_factor is not None and not divergence_factor > 1:
            raise ValueError(
                f"NaNGuard: divergence_factor must be > 1 or None, got {divergence_factor!r}"
            )
        self.check_gradients, self.check_parameters = check_gradients, check_parameters
        self.raise_error, self.divergence_factor = raise_error, divergence_factor
        self.first_loss: float | None = None
        self.last_finite_loss: float | None = None
        self.message: str | None = None

    def _where(self, batch: int, step: int) -> str:
        """Where in the run: step counted from 1 over the whole run, then epoch and batch."""
        total = self.trainer.steps_per_epoch
        of = f" of {total}" if total else ""
        return f"step {step} (epoch {self.trainer.epoch + 1}, batch {batch + 1}{of})"

    def _advice(self, loss_note: str) -> str:
        lrs = ", ".join(f"{group['lr']:g}" for group in self.trainer.optimizer.param_groups)
        return (
            f"{loss_note}. The run diverged: lower the learning rate (now {lrs}), clip the gradients "
            "(clip_grad_norm / --clip-grad-norm), or check the input for nan/inf"
        )

    def _stop(self, message: str, loss_note: str | None = None) -> None:
        if loss_note is None:
            previous = self.last_finite_loss
            loss_note = (
                f"; the previous step's loss was {previous:.6g}" if previous is not None else ""
            )
        self.message = "NaNGuard: " + message + self._advice(loss_note)
        if self.raise_error:
            raise NonFiniteError(self.message)
        self.trainer.stop_training = True
        self.trainer.stop_reason = self.message

    def on_before_optimizer_step(self, batch: int, logs: Logs) -> None:
        loss, step = logs["batch_loss"], self.trainer.global_step + 1  # the step about to be taken
        if not math.isfinite(loss):
            self._stop(f"the loss is {loss} at {self._where(batch, step)}")
            return
        if self.check_gradients:
            for name, param in self.trainer.named_parameters:
                if param.grad is not None and (bad := _first_bad(param.grad.data)) is not None:
                    self._stop(
                        f"the gradient of parameter '{name}' {tuple(param.shape)} holds {bad} at "
                        f"{self._where(batch, step)} (loss {loss:.6g})"
                    )
                    return
        if self.first_loss is None:
            self.first_loss = loss
        elif (
            self.divergence_factor is not None
            and 0 < self.first_loss * self.divergence_factor < loss
        ):
            self._stop(
                f"the loss {loss:.6g} at {self._where(batch, step)} is more than {self.divergence_factor:g} "
                f"times the first step's loss {self.first_loss:.6g}"
            )
            return
        self.last_finite_loss = loss

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        if not self.check_parameters:
            return
        tensors = [("parameter", name, param) for name, param in self.trainer.named_parameters]
        tensors += [
            ("buffer", name, buffer)
            for name, buffer in self.model.named_buffers()
            if buffer.dtype.kind == "f"
        ]
        for kind, name, tensor in tensors:
            if (bad := _first_bad(tensor.data)) is not None:
                self._stop(
                    f"{kind} '{name}' {tuple(tensor.shape)} holds {bad} after the update of "
                    f"{self._where(batch, self.trainer.global_step)}",
                    f"; that step's loss was {logs['batch_loss']:.6g}",
                )
                return

    def state_dict(self) -> dict[str, Any]:
        return {"first_loss": self.first_loss, "last_finite_loss": self.last_finite_loss}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        first, last = state.get("first_loss"), state.get("last_finite_loss")
        self.first_loss = None if first is None else float(first)
        self.last_finite_loss = None if last is None else float(last)

    def on_fit_start(self, logs: Logs) -> None:
        if not self.trainer.resumed:
            self.first_loss = self.last_finite_loss = self.message = None

    def __repr__(self) -> str:
        return (
            f"NaNGuard(check_gradients={self.check_gradients}, check_parameters={self.check_parameters}, "
            f"raise_error={self.raise_error}, divergence_factor={self.divergence_factor})"
        )
