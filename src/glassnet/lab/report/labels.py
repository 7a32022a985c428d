"""The report's fixed wording in English and Chinese: headings, labels and verdict names."""

from __future__ import annotations

from glassnet.lab.result import Verdict

__all__ = ["LABELS", "VERDICT_NAMES", "label", "verdict_name"]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "glassnet lab: the notes' claims, measured",
        "intro": (
            "Each section takes one question of the deep-learning interview notes, quotes the notes "
            "(the original Chinese and an English rendering), runs a small experiment, and gives each "
            "claim a verdict with the numbers that decide it and the rule used. Every claim the lab "
            "indexes is listed: one without an experiment yet is 'not judged yet', with the reason; "
            "definitions checked against the code and advice not testable as stated are counted apart. "
            "A run over several seeds marks a claim whose seeds disagree 'unsettled', with the split, "
            "and 'robust' one whose verdict is the same in every seed."
        ),
        "summary_counts": "{total} claims: {main}; counted apart: {apart}",
        "provisional_mark": " (provisional: smoke)",
        "smoke_warning": (
            "Smoke mode: the experiments ran for seconds, on a few samples and steps, to test the "
            "machinery. Every verdict below is provisional: run --mode quick (or full) to judge the claims."
        ),
        "robust_mark": " · robust (the same verdict in every seed)",
        "seeds": "seeds",
        "per_seed": "per seed",
        "reason": "reason",
        "no_experiment": "No experiment for this topic yet: {reason}",
        "run": "Run",
        "mode": "mode",
        "seed": "seed",
        "version": "glassnet",
        "created": "created",
        "total_time": "total time",
        "contents": "Contents",
        "summary": "All verdicts",
        "topic": "Topic",
        "claim": "Claim",
        "verdict": "Verdict",
        "question": "Question",
        "notes_excerpt": "The notes",
        "notes_lines": "lines {first}-{last}, empty bullet lines left out",
        "notes_line": "line {first}",
        "not_in_notes": "This topic is not in the notes; the lab adds it.",
        "english_rendering": "English rendering",
        "setup": "Setup",
        "claims": "Claims",
        "tables": "Measurements",
        "figures": "Figures",
        "numbers": "numbers",
        "rule": "rule",
        "margin": "margin ({mode} mode)",
        "robust": "robust",
        "source_notes": "quoted from the notes",
        "source_lab": "added by the lab",
        "reference": "reference",
        "error": "This experiment raised; its claims were not measured",
        "seconds": "ran in {seconds:.1f} s ({mode} mode)",
        "total_seconds": "{seconds:.1f} s, {jobs} experiment(s) at a time",
        "counts": "Verdicts",
        "failed_topics": "topics that raised",
        "figure": "Figure",
        "none": "none",
        "note": "note",
    },
    "zh": {
        "title": "glassnet 实验室:笔记中的论断,逐一测量",
        "intro": (
            "每一节对应深度学习面试笔记中的一个问题:先引用笔记(中文原文与英文译文),再运行一个小实验,"
            "并给出每条论断的结论、决定结论的数值以及所用的判定规则。实验室索引的每条论断都列出:尚无实验的标为"
            "“尚未判定”并说明原因;对照代码检查过的定义与无法按原文检验的建议另行计数。多个随机种子的运行中,"
            "各种子结论不一的论断标为“未定”并给出分布,各种子结论相同的标为“稳健”。"
        ),
        "summary_counts": "共 {total} 条论断:{main};另计:{apart}",
        "provisional_mark": "(暂定:smoke)",
        "smoke_warning": (
            "smoke 模式:实验只运行数秒、用很少的样本和步数,用于测试流程。下面的每个结论都是暂定的:"
            "请用 --mode quick(或 full)来判定这些论断。"
        ),
        "robust_mark": " · 稳健(各随机种子结论相同)",
        "seeds": "随机种子",
        "per_seed": "各随机种子",
        "reason": "原因",
        "no_experiment": "此主题尚无实验:{reason}",
        "run": "运行信息",
        "mode": "模式",
        "seed": "随机种子",
        "version": "glassnet",
        "created": "生成时间",
        "total_time": "总耗时",
        "contents": "目录",
        "summary": "全部结论",
        "topic": "主题",
        "claim": "论断",
        "verdict": "结论",
        "question": "问题",
        "notes_excerpt": "笔记原文",
        "notes_lines": "第 {first}-{last} 行,省略空白条目",
        "notes_line": "第 {first} 行",
        "not_in_notes": "此主题不在笔记中,由实验室补充。",
        "english_rendering": "英文译文",
        "setup": "实验设置",
        "claims": "论断",
        "tables": "测量结果",
        "figures": "图",
        "numbers": "数值",
        "rule": "判定规则",
        "margin": "余量({mode} 模式)",
        "robust": "稳健",
        "source_notes": "引自笔记",
        "source_lab": "实验室补充",
        "reference": "参考文献",
        "error": "此实验运行出错,其论断未被测量",
        "seconds": "耗时 {seconds:.1f} 秒({mode} 模式)",
        "total_seconds": "{seconds:.1f} 秒,同时运行 {jobs} 个实验",
        "counts": "结论统计",
        "failed_topics": "出错的主题",
        "figure": "图",
        "none": "无",
        "note": "备注",
    },
}

VERDICT_NAMES: dict[str, dict[Verdict, str]] = {
    "en": {verdict: verdict.value for verdict in Verdict},
    "zh": {
        Verdict.HOLDS: "成立",
        Verdict.PARTLY: "部分成立",
        Verdict.DOES_NOT_HOLD: "不成立",
        Verdict.NOT_JUDGED: "尚未判定",
        Verdict.UNSETTLED: "未定",
        Verdict.NOT_MEASURED: "本模式未测量",
        Verdict.DEFINITION_CHECKED: "定义,已核对",
        Verdict.ADVICE: "建议,无法按原文检验",
    },
}


def label(lang: str, key: str, **values: object) -> str:
    """The label `key` in `lang`, formatted with `values`."""
    return LABELS[lang][key].format(**values)


def verdict_name(lang: str, verdict: Verdict) -> str:
    """The verdict's name in `lang`."""
    return VERDICT_NAMES[lang][Verdict(verdict)]
