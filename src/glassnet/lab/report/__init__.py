"""The lab's report: the same results rendered as one self-contained HTML page and as Markdown.

- `formatting`: what both share, and the one place numbers become text (`format_cell`);
- `labels`: the fixed wording (headings, verdict names) in English and Chinese;
- `html`, `markdown`: the two renderings;
- `folder`: the report folder, replaced atomically.
"""
