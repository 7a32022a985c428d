"""Parse a PyTorch signature line such as `add(input, other, *, alpha=1, out=None) -> Tensor`.

Used to build and to re-check the frozen table in `torch_2_13.py`.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

POSITIONAL, KEYWORD = "positional", "keyword"


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _default(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse(line: str) -> list[tuple[str, str, Any]]:
    """[(name, kind, default)] with default `inspect.Parameter.empty` as the string '<required>'."""
    start = line.index("(") + 1
    depth, end = 1, start
    while depth:
        depth += {"(": 1, ")": -1}.get(line[end], 0)
        end += 1
    inner = line[start : end - 1]
    params, kind = [], POSITIONAL
    for part in _split_top_level(inner.replace("\\*", "*")):
        if part == "*":
            kind = KEYWORD
            continue
        if part.startswith("*"):  # *size, *args
            params.append((part.lstrip("*").split(":")[0].strip(), "varargs", "<required>"))
            kind = KEYWORD
            continue
        name, _, default = part.partition("=")
        name = name.split(":")[0].strip()
        params.append((name, kind, _default(default.strip()) if default else "<required>"))
    return params


def describe(function: Any) -> list[tuple[str, str, Any]]:
    """The same description for a Python callable, from inspect.signature."""
    params = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            kind = "varargs"
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kind = KEYWORD
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        else:
            kind = POSITIONAL
        default = (
            "<required>" if parameter.default is inspect.Parameter.empty else parameter.default
        )
        params.append((parameter.name, kind, default))
    return params
