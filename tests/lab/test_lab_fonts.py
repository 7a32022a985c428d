"""Figures speak Chinese in a zh run only where matplotlib has a CJK font; the HTML names them."""

from __future__ import annotations

import matplotlib
import pytest

from glassnet.lab import fonts
from glassnet.lab.report.html import _CSS
from glassnet.lab.report.labels import label
from glassnet.lab.runner import run_experiment
from glassnet.lab.text import Text

LABEL = Text("accuracy", "准确率")


def test_english_runs_keep_english_labels_and_matplotlibs_fonts():
    before = list(matplotlib.rcParams["font.sans-serif"])
    with fonts.figure_language("en"):
        assert fonts.figure_lang() == "en" and fonts.figure_text(LABEL) == "accuracy"
        assert matplotlib.rcParams["font.sans-serif"] == before


def test_zh_uses_the_cjk_font_when_there_is_one(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: "WenQuanYi Micro Hei")
    with fonts.figure_language("zh"):
        assert fonts.figure_text(LABEL) == "准确率"
        assert matplotlib.rcParams["font.sans-serif"][0] == "WenQuanYi Micro Hei"
    assert fonts.figure_lang() == "en"
    assert matplotlib.rcParams["font.sans-serif"][0] != "WenQuanYi Micro Hei"


def test_zh_without_a_cjk_font_keeps_english(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    with fonts.figure_language("zh"):
        assert fonts.figure_text(LABEL) == "accuracy"


@pytest.mark.parametrize("font", fonts.CJK_FONTS[:6])
def test_the_html_font_stack_names_the_common_cjk_fonts(font):
    assert f'"{font}"' in _CSS


@pytest.mark.parametrize(("lang", "expected"), [("en", "quick mode"), ("zh", "quick 模式")])
def test_the_margin_label_names_the_runs_mode(lang, expected):
    assert expected in label(lang, "margin", mode="quick")


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # DejaVu stands in for a CJK font
def test_a_zh_run_draws_chinese_labels_only_with_a_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: "DejaVu Sans")  # any installed font name
    zh = run_experiment("mnist1d_benchmark", "smoke", 0, lang="zh")
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    plain = run_experiment("mnist1d_benchmark", "smoke", 0, lang="zh")
    assert zh.error is None and plain.error is None
    assert zh.figures[0].png != plain.figures[0].png  # Chinese titles drawn, English ones kept
