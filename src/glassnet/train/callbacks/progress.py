"""ProgressBar: one line per epoch, live on a terminal (mode "bar") or plain text (mode "plain").

mode "bar", on an 80-column terminal (a wider one adds samples/s and the ETA):

    epoch 3/20 ━━━━━━━━━━ 17/17 loss 0.1032 acc 0.9712 val_loss 0.0911 val_acc 0.9722

While an epoch runs the line shows the running loss and metrics over the batches so
far (recomputed at most `refresh_per_second` times); at its end, the epoch's final
logs with the validation values. Quiet when the console is not a terminal (a log
file or a pipe would fill with control codes) or when `disable=True`.

mode "plain" (Keras' `verbose=2`): one finished line per epoch on `file` (stdout by
default), flushed, for logs and pipes:

    epoch 3/20  0.4 s  loss 0.1032  accuracy 0.9712  val_loss 0.0911  val_accuracy 0.9722

Epochs are numbered from 1 in everything printed, as Keras prints them (the callbacks'
`epoch` argument and `History.epoch` stay 0-based indices).
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

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
_SHORT = {"accuracy": "acc", "val_accuracy": "val_acc"}  # the bar's names (Keras' old ones)
MODES = ("bar", "plain", "none")
WIDE = 120  # columns from which the bar adds samples/s and the ETA


def format_logs(logs: Logs, separator: str = "  ", short: bool = False) -> str:
    """'loss 0.1032  accuracy 0.9712  val_loss ...' (4 decimals, lr omitted); `short`: acc, val_acc."""
    return separator.join(
        f"{_SHORT.get(key, key) if short else key} {value:.4f}"
        if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e4
        else f"{_SHORT.get(key, key) if short else key} {value:.4g}"
        if isinstance(value, float)
        else f"{_SHORT.get(key, key) if short else key} {value}"
        for key, value in logs.items()
        if key not in _HIDDEN and not key.startswith("_")
    )


class ProgressBar(Callback):
    """Training progress, one line per epoch: a live rich bar or plain text lines.

    Args:
        disable: never show anything (the same as mode="none").
        console: mode "bar": a rich Console to draw on (default: stderr); shown only if it is
            a terminal.
        refresh_per_second: mode "bar": how often the running metrics are recomputed and drawn.
        mode: "bar" (live, terminals only), "plain" (a line per finished epoch on `file`)
            or "none".
        file: mode "plain": where the lines go (default: sys.stdout at fit time).
    """

    def __init__(
        self,
        disable: bool = False,
        console: Console | None = None,
        refresh_per_second: float = 4,
        mode: str = "bar",
        file: TextIO | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"ProgressBar: mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.disable = disable or mode == "none"
        self.mode = mode
        self.console = console
        self.file = file
        self.refresh_per_second = float(refresh_per_second)
        self.progress: Progress | None = None
        self._task: TaskID | None = None
        self._started = 0.0
        self._short = False

    @property
    def active(self) -> bool:
        return self.progress is not None

    def on_fit_start(self, logs: Logs) -> None:
        console = self.console or Console(stderr=True)
        if self.disable or self.mode != "bar" or not console.is_terminal:
            return
        wide = console.width >= WIDE
        columns = [
            TextColumn("[bold]epoch {task.fields[epoch]}"),
            BarColumn(bar_width=24 if wide else 10),
            MofNCompleteColumn(),
            TextColumn("{task.fields[logs]}"),
        ]
        if wide:
            columns += [TextColumn("[dim]{task.fields[speed]}"), TimeRemainingColumn()]
        self._short = not wide
        self.progress = Progress(
            *columns, console=console, refresh_per_second=self.refresh_per_second
        )
        self.progress.start()

    def on_epoch_start(self, epoch: int, logs: Logs) -> None:
        self._started = time.perf_counter()
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
            running = self.trainer.running_logs()
            fields = {"logs": self._format(running), "speed": self._speed()}
            self._drawn = now
        self.progress.update(self._task, completed=batch + 1, **fields)

    def _format(self, logs: Logs) -> str:
        return format_logs(logs, " ", short=True) if self._short else format_logs(logs)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if self.mode == "plain" and not self.disable:
            seconds = time.perf_counter() - self._started
            line = f"epoch {epoch + 1}/{self.trainer.epochs}  {seconds:.1f} s  {format_logs(logs)}"
            file = self.file or sys.stdout
            print(line, file=file, flush=True)
        if self.progress is None or self._task is None:
            return
        self.progress.update(self._task, logs=self._format(logs), speed=self._speed())
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
        return f"ProgressBar(mode={self.mode!r}, disable={self.disable})"
