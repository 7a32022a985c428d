"""Trainer: the training loop (`fit`), `evaluate` and `predict`, with callbacks and exact resume.

One step, in the order of the notes' data flow:

    output = model(x); loss = loss_fn(output, y)          forward
    optimizer.zero_grad(); loss.backward()                gradients
    [clip_grad_norm_]; optimizer.step()                   update
    [scheduler.step() for per-step schedules (OneCycleLR)]

and after each epoch: validation, `scheduler.step()` (ReduceLROnPlateau gets the
validation loss), the history row, the callbacks. `fit(..., resume_from=path)` loads
a checkpoint (see `checkpoint.py`) and continues from its exact position; the
interrupted epoch's batches are replayed from (seed, epoch) and the finished ones
skipped, so the final weights equal an uninterrupted run's bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy

from glassnet import random as glassnet_random
from glassnet.backend import to_numpy
from glassnet.grad_mode import no_grad
from glassnet.nn import Module
from glassnet.nn.utils import clip_grad_norm_
from glassnet.optim import Optimizer
from glassnet.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau
from glassnet.tensor import Tensor
from glassnet.train import checkpoint as ckpt
from glassnet.train.batches import (
    as_tensor,
    batch_pair,
    check_reiterable,
    close_batches,
    epoch_batches,
)
from glassnet.train.callbacks.base import Callback, CallbackList
from glassnet.train.checkpoint_schema import check_fits, check_structure
from glassnet.train.history import History
from glassnet.train.running import RunningEpoch, compute_metrics, resolve_metrics
from glassnet.utils import tune_malloc

SCHEDULER_INTERVALS = ("epoch", "step")


class Trainer:
    """Fit `model` with `optimizer` on `loss_fn`, computing `metrics` and calling `callbacks`.

    Args:
        model: a glassnet Module mapping a batch of inputs to outputs.
        optimizer: a glassnet Optimizer over the model's parameters.
        loss_fn: (outputs, targets) -> a 0-d Tensor, the batch MEAN (e.g. nn.CrossEntropyLoss()).
        metrics: names (accuracy, precision, recall, f1, top5_accuracy) or callables
            fn(y_true, y_pred_scores) -> float, or a dict {name: fn}; logged per epoch as
            NAME and val_NAME.
        callbacks: Callback instances (EarlyStopping, ModelCheckpoint, ...).
        scheduler: an LR scheduler; stepped per epoch, per step for OneCycleLR
            (`scheduler_interval` overrides); ReduceLROnPlateau steps on val_loss (or loss).
        clip_grad_norm: max total gradient norm (None: no clipping).
        seed: `glassnet.manual_seed(seed)` at the start of a fresh fit (dropout masks);
            None leaves glassnet's generator as it is.
    """

    def __init__(
        self,
        model: Module,
        optimizer: Optimizer,
        loss_fn: Callable[[Tensor, Tensor], Tensor],
        metrics: Any = (),
        callbacks: Iterable[Callback] | None = None,
        scheduler: Any = None,
        clip_grad_norm: float | None = None,
        seed: int | None = 0,
        scheduler_interval: str | None = None,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(
                f"Trainer: model must be a glassnet nn.Module, got {type(model).__name__}"
            )
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"Trainer: optimizer must be a glassnet optim.Optimizer, got {type(optimizer).__name__}"
            )
        if not callable(loss_fn):
            raise TypeError(
                f"Trainer: loss_fn must be callable (outputs, targets) -> loss, got "
                f"{type(loss_fn).__name__}"
            )
        if clip_grad_norm is not None and not float(clip_grad_norm) > 0:
            raise ValueError(f"Trainer: clip_grad_norm must be > 0 or None, got {clip_grad_norm!r}")
        if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError(
                "Trainer: the scheduler was built for another optimizer than the trainer's"
            )
        if scheduler_interval is None:
            scheduler_interval = "step" if isinstance(scheduler, OneCycleLR) else "epoch"
        if scheduler_interval not in SCHEDULER_INTERVALS:
            raise ValueError(
                f"Trainer: scheduler_interval must be 'epoch' or 'step', got {scheduler_interval!r}"
            )
        tune_malloc()  # training owns the process: keep freed array memory (glassnet.utils)
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.metrics = resolve_metrics(metrics)
        self.callbacks = CallbackList(list(callbacks or []))
        for callback in self.callbacks:
            callback.set_trainer(self)
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        self.clip_grad_norm = None if clip_grad_norm is None else float(clip_grad_norm)
        self.seed = seed
        self._reset()

    def _reset(self) -> None:
        self.epoch = 0  # the epoch in progress (== epochs finished, between epochs)
        self.batch_in_epoch = 0  # batches of that epoch already done
        self.global_step = 0  # optimizer steps over the whole run
        self.stop_training = False
        self.stop_reason: str | None = None
        self.resumed = False
        self.history = History()
        self.running = RunningEpoch()
        self.epochs: int | None = None
        self.initial_epoch = 0
        self.steps_per_epoch: int | None = None
        self.data_seed: int | None = None
        self.named_parameters = list(self.model.named_parameters())

    def _lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    # -- fit -----------------------------------------------------------------------
    def fit(
        self,
        train: Iterable[Any],
        val: Iterable[Any] | None = None,
        epochs: int = 1,
        resume_from: str | os.PathLike[str] | dict[str, Any] | None = None,
    ) -> History:
        """Train until `epochs` epochs are done in total (a resumed run counts the ones before).

        `train` and `val` are DataLoaders or any re-iterable of (inputs, targets) batches
        (a plain iterable must give the same batches each pass for resume to be exact).
        Returns the History (also `self.history`).
        """
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"Trainer.fit: epochs must be a non-negative integer, got {epochs!r}")
        check_reiterable(train, "train")
        check_reiterable(val, "val")
        self._reset()
        self.epochs = epochs
        self.steps_per_epoch = len(train) if hasattr(train, "__len__") else None
        self.data_seed = getattr(train, "seed", None)
        if resume_from is not None:
            self.load_checkpoint(resume_from)
        elif self.seed is not None:
            glassnet_random.manual_seed(self.seed)
        self.initial_epoch = self.epoch  # 0-based: the first epoch this call trains (Keras' name)
        try:
            self.callbacks.call("on_fit_start", {})
            while self.epoch < epochs and not self.stop_training:
                logs = self._train_epoch(train)
                if logs is None:  # stopped mid-epoch (e.g. NaNGuard): the epoch is not finished
                    break
                if val is not None:
                    logs.update(
                        {
                            f"val_{key}": value
                            for key, value in self._evaluate(val, self.epoch).items()
                        }
                    )
                self._step_scheduler_per_epoch(logs)
                finished = self.epoch
                self.history.append(finished, logs)
                self.epoch, self.batch_in_epoch, self.running = finished + 1, 0, RunningEpoch()
                self.callbacks.call("on_epoch_end", finished, logs)
        except BaseException as error:
            self.callbacks.call("on_exception", error)
            raise
        self.callbacks.call("on_fit_end", self.history.last())
        return self.history

    def _train_epoch(self, train: Iterable[Any]) -> dict[str, float] | None:
        epoch, skip = self.epoch, self.batch_in_epoch
        if skip == 0:
            self.running = RunningEpoch(lr=self._lr())
        self.model.train()
        self.callbacks.call("on_epoch_start", epoch, {"lr": self.running.lr})
        batches = epoch_batches(train, epoch)
        try:
            for index, batch in enumerate(batches):
                if index < skip:  # done before the checkpoint this run resumed from
                    continue
                if not self._train_step(index, *batch_pair(batch, "train", index)):
                    return None
        finally:
            close_batches(batches)
        if self.running.samples == 0:
            raise ValueError(
                f"Trainer.fit: train gave no batches in epoch {epoch + 1} (resumed at batch {skip})"
                if skip
                else f"Trainer.fit: train gave no batches in epoch {epoch + 1}"
            )
        return self.running.logs(self.metrics)

    def _train_step(self, index: int, inputs: Tensor, targets: Tensor) -> bool:
        """One optimizer step; False when a callback stopped training before or after it."""
        size = int(inputs.shape[0]) if inputs.ndim else 1
        self.callbacks.call("on_batch_start", index, {"size": size})
        self.optimizer.zero_grad()
        outputs = self.model(inputs)
        loss = self.loss_fn(outputs, targets)
        batch_loss = float(loss.item())
        loss.backward()
        self.callbacks.call(
            "on_before_optimizer_step", index, {"batch_loss": batch_loss, "size": size}
        )
        if self.stop_training:
            return False
        if self.clip_grad_norm is not None:
            clip_grad_norm_([param for _, param in self.named_parameters], self.clip_grad_norm)
        self.optimizer.step()
        if self.scheduler is not None and self.scheduler_interval == "step":
            self.scheduler.step()
        keep = bool(self.metrics)
        self.running.add(
            batch_loss,
            size,
            to_numpy(outputs.data).copy() if keep else None,
            to_numpy(targets.data).copy() if keep else None,
        )
        self.batch_in_epoch, self.global_step = index + 1, self.global_step + 1
        self.callbacks.call(
            "on_batch_end",
            index,
            {"loss": self.running.loss, "batch_loss": batch_loss, "size": size, "lr": self._lr()},
        )
        return not self.stop_training

    def _step_scheduler_per_epoch(self, logs: dict[str, float]) -> None:
        if self.scheduler is None or self.scheduler_interval != "epoch":
            return
        if isinstance(self.scheduler, ReduceLROnPlateau):
            self.scheduler.step(logs.get("val_loss", logs["loss"]))
        else:
            self.scheduler.step()

    def running_logs(self) -> dict[str, float]:
        """The current epoch's loss and metrics over the batches done so far (for progress display)."""
        logs = self.running.logs(self.metrics)
        logs.pop("lr", None)
        return logs

    # -- evaluate / predict ----------------------------------------------------------
    def _infer(
        self, data: Any, where: str, epoch: int | None, with_targets: bool
    ) -> tuple[numpy.ndarray, numpy.ndarray | None]:
        """All outputs (and targets) of `data`, in eval mode, without a graph."""
        if isinstance(data, (Tensor, numpy.ndarray)):
            data = [data]  # one batch
        check_reiterable(data, where)
        outputs, targets = [], []
        was_training = self.model.training
        self.model.eval()
        batches = epoch_batches(data, epoch)
        try:
            with no_grad():
                for index, batch in enumerate(batches):
                    if with_targets:
                        inputs, target = batch_pair(batch, where, index)
                        targets.append(to_numpy(target.data))
                    else:
                        is_pair = isinstance(batch, (tuple, list))
                        inputs = as_tensor(batch[0] if is_pair else batch)
                    outputs.append(to_numpy(self.model(inputs).data))
        finally:
            close_batches(batches)
            self.model.train(was_training)
        if not outputs:
            raise ValueError(f"Trainer: {where} gave no batches")
        return numpy.concatenate(outputs), numpy.concatenate(targets) if with_targets else None

    def _evaluate(self, data: Any, epoch: int | None) -> dict[str, float]:
        outputs, targets = self._infer(
            data, "evaluate" if epoch is None else "val", epoch, with_targets=True
        )
        with no_grad():
            loss = float(self.loss_fn(Tensor(outputs), Tensor(targets)).item())
        return {"loss": loss, **compute_metrics(self.metrics, targets, outputs)}

    def evaluate(self, data: Iterable[Any]) -> dict[str, float]:
        """{'loss': ..., metric: ...} over all of `data`'s (inputs, targets) batches, in eval mode.

        The loss is `loss_fn` on all outputs at once (exact for a mean loss), the metrics
        are computed over all samples.
        """
        return self._evaluate(data, None)

    def predict(self, data: Any) -> Tensor:
        """The model's outputs for every sample of `data`, concatenated, in eval mode.

        `data`: batches of inputs or of (inputs, targets), or one Tensor / array of inputs.
        """
        outputs, _ = self._infer(data, "predict", None, with_targets=False)
        return Tensor(outputs)

    # -- checkpoints -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A full training checkpoint (see `glassnet.train.checkpoint`); save it with `glassnet.save`."""
        return {
            "format": ckpt.FORMAT,
            "version": ckpt.VERSION,
            "classes": {
                "model": type(self.model).__name__,
                "optimizer": type(self.optimizer).__name__,
                "scheduler": type(self.scheduler).__name__ if self.scheduler is not None else None,
            },
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "rng": ckpt.capture_rng_state(),
            "trainer": {
                "epoch": self.epoch,
                "batch_in_epoch": self.batch_in_epoch,
                "global_step": self.global_step,
                "stop_training": self.stop_training,
                "stop_reason": self.stop_reason,
                "data_seed": self.data_seed,
                "running": self.running.state_dict(),
            },
            "history": self.history.state_dict(),
            "callbacks": self.callbacks.state_dict(),
        }

    def save_checkpoint(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to `path` atomically."""
        from glassnet.serialization import save

        save(self.state_dict(), path)

    def load_checkpoint(self, checkpoint: str | os.PathLike[str] | dict[str, Any]) -> None:
        """Restore everything `state_dict()` saved; errors name the file and what does not fit."""
        source = (
            "the checkpoint"
            if isinstance(checkpoint, dict)
            else f"checkpoint '{os.fspath(checkpoint)}'"
        )
        if isinstance(checkpoint, dict):
            state = checkpoint
            check_structure(state, "resume: the checkpoint")
        else:
            state = ckpt.read_checkpoint(checkpoint)
        check_fits(state, self, source)
        ckpt.load_model_state(self.model, state["model"], source)
        trainer = state["trainer"]
        try:
            self.optimizer.load_state_dict(state["optimizer"])
            if self.scheduler is not None:
                self.scheduler.load_state_dict(state["scheduler"])
            self.running.load_state_dict(trainer["running"])
            self.history.load_state_dict(state["history"])
            self.callbacks.load_state_dict(state["callbacks"], source)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            raise ckpt.CheckpointError(f"{source}: {error}") from None
        self.epoch, self.batch_in_epoch = int(trainer["epoch"]), int(trainer["batch_in_epoch"])
        self.global_step = int(trainer["global_step"])
        self.stop_training, self.stop_reason = trainer["stop_training"], trainer["stop_reason"]
        ckpt.restore_rng_state(state["rng"])
        self.resumed = True
