"""bias_variance's tables: the learning curves, the guidelines, the optimisers' grids, the
regularisers' sweeps, the search, and the CPU time."""

from __future__ import annotations

from glassnet.lab import Result, Text
from glassnet.lab.kit.fitting import choose_on_val
from glassnet.lab.report.formatting import pm_percent as pm
from glassnet.lab.topics.bias_variance.judge import best_lrs

GUIDELINE_COLUMNS = [
    Text("guideline", "方针"),
    Text("what it should change", "应当改变什么"),
    Text("measured", "测量值"),
    Text("verdict", "结论"),
]
ACC_COLUMNS = [
    Text("setting", "设置"),
    Text("train acc %", "训练准确率 %"),
    Text("val acc %", "验证准确率 %"),
    Text("test acc %", "测试准确率 %"),
    Text("chosen", "选中"),
]
TIMING_PARTS = {
    "curves": Text("learning curves and depth", "学习曲线与深度"),
    "optimisers": Text("optimisers", "优化器"),
    "regular": Text("regularisers", "正则化方法"),
    "search": Text("hyper-parameter search", "超参数搜索"),
}


def _err(values: list[float]) -> str:
    return pm([1 - v for v in values])


def curve_table(result: Result, sizes: list, curves: dict) -> None:
    columns = [Text("signals", "信号数")] + [
        Text(f"{name}: {part} error %", f"{name}:{zh}误差 %")
        for name in ("small", "big")
        for part, zh in (("train", "训练"), ("test", "测试"))
    ]
    rows = [
        [n, *[_err(getattr(curves[m][n], p)) for m in ("small", "big") for p in ("train", "test")]]
        for n in sizes
    ]
    result.add_table(result.text("curves_title"), columns, rows)


def _row(label: str, scores, mark: bool) -> list:
    return [label, pm(scores.train), pm(scores.val), pm(scores.test), "yes" if mark else ""]


def optimiser_table(result: Result, optimisers: dict) -> None:
    best = best_lrs(optimisers)
    rows = [
        _row(f"{k}, lr {lr:g}", s, lr == best[k])
        for k, grid in optimisers.items()
        for lr, s in grid.items()
    ]
    result.add_table(
        result.text("optimisers_title"), ACC_COLUMNS, rows, note=result.text("optimisers_note")
    )


def regulariser_table(result: Result, regular: dict) -> None:
    rows = [_row("no regulariser (base)", regular["base"]["none"], False)]
    for name in ("L2", "dropout", "adversarial"):
        chosen = choose_on_val(regular[name])
        rows += [_row(f"{name}, {k}", s, k == chosen) for k, s in regular[name].items()]
    result.add_table(result.text("regularisers_title"), ACC_COLUMNS, rows)


def search_table(result: Result, found: list[list[dict]]) -> None:
    columns = [Text("seed", "种子"), *ACC_COLUMNS]
    rows = []
    for r, configs in enumerate(found):
        chosen = max(configs[1:], key=lambda c: c["score"][1])
        for c in configs:
            cells = [f"{100 * v:.1f}" for v in c["score"][:3]]
            rows.append([r, c["label"], *cells, "yes" if c is chosen else ""])
    result.add_table(result.text("search_title"), columns, rows, note=result.text("search_note"))


def timing_table(result: Result, cpu: dict) -> None:
    rows = [[TIMING_PARTS[k], round(v, 2)] for k, v in cpu.items()]
    columns = [Text("part", "部分"), Text("CPU s", "CPU 秒")]
    result.add_table(result.text("timing_title"), columns, rows)
