"""Bilingual text: the lab writes its prose in English and, where it can, in Chinese.

`Text(en, zh)` holds both; `Text.get(lang)` picks one, falling back to English where no
Chinese was written (so a topic's author can start in one language).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LANGS", "Text", "as_text", "check_lang"]

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Text:
    """A piece of prose in English and (optionally) Chinese."""

    en: str
    zh: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.en, str) or not (self.zh is None or isinstance(self.zh, str)):
            raise TypeError(f"Text: en and zh must be strings, got en={self.en!r}, zh={self.zh!r}")

    def get(self, lang: str) -> str:
        """The text in `lang` ('en' or 'zh'); English where no Chinese was written."""
        return self.zh if lang == "zh" and self.zh else self.en


def as_text(value: str | Text) -> Text:
    """Wrap a plain string (English only) as Text; pass Text through."""
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        return Text(value)
    raise TypeError(f"expected a str or a Text, got {type(value).__name__}: {value!r}")


def check_lang(lang: str, where: str) -> str:
    """Return `lang` when it is one of LANGS, else raise naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"{where}: lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang
