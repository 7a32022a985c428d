"""Graphviz DOT text, written by hand, and rendering it with the `dot` program when present.

DOT is a small language: `digraph { a -> b }` plus attributes in brackets. Writing it
needs no Python package; turning it into SVG or PNG needs Graphviz's `dot` program
(Debian/Ubuntu: `apt-get install graphviz`). Without `dot` the DOT file is written
instead and a `GraphvizWarning` says how to get the picture.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from glassnet.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from glassnet.viz.graph import Graph

FORMATS = ("dot", "svg", "png")
_SUFFIXES = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png"}
INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install -c conda-forge graphviz)"
)
DOT_TIMEOUT_S = 120

STYLES = {  # fill colours by node kind; the shapes say op (rounded) versus data (square)
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dde8f7"},
    "module": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dde8f7"},
    "param": {"shape": "box", "style": "filled", "fillcolor": "#fbeec6"},
    "input": {"shape": "box", "style": "filled", "fillcolor": "#d5f0d5"},
    "constant": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee"},
    "leaf": {"shape": "box", "style": "filled", "fillcolor": "#f6d5d5"},
    "output": {"shape": "box", "style": "filled", "fillcolor": "#d5f0d5"},
}


class GraphvizWarning(UserWarning):
    """The picture could not be rendered (no `dot` program, or it failed); the DOT file was written."""


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's \\n."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _attributes(attrs: dict[str, str]) -> str:
    return (
        " [" + " ".join(f"{key}={quote(value)}" for key, value in attrs.items()) + "]"
        if attrs
        else ""
    )


def _cluster_id(path: tuple[str, ...]) -> str:
    return "cluster_" + re.sub(r"[^A-Za-z0-9_]", "_", "__".join(path))


def to_dot(graph: Graph) -> str:
    """The DOT text of `graph`: nodes (nested in their clusters), then edges in data-flow direction."""
    lines = ["digraph glassnet {"]
    graph_attrs = {
        "rankdir": "TB",
        "fontname": "Helvetica",
        "fontsize": "12",
        "newrank": "true",
        **graph.attrs,
    }
    if graph.title:
        graph_attrs.update(label=graph.title, labelloc="t")
    lines.append(f"  graph{_attributes(graph_attrs)}")
    lines.append('  node [fontname="Helvetica" fontsize="10" margin="0.08,0.04"]')
    lines.append('  edge [arrowsize="0.7" color="#555555" fontname="Helvetica" fontsize="10"]')

    members: dict[tuple[str, ...], list[str]] = defaultdict(list)
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for node in graph.nodes:  # clusters in the order their first node appears: deterministic text
        members[node.cluster].append(node.id)
        for end in range(1, len(node.cluster) + 1):
            path = node.cluster[:end]
            if path not in children[path[:-1]]:
                children[path[:-1]].append(path)
    by_id = {node.id: node for node in graph.nodes}

    def emit(path: tuple[str, ...], indent: str) -> None:
        if path:
            label = graph.clusters.get(path, path[-1])
            attrs = {
                "label": label,
                "style": "rounded",
                "color": "#9a9a9a",
                "fontsize": "10",
                **graph.cluster_attrs.get(path, {}),
            }
            lines.append(f"{indent}subgraph {_cluster_id(path)} {{")
            lines.append(f"{indent}  graph{_attributes(attrs)}")
            inner = indent + "  "
        else:
            inner = indent
        for node_id in members.get(path, []):
            node = by_id[node_id]
            attrs = {
                **STYLES.get(node.kind, {}),
                "label": "\n".join(node.label_lines()),
                **node.attrs,
            }
            lines.append(f"{inner}{node.id}{_attributes(attrs)}")
        for child in children.get(path, []):
            emit(child, inner)
        if path:
            lines.append(f"{indent}}}")

    emit((), "  ")
    for edge in graph.edges:
        attrs = ({"label": edge.label} if edge.label else {}) | edge.attrs
        lines.append(f"  {edge.tail} -> {edge.head}{_attributes(attrs)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- rendering ------------------------------------------------------------------------------
def resolve_format(path: str | Path | None, format: str | None) -> str:
    """The format asked for, or the one the path's suffix names, or 'dot'; a clash is an error."""
    suffix = Path(path).suffix.lower() if path is not None else ""
    implied = _SUFFIXES.get(suffix)
    if format is None:
        if path is not None and implied is None:
            raise ValueError(
                f"draw: cannot tell the format from the path {str(path)!r}; give format= one of "
                f"{', '.join(FORMATS)}, or end the path with .dot, .svg or .png"
            )
        return implied or "dot"
    if format not in FORMATS:
        raise ValueError(f"draw: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if implied is not None and implied != format:
        raise ValueError(
            f"draw: path {str(path)!r} ends in {suffix} but format={format!r}; make them agree"
        )
    return format


def run_dot(source: str, format: str) -> tuple[bytes | None, str | None]:
    """(rendered bytes, None), or (None, why not) when `dot` is missing or fails."""
    program = shutil.which("dot")
    if program is None:
        return None, "Graphviz's `dot` program was not found on PATH"
    try:
        done = subprocess.run(
            [program, f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"running {program} failed: {error}"
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        return None, f"{program} -T{format} failed: {reason}"
    return done.stdout, None


def render(
    source: str, path: str | Path | None, format: str
) -> tuple[Path | None, str, bytes | None, str | None]:
    """Write `source` as `format` to `path` (if given).

    Returns (the file written or None, the format it holds, the rendered bytes when
    rendered, a message when the picture could not be made). Without a working `dot`
    the DOT source goes to PATH with the suffix .dot, and a GraphvizWarning says why
    and how to render it later; nothing raises.
    """
    target = Path(path) if path is not None else None
    if format == "dot":
        if target is not None:
            atomic_write_bytes(target, source.encode("utf-8"))
        return target, "dot", source.encode("utf-8"), None
    data, reason = run_dot(source, format)
    if data is not None:
        if target is not None:
            atomic_write_bytes(target, data)
        return target, format, data, None
    if target is None:
        message = f"{reason}, so no {format.upper()} was made; {INSTALL_HINT}"
    else:
        fallback = target.with_suffix(".dot")
        atomic_write_bytes(fallback, source.encode("utf-8"))
        message = (
            f"{reason}, so {target} was not rendered; the DOT source is in {fallback}. To get the "
            f"picture, {INSTALL_HINT}, then run: dot -T{format} {fallback} -o {target}"
        )
        target = fallback
    warnings.warn(message, GraphvizWarning, stacklevel=3)
    return target, "dot", None, message
