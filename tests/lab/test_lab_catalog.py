"""Every measured sentence comes from a catalog template: each renders with its smoke run's numbers,
and flipping a measured comparison flips the word that states it."""

from __future__ import annotations

import pytest
from lab_checks import smoke_result

from glassnet.lab.catalog import CatalogError, Choice, Template, catalog, catalog_topics

TEMPLATES = [(topic, key) for topic in catalog_topics() for key in catalog(topic).templates]


def test_there_are_catalogs():
    assert "input_pipeline" in catalog_topics() and TEMPLATES


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("topic", "key"), TEMPLATES, ids=lambda v: str(v))
def test_every_template_renders_with_the_smoke_runs_numbers(topic, key):
    numbers = numbers_of(topic, key)
    template = catalog(topic).template(key)
    assert template.names() <= set(numbers)
    text = template.render(numbers)
    assert text.en and text.zh and "{" not in text.en and "{" not in text.zh


def numbers_of(topic: str, key: str) -> dict:
    """The numbers the smoke run said `key` with (the catalog's example where smoke mode does not say it)."""
    template = catalog(topic).template(key)
    if "smoke" not in template.modes:
        return template.example
    result = smoke_result(topic)
    assert result.error is None, result.error
    assert key in result.said, f"the smoke run of {topic} never said '{key}'"
    return result.said[key]


def flipped(choice: Choice, numbers: dict) -> dict:
    """The numbers with choice.by moved to the other side of its threshold."""
    value = float(numbers[choice.by])
    other = choice.above - (value - choice.above) if value != choice.above else choice.above + 1
    return {**numbers, choice.by: other}


CHOICES = [
    (topic, key, word) for topic, key in TEMPLATES for word in catalog(topic).template(key).words
]


@pytest.mark.parametrize(("topic", "key", "word"), CHOICES, ids=lambda v: str(v))
def test_flipping_a_comparison_changes_the_sentence(topic, key, word):
    template = catalog(topic).template(key)
    numbers = numbers_of(topic, key)
    choice = template.words[word]
    before, after = template.render(numbers), template.render(flipped(choice, numbers))
    for lang in ("en", "zh"):
        assert before.get(lang) != after.get(lang)
        words = choice.words[lang]
        assert words[0 if float(numbers[choice.by]) > choice.above else 1] in before.get(lang)


def test_a_missing_number_is_named():
    template = Template(
        "test",
        {"en": "{a:.1f} is {pace}", "zh": "{a:.1f} {pace}"},
        {"pace": Choice("b", 1.0, {"en": ("fast", "slow"), "zh": ("快", "慢")})},
    )
    assert template.render({"a": 1.0, "b": 2.0}).en == "1.0 is fast"
    assert template.render({"a": 1.0, "b": 0.5}).zh == "1.0 慢"
    with pytest.raises(CatalogError, match="no number 'b'; given: a"):
        template.render({"a": 1.0})


def test_an_unknown_catalog_or_key_is_loud():
    with pytest.raises(CatalogError, match="no such file"):
        catalog("no_such_topic")
    with pytest.raises(CatalogError, match="no template 'nope'"):
        catalog("input_pipeline").say("nope")
