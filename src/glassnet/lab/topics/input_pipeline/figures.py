"""input_pipeline's figure: records per second against workers, one panel per kind of work."""

from __future__ import annotations

from glassnet.lab import Result, new_figure
from glassnet.lab.fonts import figure_text
from glassnet.lab.topics.input_pipeline.judge import speedups
from glassnet.lab.topics.input_pipeline.settings import KINDS


def draw_panel(result: Result, panel: object, kind: str, data: dict, workers: list[int]) -> None:
    """Threads and processes against the worker count for one kind of work; dotted: serial."""
    for backend, style in (("thread", "-o"), ("process", "--s")):
        points = [(w, data["rates"][(kind, backend if w else "thread", w)]) for w in workers]
        panel.plot(*zip(*points), style, label=figure_text(result.text(f"fig_{backend}")))
    serial = figure_text(result.text("fig_serial"))
    panel.axhline(data["serial"][kind], color="gray", lw=0.8, ls=":", label=serial)
    panel.set(
        title=figure_text(result.text(f"kind_{kind}")),
        xlabel=figure_text(result.text("fig_workers")),
        ylabel=figure_text(result.text("fig_records_per_s")),
        xticks=workers,
    )
    panel.set_ylim(bottom=0)
    panel.legend(fontsize=8)


def draw_throughput(result: Result, data: dict, workers: list[int]) -> None:
    fig, axes = new_figure(12.0, 3.4, ncols=len(KINDS))
    for panel, kind in zip(axes, KINDS):
        draw_panel(result, panel, kind, data, workers)
    ratios = speedups(data["rates"], data["serial"], workers)
    result.add_figure(fig, "throughput", result.say("throughput_caption", **ratios))
