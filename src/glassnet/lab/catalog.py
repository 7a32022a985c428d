"""The topics' prose, out of the code: one TOML catalog per topic beside `notes/index.toml`.

`notes/TOPIC.toml` holds two kinds of entry, each in English and Chinese:

    [text.setup]                     fixed text: method, theory, what a figure shows
    en = "..."
    zh = "..."

    [say.speed]                      a sentence that states a measurement: a template whose
    en = "Processes ran {ratio:.2f}x {pace} than threads."     fields are named numbers
    zh = "进程比线程{pace} {ratio:.2f} 倍。"
    [say.speed.words.pace]           a comparison word chosen by a number: the first word
    by = "ratio"                     when `by` is above `above`, the second otherwise, so
    above = 1.0                      the sentence cannot contradict its own numbers
    en = ["faster", "slower"]
    zh = ["快", "慢"]

A topic renders a template with `result.say(key, **numbers)` (see Result.say), which keeps
the numbers next to the sentence; a field without its number raises, naming it. Tests
render every template with a smoke run's numbers and flip each comparison. A template said
only in longer modes declares `modes = ["quick", "full"]` and `example = {...}` numbers,
which the tests use instead.
"""

from __future__ import annotations

import math
import string
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from glassnet.lab.text import Text

__all__ = ["Catalog", "CatalogError", "Choice", "Template", "catalog", "catalog_topics"]

LANGS = ("en", "zh")


class CatalogError(ValueError):
    """A catalog entry that is malformed, missing, or rendered without one of its numbers."""


@dataclass(frozen=True)
class Choice:
    """A comparison word: words[0] when numbers[by] > above, words[1] otherwise (per language)."""

    by: str
    above: float
    words: dict[str, tuple[str, str]]

    def pick(self, lang: str, value: float) -> str:
        return self.words[lang][0 if float(value) > self.above else 1]


@dataclass(frozen=True)
class Template:
    """A measured sentence in English and Chinese, its fields named numbers or comparison words."""

    where: str
    text: dict[str, str]
    words: dict[str, Choice]
    modes: tuple[str, ...] = ("smoke", "quick", "full")  # the modes whose runs say it
    example: dict[str, Any] | None = (
        None  # numbers to test it with where smoke mode does not say it
    )

    def names(self) -> set[str]:
        """The numbers the template needs: its fields (other than words) and the words' deciders."""
        fields = {
            name.split(".")[0].split("[")[0]
            for lang in LANGS
            for _, name, _, _ in string.Formatter().parse(self.text[lang])
            if name
        }
        return (fields - set(self.words)) | {choice.by for choice in self.words.values()}

    def render(self, numbers: dict[str, Any]) -> Text:
        """Both languages with `numbers` filled in; a missing number raises CatalogError."""
        missing = sorted(self.names() - set(numbers))
        if missing:
            raise CatalogError(
                f"{self.where}: no number {', '.join(map(repr, missing))}; "
                f"given: {', '.join(sorted(numbers)) or 'none'}"
            )
        out = {}
        for lang in LANGS:
            words = {n: c.pick(lang, numbers[c.by]) for n, c in self.words.items()}
            out[lang] = self.text[lang].format(**numbers, **words)
        return Text(out["en"], out["zh"])


@dataclass(frozen=True)
class Catalog:
    """One topic's fixed texts and templates."""

    topic: str
    texts: dict[str, Text]
    templates: dict[str, Template]

    def text(self, key: str) -> Text:
        if key not in self.texts:
            raise CatalogError(
                f"catalog '{self.topic}': no text '{key}'; known: {sorted(self.texts)}"
            )
        return self.texts[key]

    def template(self, key: str) -> Template:
        if key not in self.templates:
            raise CatalogError(
                f"catalog '{self.topic}': no template '{key}'; known: {sorted(self.templates)}"
            )
        return self.templates[key]

    def say(self, key: str, **numbers: Any) -> Text:
        """The template `key` rendered with `numbers`."""
        return self.template(key).render(numbers)


def _bilingual(entry: Any, where: str) -> dict[str, str]:
    if not isinstance(entry, dict) or not all(isinstance(entry.get(lang), str) for lang in LANGS):
        raise CatalogError(f"{where}: needs en and zh strings")
    return {lang: entry[lang] for lang in LANGS}


def _choice(entry: Any, where: str) -> Choice:
    words = {}
    for lang in LANGS:
        pair = entry.get(lang) if isinstance(entry, dict) else None
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(w, str) for w in pair)
        ):
            raise CatalogError(f"{where}: {lang} must be a list of two words")
        words[lang] = (pair[0], pair[1])
    above = entry.get("above", 0.0)
    if (
        not isinstance(entry.get("by"), str)
        or not isinstance(above, int | float)
        or math.isnan(above)
    ):
        raise CatalogError(f"{where}: needs by (a number's name) and above (a number)")
    return Choice(entry["by"], float(above), words)


def _template(entry: dict, where: str) -> Template:
    words = {
        name: _choice(choice, f"{where}, word '{name}'")
        for name, choice in entry.get("words", {}).items()
    }
    modes = tuple(entry.get("modes", ("smoke", "quick", "full")))
    example = entry.get("example")
    if "smoke" not in modes and not isinstance(example, dict):
        raise CatalogError(f"{where}: a template smoke mode does not say needs example numbers")
    return Template(where, _bilingual(entry, where), words, modes, example)


@cache
def catalog(topic_id: str) -> Catalog:
    """The catalog `notes/TOPIC.toml` of `topic_id`, parsed and checked."""
    where = f"catalog notes/{topic_id}.toml"
    path = resources.files("glassnet.lab").joinpath("notes", f"{topic_id}.toml")
    if not path.is_file():
        raise CatalogError(f"{where}: no such file")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = {
        k: Text(**_bilingual(v, f"{where}, text '{k}'")) for k, v in data.get("text", {}).items()
    }
    templates = {k: _template(v, f"{where}, say '{k}'") for k, v in data.get("say", {}).items()}
    return Catalog(topic_id, texts, templates)


def catalog_topics() -> list[str]:
    """The topics that have a catalog (every `notes/*.toml` but the index)."""
    folder = resources.files("glassnet.lab").joinpath("notes")
    return sorted(
        item.name[: -len(".toml")]
        for item in folder.iterdir()
        if item.name.endswith(".toml") and item.name != "index.toml"
    )
