"""The conv_arithmetic topic: its figure (labels from the catalog, in the figures' language)."""

from __future__ import annotations

from matplotlib.ticker import MaxNLocator

from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.topics.conv_arithmetic.settings import FIGURE_POOL


def conv_label(kernel: int, stride: int, padding: int, dilation: int) -> str:
    return f"K{kernel} S{stride} P{padding}" + (f" D{dilation}" if dilation > 1 else "")


def draw_convs(result: Result, axes, data: dict) -> None:
    """Conv2d layers (dots) against the dilated formula (steps)."""
    for config, points, formula in data["convs"]:
        line = axes.step(data["sizes"], formula, where="mid", alpha=0.6)
        axes.plot(*zip(*points), "o", ms=3, color=line[0].get_color(), label=conv_label(*config))
    axes.set(
        title=figure_text(result.text("fig_conv_title")),
        xlabel=figure_text(result.text("fig_input")),
        ylabel=figure_text(result.text("fig_output")),
    )
    axes.legend(fontsize=8)


def draw_pools(result: Result, axes, data: dict) -> None:
    """MaxPool2d in floor and ceil mode, and TensorFlow's SAME."""
    kernel, stride, padding = FIGURE_POOL
    for ceil_mode, style in ((False, "o"), (True, "s")):
        axes.plot(
            *zip(*data["pools"][ceil_mode]),
            style,
            ms=3,
            label=f"MaxPool2d K{kernel} S{stride} P{padding} ceil_mode={ceil_mode}",
        )
    axes.step(
        data["sizes"],
        data["same"],
        where="mid",
        color="gray",
        alpha=0.7,
        label=f"TF 'SAME': ceil(W / {stride})",
    )
    axes.set(
        title=figure_text(result.text("fig_pool_title")),
        xlabel=figure_text(result.text("fig_input")),
        ylabel=figure_text(result.text("fig_output")),
    )
    axes.legend(fontsize=8)


def draw_output_vs_input(result: Result, data: dict) -> None:
    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    draw_convs(result, left, data)
    draw_pools(result, right, data)
    for axes in (left, right):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    result.add_figure(fig, "output_vs_input", result.text("output_vs_input"))
