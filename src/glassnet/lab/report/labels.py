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
            "claim a verdict with the numbers that decide it and the rule used. Claims marked robust "
            "are asserted by the test suite in smoke mode."
        ),
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
            "并给出每条论断的结论、决定结论的数值以及所用的判定规则。标为“稳健”的论断在测试中以 smoke "
            "模式断言。"
        ),
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
        Verdict.NOT_MEASURED: "本模式未测量",
    },
}


def label(lang: str, key: str, **values: object) -> str:
    """The label `key` in `lang`, formatted with `values`."""
    return LABELS[lang][key].format(**values)


def verdict_name(lang: str, verdict: Verdict) -> str:
    """The verdict's name in `lang`."""
    return VERDICT_NAMES[lang][Verdict(verdict)]
