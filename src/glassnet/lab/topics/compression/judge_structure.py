"""The compression topic: judges of the structural techniques, trained from scratch on the digits.

Each swap replaces the base CNN's two C -> C 3x3 convs; the cut is that of the swapped layers
(the smaller of the parameter and MAC cuts), the accuracy change paired by seed with the base
model trained with the same data order. CPU times are whole models on a batch of 128.
"""

from __future__ import annotations

from typing import Any

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.compression.rules import (
    gain_verdict,
    mean,
    paired,
    pm,
    size_verdict,
    speed_verdict,
)
from glassnet.lab.topics.compression.settings import (
    ALPHA,
    CHANNELS_PRUNED,
    CUT_HOLDS,
    GAIN_HOLDS,
    GAIN_SEEDS,
    GROUPS,
    LOSS_HOLDS,
    LOSS_PARTLY,
    SPEED_PARTLY,
    SPEED_SHARE,
    STUDENT,
    TEMPERATURE,
    TUCKER_BUDGET,
)

DESIGN_NAMES = {
    "bottleneck": Text("1x1 bottleneck", "1x1 瓶颈"),
    "separable": Text("depthwise separable", "深度可分离"),
    "grouped": Text(f"group conv (g = {GROUPS})", f"分组卷积(g = {GROUPS})"),
    "shuffled": Text(f"group conv (g = {GROUPS}) + shuffle", f"分组卷积(g = {GROUPS})+ 混洗"),
}


def swap_numbers(rows: list[dict], name: str, part: bool = True) -> dict[str, Any]:
    """Cuts (swapped layers when `part`, else the whole model), speed-up and paired change vs base."""
    first, base = rows[0][name], rows[0]["base"]
    params, macs = ("part_params", "part_macs") if part else ("params", "macs")
    base_params = base[params] if "base_part" not in first else first["base_part"][0]
    base_macs = base[macs] if "base_part" not in first else first["base_part"][1]
    return {
        "params_cut": base_params / first[params],
        "macs_cut": base_macs / first[macs],
        "cut": min(base_params / first[params], base_macs / first[macs]),
        "speedup": mean([r["base"]["ms"] / r[name]["ms"] for r in rows]),
        "delta": paired([r[name]["accuracy"] for r in rows], [r["base"]["accuracy"] for r in rows]),
        "accuracy": mean([r[name]["accuracy"] for r in rows]),
        "base_accuracy": mean([r["base"]["accuracy"] for r in rows]),
    }


def cut_numbers(s: dict[str, Any]) -> dict[Any, Any]:
    return {
        Text("parameters cut", "参数减少倍数"): round(s["params_cut"], 2),
        Text("MACs cut", "乘加减少倍数"): round(s["macs_cut"], 2),
        Text("test accuracy base, swapped (%)", "基线、替换后的测试准确率(%)"): (
            f"{s['base_accuracy']:.2f}, {s['accuracy']:.2f}"
        ),
        Text("paired change (points)", "配对变化(百分点)"): pm(s["delta"]),
        Text("CPU speed-up, batch 128 (reported)", "CPU 加速比,批 128(仅报告)"): round(
            s["speedup"], 2
        ),
    }


def judge_swap(result: Result, rows: list[dict], claim: str, name: str) -> None:
    s = swap_numbers(rows, name)
    verdict = size_verdict(s["cut"], -s["delta"][0], CUT_HOLDS, CUT_HOLDS, LOSS_HOLDS, LOSS_PARTLY)
    rule = result.say("swap_rule", cut=CUT_HOLDS, loss_holds=LOSS_HOLDS, loss_partly=LOSS_PARTLY)
    result.judge(claim, verdict, cut_numbers(s), rule, note=result.text(f"{claim}_note"))


def judge_model_design(result: Result, rows: list[dict]) -> None:
    found = {name: swap_numbers(rows, name, part=False) for name in DESIGN_NAMES}
    levels = []
    for s in found.values():
        small = size_verdict(
            s["cut"], -s["delta"][0], CUT_HOLDS, CUT_HOLDS, LOSS_HOLDS, LOSS_PARTLY
        )
        fast = speed_verdict(s["speedup"], s["macs_cut"]) is Verdict.HOLDS
        levels.append(
            2 if small is Verdict.HOLDS and fast else 1 if small is not Verdict.DOES_NOT_HOLD else 0
        )
    verdict = (Verdict.DOES_NOT_HOLD, Verdict.PARTLY, Verdict.HOLDS)[max(levels)]
    numbers = {
        DESIGN_NAMES[name]: (
            f"{s['cut']:.1f}x smaller, {s['speedup']:.2f}x faster, {pm(s['delta'])} pt"
        )
        for name, s in found.items()
    }
    rule = result.say("design_rule", cut=CUT_HOLDS, loss_holds=LOSS_HOLDS,
                      loss_partly=LOSS_PARTLY, share=SPEED_SHARE)  # fmt: skip
    result.judge("model_design", verdict, numbers, rule, note=result.text("model_design_note"))


