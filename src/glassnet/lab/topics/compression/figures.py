"""The compression topic: figures (accuracy against size; CPU speed-up against the MAC cut)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.compression.rules import mean

CHAIN_STAGES = {
    "dense": Text("LeNet float32", "LeNet float32"),
    "pruned": Text("pruned", "剪枝"),
    "shared": Text("+ shared", "+ 共享"),
    "huffman": Text("+ Huffman", "+ 霍夫曼"),
    "bwn": Text("BWN", "BWN"),
    "xnor": Text("XNOR-Net", "XNOR-Net"),
}
SWAPS = ("base", "bottleneck", "separable", "grouped", "shuffled", "low_rank", "channels")


def plain_log(axis: Any) -> None:
    """A log scale labelled with plain numbers at the major ticks only."""
    axis.set_major_formatter(ScalarFormatter())
    axis.set_minor_formatter(NullFormatter())


def accuracy_vs_size(result: Result, data: dict[str, Any]) -> None:
    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    chain = data["chain"]
    for stage, label in CHAIN_STAGES.items():
        bits = (
            chain[0]["pruned"]["dense_bits"]
            if stage == "dense"
            else mean([c[stage]["bits"] for c in chain])
        )
        left.scatter(bits / 8 / 1024, mean([c[stage]["accuracy"] for c in chain]))
        left.annotate(
            figure_text(label),
            (bits / 8 / 1024, mean([c[stage]["accuracy"] for c in chain])),
            fontsize=8,
        )
    left.set_xscale("log")
    plain_log(left.xaxis)
    left.set_xlabel(figure_text(Text("LeNet weights stored (KiB)", "LeNet 权值存储(KiB)")))
    left.set_ylabel(figure_text(Text("test accuracy (%)", "测试准确率(%)")))
    rows = data["structure"]
    for name in SWAPS:
        params = rows[0][name]["params"]
        acc = mean([r[name]["accuracy"] for r in rows])
        right.scatter(params, acc)
        right.annotate(name, (params, acc), fontsize=8)
    right.set_xscale("log")
    plain_log(right.xaxis)
    right.set_xlabel(figure_text(Text("CNN parameters", "CNN 参数量")))
    result.add_figure(fig, "accuracy_vs_size", result.text("size_caption"))


def speed_vs_cut(result: Result, data: dict[str, Any]) -> None:
    fig, axes = new_figure(5.5, 3.6)
    times = data["layers"]["times"]
    points = {
        f"{form} layer": (
            times["macs"]["standard"] / times["macs"][form],
            times["standard"] / times[form],
        )
        for form in ("separable", "grouped")
    }
    rows = data["structure"]
    for name in SWAPS[1:]:
        cut = rows[0]["base"]["macs"] / rows[0][name]["macs"]
        points[f"{name} model"] = (cut, mean([r["base"]["ms"] / r[name]["ms"] for r in rows]))
    for row in data["sparse"]:
        points[f"sparse {row['layer']} b{row['batch']}"] = (1 / row["density"], row["speedup"])
    for label, (cut, speed) in points.items():
        axes.scatter(cut, speed)
        axes.annotate(label, (cut, speed), fontsize=7)
    top = max(max(c for c, _ in points.values()), 2.0)
    line = np.array([1.0, top])
    axes.plot(line, line, "k--", linewidth=0.8)
    axes.set_xscale("log")
    axes.set_yscale("log")
    plain_log(axes.xaxis)
    plain_log(axes.yaxis)
    axes.set_xlabel(figure_text(Text("MACs (or stored weights) cut", "乘加(或存储权值)减少倍数")))
    axes.set_ylabel(figure_text(Text("CPU speed-up", "CPU 加速比")))
    result.add_figure(fig, "speed_vs_cut", result.text("speed_caption"))
