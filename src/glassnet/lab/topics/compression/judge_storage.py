"""The compression topic: judges of the storage techniques (Deep Compression's chain, BWN, SVD).

Storage is Han et al.'s accounting of the weights (stream bits and code books, glassnet.compress
.encode); the cut is dense float32 bits over stored bits, the accuracy change paired by seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.compression.rules import mean, paired, pm, size_verdict, speed_verdict
from glassnet.lab.topics.compression.settings import (
    BINARY_HOLDS,
    BINARY_LOSS_HOLDS,
    BINARY_LOSS_PARTLY,
    CLUSTER_BITS,
    HUFFMAN_HOLDS,
    HUFFMAN_PARTLY,
    LOSS_HOLDS,
    LOSS_PARTLY,
    PRUNE,
    PRUNE_HOLDS,
    PRUNE_PARTLY,
    SHARE_HOLDS,
    SHARE_PARTLY,
    SPEED_PARTLY,
    SPEED_SHARE,
    SVD_BUDGET,
    SVD_HOLDS,
)


def stage_numbers(chain: list[dict], name: str, base: str) -> dict[str, Any]:
    """Storage cut of stage `name` against stage `base` ('dense': float32), accuracy change."""
    bits = [c[name]["bits"] for c in chain]
    base_bits = [c[name]["dense_bits"] if base == "dense" else c[base]["bits"] for c in chain]
    delta = paired([c[name]["accuracy"] for c in chain], [c[base]["accuracy"] for c in chain])
    return {
        "cut": mean(np.divide(base_bits, bits)),
        "total": mean([c[name]["dense_bits"] / c[name]["bits"] for c in chain]),
        "delta": delta,
        "accuracy": mean([c[name]["accuracy"] for c in chain]),
        "base_accuracy": mean([c[base]["accuracy"] for c in chain]),
    }


def chain_numbers(s: dict[str, Any], cut_label: Text) -> dict[Any, Any]:
    return {
        cut_label: round(s["cut"], 2),
        Text("weights vs float32, cumulative", "相对 float32 的累计压缩倍数"): round(s["total"], 1),
        Text("test accuracy before, after (%)", "之前、之后的测试准确率(%)"): (
            f"{s['base_accuracy']:.2f}, {s['accuracy']:.2f}"
        ),
        Text("paired change (points, mean ± std)", "配对变化(百分点,均值 ± 标准差)"): pm(
            s["delta"]
        ),
    }


def judge_pruning(result: Result, chain: list[dict]) -> None:
    s = stage_numbers(chain, "pruned", "dense")
    verdict = size_verdict(
        s["cut"], -s["delta"][0], PRUNE_HOLDS, PRUNE_PARTLY, LOSS_HOLDS, LOSS_PARTLY
    )
    numbers = chain_numbers(s, Text("sparse storage vs float32", "稀疏存储相对 float32 的倍数"))
    numbers[Text("weights kept", "保留的权值")] = f"{mean([c['density'] for c in chain]):.1%}"
    rule = result.say("pruning_rule", prune=PRUNE, holds=PRUNE_HOLDS, partly=PRUNE_PARTLY,
                      loss_holds=LOSS_HOLDS, loss_partly=LOSS_PARTLY)  # fmt: skip
    result.judge("pruning", verdict, numbers, rule, note=result.text("pruning_note"))


def judge_pruning_speed(result: Result, sparse: list[dict], density: float) -> None:
    speedups = [row["speedup"] for row in sparse]
    cut = 1 / density
    every = speed_verdict(min(speedups), cut) is Verdict.HOLDS
    verdict = (
        Verdict.HOLDS
        if every
        else Verdict.PARTLY
        if max(speedups) >= SPEED_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    numbers: dict[Any, Any] = {Text("stored weights cut", "存储权值减少倍数"): round(cut, 1)}
    for row in sparse:
        label = f"{row['layer']} ({row['shape'][0]}x{row['shape'][1]}), batch {row['batch']}"
        numbers[Text(f"{label}: dense / sparse CPU ms", f"{label}:稠密 / 稀疏 CPU 毫秒")] = (
            f"{row['dense_ms']:.3f} / {row['sparse_ms']:.3f} ({row['speedup']:.2f}x)"
        )
    rule = result.say("pruning_speed_rule", share=SPEED_SHARE, partly=SPEED_PARTLY)
    note = result.say("pruning_speed_note", best=max(speedups), worst=min(speedups), cut=cut)
    result.judge("pruning_speed", verdict, numbers, rule, note=note)


def judge_quantisation(result: Result, chain: list[dict]) -> None:
    s = stage_numbers(chain, "shared", "pruned")
    verdict = size_verdict(
        s["cut"], -s["delta"][0], SHARE_HOLDS, SHARE_PARTLY, LOSS_HOLDS, LOSS_PARTLY
    )
    numbers = chain_numbers(s, Text("shared vs pruned storage", "共享相对剪枝存储的倍数"))
    rule = result.say("quantisation_rule", bits=CLUSTER_BITS, holds=SHARE_HOLDS,
                      partly=SHARE_PARTLY, loss_holds=LOSS_HOLDS, loss_partly=LOSS_PARTLY)  # fmt: skip
    result.judge("quantisation", verdict, numbers, rule, note=result.text("quantisation_note"))


def judge_binarisation(result: Result, chain: list[dict]) -> None:
    s = stage_numbers(chain, "bwn", "dense")
    x = stage_numbers(chain, "xnor", "dense")
    verdict = size_verdict(s["cut"], -s["delta"][0], BINARY_HOLDS, BINARY_HOLDS,
                           BINARY_LOSS_HOLDS, BINARY_LOSS_PARTLY)  # fmt: skip
    numbers = chain_numbers(s, Text("BWN weights vs float32", "BWN 权值相对 float32 的倍数"))
    numbers[
        Text("XNOR-Net: accuracy, paired change (reported)", "XNOR-Net:准确率、配对变化(仅报告)")
    ] = f"{x['accuracy']:.2f}, {pm(x['delta'])}"
    rule = result.say("binarisation_rule", holds=BINARY_HOLDS, loss_holds=BINARY_LOSS_HOLDS,
                      loss_partly=BINARY_LOSS_PARTLY)  # fmt: skip
    result.judge("binarisation", verdict, numbers, rule, note=result.text("binarisation_note"))


def judge_huffman(result: Result, chain: list[dict]) -> None:
    cut = mean([c["shared"]["bits"] / c["huffman"]["bits"] for c in chain])
    exact = all(c["huffman"]["exact"] and c["shared"]["exact"] for c in chain)
    verdict = (
        Verdict.HOLDS
        if exact and cut >= HUFFMAN_HOLDS
        else Verdict.PARTLY
        if exact and cut > HUFFMAN_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    s = stage_numbers(chain, "huffman", "dense")
    numbers = {
        Text("fixed-width bits / Huffman bits", "定长位数 / 霍夫曼位数"): round(cut, 3),
        Text("bits saved", "节省的位数"): f"{1 - 1 / cut:.1%}",
        Text("decoded streams equal the weights", "解码结果与权值完全相同"): exact,
        Text("whole chain vs float32", "整条链相对 float32 的倍数"): round(s["total"], 1),
        Text("chain: paired change (points)", "整条链:配对变化(百分点)"): pm(s["delta"]),
    }
    rule = result.say("huffman_rule", holds=HUFFMAN_HOLDS)
    result.judge("huffman", verdict, numbers, rule, note=result.text("huffman_note"))


def judge_svd(result: Result, svd: list[dict]) -> None:
    cut = mean([r["params_before"] / r["params_after"] for r in svd])
    delta = paired([r["after"] for r in svd], [r["before"] for r in svd])
    raw = paired([r["no_finetune"] for r in svd], [r["before"] for r in svd])
    verdict = size_verdict(cut, -delta[0], SVD_HOLDS, SVD_HOLDS, LOSS_HOLDS, LOSS_PARTLY)
    numbers = {
        Text("FC parameters before / after", "全连接参数之前 / 之后"): (
            f"{svd[0]['params_before']} / {svd[0]['params_after']}"
        ),
        Text("parameter cut", "参数减少倍数"): round(cut, 2),
        Text("ranks kept", "保留的秩"): str(svd[0]["ranks"]),
        Text("test accuracy before (%)", "之前的测试准确率(%)"): round(
            mean([r["before"] for r in svd]), 2
        ),
        Text("paired change, no fine-tuning", "配对变化,未微调"): pm(raw),
        Text("paired change, fine-tuned", "配对变化,微调后"): pm(delta),
    }
    rule = result.say("svd_rule", budget=SVD_BUDGET, holds=SVD_HOLDS,
                      loss_holds=LOSS_HOLDS, loss_partly=LOSS_PARTLY)  # fmt: skip
    result.judge("svd_projection", verdict, numbers, rule, note=result.text("svd_note"))
