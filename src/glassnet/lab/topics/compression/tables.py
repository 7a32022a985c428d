"""The compression topic: its two measured tables (means over the seeds)."""

from __future__ import annotations

from typing import Any

from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.compression.figures import CHAIN_STAGES, SWAPS
from glassnet.lab.topics.compression.rules import mean
from glassnet.lab.topics.compression.settings import ALPHA, TEMPERATURE

SWAP_NAMES = {
    "base": Text("base CNN", "基线 CNN"),
    "bottleneck": Text("1x1 bottleneck", "1x1 瓶颈"),
    "separable": Text("depthwise separable", "深度可分离"),
    "grouped": Text("group conv", "分组卷积"),
    "shuffled": Text("group conv + shuffle", "分组卷积 + 混洗"),
    "low_rank": Text("Tucker-2, fine-tuned", "Tucker-2,微调后"),
    "channels": Text("channels pruned, fine-tuned", "通道裁剪,微调后"),
}


def chain_table(result: Result, chain: list[dict[str, Any]]) -> None:
    rows = []
    dense_bits = chain[0]["pruned"]["dense_bits"]
    for stage, label in CHAIN_STAGES.items():
        bits = dense_bits if stage == "dense" else mean([c[stage]["bits"] for c in chain])
        rows.append(
            [
                label,
                round(bits / 8 / 1024, 2),
                round(dense_bits / bits, 1),
                round(mean([c[stage]["accuracy"] for c in chain]), 2),
            ]
        )
    result.add_table(
        Text(
            "The LeNet-like CNN along Deep Compression's chain", "LeNet 式 CNN 沿深度压缩链的变化"
        ),
        [
            Text("stage", "阶段"),
            Text("weights (KiB)", "权值(KiB)"),
            Text("x smaller", "缩小倍数"),
            Text("test accuracy (%)", "测试准确率(%)"),
        ],
        rows,
        note=Text(
            "Han et al.'s accounting: stream bits and code books of the weights (biases not counted)",
            "Han 等人的计法:权值的码流位数与码本(不计偏置)",
        ),
    )


def structure_table(result: Result, rows: list[dict[str, Any]]) -> None:
    cells = [
        [
            SWAP_NAMES[name],
            rows[0][name]["params"],
            rows[0][name]["macs"],
            round(mean([r[name]["accuracy"] for r in rows]), 2),
            round(mean([r[name]["ms"] for r in rows]), 2),
        ]
        for name in SWAPS
    ]
    result.add_table(
        Text("The base CNN and its structural variants", "基线 CNN 及其结构变体"),
        [
            Text("model", "模型"),
            Text("parameters", "参数"),
            Text("MACs per image", "每张图的乘加"),
            Text("test accuracy (%)", "测试准确率(%)"),
            Text("CPU ms, batch 128", "CPU 毫秒,批 128"),
        ],
        cells,
        note=Text(
            "CPU time: median of time.process_time with one BLAS thread, eval mode, no autograd",
            "CPU 时间:单 BLAS 线程、eval 模式、无自动求导下 time.process_time 的中位数",
        ),
    )


def temperature_table(result: Result, rows: list[dict[str, Any]]) -> None:
    """Student accuracy by distillation temperature (modes with a sweep only)."""
    temperatures = sorted({TEMPERATURE, *rows[0]["temperatures"]})
    if len(temperatures) < 2:
        return

    def at(t: float) -> float:
        return mean(
            [r["student"]["distilled"] if t == TEMPERATURE else r["temperatures"][t] for r in rows]
        )

    cells = [[Text("alone", "单独训练"), round(mean([r["student"]["alone"] for r in rows]), 2)]]
    cells += [[f"T = {t:g}", round(at(t), 2)] for t in temperatures]
    result.add_table(
        Text(
            f"The student's test accuracy by temperature (alpha = {ALPHA})",
            f"学生的测试准确率随温度变化(alpha = {ALPHA})",
        ),
        [Text("student", "学生"), Text("test accuracy (%)", "测试准确率(%)")],
        cells,
        note=Text(
            "reported beside the judged T; means over the seeds", "与判定所用的 T 并列报告;种子均值"
        ),
    )
