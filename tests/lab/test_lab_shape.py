"""The lab reads like the rest of glassnet: no underscore helper files beside the topics, imports
that flow one way (no cycle, none hidden inside a function), functions that fit on a screen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import glassnet.lab

LAB = Path(glassnet.lab.__file__).parent
MAX_LINES = 60
FILES = sorted(LAB.rglob("*.py"))


def screen_cases() -> list:
    return [pytest.param(path, id=str(path.relative_to(LAB))) for path in FILES]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(LAB.parent.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lab_imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The glassnet.lab modules an AST imports (`from a import b` counts a.b when b is a module)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = module if is_package else module.rsplit(".", 1)[0]
                package = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{package}.{base}" if base else package
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("glassnet.lab")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in FILES}
    edges = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = lab_imports(tree, name, path.name == "__init__.py")
        edges[name] = {t for t in targets if t in modules and t != name}
    return edges


def test_no_underscore_helper_files_beside_the_topics():
    helpers = [p.name for p in (LAB / "topics").iterdir() if p.name.startswith("_")]
    assert helpers == ["__init__.py"] or sorted(helpers) == ["__init__.py", "__pycache__"]


def test_no_import_inside_a_function_reaches_into_the_lab():
    hidden = []
    for path in FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)) and lab_imports(
                        node, module_name(path), path.name == "__init__.py"
                    ):
                        hidden.append(f"{path.relative_to(LAB)}:{node.lineno}")
    assert hidden == []


def test_the_lab_import_graph_has_no_cycle():
    edges = graph()
    state: dict[str, str] = {}
    cycles = []

    def visit(
        node: str, path: list[str]
    ) -> None:  # depth-first; a grey node reached again is a cycle
        state[node] = "grey"
        for target in sorted(edges[node]):
            # a package's __init__ importing its own submodules is how a package is built
            if target.startswith(node + ".") or node.startswith(target + "."):
                continue
            if state.get(target) == "grey":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = "black"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_import_graph_check_finds_a_planted_cycle(tmp_path):
    tree = ast.parse("from glassnet.lab.kit import loop\nfrom .data import Split\n")
    found = lab_imports(tree, "glassnet.lab.kit.clock", is_package=False)
    assert {
        "glassnet.lab.kit.loop",
        "glassnet.lab.kit.data",
        "glassnet.lab.kit.data.Split",
    } <= found


@pytest.mark.parametrize("path", screen_cases())
def test_every_lab_function_fits_on_a_screen(path):
    long = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_LINES:
                long.append(f"{node.name} ({lines} lines)")
    assert long == [], f"{path.relative_to(LAB)}: over {MAX_LINES} lines"
