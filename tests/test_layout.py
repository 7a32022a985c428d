"""The architecture's rules that code can check: the backend seam and one-way imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "glassnet"

# Lower layers never import higher ones (ARCHITECTURE.md / STYLE.md).
FORBIDDEN = {
    "ops": (
        "glassnet.nn",
        "glassnet.optim",
        "glassnet.data",
        "glassnet.train",
        "glassnet.cli",
        # the tools: shape.py, summary.py and the rest take the formula from ops, not back
        "glassnet.shape",
        "glassnet.summary",
        "glassnet.diagnose",
        "glassnet.viz",
        "glassnet.lab",
    ),
    "nn": ("glassnet.optim", "glassnet.train", "glassnet.cli"),
    "optim": ("glassnet.train", "glassnet.cli"),
    "data": ("glassnet.train", "glassnet.cli"),
}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_ops_reach_arrays_only_through_the_backend():
    """No `import numpy` inside ops/: CuPy slots in through `xp` without touching the ops."""
    offenders = [
        str(path.relative_to(SOURCE))
        for path in sorted((SOURCE / "ops").rglob("*.py"))
        if any(name == "numpy" or name.startswith("numpy.") for name in imported_modules(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_flow_one_way(layer):
    folder = SOURCE / layer
    offenders = []
    for path in sorted(folder.rglob("*.py")) if folder.exists() else []:
        for name in imported_modules(path):
            if name.startswith(FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(SOURCE)} imports {name}")
    assert offenders == []


def test_argparse_lives_only_in_the_cli():
    """The library exposes plain functions; only glassnet.cli parses command lines."""
    offenders = [
        str(path.relative_to(SOURCE))
        for path in sorted(SOURCE.rglob("*.py"))
        if path.relative_to(SOURCE).parts[0] != "cli" and "argparse" in imported_modules(path)
    ]
    assert offenders == []
