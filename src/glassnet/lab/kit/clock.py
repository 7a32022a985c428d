"""One clock for the lab: wall time and this process's CPU time, read the same way everywhere.

    clock = Clock()                 # starts now
    ...; clock.cpu, clock.wall      # seconds so far
    with Clock() as clock: ...      # frozen when the block ends
    clock.cpu, clock.wall

CPU time (time.process_time: every thread of this process) is what a topic costs; wall
time is what a reader waits, and on a shared machine it includes the other processes.
Timings are reported, never asserted.
"""

from __future__ import annotations

import time
from typing import Self

__all__ = ["Clock"]


class Clock:
    """Wall and CPU seconds since construction, frozen by `stop()` or by leaving a `with` block."""

    def __init__(self) -> None:
        self._wall0, self._cpu0 = time.perf_counter(), time.process_time()
        self._stopped: tuple[float, float] | None = None

    def stop(self) -> Self:
        """Freeze the readings (later calls keep the first stop)."""
        if self._stopped is None:
            self._stopped = (time.perf_counter(), time.process_time())
        return self

    @property
    def wall(self) -> float:
        """Wall seconds (perf_counter) from the start to now or to the stop."""
        now = self._stopped[0] if self._stopped else time.perf_counter()
        return now - self._wall0

    @property
    def cpu(self) -> float:
        """CPU seconds of this process (all threads) from the start to now or to the stop."""
        now = self._stopped[1] if self._stopped else time.process_time()
        return now - self._cpu0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def note(self) -> str:
        """'12.3 s wall, 11.8 s CPU'."""
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU"