def judge_shuffle(result: Result, rows: list[dict]) -> None:
    gains = [r["shuffled"]["accuracy"] - r["grouped"]["accuracy"] for r in rows]
    same_cost = all(r["shuffled"][k] == r["grouped"][k] for r in rows for k in ("params", "macs"))
    numbers = {
        Text("test accuracy without, with shuffle (%)", "无、有混洗的测试准确率(%)"): (
            f"{mean([r['grouped']['accuracy'] for r in rows]):.2f}, "
            f"{mean([r['shuffled']['accuracy'] for r in rows]):.2f}"
        ),
        Text("paired gain (points)", "配对提升(百分点)"): pm(paired(gains, [0.0] * len(gains))),
        Text("seeds with a gain", "有提升的种子数"): f"{sum(g > 0 for g in gains)} of {len(gains)}",
        Text("equal parameters and MACs", "参数与乘加相同"): same_cost,
    }
    verdict = gain_verdict(gains) if same_cost else Verdict.DOES_NOT_HOLD
    rule = result.say("gain_rule", gain=GAIN_HOLDS, seeds=GAIN_SEEDS)
    result.judge(
        "channel_shuffle", verdict, numbers, rule, note=result.text("channel_shuffle_note")
    )


def judge_distillation(result: Result, rows: list[dict]) -> None:
    alone = [r["student"]["alone"] for r in rows]
    taught = [r["student"]["distilled"] for r in rows]
    gains = [t - a for t, a in zip(taught, alone, strict=True)]
    numbers = {
        Text("teacher (base CNN) test accuracy (%)", "教师(基线 CNN)测试准确率(%)"): round(
            mean([r["base"]["accuracy"] for r in rows]), 2
        ),
        Text(
            "student alone, distilled (%)", "学生单独训练、蒸馏(%)"
        ): f"{mean(alone):.2f}, {mean(taught):.2f}",
        Text("paired gain (points)", "配对提升(百分点)"): pm(paired(taught, alone)),
        Text("seeds with a gain", "有提升的种子数"): f"{sum(g > 0 for g in gains)} of {len(gains)}",
    }
    rule = result.say("distillation_rule", gain=GAIN_HOLDS, seeds=GAIN_SEEDS, student=STUDENT,
                      temperature=TEMPERATURE, alpha=ALPHA)  # fmt: skip
    result.judge("distillation", gain_verdict(gains), numbers, rule,
                 note=result.text("distillation_note"))  # fmt: skip


def judge_low_rank(result: Result, rows: list[dict]) -> None:
    s = swap_numbers(rows, "low_rank")
    raw = paired(
        [r["low_rank"]["before_finetune"] for r in rows], [r["base"]["accuracy"] for r in rows]
    )
    numbers = cut_numbers(s)
    numbers[Text("paired change before fine-tuning", "微调前的配对变化")] = pm(raw)
    verdict = size_verdict(s["cut"], -s["delta"][0], CUT_HOLDS, CUT_HOLDS, LOSS_HOLDS, LOSS_PARTLY)
    rule = result.say("low_rank_rule", budget=TUCKER_BUDGET, cut=CUT_HOLDS,
                      loss_holds=LOSS_HOLDS, loss_partly=LOSS_PARTLY)  # fmt: skip
    result.judge("low_rank", verdict, numbers, rule, note=result.text("low_rank_note"))


def judge_model_pruning(result: Result, rows: list[dict]) -> None:
    s = swap_numbers(rows, "channels", part=False)
    raw = paired(
        [r["channels"]["before_finetune"] for r in rows], [r["base"]["accuracy"] for r in rows]
    )
    numbers = cut_numbers(s)
    numbers[Text("paired change before fine-tuning", "微调前的配对变化")] = pm(raw)
    verdict = size_verdict(s["cut"], -s["delta"][0], CUT_HOLDS, CUT_HOLDS, LOSS_HOLDS, LOSS_PARTLY)
    rule = result.say("model_pruning_rule", share=CHANNELS_PRUNED, cut=CUT_HOLDS,
                      loss_holds=LOSS_HOLDS, loss_partly=LOSS_PARTLY)  # fmt: skip
    result.judge("model_pruning", verdict, numbers, rule, note=result.text("model_pruning_note"))
    speed = speed_verdict(s["speedup"], s["macs_cut"])
    speed_numbers = {
        Text("MACs cut", "乘加减少倍数"): round(s["macs_cut"], 2),
        Text("CPU ms base, pruned (batch 128)", "CPU 毫秒,基线、裁剪后(批 128)"): (
            f"{mean([r['base']['ms'] for r in rows]):.2f}, {mean([r['channels']['ms'] for r in rows]):.2f}"
        ),
        Text("CPU speed-up", "CPU 加速比"): round(s["speedup"], 2),
    }
    rule = result.say("speed_rule", share=SPEED_SHARE, partly=SPEED_PARTLY)
    result.judge("model_pruning_speed", speed, speed_numbers, rule)


def judge_structure(result: Result, rows: list[dict]) -> None:
    judge_model_design(result, rows)
    judge_swap(result, rows, "one_by_one", "bottleneck")
    judge_swap(result, rows, "depthwise_separable", "separable")
    judge_swap(result, rows, "group_conv", "grouped")
    judge_shuffle(result, rows)
    judge_distillation(result, rows)
    judge_low_rank(result, rows)
    judge_model_pruning(result, rows)
