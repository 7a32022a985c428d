"""A topic's cost table: CPU and wall seconds per part of the run, reported, never asserted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from glassnet.lab.kit.clock import Clock
from glassnet.lab.result import Result
from glassnet.lab.text import Text

__all__ = ["Costs", "timed", "add_cost_table"]

Costs = list[tuple[Text | str, float, float]]


@contextmanager
def timed(costs: Costs, what: Text | str) -> Iterator[None]:
    """Append (what, CPU seconds, wall seconds) of the block to `costs`."""
    clock = Clock()
    yield
    costs.append((what, clock.cpu, clock.wall))


def add_cost_table(result: Result, costs: Costs) -> None:
    """The run's cost per part: reported, never asserted (other work shares the machine)."""
    total_cpu, total_wall = sum(c for _, c, _ in costs), sum(w for _, _, w in costs)
    rows = [[what, f"{cpu:.2f}", f"{wall:.2f}"] for what, cpu, wall in costs]
    rows.append([Text("total", "合计"), f"{total_cpu:.2f}", f"{total_wall:.2f}"])
    result.add_table(
        Text(f"Cost of this run ({result.mode} mode)", f"本次运行的耗时({result.mode} 模式)"),
        [Text("part", "部分"), Text("CPU s", "CPU 秒"), Text("wall s", "墙钟秒")],
        rows,
        note=Text(
            "CPU time of this process (all threads) and wall time; reported, not asserted.",
            "本进程的 CPU 时间(所有线程)与墙钟时间;仅报告,不作断言。",
        ),
    )
