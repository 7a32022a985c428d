"""The written report, parsed: self-contained HTML, Markdown whose links resolve, both languages."""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from html.parser import HTMLParser

import pytest
from PIL import Image

from glassnet.lab.report.folder import MARKER
from glassnet.lab.report.html import CONTENT_SECURITY_POLICY

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Collector(HTMLParser):
    """Every start tag with its attributes, every id, and the text of <style> blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def decode_png(uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix), uri[:40]
    try:
        data = base64.b64decode(uri[len(prefix) :], validate=True)
    except binascii.Error as error:  # pragma: no cover - the assertion message is the point
        pytest.fail(f"not valid base64: {error}")
    assert data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(data))
    image.load()  # decodes every pixel: a truncated PNG raises here
    return image


def test_every_image_is_a_decodable_png_data_uri(smoke_report):
    page = parse(smoke_report.html.read_text(encoding="utf-8"))
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == sum(len(r.figures) for r in smoke_report.results) >= 1
    for attrs in images:
        image = decode_png(attrs["src"])
        assert image.format == "PNG" and image.size == (int(attrs["width"]), int(attrs["height"]))
        assert attrs["alt"]


def test_the_page_references_nothing_outside_itself(smoke_report):
    html = smoke_report.html.read_text(encoding="utf-8")
    page = parse(html)
    assert not [
        tag
        for tag, _ in page.tags
        if tag in ("script", "link", "iframe", "object", "embed", "base")
    ]
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "poster", "action", "data"):
            value = attrs.get(name)
            if value is None:
                continue
            if name == "href":
                assert value.startswith("#"), f"<{tag} href={value!r}>"
            else:
                assert value.startswith("data:image/png;base64,"), f"<{tag} {name}={value[:60]!r}>"
        assert not any(name.startswith("on") for name in attrs), f"<{tag}> has an event handler"
        for name, value in attrs.items():  # no attribute names anything outside the page
            is_policy = name == "content" and attrs.get("http-equiv") == "Content-Security-Policy"
            if (
                not is_policy and name != "src"
            ):  # src: checked above to be a PNG data URI (base64 has '/')
                assert not re.search(r"https?:|file:|//", value), f"<{tag} {name}={value[:60]!r}>"
    css = "".join(page.styles)
    assert css.strip() and not re.search(r"url\(|@import|@font-face|https?:|//", css)
    assert not re.search(r"https?://", html)
    csp = [
        attrs["content"]
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp == [CONTENT_SECURITY_POLICY] and "default-src 'none'" in csp[0]


def test_table_of_contents_and_summary_links_resolve_to_ids(smoke_report):
    page = parse(smoke_report.html.read_text(encoding="utf-8"))
    links = [attrs["href"][1:] for tag, attrs in page.tags if tag == "a" and "href" in attrs]
    assert "topic-conv_arithmetic" in links and "claim-conv_arithmetic-floor_formula" in links
    assert [link for link in links if link not in page.ids] == []
    assert len(page.ids) == len([1 for _, attrs in page.tags if "id" in attrs])  # ids are unique


def test_the_page_shows_question_excerpt_translation_and_verdicts(smoke_report):
    html = smoke_report.html.read_text(encoding="utf-8")
    assert "给定卷积神经网络输入,卷积核大小,padding,步长,求输出的shape?" in html
    assert "find the shape of the output?" in html  # the English rendering
    badge = '<span class="badge definition">definition, checked (provisional: smoke)</span>'
    assert html.count(badge) == 2 * 5  # each claim in its section and in the summary
    assert "Every verdict below is provisional" in html  # the smoke warning at the top
    assert 'class="badge robust"' not in html  # one seed says nothing about robustness
    assert "floor((W - K + 2P) / S) + 1" in html


def test_markdown_links_resolve_to_files_and_anchors(smoke_report):
    markdown = smoke_report.markdown.read_text(encoding="utf-8")
    folder = smoke_report.markdown.parent
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', markdown))
    targets = re.findall(r"\]\(([^)\s]+)\)", markdown)
    assert any(t.startswith("figures/") for t in targets) and any(
        t.startswith("#") for t in targets
    )
    for target in targets:
        if target.startswith("#"):
            assert target[1:] in anchors, target
        else:
            assert not re.match(r"[a-z]+:|/", target), target  # relative, no scheme
            path = folder / target
            assert path.is_file(), target
            assert path.read_bytes().startswith(PNG_MAGIC)
            Image.open(path).load()
    figure_files = sorted(p.name for p in (folder / "figures").iterdir())
    assert figure_files == sorted(t.split("/")[1] for t in targets if t.startswith("figures/"))


def test_report_json_lists_every_claim_with_verdict_and_mode(smoke_report):
    data = json.loads((smoke_report.folder / MARKER).read_text(encoding="utf-8"))
    assert data["generator"] == "glassnet lab" and data["mode"] == "smoke"
    claims = {c["claim"]: c for t in data["topics"] for c in t["claims"]}
    assert claims["conv_arithmetic.floor_formula"]["verdict"] == "holds"
    assert claims["conv_arithmetic.floor_formula"]["numbers"]["configurations"] == 50
    assert all(c["mode"] == "smoke" for c in claims.values())


def test_the_chinese_report_renders_its_prose_in_chinese(smoke_report_zh):
    html = smoke_report_zh.html.read_text(encoding="utf-8")
    markdown = smoke_report_zh.markdown.read_text(encoding="utf-8")
    page = parse(html)
    assert ("html", {"lang": "zh-CN"}) in page.tags
    for text in (html, markdown):
        for word in (
            "目录",
            "全部结论",
            "问题",
            "实验设置",
            "判定规则",
            "成立",
            "卷积输出尺寸的计算",
            "配置数",
        ):
            assert word in text, word
        assert "All verdicts" not in text and "Contents" not in text
    assert '<span class="badge definition">定义,已核对(暂定:smoke)</span>' in html
    assert "下面的每个结论都是暂定的" in html and "下面的每个结论都是暂定的" in markdown
    assert "每个族 50 个随机配置" in html  # the setup text written in Chinese
