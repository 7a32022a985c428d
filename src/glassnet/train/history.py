"""History: one row of logs per finished epoch (Keras' `History`: `.epoch` and `.history`).

`history.history["val_loss"][i]` is epoch `history.epoch[i]`'s validation loss. A key
that appears later is padded with nan for earlier epochs, so every column has one
value per epoch and the table stays rectangular (for the CSV and the plots).
"""

from __future__ import annotations

import math
from typing import Any


class History:
    """Per-epoch logs: `epoch` (0-based indices) and `history` {key: [one value per epoch]}."""

    def __init__(self) -> None:
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            if key not in self.history:
                self.history[key] = [math.nan] * len(self.epoch)
            self.history[key].append(float(value))
        for key, column in self.history.items():
            if key not in logs:
                column.append(math.nan)
        self.epoch.append(int(epoch))

    def rows(self) -> list[dict[str, Any]]:
        """One dict per epoch: {"epoch": i, key: value, ...} in first-seen key order."""
        return [
            {"epoch": epoch, **{key: column[row] for key, column in self.history.items()}}
            for row, epoch in enumerate(self.epoch)
        ]

    def last(self) -> dict[str, float]:
        return {key: column[-1] for key, column in self.history.items()} if self.epoch else {}

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"

    def state_dict(self) -> dict[str, Any]:
        return {
            "epoch": list(self.epoch),
            "history": {key: list(column) for key, column in self.history.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        epochs = [int(epoch) for epoch in state["epoch"]]
        columns = {
            str(key): [float(value) for value in column] for key, column in state["history"].items()
        }
        for key, column in columns.items():
            if len(column) != len(epochs):
                raise ValueError(
                    f"History.load_state_dict: column {key!r} has {len(column)} values for "
                    f"{len(epochs)} epochs"
                )
        self.epoch, self.history = epochs, columns
