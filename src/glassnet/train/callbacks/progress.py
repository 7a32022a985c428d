"""ProgressBar: one rich progress line per epoch: step, loss, metrics, samples/s and ETA.

    epoch 3/20 ━━━━━━━━━━━━━━━━━ 17/17 loss 0.1032  accuracy 0.9712  val_loss 0.0911 ... 21,530 samples/s 0:00:00

While an epoch runs the line shows the running loss and metrics over the batches so
far (recomputed at most `refresh_per_second` times); at its end, the epoch's final
logs with the validation values. Quiet when the console is not a terminal (a log
file or a pipe would fill with control codes) or when `disable=True`.
"""

from __future__ import annotations

import math
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from glassnet.train.callbacks.base import Callback, Logs

_HIDDEN = ("lr", "size", "batch_loss")


def format_logs(logs: Logs) -> str:
    """'loss 0.1032  accuracy 0.9712  val_loss ...' (4 significant decimals, lr omitted)."""
    return "  ".join(
        f"{key} {value:.4f}"
        if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e4
        else f"{key} {value:.4g}"
        if isinstance(value, float)
        else f"{key} {value}"
        for key, value in logs.items()
        if key not in _HIDDEN and not key.startswith("_")
    )


class ProgressBar(Callback):
    """A live rich progress bar per epoch (stderr by default).

    Args:
        disable: never show anything.
        console: a rich Console to draw on (default: stderr); shown only if it is a terminal.
        refresh_per_second: how often the running metrics are recomputed and drawn.
    """

    def __init__(
        self, disable: bool = False, console: Console | None = None, refresh_per_second: float = 4
    ) -> None:
        self.disable = disable
        self.console = console
        self.refresh_per_second = float(refresh_per_second)
        self.progress: Progress | None = None
        self._task: TaskID | None = None

    @property
    def active(self) -> bool:
        return self.progress is not None

    def on_fit_start(self, logs: Logs) -> None:
        console = self.console or Console(stderr=True)
        if self.disable or not console.is_terminal:
            return
        self.progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn("{task.fields[logs]}"),
            TextColumn("[dim]{task.fields[speed]}"),
            TimeRemainingColumn(),
            console=console,
            refresh_per_second=self.refresh_per_second,
        )
        self.progress.start()

    def on_epoch_start(self, epoch: int, logs: Logs) -> None:
        if self.progress is None:
            return
        trainer = self.trainer
        self._task = self.progress.add_task(
            "",
            total=trainer.steps_per_epoch,
            completed=trainer.batch_in_epoch,
            epoch=f"{epoch + 1}/{trainer.epochs}",
            logs="",
            speed="",
        )
        self._samples, self._started, self._drawn = 0, time.perf_counter(), 0.0

    def _speed(self) -> str:
        elapsed = time.perf_counter() - self._started
        return f"{self._samples / elapsed:,.0f} samples/s" if elapsed > 0 and self._samples else ""

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        if self.progress is None or self._task is None:
            return
        self._samples += int(logs.get("size", 0))
        now = time.perf_counter()
        fields: dict[str, Any] = {}
        if (
            now - self._drawn >= 1.0 / self.refresh_per_second
        ):  # running metrics cost a pass over the epoch
            fields = {"logs": format_logs(self.trainer.running_logs()), "speed": self._speed()}
            self._drawn = now
        self.progress.update(self._task, completed=batch + 1, **fields)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if self.progress is None or self._task is None:
            return
        self.progress.update(self._task, logs=format_logs(logs), speed=self._speed())
        self.progress.stop_task(self._task)

    def _close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def on_fit_end(self, logs: Logs) -> None:
        self._close()

    def on_exception(self, error: BaseException) -> None:
        self._close()

    def __repr__(self) -> str:
        return f"ProgressBar(disable={self.disable})"
