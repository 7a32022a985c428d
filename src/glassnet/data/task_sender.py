"""The consumer's thread that writes tasks into the worker processes' pipes (`processes.py`)."""

from __future__ import annotations

import queue
import threading
from typing import Any


class TaskSender(threading.Thread):
    """Writes tasks to the workers' pipes, so the consumer never blocks on a full pipe.

    (Consumer blocked writing a task to a worker that is blocked writing a result to the
    consumer is the classic pipe deadlock; a sender thread makes it impossible.)
    """

    def __init__(self, connections: list[Any]) -> None:
        super().__init__(name="glassnet-data-sender", daemon=True)
        self.connections = connections
        self.tasks: queue.SimpleQueue[tuple[int, bytes] | None] = queue.SimpleQueue()

    def put(self, worker: int, message: bytes) -> None:
        self.tasks.put((worker, message))

    def finish(self) -> None:
        self.tasks.put(None)

    def run(self) -> None:
        while (task := self.tasks.get()) is not None:
            worker, message = task
            try:
                self.connections[worker].send_bytes(message)
            except (OSError, ValueError):
                pass  # the worker is gone; the consumer sees EOF on its result pipe and reports it
