"""ModelCheckpoint: write training checkpoints atomically (best, last, and every n epochs).

Files in `dirpath`:

    last.safetensors             the newest state: each epoch end, and every
                                 `every_n_train_steps` optimizer steps mid-epoch; resume from it
    best.safetensors             the state of the epoch with the best `monitor` value
    epoch=007.safetensors ...    every `every_n_epochs` epochs (`filename` template, epoch
                                 counted from 1 as in Keras; logs such as {val_loss:.4f} allowed),
                                 the newest `keep_last` kept

Every write goes through `glassnet.save`: a temporary file in the same folder, fsync,
`os.replace`, fsync of the folder. A crash or SIGKILL at any moment leaves each
file either at its previous version or at the new one, never half written.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from glassnet.serialization import save
from glassnet.train.callbacks.base import Callback, Logs, Monitor

SUFFIX = ".safetensors"


def _positive_or_none(owner: str, name: str, value: Any, zero_ok: bool = False) -> int | None:
    if value is None:
        return None
    lowest = 0 if zero_ok else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise ValueError(f"{owner}: {name} must be an integer >= {lowest} or None, got {value!r}")
    return value


class ModelCheckpoint(Callback):
    """Save training checkpoints (model, optimizer, scheduler, RNG, trainer and callback state).

    Args:
        dirpath: folder for the files (created if missing).
        filename: template of the periodic files, without the suffix.
        filepath: Keras' form, folder and template in one
            ("ckpt/model-{epoch:02d}-{val_loss:.2f}.safetensors"); replaces dirpath and filename.
        monitor: logged value that decides `best.safetensors` (None: no best file).
        mode, min_delta: what counts as an improvement of `monitor` ("auto": max for accuracies).
        save_best_only: write a periodic file only when `monitor` improved (Keras).
        save_last: keep `last.safetensors` up to date (the resume point).
        every_n_epochs: periodic files every n epochs (0: none).
        every_n_train_steps: also refresh `last.safetensors` every n optimizer steps, so a
            run killed mid-epoch loses at most n steps.
        keep_last: keep only the newest k periodic files (None: all).
        save_weights_only: periodic and best files hold only `model.state_dict()` (they
            cannot be resumed from); `last.safetensors` is always a full checkpoint.
    """

    runs_last = True

    def __init__(
        self,
        dirpath: str | os.PathLike[str] | None = None,
        filename: str = "epoch={epoch:03d}",
        monitor: str | None = None,
        mode: str = "auto",
        min_delta: float = 0.0,
        save_best_only: bool = False,
        save_last: bool = True,
        every_n_epochs: int = 1,
        every_n_train_steps: int | None = None,
        keep_last: int | None = None,
        save_weights_only: bool = False,
        *,
        filepath: str | os.PathLike[str] | None = None,
    ) -> None:
        owner = "ModelCheckpoint"
        if (dirpath is None) == (filepath is None):
            raise ValueError(
                f"{owner}: give either dirpath (a folder) or filepath (a folder/template{SUFFIX}), "
                "not both or neither"
            )
        if filepath is not None:
            template = Path(os.fspath(filepath))
            if template.suffix != SUFFIX:
                raise ValueError(f"{owner}: filepath {str(template)!r} must end in {SUFFIX}")
            dirpath, filename = template.parent, template.name[: -len(SUFFIX)]
        self.dirpath = Path(os.fspath(dirpath))
        if self.dirpath.suffix == SUFFIX:
            raise ValueError(
                f"{owner}: dirpath {str(self.dirpath)!r} looks like a file; give the folder to write "
                f"best{SUFFIX}, last{SUFFIX} and the periodic files into"
            )
        self.filename = filename
        self.watch = Monitor(owner, monitor, mode, min_delta) if monitor is not None else None
        if save_best_only and self.watch is None:
            raise ValueError(
                f"{owner}: save_best_only=True needs a monitor, e.g. monitor='val_loss'"
            )
        self.monitor = monitor
        self.mode = self.watch.mode if self.watch else mode
        self.save_best_only, self.save_last = bool(save_best_only), bool(save_last)
        self.every_n_epochs = (
            _positive_or_none(owner, "every_n_epochs", every_n_epochs, zero_ok=True) or 0
        )
        self.every_n_train_steps = _positive_or_none(
            owner, "every_n_train_steps", every_n_train_steps
        )
        self.keep_last = _positive_or_none(owner, "keep_last", keep_last)
        self.save_weights_only = bool(save_weights_only)
        self._check_template()
        self._reset()

    def _check_template(self) -> None:
        try:
            self.filename.format(epoch=1, step=1)
        except KeyError:
            pass  # a logged value such as {val_loss:.4f}: checked when first used
        except (ValueError, IndexError) as error:
            raise ValueError(
                f"ModelCheckpoint: filename template {self.filename!r} is invalid: {error}"
            ) from None

    def _reset(self) -> None:
        self.best_model_score = self.watch.worst if self.watch else math.nan
        self.best_epoch = -1
        self.written: list[str] = []  # periodic files, oldest first (for keep_last)

    @property
    def best_model_path(self) -> Path:
        return self.dirpath / f"best{SUFFIX}"

    @property
    def last_model_path(self) -> Path:
        return self.dirpath / f"last{SUFFIX}"

    def on_fit_start(self, logs: Logs) -> None:
        self.dirpath.mkdir(parents=True, exist_ok=True)
        # A process killed mid-write leaves its temporary file (glassnet.atomic names them
        # .NAME.tmp-XXXX.safetensors); the targets themselves are whole. Tidy up.
        for stale in self.dirpath.glob(f".*.tmp-*{SUFFIX}"):
            stale.unlink(missing_ok=True)
        if not self.trainer.resumed:
            self._reset()

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        if (
            self.every_n_train_steps
            and self.save_last
            and self.trainer.global_step % self.every_n_train_steps == 0
        ):
            save(self.trainer.state_dict(), self.last_model_path)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        improved = False
        if self.watch is not None:
            current = self.watch.value(logs)
            improved = self.watch.is_improvement(current, self.best_model_score)
            if improved:
                self.best_model_score, self.best_epoch = current, epoch
        periodic, expired = None, []
        if (
            self.every_n_epochs
            and (epoch + 1) % self.every_n_epochs == 0
            and (improved or not self.save_best_only)
        ):
            periodic = self._periodic_path(epoch, logs)
            if str(periodic) in self.written:
                self.written.remove(
                    str(periodic)
                )  # rewritten after a resume: it is the newest again
            self.written.append(str(periodic))
            if self.keep_last is not None and len(self.written) > self.keep_last:
                expired = self.written[: -self.keep_last]
                self.written = self.written[-self.keep_last :]
        # Captured after the bookkeeping above, so a resumed run knows this epoch's best and files.
        state = self.trainer.state_dict()
        weights = state["model"] if self.save_weights_only else state
        if periodic is not None:
            save(weights, periodic)
        if improved:
            save(weights, self.best_model_path)
        for old in map(Path, expired):
            if old.exists():
                old.unlink()
        if self.save_last:
            save(state, self.last_model_path)

    def _periodic_path(self, epoch: int, logs: Logs) -> Path:
        try:
            name = self.filename.format(epoch=epoch + 1, step=self.trainer.global_step, **logs)
        except KeyError as error:
            raise ValueError(
                f"ModelCheckpoint: filename template {self.filename!r} uses {error}, which is not in "
                f"the logs ({', '.join(sorted(logs))})"
            ) from None
        return self.dirpath / f"{name}{SUFFIX}"

    def state_dict(self) -> dict[str, Any]:
        return {
            "best_model_score": self.best_model_score,
            "best_epoch": self.best_epoch,
            "written": list(self.written),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_model_score = float(state["best_model_score"])
        self.best_epoch = int(state["best_epoch"])
        self.written = [str(path) for path in state["written"]]

    def __repr__(self) -> str:
        return (
            f"ModelCheckpoint(dirpath={str(self.dirpath)!r}, monitor={self.monitor!r}, "
            f"save_best_only={self.save_best_only}, every_n_epochs={self.every_n_epochs}, "
            f"every_n_train_steps={self.every_n_train_steps}, keep_last={self.keep_last})"
        )
