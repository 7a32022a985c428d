"""CSVLogger: the run's history as a CSV file, one row per epoch, with the learning rate.

Columns: epoch (numbered from 1, as Keras prints epochs; Keras' CSVLogger writes the
0-based index), lr (group 0's learning rate during the epoch),
then the logged values in the order they first appear (loss, metrics, val_loss,
val_metrics). Floats are written with `repr`, so reading the file back gives the exact
values. The whole file is rewritten atomically from `trainer.history` at each epoch
end: after a kill and resume it holds exactly the rows of an uninterrupted run, never
a duplicated or half-written row.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from glassnet.atomic import atomic_write, sweep_temporaries
from glassnet.train.callbacks.base import Callback, Logs


def _cell(value: Any) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


class CSVLogger(Callback):
    """Write `trainer.history` to `filename` after every epoch (Keras' `CSVLogger`).

    Args:
        filename: the CSV file; its folder must exist or be creatable.
        separator: the field separator.
    """

    def __init__(self, filename: str | os.PathLike[str], separator: str = ",") -> None:
        if len(separator) != 1:
            raise ValueError(f"CSVLogger: separator must be one character, got {separator!r}")
        self.filename = Path(os.fspath(filename))
        self.separator = separator

    def on_fit_start(self, logs: Logs) -> None:
        self.filename.parent.mkdir(parents=True, exist_ok=True)
        sweep_temporaries(self.filename.parent, self.filename)  # a killed write's leftover

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        self.write([{**row, "epoch": row["epoch"] + 1} for row in self.trainer.history.rows()])

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        if "lr" in columns:  # lr right after epoch, then the logged values
            columns.insert(1, columns.pop(columns.index("lr")))
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.separator, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row[column]) for column in columns])
        with atomic_write(self.filename, "w", newline="") as file:
            file.write(text.getvalue())

    def __repr__(self) -> str:
        return f"CSVLogger(filename={str(self.filename)!r})"
