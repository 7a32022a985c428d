"""Which language the figures speak: Chinese where matplotlib finds a CJK font, English otherwise.

The runner runs each experiment inside `figure_language(lang)`. For 'zh' with a CJK font
installed, matplotlib's sans-serif family starts with that font for the whole experiment
(text objects take their font when they are created), and `figure_text(Text(en, zh))`
gives the Chinese; without one the figures keep their English labels, which every font
can draw. The HTML report names the same fonts in its CSS.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache

from glassnet.lab.text import Text

__all__ = ["CJK_FONTS", "cjk_font", "figure_lang", "figure_language", "figure_text"]

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
)
_LANG: ContextVar[str] = ContextVar("glassnet_lab_figure_lang", default="en")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first of CJK_FONTS that matplotlib's font manager knows, or None."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def figure_lang() -> str:
    """'zh' inside figure_language('zh') when a CJK font exists; 'en' otherwise."""
    return "zh" if _LANG.get() == "zh" and cjk_font() is not None else "en"


def figure_text(text: Text | str) -> str:
    """The label in the figures' language (see figure_lang)."""
    return text.get(figure_lang()) if isinstance(text, Text) else text


@contextlib.contextmanager
def figure_language(lang: str) -> Iterator[None]:
    """Figures made inside speak `lang` where a font allows (see the module docstring)."""
    token = _LANG.set(lang)
    try:
        if figure_lang() != "zh":
            yield
            return
        import matplotlib

        font = cjk_font()
        settings = {
            "font.family": "sans-serif",
            "font.sans-serif": [font, "DejaVu Sans"],
            "axes.unicode_minus": False,  # not every CJK font draws U+2212
        }
        with matplotlib.rc_context(settings):
            yield
    finally:
        _LANG.reset(token)
