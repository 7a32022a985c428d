"""A table's column headers from a topic's catalog: one entry, the headers separated by ' | '.

    [text.runs_columns]
    en = "net | init | lr"
    zh = "网络 | 初始化 | 学习率"

A header that names a number (a threshold) makes the entry a template: `columns(result, key,
trains=0.5)` renders it with `result.say`.
"""

from __future__ import annotations

from typing import Any

from glassnet.lab.catalog import CatalogError
from glassnet.lab.result import Result
from glassnet.lab.text import Text

__all__ = ["columns"]

SEPARATOR = " | "


def columns(result: Result, key: str, **numbers: Any) -> list[Text]:
    """The headers of catalog entry `key` (a template when `numbers` are given), one Text each."""
    text = result.say(key, **numbers) if numbers else result.text(key)
    en, zh = text.en.split(SEPARATOR), text.zh.split(SEPARATOR)
    if len(en) != len(zh):
        raise CatalogError(
            f"catalog '{result.topic}', '{key}': {len(en)} English headers but {len(zh)} Chinese"
        )
    return [Text(e.strip(), z.strip()) for e, z in zip(en, zh)]
