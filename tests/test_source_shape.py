"""glassnet outside the lab reads like the lab: functions that fit on a screen (at most 60
lines, decorators not counted) and files of one concept (at most 400 lines).
tests/lab/test_lab_shape.py holds the lab to the same limits."""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from textwrap import indent

import glassnet

SOURCE = Path(glassnet.__file__).parent
MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 400
FILE = "<file>"  # a WAIVED entry for the file's length rather than one of its functions

# Over the limits, and why; an entry stays only while it is over: once it gets under the
# limit, test_every_waiver_is_still_needed fails until its line is deleted. Nothing new joins.
WAIVED: dict[str, set[str]] = {}


def source_files() -> list[Path]:
    """Every module of glassnet except the lab's (checked by tests/lab/test_lab_shape.py)."""
    return [
        path for path in sorted(SOURCE.rglob("*.py")) if path.relative_to(SOURCE).parts[0] != "lab"
    ]


def long_functions(tree: ast.AST, limit: int = MAX_FUNCTION_LINES) -> dict[str, int]:
    """{qualified name: lines} of every function or method longer than `limit` lines."""
    found: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                lines = child.end_lineno - child.lineno + 1
                if not isinstance(child, ast.ClassDef) and lines > limit:
                    found[name] = lines
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


@functools.cache  # parsed once for the three tests below
def overs() -> dict[str, dict[str, int]]:
    """{file relative to SOURCE: {what is over the limit: its lines}} over all source files."""
    result = {}
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        over = long_functions(ast.parse(text))
        lines = len(text.splitlines())
        if lines > MAX_FILE_LINES:
            over[FILE] = lines
        if over:
            result[path.relative_to(SOURCE).as_posix()] = over
    return result


def test_every_function_fits_on_a_screen():
    long = [
        f"{path}: {name} ({lines} lines)"
        for path, over in overs().items()
        for name, lines in over.items()
        if name != FILE and name not in WAIVED.get(path, set())
    ]
    assert long == [], f"over {MAX_FUNCTION_LINES} lines; split them"


def test_every_file_holds_one_concept():
    long = [
        f"{path} ({over[FILE]} lines)"
        for path, over in overs().items()
        if FILE in over and FILE not in WAIVED.get(path, set())
    ]
    assert long == [], f"over {MAX_FILE_LINES} lines; split them"


def test_every_waiver_is_still_needed():
    current = overs()
    stale = [
        f"{path}: {name}"
        for path, names in WAIVED.items()
        for name in names
        if name not in current.get(path, {})
    ]
    assert stale == [], "no longer over the limit: delete these from WAIVED"


def test_the_measure_names_methods_and_nested_functions():
    body = indent("".join(f"x{i} = {i}\n" for i in range(60)), "    ")  # 60 lines
    source = (
        "class A:\n    def short(self):\n        pass\n\n    def long(self):\n"
        + indent(body, "    ")
        + "\n\ndef outer():\n    def inner():\n"
        + indent(body, "    ")
    )
    assert long_functions(ast.parse(source)) == {"A.long": 61, "outer": 62, "outer.inner": 61}
